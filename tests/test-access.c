/* Write keys, origins, the read token, and what is kept of a client. */
#include "config.h"

#include <string.h>

#include "access.h"
#include "check.h"
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

static void
test_privacy(void)
{
	static const unsigned char key[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	unsigned char msg[15];
	char a[PRIVACY_IP_LEN], b[PRIVACY_IP_LEN];
	const char *name, *reason;
	const char *secret = "0123456789abcdef-secret";
	enum ip_mode m;
	int i;

	/* SipHash-2-4 test vectors from the reference implementation. */
	for (i = 0; i < 15; i++)
		msg[i] = (unsigned char)i;
	CHECK(siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ULL, "siphash empty");
	CHECK(siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL, "siphash 15 bytes");

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
	test_keys();
	test_token();
	test_privacy();
	return check_exit("test-access");
}
