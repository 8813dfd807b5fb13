/* CSV fields, RFC 4180, with the formula guard (see csv.h). */
#include "config.h"

#include <string.h>

#include "csv.h"

int
csv_formula(const char *s, size_t n)
{
	return n > 0 && s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

void
csv_field(struct buf *b, const char *s, size_t n, int last)
{
	int guard, quote;
	size_t i, start;

	guard = csv_formula(s, n);
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
