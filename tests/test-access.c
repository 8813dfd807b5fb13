/* Write keys, origins, the read token, and what is kept of a client. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "access.h"
#include "check.h"
#include "check-openssl.h"
#include "privacy.h"

static void
test_keys(void)
{
	static struct access a;
	const struct access_site *s;
	char err[256];
	static const struct { const char *spec, *msg; } bad[] = {
		{ "pk!", "must be 1-64" },
		{ "pk=", "'=' with no origin" },
		{ "pk=shop.example", "not scheme://host" },
		{ "pk=https://shop.example/path", "not scheme://host" },
		{ "pk=ftp://shop.example", "not scheme://host" },
		{ "a b a", "given twice" },
		{ "=https://x.example", "must be 1-64" },
	};
	size_t i;

	CHECK(access_parse(&a, "", err, sizeof(err)) == 0 && a.nsites == 0, "empty: open");
	CHECK(access_check(&a, NULL, "https://any.example", &s) == ACCESS_OK, "open accepts all");
	CHECK(access_parse(&a, "  pk_shop=https://shop.example,http://localhost:8080 \tpk_cli  ",
	    err, sizeof(err)) == 0, "parse: %s", err);
	CHECK(a.nsites == 2 && a.sites[0].norigins == 2 && a.sites[1].norigins == 0, "sites");
	CHECK(access_check(&a, NULL, NULL, &s) == ACCESS_NO_KEY, "no key");
	CHECK(access_check(&a, "", NULL, &s) == ACCESS_NO_KEY, "empty key");
	CHECK(access_check(&a, "pk_other", NULL, &s) == ACCESS_BAD_KEY, "unknown key");
	CHECK(access_check(&a, "pk_shop", NULL, &s) == ACCESS_OK && s == &a.sites[0],
	    "no Origin (curl): the key alone");
	CHECK(access_check(&a, "pk_shop", "https://shop.example", &s) == ACCESS_OK, "allowed origin");
	CHECK(access_check(&a, "pk_shop", "HTTP://LOCALHOST:8080", &s) == ACCESS_OK, "case");
	CHECK(access_check(&a, "pk_shop", "https://evil.example", &s) == ACCESS_BAD_ORIGIN, "other origin");
	CHECK(access_check(&a, "pk_shop", "https://shop.example.evil.example", &s) == ACCESS_BAD_ORIGIN,
	    "origin prefix");
	CHECK(access_check(&a, "pk_shop", "null", &s) == ACCESS_BAD_ORIGIN, "opaque origin");
	CHECK(access_check(&a, "pk_cli", "https://evil.example", &s) == ACCESS_OK, "any origin");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(access_parse(&a, bad[i].spec, err, sizeof(err)) == -1 &&
		    strstr(err, bad[i].msg) != NULL, "%s: %s", bad[i].spec, err);
	}
}

static void
test_token(void)
{
	CHECK(access_token_equal("s3cret-token-123456", "s3cret-token-123456"), "equal");
	CHECK(!access_token_equal("s3cret-token-12345", "s3cret-token-123456"), "prefix");
	CHECK(!access_token_equal("s3cret-token-1234567", "s3cret-token-123456"), "longer");
	CHECK(!access_token_equal("", "s3cret-token-123456"), "empty");
	CHECK(!access_token_equal("S3cret-token-123456", "s3cret-token-123456"), "case");
	CHECK(strcmp(access_bearer("Bearer abc") ? access_bearer("Bearer abc") : "", "abc") == 0, "bearer");
	CHECK(strcmp(access_bearer("bearer   abc") ? access_bearer("bearer   abc") : "", "abc") == 0,
	    "scheme is case-insensitive (RFC 9110 11.1)");
	CHECK(access_bearer("Basic abc") == NULL, "basic");
	CHECK(access_bearer("Bearer ") == NULL, "empty bearer");
	CHECK(access_bearer(NULL) == NULL, "none");
}

/* SipHash-2-4's reference test vectors (vectors_sip64 of the reference
 * implementation by Aumasson and Bernstein): key 00 01 .. 0f, message
 * 00 01 .. (i-1) for i = 0..63, the 64-bit result least significant byte
 * first. */
static const unsigned char sip64[64][8] = {
	{ 0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72 },
	{ 0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74 },
	{ 0x5a, 0x4f, 0xa9, 0xd9, 0x09, 0x80, 0x6c, 0x0d },
	{ 0x2d, 0x7e, 0xfb, 0xd7, 0x96, 0x66, 0x67, 0x85 },
	{ 0xb7, 0x87, 0x71, 0x27, 0xe0, 0x94, 0x27, 0xcf },
	{ 0x8d, 0xa6, 0x99, 0xcd, 0x64, 0x55, 0x76, 0x18 },
	{ 0xce, 0xe3, 0xfe, 0x58, 0x6e, 0x46, 0xc9, 0xcb },
	{ 0x37, 0xd1, 0x01, 0x8b, 0xf5, 0x00, 0x02, 0xab },
	{ 0x62, 0x24, 0x93, 0x9a, 0x79, 0xf5, 0xf5, 0x93 },
	{ 0xb0, 0xe4, 0xa9, 0x0b, 0xdf, 0x82, 0x00, 0x9e },
	{ 0xf3, 0xb9, 0xdd, 0x94, 0xc5, 0xbb, 0x5d, 0x7a },
	{ 0xa7, 0xad, 0x6b, 0x22, 0x46, 0x2f, 0xb3, 0xf4 },
	{ 0xfb, 0xe5, 0x0e, 0x86, 0xbc, 0x8f, 0x1e, 0x75 },
	{ 0x90, 0x3d, 0x84, 0xc0, 0x27, 0x56, 0xea, 0x14 },
	{ 0xee, 0xf2, 0x7a, 0x8e, 0x90, 0xca, 0x23, 0xf7 },
	{ 0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1 },
	{ 0xdb, 0x9b, 0xc2, 0x57, 0x7f, 0xcc, 0x2a, 0x3f },
	{ 0x94, 0x47, 0xbe, 0x2c, 0xf5, 0xe9, 0x9a, 0x69 },
	{ 0x9c, 0xd3, 0x8d, 0x96, 0xf0, 0xb3, 0xc1, 0x4b },
	{ 0xbd, 0x61, 0x79, 0xa7, 0x1d, 0xc9, 0x6d, 0xbb },
	{ 0x98, 0xee, 0xa2, 0x1a, 0xf2, 0x5c, 0xd6, 0xbe },
	{ 0xc7, 0x67, 0x3b, 0x2e, 0xb0, 0xcb, 0xf2, 0xd0 },
	{ 0x88, 0x3e, 0xa3, 0xe3, 0x95, 0x67, 0x53, 0x93 },
	{ 0xc8, 0xce, 0x5c, 0xcd, 0x8c, 0x03, 0x0c, 0xa8 },
	{ 0x94, 0xaf, 0x49, 0xf6, 0xc6, 0x50, 0xad, 0xb8 },
	{ 0xea, 0xb8, 0x85, 0x8a, 0xde, 0x92, 0xe1, 0xbc },
	{ 0xf3, 0x15, 0xbb, 0x5b, 0xb8, 0x35, 0xd8, 0x17 },
	{ 0xad, 0xcf, 0x6b, 0x07, 0x63, 0x61, 0x2e, 0x2f },
	{ 0xa5, 0xc9, 0x1d, 0xa7, 0xac, 0xaa, 0x4d, 0xde },
	{ 0x71, 0x65, 0x95, 0x87, 0x66, 0x50, 0xa2, 0xa6 },
	{ 0x28, 0xef, 0x49, 0x5c, 0x53, 0xa3, 0x87, 0xad },
	{ 0x42, 0xc3, 0x41, 0xd8, 0xfa, 0x92, 0xd8, 0x32 },
	{ 0xce, 0x7c, 0xf2, 0x72, 0x2f, 0x51, 0x27, 0x71 },
	{ 0xe3, 0x78, 0x59, 0xf9, 0x46, 0x23, 0xf3, 0xa7 },
	{ 0x38, 0x12, 0x05, 0xbb, 0x1a, 0xb0, 0xe0, 0x12 },
	{ 0xae, 0x97, 0xa1, 0x0f, 0xd4, 0x34, 0xe0, 0x15 },
	{ 0xb4, 0xa3, 0x15, 0x08, 0xbe, 0xff, 0x4d, 0x31 },
	{ 0x81, 0x39, 0x62, 0x29, 0xf0, 0x90, 0x79, 0x02 },
	{ 0x4d, 0x0c, 0xf4, 0x9e, 0xe5, 0xd4, 0xdc, 0xca },
	{ 0x5c, 0x73, 0x33, 0x6a, 0x76, 0xd8, 0xbf, 0x9a },
	{ 0xd0, 0xa7, 0x04, 0x53, 0x6b, 0xa9, 0x3e, 0x0e },
	{ 0x92, 0x59, 0x58, 0xfc, 0xd6, 0x42, 0x0c, 0xad },
	{ 0xa9, 0x15, 0xc2, 0x9b, 0xc8, 0x06, 0x73, 0x18 },
	{ 0x95, 0x2b, 0x79, 0xf3, 0xbc, 0x0a, 0xa6, 0xd4 },
	{ 0xf2, 0x1d, 0xf2, 0xe4, 0x1d, 0x45, 0x35, 0xf9 },
	{ 0x87, 0x57, 0x75, 0x19, 0x04, 0x8f, 0x53, 0xa9 },
	{ 0x10, 0xa5, 0x6c, 0xf5, 0xdf, 0xcd, 0x9a, 0xdb },
	{ 0xeb, 0x75, 0x09, 0x5c, 0xcd, 0x98, 0x6c, 0xd0 },
	{ 0x51, 0xa9, 0xcb, 0x9e, 0xcb, 0xa3, 0x12, 0xe6 },
	{ 0x96, 0xaf, 0xad, 0xfc, 0x2c, 0xe6, 0x66, 0xc7 },
	{ 0x72, 0xfe, 0x52, 0x97, 0x5a, 0x43, 0x64, 0xee },
	{ 0x5a, 0x16, 0x45, 0xb2, 0x76, 0xd5, 0x92, 0xa1 },
	{ 0xb2, 0x74, 0xcb, 0x8e, 0xbf, 0x87, 0x87, 0x0a },
	{ 0x6f, 0x9b, 0xb4, 0x20, 0x3d, 0xe7, 0xb3, 0x81 },
	{ 0xea, 0xec, 0xb2, 0xa3, 0x0b, 0x22, 0xa8, 0x7f },
	{ 0x99, 0x24, 0xa4, 0x3c, 0xc1, 0x31, 0x57, 0x24 },
	{ 0xbd, 0x83, 0x8d, 0x3a, 0xaf, 0xbf, 0x8d, 0xb7 },
	{ 0x0b, 0x1a, 0x2a, 0x32, 0x65, 0xd5, 0x1a, 0xea },
	{ 0x13, 0x50, 0x79, 0xa3, 0x23, 0x1c, 0xe6, 0x60 },
	{ 0x93, 0x2b, 0x28, 0x46, 0xe4, 0xd7, 0x06, 0x66 },
	{ 0xe1, 0x91, 0x5f, 0x5c, 0xb1, 0xec, 0xa4, 0x6c },
	{ 0xf3, 0x25, 0x96, 0x5c, 0xa1, 0x6d, 0x62, 0x9f },
	{ 0x57, 0x5f, 0xf2, 0x8e, 0x60, 0x38, 0x1b, 0xe5 },
	{ 0x72, 0x45, 0x06, 0xeb, 0x4c, 0x32, 0x8a, 0x95 },
};

/* What privacy_ip gave for ip_mode = hash before it used OpenSSL: hashes
 * kept in the store must stay the same across the change. */
static const struct {
	const char	*secret, *addr;
	int64_t		 ms;
	const char	*want;
} stored[] = {
	{ "0123456789abcdef-secret", "192.0.2.55", 1764000000000LL, "h:e1231703e18aa714" },
	{ "0123456789abcdef-secret", "192.0.2.55", 0, "h:f4cab67cc88f0910" },
	{ "0123456789abcdef-secret", "192.0.2.55", 1764086400000LL, "h:3395f71ff763e369" },
	{ "0123456789abcdef-secret", "2001:db8::1", 1764000000000LL, "h:56b9f8ff49f578cd" },
	{ "0123456789abcdef-secret", "2001:db8::1", 0, "h:0d0f47d5a6835ea5" },
	{ "0123456789abcdef-secret", "::ffff:192.0.2.1", 1764086400000LL, "h:651c05bc5fb07408" },
	{ "0123456789abcdef-secret", "10.0.0.1", 0, "h:f5b784340c58431e" },
	{ "another-secret-0123", "192.0.2.55", 1764000000000LL, "h:97e328387d0f0273" },
	{ "a-secret-of-more-than-thirty-two-bytes-0123456789", "192.0.2.55",
	    1764000000000LL, "h:2bbdedf68a43dc97" },
};

/* No SIPHASH: said so, and an address to hash is kept as nothing. */
static void
no_siphash(void)
{
	char out[PRIVACY_IP_LEN], err[256];
	uint64_t h = 1;

	CHECK(privacy_hash_ready(err, sizeof(err)) == -1 && strstr(err, "SIPHASH"),
	    "SIPHASH missing, yet ready: %s", err);
	CHECK(siphash24((const unsigned char *)"0123456789abcdef", "x", 1, &h) == -1 && h == 0,
	    "siphash24 without SIPHASH");
	CHECK(privacy_ip(IP_HASH, "0123456789abcdef-secret", 0, "192.0.2.55", out) == -1 &&
	    out[0] == '\0', "hash without SIPHASH: \"%s\"", out);
	CHECK(privacy_ip(IP_TRUNCATE, "", 0, "192.0.2.55", out) == 0 &&
	    strcmp(out, "192.0.2.0") == 0, "truncate needs no hash: %s", out);
}

static void
test_siphash(void)
{
	unsigned char key[16], msg[64];
	char out[PRIVACY_IP_LEN], err[256];
	uint64_t h, want;
	size_t i;
	int j;

	CHECK(privacy_hash_ready(err, sizeof(err)) == 0, "SIPHASH: %s", err);
	for (i = 0; i < 16; i++)
		key[i] = (unsigned char)i;
	for (i = 0; i < 64; i++)
		msg[i] = (unsigned char)i;
	for (i = 0; i < 64; i++) {
		for (want = 0, j = 7; j >= 0; j--)
			want = want << 8 | sip64[i][j];
		CHECK(siphash24(key, msg, i, &h) == 0 && h == want,
		    "SipHash-2-4 of %zu bytes: %016llx, not %016llx", i,
		    (unsigned long long)h, (unsigned long long)want);
	}
	for (i = 0; i < sizeof(stored) / sizeof(stored[0]); i++) {
		CHECK(privacy_ip(IP_HASH, stored[i].secret, stored[i].ms, stored[i].addr, out) == 0 &&
		    strcmp(out, stored[i].want) == 0, "%s on day %lld: %s, stored as %s",
		    stored[i].addr, (long long)(stored[i].ms / 86400000), out, stored[i].want);
	}
}

static void
test_privacy(void)
{
	char a[PRIVACY_IP_LEN], b[PRIVACY_IP_LEN];
	const char *name, *reason;
	const char *secret = "0123456789abcdef-secret";
	enum ip_mode m;

	CHECK(privacy_ip_mode("hash", &m) == 0 && m == IP_HASH, "mode hash");
	CHECK(privacy_ip_mode("full", &m) == -1, "no full mode");
	privacy_ip(IP_TRUNCATE, "", 0, "192.0.2.55", a);
	CHECK(strcmp(a, "192.0.2.0") == 0, "truncate: %s", a);
	privacy_ip(IP_DROP, "", 0, "192.0.2.55", a);
	CHECK(a[0] == '\0', "drop");
	privacy_ip(IP_HASH, secret, 1764000000000LL, "192.0.2.55", a);
	privacy_ip(IP_HASH, secret, 1764000000000LL + 3600000, "192.0.2.55", b);
	CHECK(strncmp(a, "h:", 2) == 0 && strlen(a) == 18, "hash form: %s", a);
	CHECK(strcmp(a, b) == 0, "same day, same hash");
	privacy_ip(IP_HASH, secret, 1764000000000LL + 86400000, "192.0.2.55", b);
	CHECK(strcmp(a, b) != 0, "next day, another hash");
	privacy_ip(IP_HASH, secret, 1764000000000LL, "192.0.2.56", b);
	CHECK(strcmp(a, b) != 0, "another address, another hash");
	privacy_ip(IP_HASH, "another-secret-0123", 1764000000000LL, "192.0.2.55", b);
	CHECK(strcmp(a, b) != 0, "another secret, another hash");
	privacy_ip(IP_HASH, secret, 0, "junk", a);
	CHECK(a[0] == '\0', "junk is no address");

	CHECK(privacy_opted_out("1", NULL), "DNT: 1");
	CHECK(privacy_opted_out(NULL, "1"), "Sec-GPC: 1");
	CHECK(!privacy_opted_out("0", NULL) && !privacy_opted_out(NULL, NULL), "no opt-out");

	CHECK(privacy_bot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	    &name, &reason) && strcmp(name, "googlebot") == 0 &&
	    strcmp(reason, "known_crawler") == 0, "googlebot");
	CHECK(privacy_bot("Mozilla/5.0 (compatible; FooBot/1.0; +https://foo.example/bot)",
	    &name, &reason) && strcmp(reason, "crawler_url") == 0, "unnamed crawler");
	CHECK(!privacy_bot("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
	    &name, &reason), "a browser");
	CHECK(!privacy_bot("Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0", &name, &reason),
	    "headless browsers are not singled out");
	CHECK(!privacy_bot("curl/7.88.1", &name, &reason), "curl is a user");
	CHECK(!privacy_bot(NULL, &name, &reason), "no UA");
}

int
main(void)
{
	/* First: the child must be the first to start OpenSSL. */
	CHECK(check_without_siphash(no_siphash) == 0, "without SIPHASH (the child's lines above)");
	test_keys();
	test_token();
	test_privacy();
	test_siphash();
	return check_exit("test-access");
}
