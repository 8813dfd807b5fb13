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

/*
 * The charset parameter of ctype (RFC 9110 8.3.1, 5.6.6: names
 * case-insensitive, a token or a quoted-string, white space around ';'),
 * unquoted and lower-cased into out (outlen bytes, cut to fit).  "" when
 * there is none; a parameter that does not parse is passed over, and of
 * two charsets the first wins.
 */
void		 mediatype_charset(const char *ctype, char *out, size_t outlen);

#endif
