#include "config.h"

#include <stdint.h>
#include <string.h>

#include "utf8.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (n >= 2 && (s[1] & 0xc0) == 0x80) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)	/* overlong */
			return 0;
		if (c == 0xed && s[1] >= 0xa0)	/* surrogate */
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint64_t w;
	size_t i = 0, n;

	while (i < len) {
		/* Most of a JSON body is ASCII: eight bytes at a time while
		 * none has the high bit set. */
		if (len - i >= 8) {
			memcpy(&w, p + i, 8);
			if ((w & 0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		if ((n = seq_len(p + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		n = seq_len(p + i, len - i);
		if (n == 0)
			n = 1;
		if (i + n > max)
			break;
		i += n;
	}
	return i;
}

size_t
utf8_sanitize(char *dst, size_t dstlen, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, o = 0, n;

	if (dstlen == 0)
		return 0;
	if (max > dstlen - 1)
		max = dstlen - 1;
	while (i < len) {
		/* Printable ASCII, the usual case, as it is. */
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			if (o + 1 > max)
				break;
			dst[o++] = (char)p[i++];
			continue;
		}
		n = seq_len(p + i, len - i);
		if (n == 0 || (n == 1 && (p[i] < 0x20 || p[i] == 0x7f))) {
			if (o + 1 > max)
				break;
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + n > max)
			break;
		memcpy(dst + o, p + i, n);
		o += n;
		i += n;
	}
	dst[o] = '\0';
	return o;
}
