/*
 * Output helpers of event-query: a growing buffer and CSV fields
 * (RFC 4180: fields holding a comma, a quote, CR or LF are quoted, with
 * quotes doubled; records end in CRLF).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

void
buf_add(struct buf *b, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->failed)
		return;
	if (n > b->cap - b->len) {
		cap = b->cap ? b->cap : 4096;
		while (n > cap - b->len) {
			if (cap > SIZE_MAX / 2) {
				b->failed = 1;
				return;
			}
			cap *= 2;
		}
		if ((p = realloc(b->p, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/*
 * One field and its separator.  A field that a spreadsheet would take
 * for a formula (it starts with = + - @, a tab or a CR) gets a leading
 * apostrophe, as OWASP's "CSV injection" advice says, so opening an
 * export in a spreadsheet runs nothing an event sender wrote.
 */
void
csv_field(struct buf *b, const char *s, size_t n, int last)
{
	int guard, quote;
	size_t i, start;

	guard = n > 0 && strchr("=+-@\t\r", s[0]) != NULL;
	quote = guard || memchr(s, ',', n) != NULL || memchr(s, '"', n) != NULL ||
	    memchr(s, '\r', n) != NULL || memchr(s, '\n', n) != NULL;
	if (quote)
		buf_add(b, "\"", 1);
	if (guard)
		buf_add(b, "'", 1);
	for (i = start = 0; i < n; i++)
		if (s[i] == '"') {
			buf_add(b, s + start, i + 1 - start);
			buf_add(b, "\"", 1);
			start = i + 1;
		}
	buf_add(b, s + start, n - start);
	if (quote)
		buf_add(b, "\"", 1);
	buf_add(b, last ? "\r\n" : ",", last ? 2 : 1);
}
