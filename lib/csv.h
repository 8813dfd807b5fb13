/*
 * CSV output (RFC 4180): fields holding a comma, a quote, CR or LF are
 * quoted, with quotes doubled; records end in CRLF.  A field a
 * spreadsheet would take for a formula gets a leading apostrophe (the
 * "formula guard"), as OWASP's "CSV injection" advice says, so opening
 * an export in a spreadsheet runs nothing an event sender wrote.  Pure:
 * text into a struct buf (buf.h), whose errors it keeps.
 *
 * Ownership: the caller's struct buf grows (buf.h says who frees
 * it); nothing else is allocated.
 */
#ifndef EVENTS_CSV_H
#define EVENTS_CSV_H

#include <stddef.h>

#include "buf.h"

/* 1 when a field s[0..n) would be read as a formula: it starts with
 * = + - @, a tab or a CR.  0 otherwise (an empty field included). */
int	csv_formula(const char *s, size_t n);

/*
 * Append the field s[0..n) (any bytes; a NUL is written as it is) to b,
 * quoted and guarded as above, then "," or, for the record's last
 * field, CRLF.
 */
void	csv_field(struct buf *b, const char *s, size_t n, int last);

#endif
