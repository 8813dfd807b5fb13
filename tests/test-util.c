/* Small pure helpers: RFC 3339 times, UUIDv7, IP anonymisation, UTF-8. */
#include "config.h"

#include <string.h>

#include "check.h"
#include "ipanon.h"
#include "timeutil.h"
#include "utf8.h"
#include "uuid7.h"

static void
test_time(void)
{
	static const struct { const char *s; long long ms; } good[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2026-02-11T15:47:39.000Z", 1770824859000LL },
		{ "2026-02-11t15:47:39z", 1770824859000LL },
		{ "2026-02-11 15:47:39Z", 1770824859000LL },
		{ "2026-02-11T16:47:39.5+01:00", 1770824859500LL },
		{ "2026-02-11T15:17:39.123456789-00:30", 1770824859123LL },
		{ "2024-02-29T00:00:00Z", 1709164800000LL },
		{ "2016-12-31T23:59:60Z", 1483228799000LL },
		{ "9999-12-31T23:59:59.999Z", 253402300799999LL },
	};
	static const char *const bad[] = {
		"", "2026-02-11", "2026-02-11T15:47:39", "2026-02-11T15:47:39+0100",
		"2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-00-11T00:00:00Z",
		"2026-02-11T24:00:00Z", "2026-02-11T15:60:00Z", "2026-02-11T15:47:39.Z",
		"1969-12-31T23:59:59Z", "2026-02-11T15:47:39Zjunk", "+2026-02-11T15:47:39Z",
		"2026-02-11T15:47:39+24:00", "2026-02-11T15:47:39 Z", "1970-01-01T00:00:00+00:01",
	};
	char buf[TIME_RFC3339_LEN];
	int64_t ms;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = -1;
		CHECK(time_parse_rfc3339(good[i].s, strlen(good[i].s), &ms) == 0 &&
		    ms == good[i].ms, "%s: got %lld want %lld", good[i].s, (long long)ms, good[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(time_parse_rfc3339(bad[i], strlen(bad[i]), &ms) == -1, "accepted %s", bad[i]);
	CHECK(strcmp(time_format_rfc3339(1770824859000LL, buf, sizeof(buf)),
	    "2026-02-11T15:47:39.000Z") == 0, "format: %s", buf);
	CHECK(strcmp(time_format_rfc3339(1770824859007LL, buf, sizeof(buf)),
	    "2026-02-11T15:47:39.007Z") == 0, "format ms: %s", buf);
}

static void
test_uuid(void)
{
	char a[UUID7_STRLEN], b[UUID7_STRLEN];
	int i;

	CHECK(uuid7_make(0x0123456789abLL, a) == 0, "uuid7");
	CHECK(strncmp(a, "01234567-89ab-7", 15) == 0 && strlen(a) == 36, "layout: %s", a);
	CHECK(strchr("89ab", a[19]) != NULL, "variant: %s", a);
	for (i = 0; i < 1000; i++) {
		uuid7_make(1, b);
		CHECK(strcmp(a, b) != 0, "two ids alike");
	}
}

static void
test_ip(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "192.168.1.77", "192.168.1.0" },
		{ "10.0.0.255", "10.0.0.0" },
		{ "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", "2001:db8:aaaa::" },
		{ "::1", "::" },
		{ "::ffff:10.1.2.3", "10.1.2.0" },
		{ "fe80::1%eth0", "" },
		{ "not an ip", "" },
		{ "1.2.3", "" },
	};
	char out[IPANON_LEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ipanon(cases[i].in, out, sizeof(out));
		CHECK(strcmp(out, cases[i].out) == 0, "%s -> %s, want %s", cases[i].in, out, cases[i].out);
	}
	CHECK(ipanon(NULL, out, sizeof(out)) == -1 && out[0] == '\0', "NULL address");
}

static void
test_utf8(void)
{
	char out[16];

	CHECK(utf8_valid("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10), "valid mix");
	CHECK(!utf8_valid("\xc0\xaf", 2), "overlong");
	CHECK(!utf8_valid("\xed\xa0\x80", 3), "surrogate");
	CHECK(!utf8_valid("\xf4\x90\x80\x80", 4), "beyond U+10FFFF");
	CHECK(!utf8_valid("\xe2\x82", 2), "truncated");
	CHECK(utf8_cut("ab\xe2\x82\xac", 5, 4) == 2, "cut before a split character");
	CHECK(utf8_cut("ab\xe2\x82\xac", 5, 5) == 5, "cut at the end");
	CHECK(utf8_sanitize(out, sizeof(out), "a\tb\xff", 10) == 4 && strcmp(out, "a?b?") == 0,
	    "sanitize: %s", out);
	CHECK(utf8_sanitize(out, 4, "abcdef", 10) == 3 && strcmp(out, "abc") == 0, "sanitize bound");
}

int
main(void)
{
	test_time();
	test_uuid();
	test_ip();
	test_utf8();
	return check_exit("test-util");
}
