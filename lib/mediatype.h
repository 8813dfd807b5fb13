/*
 * A Content-Type field value (RFC 9110 8.3): its media type and its
 * charset parameter.  Pure: no I/O; the caller owns every buffer.
 */
#ifndef EVENTS_MEDIATYPE_H
#define EVENTS_MEDIATYPE_H

#include <stddef.h>

/* The media type of ctype (type "/" subtype), lower-cased, parameters
 * dropped, into out (outlen bytes, cut to fit).  "" when ctype is NULL
 * or empty. */
void		 mediatype_type(const char *ctype, char *out, size_t outlen);

/* Longest charset value kept, with its NUL (IANA's names are at most 40). */
#define MEDIATYPE_CHARSET_LEN	64

/*
 * The charset parameter of ctype (RFC 9110 8.3.1, 5.6.6: names
 * case-insensitive, a token or a quoted-string, white space around ';'
 * but not around '='), unquoted and lower-cased into out (outlen bytes,
 * cut to fit; a value past MEDIATYPE_CHARSET_LEN - 1 is cut there).  0
 * with "" when there is none; 0 with the value ("utf8" given as
 * "utf-8"); -1 when a charset parameter does not parse ("charset = x",
 * "x y", an empty value) or two of them differ, or a quote is left
 * unended anywhere (what follows it cannot be read), since the sender
 * then named a charset that cannot be read.  Another parameter that does
 * not parse is passed over.
 */
int		 mediatype_charset(const char *ctype, char *out, size_t outlen);

#endif
