#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "bounds.h"
#include "coding.h"

const char *
coding_name(enum coding c)
{
	switch (c) {
	case CODING_GZIP:	return "gzip";
	case CODING_DEFLATE:	return "deflate";
	default:		return "identity";
	}
}

int
coding_parse(const char *value, enum coding *c, char *err, size_t errlen)
{
	const char *p = value, *tok;
	size_t n;
	enum coding one;

	*c = CODING_IDENTITY;
	if (value == NULL)
		return 0;
	for (;;) {
		/* RFC 9110 5.6.1: a list, elements separated by OWS "," OWS;
		 * empty elements are allowed. */
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return 0;
		tok = p;
		while (*p != '\0' && *p != ',' && *p != ' ' && *p != '\t')
			p++;
		n = (size_t)(p - tok);
		if (n == 8 && strncasecmp(tok, "identity", 8) == 0)
			continue;
		if ((n == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(tok, "x-gzip", 6) == 0))
			one = CODING_GZIP;
		else if (n == 7 && strncasecmp(tok, "deflate", 7) == 0)
			one = CODING_DEFLATE;
		else {
			snprintf(err, errlen,
			    "Content-Encoding \"%.*s\" not accepted: send the body as it is, or coded with one of gzip, deflate",
			    (int)(n > LIMIT_QUOTE_LEN ? LIMIT_QUOTE_LEN : n), tok);
			return -1;
		}
		if (*c != CODING_IDENTITY) {
			snprintf(err, errlen,
			    "Content-Encoding with two codings (%s, then %s): at most one of gzip, deflate",
			    coding_name(*c), coding_name(one));
			return -1;
		}
		*c = one;
		/* Anything but white space or a comma after a coding (a
		 * parameter, a quote) is not a coding we take. */
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0' && *p != ',') {
			snprintf(err, errlen, "Content-Encoding \"%.*s\" not accepted: one of gzip, deflate",
			    LIMIT_QUOTE_LEN, value);
			return -1;
		}
	}
}

/* RFC 1950 2.2: a zlib stream starts with CMF, FLG: deflate (CM 8), a
 * window of at most 32 KiB, and a check that makes CMF*256+FLG a
 * multiple of 31. */
static int
zlib_header(const unsigned char *s, size_t len)
{
	return len >= 2 && (s[0] & 0x0f) == 8 && (s[0] >> 4) <= 7 &&
	    ((unsigned)s[0] << 8 | s[1]) % 31 == 0;
}

enum coding_result
coding_decode(enum coding c, const char *in, size_t inlen, char *out,
    size_t outmax, size_t *outlen, char *err, size_t errlen)
{
	z_stream z;
	const unsigned char *u = (const unsigned char *)in;
	enum coding_result res = CODING_OK;
	unsigned char extra;
	int rc, bits;

	*outlen = 0;
	if (c == CODING_IDENTITY) {
		if (inlen > outmax)
			return CODING_TOO_LARGE;
		memcpy(out, in, inlen);
		*outlen = inlen;
		return CODING_OK;
	}
	if (inlen > UINT_MAX || outmax > UINT_MAX) {
		snprintf(err, errlen, "body too large to decode");
		return CODING_TOO_LARGE;
	}
	if (c == CODING_GZIP)
		bits = 16 + MAX_WBITS;		/* gzip only */
	else
		bits = zlib_header(u, inlen) ? MAX_WBITS : -MAX_WBITS;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, bits) != Z_OK)
		return CODING_NOMEM;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)inlen;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)outmax;
	for (;;) {
		rc = inflate(&z, Z_NO_FLUSH);
		if ((rc == Z_OK || rc == Z_BUF_ERROR) && z.avail_out == 0) {
			/* out is full: one more byte would pass the limit.
			 * Ask for it in a byte of our own, decoding no further
			 * than that. */
			z.next_out = &extra;
			z.avail_out = 1;
			rc = inflate(&z, Z_NO_FLUSH);
			if (z.avail_out == 0) {
				res = CODING_TOO_LARGE;
				z.next_out = (Bytef *)out + outmax;
				break;
			}
			z.next_out = (Bytef *)out + outmax;
			z.avail_out = 0;
		}
		if (rc == Z_STREAM_END) {
			/* RFC 1952 2.2: another gzip member may follow. */
			if (c == CODING_GZIP && z.avail_in >= 2 &&
			    z.next_in[0] == 0x1f && z.next_in[1] == 0x8b) {
				if (inflateReset(&z) != Z_OK) {
					res = CODING_NOMEM;
					break;
				}
				continue;
			}
			if (z.avail_in != 0) {
				snprintf(err, errlen, "%zu bytes follow the end of the %s data",
				    (size_t)z.avail_in, coding_name(c));
				res = CODING_BAD;
			}
			break;
		}
		if (rc == Z_OK)
			continue;
		if (rc == Z_BUF_ERROR && z.avail_in == 0) {
			snprintf(err, errlen, "the %s data ends before its end (cut short?)",
			    coding_name(c));
			res = CODING_BAD;
			break;
		}
		if (rc == Z_MEM_ERROR) {
			res = CODING_NOMEM;
			break;
		}
		snprintf(err, errlen, "not %s data: %s", coding_name(c),
		    z.msg != NULL ? z.msg : "damaged");
		res = CODING_BAD;
		break;
	}
	*outlen = (size_t)((char *)z.next_out - out);
	inflateEnd(&z);
	return res;
}
