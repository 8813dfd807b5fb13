/* Small pure helpers: RFC 3339 times, UUIDv7, IP anonymisation, UTF-8. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ipanon.h"
#include "jsnumber.h"
#include "mediatype.h"
#include "timeutil.h"
#include "utf8.h"
#include "uuid7.h"

/* RFC 3339 section 5.6, the examples of section 5.8, and the edges:
 * offsets across midnight and the epoch, fractions of any length, lower
 * case, leap seconds (section 5.7). */
static void
test_time(void)
{
	static const struct { const char *s; long long ms; } good[] = {
		/* section 5.8 */
		{ "1985-04-12T23:20:50.52Z", 482196050520LL },
		{ "1996-12-19T16:39:57-08:00", 851042397000LL },
		{ "1990-12-31T23:59:60Z", 662687999999LL },
		{ "1990-12-31T15:59:60-08:00", 662687999999LL },
		{ "1937-01-01T12:00:27.87+00:20", -1041337172130LL },
		/* the epoch, and offsets that cross it */
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1970-01-01T00:30:00+01:00", -1800000LL },
		{ "1969-12-31T23:30:00-01:00", 1800000LL },
		{ "1969-12-31T23:59:59.999Z", -1 },
		{ "1969-12-31T23:59:59.9999Z", -1 },
		{ "1970-01-01T00:00:00-00:00", 0 },
		/* offsets across midnight, month and year ends */
		{ "2026-02-11T23:30:00-01:00", 1770856200000LL },
		{ "2026-02-12T00:30:00+01:00", 1770852600000LL },
		{ "2025-12-31T23:00:00-23:59", 1767308340000LL },
		{ "2026-01-01T00:00:00+23:59", 1767139260000LL },
		/* separators and case */
		{ "2026-02-11T15:47:39.000Z", 1770824859000LL },
		{ "2026-02-11t15:47:39z", 1770824859000LL },
		{ "2026-02-11 15:47:39Z", 1770824859000LL },
		/* fractions of any length, truncated */
		{ "2026-02-11T16:47:39.5+01:00", 1770824859500LL },
		{ "2026-02-11T15:17:39.123456789-00:30", 1770824859123LL },
		{ "2026-02-11T15:47:39.1234567890123456789012345678901234567890Z", 1770824859123LL },
		{ "2026-02-11T15:47:39.0Z", 1770824859000LL },
		/* calendar */
		{ "2024-02-29T00:00:00Z", 1709164800000LL },
		{ "2000-02-29T00:00:00Z", 951782400000LL },
		{ "0000-01-01T00:00:00Z", -62167219200000LL },
		{ "0000-02-29T00:00:00Z", -62162121600000LL },
		{ "9999-12-31T23:59:59.999Z", 253402300799999LL },
		{ "9999-12-31T23:59:59-23:59", 253402387139000LL },
		/* leap seconds, the first and the last */
		{ "1972-06-30T23:59:60Z", 78796799999LL },
		{ "2016-12-31T23:59:60Z", 1483228799999LL },
		{ "2016-12-31T23:59:60.5Z", 1483228799999LL },
		{ "2017-01-01T00:59:60+01:00", 1483228799999LL },
	};
	static const struct { const char *s, *why; } bad[] = {
		{ "", "4-digit year" },
		{ "2026", "'-' after the year" },
		{ "26-02-11T15:47:39Z", "4-digit year" },
		{ "+2026-02-11T15:47:39Z", "4-digit year" },
		{ "2026-2-11T15:47:39Z", "month must be 2 digits" },
		{ "2026-00-11T00:00:00Z", "month 00" },
		{ "2026-13-11T00:00:00Z", "month 13" },
		{ "2026-02-1T15:47:39Z", "day must be 2 digits" },
		{ "2026-02-00T00:00:00Z", "day 00" },
		{ "2026-02-30T00:00:00Z", "day 30 does not exist in February 2026" },
		{ "2025-02-29T00:00:00Z", "day 29 does not exist in February 2025" },
		{ "1900-02-29T00:00:00Z", "February 1900" },
		{ "2026-04-31T00:00:00Z", "April" },
		{ "2026-02-11", "a time must follow" },
		{ "2026-02-11X15:47:39Z", "'T'" },
		{ "2026-02-11T24:00:00Z", "hour 24" },
		{ "2026-02-11T5:47:39Z", "hour must be 2 digits" },
		{ "2026-02-11T15:60:00Z", "minute 60" },
		{ "2026-02-11T15:47Z", "seconds are required" },
		{ "2026-02-11T15:47:61Z", "second 61" },
		{ "2026-02-11T15:47:39", "offset must follow" },
		{ "2026-02-11T15:47:39.Z", "'.' must be followed by digits" },
		{ "2026-02-11T15:47:39,5Z", "offset must follow" },
		{ "2026-02-11T15:47:39+0100", "offset must be" },
		{ "2026-02-11T15:47:39+01", "offset must be" },
		{ "2026-02-11T15:47:39+1:00", "offset must be" },
		{ "2026-02-11T15:47:39+24:00", "offset +24:00" },
		{ "2026-02-11T15:47:39-00:60", "offset -00:60" },
		{ "2026-02-11T15:47:39 Z", "offset must follow" },
		{ "2026-02-11T15:47:39Zjunk", "after the time offset" },
		{ "2026-02-11T15:47:39Z ", "after the time offset" },
		{ "2026-02-11T15:47:39+01:00Z", "after the time offset" },
		{ "2026-02-11T15:47:39UTC", "offset must follow" },
		/* 60 where no leap second was inserted, or not at 23:59:60 UTC */
		{ "2026-02-11T15:47:60Z", "leap second" },
		{ "2017-12-31T23:59:60Z", "leap second" },
		{ "2016-12-31T23:59:60+01:00", "leap second" },
		{ "1990-12-31T23:58:60Z", "leap second" },
	};
	static const struct { long long ms; const char *s; } fmt[] = {
		{ 1770824859000LL, "2026-02-11T15:47:39.000Z" },
		{ 1770824859007LL, "2026-02-11T15:47:39.007Z" },
		{ 0, "1970-01-01T00:00:00.000Z" },
		{ -1, "1969-12-31T23:59:59.999Z" },
		{ -1041337172130LL, "1937-01-01T11:40:27.870Z" },
		{ -62167219200000LL, "0000-01-01T00:00:00.000Z" },
		{ -62167219200001LL, "0000-01-01T00:00:00.000Z" },
		{ 253402300799999LL, "9999-12-31T23:59:59.999Z" },
		{ 253402387139000LL, "9999-12-31T23:59:59.999Z" },
	};
	char buf[TIME_RFC3339_LEN], err[256];
	int64_t ms, back;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = -12345;
		err[0] = '\0';
		CHECK(time_rfc3339_parse(good[i].s, strlen(good[i].s), &ms, err,
		    sizeof(err)) == 0 && ms == good[i].ms, "%s: got %lld want %lld (%s)",
		    good[i].s, (long long)ms, good[i].ms, err);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(time_rfc3339_parse(bad[i].s, strlen(bad[i].s), &ms, err,
		    sizeof(err)) == -1, "accepted \"%s\"", bad[i].s);
		CHECK(strstr(err, bad[i].why) != NULL, "\"%s\": message \"%s\" lacks \"%s\"",
		    bad[i].s, err, bad[i].why);
	}
	/* The bytes past len are not read. */
	CHECK(time_rfc3339_parse("2026-02-11T15:47:39Zjunk", 20, &ms, NULL, 0) == 0 &&
	    ms == 1770824859000LL, "len not honoured");
	CHECK(time_rfc3339_parse("2026-02-11T15:47:39.5", 20, &ms, err, sizeof(err)) == -1,
	    "len 20 with a '.' last");
	/* The event model's range: 1970 to 9999 UTC. */
	CHECK(time_parse_rfc3339("1970-01-01T00:30:00+01:00", 25, &ms) == -1,
	    "event range: before 1970");
	CHECK(time_parse_rfc3339("1970-01-01T01:00:00+01:00", 25, &ms) == 0 && ms == 0,
	    "event range: the epoch");
	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		time_format_rfc3339(fmt[i].ms, buf, sizeof(buf));
		CHECK(strcmp(buf, fmt[i].s) == 0, "format %lld: %s want %s", fmt[i].ms,
		    buf, fmt[i].s);
	}
	/* What is formatted parses back to itself, across the range. */
	for (ms = TIME_MS_MIN; ms <= TIME_MS_MAX; ms += 86399999LL * 3700 + 12345) {
		time_format_rfc3339(ms, buf, sizeof(buf));
		CHECK(time_rfc3339_parse(buf, strlen(buf), &back, err, sizeof(err)) == 0 &&
		    back == ms, "round trip %lld: %s -> %lld", (long long)ms, buf, (long long)back);
	}
}

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

#define IDS	1000

/* An id's time (its first 48 bits) and its rand_a (the 12 bits after
 * the version digit), read back from the text. */
static long long
id_time(const char *id)
{
	char hex[13];

	memcpy(hex, id, 8);
	memcpy(hex + 8, id + 9, 4);
	hex[12] = '\0';
	return strtoll(hex, NULL, 16);
}

static unsigned
id_counter(const char *id)
{
	char hex[4] = { id[15], id[16], id[17], '\0' };

	return (unsigned)strtoul(hex, NULL, 16);
}

/* Ids one thread makes sort in the order made: in one millisecond (the
 * counter), past the counter's end, and across a clock stepped back.
 * RFC 9562 section 6.2, method 1: the counter starts below 0x800 in each
 * new millisecond, counts up by one to 0xfff, and then the time moves
 * on by one millisecond. */
static void
test_uuid_order(void)
{
	static char ids[IDS * 5][UUID7_STRLEN];
	long long t;
	unsigned c;
	int i, out_of_order = 0, bad_step = 0, runs = 1, high_start = 0;

	for (i = 0; i < IDS * 5; i++)
		CHECK(uuid7_make(0x0200000000abLL, ids[i]) == 0, "uuid7 %d", i);
	for (i = 1; i < IDS * 5; i++) {
		if (strcmp(ids[i - 1], ids[i]) >= 0 && out_of_order++ == 0)
			CHECK(0, "ids of one millisecond out of order: %s then %s",
			    ids[i - 1], ids[i]);
		/* The next counter value in the same millisecond, or, only
		 * after 0xfff, the next millisecond with a fresh counter. */
		t = id_time(ids[i - 1]);
		c = id_counter(ids[i - 1]);
		if (id_time(ids[i]) == t && id_counter(ids[i]) == c + 1)
			continue;
		runs++;
		high_start += id_counter(ids[i]) >= 0x800;
		if (c != 0xfff || id_time(ids[i]) != t + 1 || id_counter(ids[i]) >= 0x800)
			if (bad_step++ == 0)
				CHECK(0, "counter step: %s then %s", ids[i - 1], ids[i]);
	}
	CHECK(out_of_order == 0, "%d of %d ids of one millisecond out of order",
	    out_of_order, IDS * 5);
	CHECK(bad_step == 0, "%d bad counter steps in %d ids", bad_step, IDS * 5);
	CHECK(strncmp(ids[0], "02000000-00ab-7", 15) == 0 && id_counter(ids[0]) < 0x800,
	    "first id's time and counter: %s", ids[0]);
	/* 5,000 ids: the counter (2,049 to 4,096 values from its start) ran
	 * out once or twice, and the time moved on as often. */
	CHECK(runs == 2 || runs == 3, "%d milliseconds for %d ids", runs, IDS * 5);
	CHECK(id_time(ids[IDS * 5 - 1]) == 0x0200000000abLL + runs - 1,
	    "last id's time: %s", ids[IDS * 5 - 1]);
	/* A clock stepped back: the next id keeps the last id's time and
	 * counts on (or, at 0xfff, moves on), so it still sorts after. */
	t = id_time(ids[IDS * 5 - 1]);
	c = id_counter(ids[IDS * 5 - 1]);
	CHECK(uuid7_make(0x020000000001LL, ids[0]) == 0 && strcmp(ids[IDS * 5 - 1], ids[0]) < 0,
	    "after a step back: %s then %s", ids[IDS * 5 - 1], ids[0]);
	CHECK(c < 0xfff ? id_time(ids[0]) == t && id_counter(ids[0]) == c + 1 :
	    id_time(ids[0]) == t + 1 && id_counter(ids[0]) < 0x800,
	    "after a step back: %s then %s", ids[IDS * 5 - 1], ids[0]);
	/* Each later millisecond starts the counter afresh below 0x800: 64
	 * in a row, so a start drawn from all 12 bits would show. */
	for (i = 0; i < 64; i++) {
		CHECK(uuid7_make(0x0300000000abLL + i, ids[i]) == 0, "uuid7 %d", i);
		high_start += id_counter(ids[i]) >= 0x800;
	}
	CHECK(high_start == 0, "%d new milliseconds' counters started at 0x800 or above (%s)",
	    high_start, ids[0]);
	CHECK(strncmp(ids[0], "03000000-00ab-7", 15) == 0, "a new millisecond's time: %s", ids[0]);
}

/* RFC 9562 section 5.7: the time in the first 48 bits, the version and
 * variant bits, a 12-bit counter and 62 random bits: ids of the same
 * millisecond differ, and every digit after the time varies. */
static void
test_uuid(void)
{
	static char ids[IDS][UUID7_STRLEN];
	char a[UUID7_STRLEN];
	int i, alike = 0;

	CHECK(uuid7_make(0x0123456789abLL, a) == 0, "uuid7");
	CHECK(strncmp(a, "01234567-89ab-7", 15) == 0 && strlen(a) == 36, "layout: %s", a);
	CHECK(strchr("89ab", a[19]) != NULL, "variant: %s", a);
	/* The same millisecond every time: only the random bits differ. */
	for (i = 0; i < IDS; i++) {
		CHECK(uuid7_make(0x0123456789abLL, ids[i]) == 0, "uuid7 %d", i);
		CHECK(strncmp(ids[i], a, 15) == 0, "time and version: %s", ids[i]);
	}
	qsort(ids, IDS, sizeof(ids[0]), cmp_id);
	for (i = 1; i < IDS; i++)
		alike += strcmp(ids[i - 1], ids[i]) == 0;
	CHECK(alike == 0, "%d of %d ids of one millisecond alike", alike, IDS);
	/* Every digit after the time takes more than one value over the ids. */
	for (i = 15; i < 36; i++) {
		int k, varies = 0;

		if (i == 18 || i == 23)
			continue;	/* the dashes */
		for (k = 1; k < IDS && !varies; k++)
			varies = ids[k][i] != ids[0][i];
		CHECK(varies, "digit %d is %c in every id", i, ids[0][i]);
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

/* Content-Type's charset parameter (RFC 9110 8.3.1, 5.6.6). */
static void
test_charset(void)
{
	static const struct {
		const char *ctype, *charset;	/* NULL: -1, unreadable */
	} cases[] = {
		{ NULL, "" },
		{ "application/json", "" },
		{ "application/json;", "" },
		{ "application/json; charset=UTF-8", "utf-8" },
		{ "text/plain;charset=UTF-8", "utf-8" },
		{ "application/json;\tcharset=\"ISO-8859-1\"", "iso-8859-1" },
		{ "application/json; charset=\"ut\\f-8\"", "utf-8" },
		{ "application/json; CharSet=\"a;b\"", "a;b" },
		{ "application/json; foo=bar; charset=latin1", "latin1" },
		{ "application/json; foo; charset=latin1", "latin1" },
		{ "application/json; foo=\"a;b\"; charset=latin1", "latin1" },
		{ "application/json; charset=utf8", "utf-8" },
		{ "application/json; charset=utf-8; charset=UTF8", "utf-8" },
		{ "application/json; charset=utf-8; charset=UTF-8", "utf-8" },
		{ "application/json; charset=utf-8;;", "utf-8" },
		{ "application/json; charset=utf-16le", "utf-16le" },
		/* a charset named but not readable, or two */
		{ "application/json ; CharSet = utf-8", NULL },
		{ "application/json; charset", NULL },
		{ "application/json; charset=", NULL },
		{ "application/json; charset=; charset=latin1", NULL },
		{ "application/json; charset=\"unended", NULL },
		{ "application/json; charset=utf-8 x", NULL },
		{ "application/json; charset=utf-8; charset=latin1", NULL },
		{ "application/json; charset=latin1; charset=utf-8", NULL },
		{ "application/json; charset=\"\"", NULL },
		{ "application/json; x=\"; charset=latin1", NULL },
		{ "application/json; x=\"unended", NULL },
	};
	char out[32], tiny[4];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = mediatype_charset(cases[i].ctype, out, sizeof(out));
		if (cases[i].charset == NULL)
			CHECK(rc == -1, "charset of \"%s\": \"%s\", want unreadable", cases[i].ctype, out);
		else
			CHECK(rc == 0 && strcmp(out, cases[i].charset) == 0,
			    "charset of \"%s\": %d \"%s\", want \"%s\"",
			    cases[i].ctype ? cases[i].ctype : "(none)", rc, out, cases[i].charset);
	}
	CHECK(mediatype_charset("text/plain; charset=utf-8", tiny, sizeof(tiny)) == 0 &&
	    strcmp(tiny, "utf") == 0, "charset cut to fit: \"%s\"", tiny);
}

/* Number::toString's length (ECMA-262 6.1.6.1.20), each as a browser's
 * JSON.stringify(JSON.parse(text)).length gives it. */
static void
test_jsnumber(void)
{
	static const struct {
		const char *text;
		size_t len;
	} cases[] = {
		{ "0", 1 }, { "-0.0", 1 }, { "-0e5", 1 }, { "1.0", 1 }, { "1.00", 1 },
		{ "100e0", 3 }, { "5e-1", 3 }, { "0.1", 3 }, { "4.35", 4 },
		{ "123.456", 7 }, { "0.30000000000000004", 19 },
		{ "1e-6", 8 }, { "0.000123", 8 }, { "0.0000001", 4 }, { "1e-7", 4 },
		{ "-1e-7", 5 }, { "2.5e-7", 6 }, { "-1.5e-7", 7 }, { "5e-324", 6 },
		{ "99999999999999999", 18 }, { "123456789012345678", 18 },
		{ "9007199254740993", 16 }, { "-9007199254740993", 17 },
		{ "9223372036854775807", 19 }, { "-9223372036854775807", 20 },
		{ "1e20", 21 }, { "1.5e20", 21 }, { "12345678901234567890e1", 21 },
		{ "1E21", 5 }, { "1e100", 6 }, { "1.5e300", 8 },
		{ "1.7976931348623157e308", 23 },
		/* powers of two, whose shortest is not printf's nearest */
		{ "5.9604644775390625e-8", 20 }, { "5.6843418860808015e-14", 21 },
		{ "6.3108872417680944e-30", 21 }, { "6.1897001964269014e+26", 21 },
		{ "-5.3169119831396635e+36", 22 },
	};
	char digits[20];
	size_t i;
	int exp10;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(jsnumber_len(strtod(cases[i].text, NULL)) == cases[i].len,
		    "jsnumber_len(%s) = %zu, JSON.stringify writes %zu", cases[i].text,
		    jsnumber_len(strtod(cases[i].text, NULL)), cases[i].len);
	CHECK(jsnumber_digits(0.1 + 0.2, digits, &exp10) == 17 && exp10 == -1 &&
	    strcmp(digits, "30000000000000004") == 0, "digits of 0.1 + 0.2: %s e%d", digits, exp10);
	CHECK(jsnumber_digits(1500, digits, &exp10) == 2 && exp10 == 3 &&
	    strcmp(digits, "15") == 0, "digits of 1500: %s e%d", digits, exp10);
	CHECK(jsnumber_digits(5.9604644775390625e-8, digits, &exp10) == 16 && exp10 == -8 &&
	    strcmp(digits, "5960464477539063") == 0, "digits of 2^-24: %s e%d", digits, exp10);
	CHECK(jsnumber_digits(0, digits, &exp10) == 1 && exp10 == 0 &&
	    strcmp(digits, "0") == 0, "digits of 0: %s e%d", digits, exp10);
}

int
main(void)
{
	test_jsnumber();
	test_time();
	test_uuid();
	test_uuid_order();
	test_ip();
	test_utf8();
	test_charset();
	return check_exit("test-util");
}
