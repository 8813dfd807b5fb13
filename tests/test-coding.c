/* Content-Encoding of request bodies: the header, and decoding gzip,
 * zlib-wrapped and raw deflate, bounded, table-driven. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "check.h"
#include "coding.h"

static void
test_parse(void)
{
	static const struct { const char *v; int ok; enum coding c; const char *why; } cases[] = {
		{ NULL, 1, CODING_IDENTITY, NULL },
		{ "", 1, CODING_IDENTITY, NULL },
		{ "identity", 1, CODING_IDENTITY, NULL },
		{ "Identity, identity", 1, CODING_IDENTITY, NULL },
		{ "gzip", 1, CODING_GZIP, NULL },
		{ "GZip", 1, CODING_GZIP, NULL },
		{ "x-gzip", 1, CODING_GZIP, NULL },
		{ " gzip\t", 1, CODING_GZIP, NULL },
		{ "deflate", 1, CODING_DEFLATE, NULL },
		{ "identity, deflate", 1, CODING_DEFLATE, NULL },
		{ "gzip, identity", 1, CODING_GZIP, NULL },
		{ ",,gzip,", 1, CODING_GZIP, NULL },
		{ "br", 0, CODING_IDENTITY, "\"br\" not accepted" },
		{ "zstd", 0, CODING_IDENTITY, "\"zstd\"" },
		{ "compress", 0, CODING_IDENTITY, "\"compress\"" },
		{ "gzip, br", 0, CODING_IDENTITY, "\"br\"" },
		{ "gzip, deflate", 0, CODING_IDENTITY, "two codings (gzip, then deflate)" },
		{ "gzip, gzip", 0, CODING_IDENTITY, "two codings" },
		{ "gzip;q=1", 0, CODING_IDENTITY, "not accepted" },
		{ "gzip x", 0, CODING_IDENTITY, "not accepted" },
		{ "\"gzip\"", 0, CODING_IDENTITY, "not accepted" },
	};
	enum coding c;
	char err[256];
	size_t i;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		r = coding_parse(cases[i].v, &c, err, sizeof(err));
		if (cases[i].ok)
			CHECK(r == 0 && c == cases[i].c, "\"%s\": %d %d (%s)", cases[i].v ? cases[i].v : "NULL",
			    r, c, err);
		else
			CHECK(r == -1 && strstr(err, cases[i].why) != NULL, "\"%s\": %d \"%s\"",
			    cases[i].v, r, err);
	}
}

/* src coded with zlib: wbits 16+15 gzip, 15 zlib, -15 raw.  Returns a
 * malloc'd buffer and its length. */
static unsigned char *
code(const void *src, size_t len, int wbits, size_t *outlen)
{
	z_stream z;
	unsigned char *out;
	size_t cap = len + len / 100 + 1024;

	memset(&z, 0, sizeof(z));
	out = malloc(cap);
	if (deflateInit2(&z, 9, Z_DEFLATED, wbits, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (Bytef *)(uintptr_t)src;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

static void
test_decode(void)
{
	static const char json[] = "{\"type\":\"click\",\"metadata\":{\"x\":1}}";
	static const struct { int wbits; enum coding c; } ways[] = {
		{ 16 + 15, CODING_GZIP }, { 15, CODING_DEFLATE }, { -15, CODING_DEFLATE },
	};
	unsigned char *z, *two, *zeros;
	char out[4096], err[256], *big;
	size_t zlen, olen, n, i;
	enum coding_result r;

	for (i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		z = code(json, strlen(json), ways[i].wbits, &zlen);
		err[0] = '\0';
		r = coding_decode(ways[i].c, (char *)z, zlen, out, sizeof(out), &olen, err, sizeof(err));
		CHECK(r == CODING_OK && olen == strlen(json) && memcmp(out, json, olen) == 0,
		    "way %zu: %d %zu %s", i, r, olen, err);
		/* Exactly the limit is fine; a byte less is too large. */
		r = coding_decode(ways[i].c, (char *)z, zlen, out, strlen(json), &olen, err, sizeof(err));
		CHECK(r == CODING_OK && olen == strlen(json), "way %zu at the limit: %d", i, r);
		r = coding_decode(ways[i].c, (char *)z, zlen, out, strlen(json) - 1, &olen, err, sizeof(err));
		CHECK(r == CODING_TOO_LARGE, "way %zu a byte over: %d", i, r);
		/* Cut short, at every length. */
		for (n = 0; n < zlen; n++) {
			err[0] = '\0';
			r = coding_decode(ways[i].c, (char *)z, n, out, sizeof(out), &olen, err, sizeof(err));
			CHECK(r == CODING_BAD && err[0] != '\0', "way %zu cut at %zu of %zu: %d", i, n, zlen, r);
		}
		/* Trailing bytes. */
		z = realloc(z, zlen + 3);
		memcpy(z + zlen, "xyz", 3);
		r = coding_decode(ways[i].c, (char *)z, zlen + 3, out, sizeof(out), &olen, err, sizeof(err));
		CHECK(r == CODING_BAD && strstr(err, "3 bytes follow"), "way %zu trailing: %d %s", i, r, err);
		/* A damaged byte. */
		z[zlen / 2] ^= 0x55;
		r = coding_decode(ways[i].c, (char *)z, zlen, out, sizeof(out), &olen, err, sizeof(err));
		CHECK(r == CODING_BAD || (r == CODING_OK && (olen != strlen(json) ||
		    memcmp(out, json, olen) != 0) && i == 2),
		    "way %zu damaged: %d", i, r);
		free(z);
	}

	/* Labelled as what it is not. */
	r = coding_decode(CODING_GZIP, json, strlen(json), out, sizeof(out), &olen, err, sizeof(err));
	CHECK(r == CODING_BAD && strstr(err, "not gzip"), "plain JSON labelled gzip: %d %s", r, err);
	r = coding_decode(CODING_DEFLATE, json, strlen(json), out, sizeof(out), &olen, err, sizeof(err));
	CHECK(r == CODING_BAD, "plain JSON labelled deflate: %d %s", r, err);
	z = code(json, strlen(json), 16 + 15, &zlen);
	r = coding_decode(CODING_DEFLATE, (char *)z, zlen, out, sizeof(out), &olen, err, sizeof(err));
	CHECK(r == CODING_BAD, "gzip labelled deflate: %d", r);
	free(z);
	r = coding_decode(CODING_GZIP, "", 0, out, sizeof(out), &olen, err, sizeof(err));
	CHECK(r == CODING_BAD, "an empty gzip body: %d", r);

	/* Two gzip members one after the other (RFC 1952 2.2). */
	z = code(json, strlen(json), 16 + 15, &zlen);
	two = malloc(2 * zlen);
	memcpy(two, z, zlen);
	memcpy(two + zlen, z, zlen);
	r = coding_decode(CODING_GZIP, (char *)two, 2 * zlen, out, sizeof(out), &olen, err, sizeof(err));
	CHECK(r == CODING_OK && olen == 2 * strlen(json) && memcmp(out + strlen(json), json, strlen(json)) == 0,
	    "two members: %d %zu %s", r, olen, err);
	free(two);
	free(z);

	/* A bomb: 64 MiB of zeros in some 64 KiB, against a 1 MiB limit,
	 * stops at the limit. */
	n = 64 * 1024 * 1024;
	zeros = calloc(1, n);
	for (i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		z = code(zeros, n, ways[i].wbits, &zlen);
		big = malloc(1024 * 1024);
		r = coding_decode(ways[i].c, (char *)z, zlen, big, 1024 * 1024, &olen, err, sizeof(err));
		CHECK(r == CODING_TOO_LARGE && olen == 1024 * 1024, "bomb %zu (%zu bytes coded): %d %zu",
		    i, zlen, r, olen);
		free(big);
		free(z);
	}
	free(zeros);

	/* identity: a copy, bounded. */
	r = coding_decode(CODING_IDENTITY, json, strlen(json), out, sizeof(out), &olen, err, sizeof(err));
	CHECK(r == CODING_OK && olen == strlen(json), "identity");
	r = coding_decode(CODING_IDENTITY, json, strlen(json), out, 3, &olen, err, sizeof(err));
	CHECK(r == CODING_TOO_LARGE, "identity over the limit");
}

int
main(void)
{
	test_parse();
	test_decode();
	return check_exit("test-coding");
}
