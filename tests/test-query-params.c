/* The query side's input: routes, query strings, cursors and the
 * statistics range, table-driven. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "check.h"
#include "query_cursor.h"
#include "query_params.h"
#include "timeutil.h"

#define T0 1770824859000LL	/* 2026-02-11T15:47:39Z */

struct route_case {
	const char	*path_info, *script_name, *request_uri;
	enum query_route want;
};

static const struct route_case routes[] = {
	/* lighttpd fastcgi.server "/events", Apache ScriptAlias /events */
	{ NULL, "/events", "/events?limit=5", QUERY_ROUTE_EVENTS },
	{ "", "/events", "/events", QUERY_ROUTE_EVENTS },
	{ "/", "/events", "/events/", QUERY_ROUTE_EVENTS },
	{ "/stats", "/events", "/events/stats?bucket=hour", QUERY_ROUTE_STATS },
	{ "/stats/", "/events", "/events/stats/", QUERY_ROUTE_STATS },
	{ "/nope", "/events", "/events/nope", QUERY_ROUTE_NONE },
	{ "/stats/x", "/events", "/events/stats/x", QUERY_ROUTE_NONE },
	/* mod_proxy_fcgi: whole path in SCRIPT_NAME, no PATH_INFO */
	{ NULL, "/events/stats", NULL, QUERY_ROUTE_STATS },
	{ NULL, "/events", NULL, QUERY_ROUTE_EVENTS },
	/* PATH_INFO holding the whole path (proxy-fcgi-pathinfo full) */
	{ "/events/stats", "/", "/events/stats", QUERY_ROUTE_STATS },
	{ "/events", "/", "/events", QUERY_ROUTE_EVENTS },
	/* mounted elsewhere */
	{ NULL, "/cgi-bin/event-query", "/api/v1/events/stats?since=x", QUERY_ROUTE_STATS },
	{ NULL, "/cgi-bin/event-query", "/api/v1/events", QUERY_ROUTE_EVENTS },
	/* "stats" only as a path segment, never as a query value */
	{ NULL, "/events", "/events?type=stats", QUERY_ROUTE_EVENTS },
	{ NULL, "/events", "/events?x=/stats", QUERY_ROUTE_EVENTS },
	{ NULL, "/events", "/eventsstats", QUERY_ROUTE_EVENTS },
	/* an encoded slash separates nothing (RFC 3986, 2.2) */
	{ "/stats", "/events", "/events%2Fstats", QUERY_ROUTE_NONE },
	{ "/stats", "/events", "/events%2fstats?bucket=hour", QUERY_ROUTE_NONE },
	{ NULL, "/events/stats", "/events%2Fstats", QUERY_ROUTE_NONE },
	{ NULL, "/events", "/events?path=%2Fstats", QUERY_ROUTE_EVENTS },
	{ NULL, "/events", "/events?x=1#%2F", QUERY_ROUTE_EVENTS },
	{ NULL, NULL, NULL, QUERY_ROUTE_EVENTS },
};

struct good {
	enum query_route route;
	const char	*qs;
	int		 limit;
	const char	*type;
	int64_t		 since, until;	/* -1: not given */
	enum query_format format;
	enum query_bucket bucket;
};

static const struct good goods[] = {
	{ QUERY_ROUTE_EVENTS, "", 50, "", -1, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, NULL, 50, "", -1, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, "limit=1", 1, "", -1, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, "limit=500", 500, "", -1, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, "limit=050", 50, "", -1, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, "type=click", 50, "click", -1, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, "type=a.b:c-d_E9", 50, "a.b:c-d_E9", -1, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, "type=%63lick", 50, "click", -1, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, "%74ype=click", 50, "click", -1, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, "since=2026-02-11T15:47:39Z", 50, "", T0, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	/* '+' is literal: an offset needs no escaping */
	{ QUERY_ROUTE_EVENTS, "since=2026-02-11T16:47:39+01:00", 50, "", T0, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, "since=2026-02-11T16:47:39%2B01:00", 50, "", T0, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, "until=2026-02-11T15%3A47%3A39.5Z", 50, "", -1, T0 + 500, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, "since=2026-02-11T15:47:39Z&until=2026-02-11T15:47:39.001Z", 50, "", T0, T0 + 1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, "format=json", 50, "", -1, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, "format=ndjson", 50, "", -1, -1, QUERY_FORMAT_NDJSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_EVENTS, "format=csv&limit=7&type=x", 7, "x", -1, -1, QUERY_FORMAT_CSV, QUERY_BUCKET_MINUTE },
	/* empty pairs are skipped */
	{ QUERY_ROUTE_EVENTS, "&limit=3&&", 3, "", -1, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_STATS, "", 50, "", -1, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_MINUTE },
	{ QUERY_ROUTE_STATS, "bucket=hour", 50, "", -1, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_HOUR },
	{ QUERY_ROUTE_STATS, "bucket=day&type=click&since=2026-02-11T15:47:39Z", 50, "click", T0, -1, QUERY_FORMAT_JSON, QUERY_BUCKET_DAY },
};

struct bad {
	enum query_route route;
	const char	*qs;
	enum query_err	 err;
	const char	*msg;	/* substring of the message */
};

static const struct bad bads[] = {
	/* unknown names, including every operator-shaped spelling */
	{ QUERY_ROUTE_EVENTS, "x=1", QUERY_ERR_UNKNOWN, "unknown parameter \"x\"" },
	{ QUERY_ROUTE_EVENTS, "type[$ne]=x", QUERY_ERR_UNKNOWN, "type[$ne]" },
	{ QUERY_ROUTE_EVENTS, "type%5B%24ne%5D=x", QUERY_ERR_UNKNOWN, "type[$ne]" },
	{ QUERY_ROUTE_EVENTS, "type[]=x", QUERY_ERR_UNKNOWN, "type[]" },
	{ QUERY_ROUTE_EVENTS, "$where=1", QUERY_ERR_UNKNOWN, "$where" },
	{ QUERY_ROUTE_EVENTS, "Type=x", QUERY_ERR_UNKNOWN, "Type" },
	{ QUERY_ROUTE_EVENTS, "type =x", QUERY_ERR_UNKNOWN, "unknown" },
	{ QUERY_ROUTE_EVENTS, "bucket=hour", QUERY_ERR_UNKNOWN, "bucket" },
	{ QUERY_ROUTE_STATS, "limit=5", QUERY_ERR_VALUE, "limit goes with by" },
	/* by= */
	{ QUERY_ROUTE_EVENTS, "by=type", QUERY_ERR_UNKNOWN, "by" },
	{ QUERY_ROUTE_STATS, "by=", QUERY_ERR_VALUE, "empty value" },
	{ QUERY_ROUTE_STATS, "by=pages", QUERY_ERR_VALUE, "by must be" },
	{ QUERY_ROUTE_STATS, "by=Type", QUERY_ERR_VALUE, "by must be" },
	{ QUERY_ROUTE_STATS, "by=page.path", QUERY_ERR_VALUE, "by must be" },
	{ QUERY_ROUTE_STATS, "by=metadata", QUERY_ERR_VALUE, "by must be" },
	{ QUERY_ROUTE_STATS, "by=metadata.", QUERY_ERR_VALUE, "by must be" },
	{ QUERY_ROUTE_STATS, "by=metadata.$gt", QUERY_ERR_VALUE, "by must be" },
	{ QUERY_ROUTE_STATS, "by=metadata.a.b", QUERY_ERR_VALUE, "by must be" },
	{ QUERY_ROUTE_STATS, "by=metadata.a%00b", QUERY_ERR_ENCODING, "bad percent-encoding" },
	{ QUERY_ROUTE_STATS, "by=metadata.%ff", QUERY_ERR_VALUE, "by must be" },
	{ QUERY_ROUTE_STATS, "by=metadata.kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", QUERY_ERR_VALUE, "by must be" },
	{ QUERY_ROUTE_STATS, "by=type&bucket=hour", QUERY_ERR_VALUE, "by and bucket" },
	{ QUERY_ROUTE_STATS, "by=type&limit=101", QUERY_ERR_VALUE, "from 1 to 100" },
	{ QUERY_ROUTE_STATS, "limit=0&by=type", QUERY_ERR_VALUE, "from 1 to 100" },
	{ QUERY_ROUTE_STATS, "by=type&by=path", QUERY_ERR_DUPLICATE, "by given more than once" },
	{ QUERY_ROUTE_STATS, "format=csv", QUERY_ERR_UNKNOWN, "format" },
	{ QUERY_ROUTE_STATS, "cursor=abc", QUERY_ERR_UNKNOWN, "cursor" },
	/* operator-shaped values are plain values that fail the rules */
	{ QUERY_ROUTE_EVENTS, "type={\"$gt\":\"\"}", QUERY_ERR_VALUE, "type must be" },
	{ QUERY_ROUTE_EVENTS, "type=%7B%22%24gt%22%3A%22%22%7D", QUERY_ERR_VALUE, "type must be" },
	{ QUERY_ROUTE_EVENTS, "type=$ne", QUERY_ERR_VALUE, "type must be" },
	{ QUERY_ROUTE_EVENTS, "since={\"$gt\":0}", QUERY_ERR_VALUE, "since must be" },
	{ QUERY_ROUTE_EVENTS, "limit={\"$gt\":0}", QUERY_ERR_VALUE, "limit must be" },
	/* duplicates, also when spelled differently */
	{ QUERY_ROUTE_EVENTS, "limit=1&limit=1", QUERY_ERR_DUPLICATE, "limit given more than once" },
	{ QUERY_ROUTE_EVENTS, "type=a&%74ype=b", QUERY_ERR_DUPLICATE, "type" },
	{ QUERY_ROUTE_STATS, "bucket=day&bucket=hour", QUERY_ERR_DUPLICATE, "bucket" },
	/* empty values */
	{ QUERY_ROUTE_EVENTS, "type=", QUERY_ERR_VALUE, "type has an empty value" },
	{ QUERY_ROUTE_EVENTS, "limit", QUERY_ERR_VALUE, "limit has an empty value" },
	/* percent-encoding */
	{ QUERY_ROUTE_EVENTS, "type=a%", QUERY_ERR_ENCODING, "type: bad percent" },
	{ QUERY_ROUTE_EVENTS, "type=a%4", QUERY_ERR_ENCODING, "type: bad percent" },
	{ QUERY_ROUTE_EVENTS, "type=a%G1", QUERY_ERR_ENCODING, "type: bad percent" },
	{ QUERY_ROUTE_EVENTS, "type=a%00b", QUERY_ERR_ENCODING, "type: bad percent" },
	{ QUERY_ROUTE_EVENTS, "ty%pe=a", QUERY_ERR_ENCODING, "name" },
	{ QUERY_ROUTE_EVENTS, "%=a", QUERY_ERR_ENCODING, "name" },
	/* limit */
	{ QUERY_ROUTE_EVENTS, "limit=0", QUERY_ERR_VALUE, "limit must be" },
	{ QUERY_ROUTE_EVENTS, "limit=501", QUERY_ERR_VALUE, "limit must be" },
	{ QUERY_ROUTE_EVENTS, "limit=-1", QUERY_ERR_VALUE, "limit must be" },
	{ QUERY_ROUTE_EVENTS, "limit=+5", QUERY_ERR_VALUE, "limit must be" },
	{ QUERY_ROUTE_EVENTS, "limit=5.0", QUERY_ERR_VALUE, "limit must be" },
	{ QUERY_ROUTE_EVENTS, "limit=0005", QUERY_ERR_VALUE, "limit must be" },
	{ QUERY_ROUTE_EVENTS, "limit=99999999999999999999", QUERY_ERR_VALUE, "limit must be" },
	{ QUERY_ROUTE_EVENTS, "limit=%205", QUERY_ERR_VALUE, "limit must be" },
	{ QUERY_ROUTE_EVENTS, "limit=abc", QUERY_ERR_VALUE, "limit must be" },
	/* type */
	{ QUERY_ROUTE_EVENTS, "type=a%20b", QUERY_ERR_VALUE, "type must be" },
	{ QUERY_ROUTE_EVENTS, "type=a+b", QUERY_ERR_VALUE, "type must be" },
	{ QUERY_ROUTE_EVENTS, "type=%3Cimg%3E", QUERY_ERR_VALUE, "type must be" },
	{ QUERY_ROUTE_EVENTS, "type=%C3%A9", QUERY_ERR_VALUE, "type must be" },
	{ QUERY_ROUTE_EVENTS, "type=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", QUERY_ERR_VALUE, "type must be" },
	/* times */
	{ QUERY_ROUTE_EVENTS, "since=yesterday", QUERY_ERR_VALUE, "since must be" },
	{ QUERY_ROUTE_EVENTS, "since=1770824859000", QUERY_ERR_VALUE, "since must be" },
	{ QUERY_ROUTE_EVENTS, "since=2026-02-11", QUERY_ERR_VALUE, "since must be an RFC 3339 date-time such as 2026-02-11T15:47:39Z: a time must follow the date" },
	{ QUERY_ROUTE_EVENTS, "since=2026-02-30T00:00:00Z", QUERY_ERR_VALUE, "since must be an RFC 3339 date-time such as 2026-02-11T15:47:39Z: day 30 does not exist in February 2026" },
	{ QUERY_ROUTE_EVENTS, "until=2026-02-11T15:47:39", QUERY_ERR_VALUE, "until must be an RFC 3339 date-time such as 2026-02-11T15:47:39Z: a time offset must follow" },
	{ QUERY_ROUTE_EVENTS, "until=2026-02-11T15:47:39%2B0100", QUERY_ERR_VALUE, "until must be an RFC 3339 date-time such as 2026-02-11T15:47:39Z: the offset must be" },
	{ QUERY_ROUTE_STATS, "until=2026-02-11T15:47:60Z", QUERY_ERR_VALUE, "until must be an RFC 3339 date-time such as 2026-02-11T15:47:39Z: second 60 is a leap second only" },
	{ QUERY_ROUTE_EVENTS, "since=2026-02-11T15:47:39Z&until=2026-02-11T15:47:39Z", QUERY_ERR_VALUE, "earlier than until" },
	{ QUERY_ROUTE_STATS, "since=2026-02-12T00:00:00Z&until=2026-02-11T00:00:00Z", QUERY_ERR_VALUE, "earlier than until" },
	/* format and bucket */
	{ QUERY_ROUTE_EVENTS, "format=xml", QUERY_ERR_VALUE, "format must be" },
	{ QUERY_ROUTE_EVENTS, "format=JSON", QUERY_ERR_VALUE, "format must be" },
	{ QUERY_ROUTE_STATS, "bucket=week", QUERY_ERR_VALUE, "bucket must be" },
	{ QUERY_ROUTE_STATS, "bucket=", QUERY_ERR_VALUE, "empty" },
	/* cursors */
	{ QUERY_ROUTE_EVENTS, "cursor=abc", QUERY_ERR_VALUE, "cursor is not" },
	{ QUERY_ROUTE_EVENTS, "cursor=MTox", QUERY_ERR_VALUE, "cursor is not" },		/* "1:1" */
	{ QUERY_ROUTE_EVENTS, "cursor=MToxOg", QUERY_ERR_VALUE, "cursor is not" },		/* "1:1:" */
	{ QUERY_ROUTE_EVENTS, "cursor=MjoxOmE", QUERY_ERR_VALUE, "cursor is not" },	/* "2:1:a" */
	{ QUERY_ROUTE_EVENTS, "cursor=MTotMTph", QUERY_ERR_VALUE, "cursor is not" },	/* "1:-1:a" */
	{ QUERY_ROUTE_EVENTS, "cursor=MTowMTph", QUERY_ERR_VALUE, "cursor is not" },	/* "1:01:a" */
	{ QUERY_ROUTE_EVENTS, "cursor=MToxOmE=", QUERY_ERR_VALUE, "cursor is not" },	/* padding */
	{ QUERY_ROUTE_EVENTS, "cursor=MToxOmF", QUERY_ERR_VALUE, "cursor is not" },	/* stray bits */
	{ QUERY_ROUTE_EVENTS, "cursor=MToxOgph", QUERY_ERR_VALUE, "cursor is not" },	/* "1:1:\na" */
	{ QUERY_ROUTE_EVENTS, "cursor=MTo5OTk5OTk5OTk5OTk5OTk5OmE", QUERY_ERR_VALUE, "cursor is not" },	/* 16 digits */
	{ QUERY_ROUTE_EVENTS, "cursor=MToyNTM0MDIzMDA4MDAwMDA6YQ", QUERY_ERR_VALUE, "cursor is not" },	/* ms past 9999 */
	{ QUERY_ROUTE_EVENTS, "cursor=MToxOmE+", QUERY_ERR_VALUE, "cursor is not" },	/* base64, not base64url */
};

static void
test_routes(void)
{
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route_case *r = &routes[i];
		enum query_route got = query_route(r->path_info, r->script_name,
		    r->request_uri);
		CHECK(got == r->want, "route %zu (%s, %s, %s): got %d, want %d", i,
		    r->path_info ? r->path_info : "NULL",
		    r->script_name ? r->script_name : "NULL",
		    r->request_uri ? r->request_uri : "NULL", got, r->want);
	}
}

static void
test_goods(void)
{
	struct query_params p;
	char err[ERRBUF_LEN];
	enum query_err e;
	size_t i;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		err[0] = '\0';
		e = query_params_parse(g->route, g->qs, g->qs ? strlen(g->qs) : 0,
		    &p, err, sizeof(err));
		CHECK(e == QUERY_OK, "good %zu \"%s\": %s", i, g->qs ? g->qs : "NULL", err);
		if (e != QUERY_OK)
			continue;
		CHECK(p.limit == g->limit, "good %zu: limit %d", i, p.limit);
		CHECK(strcmp(p.type, g->type) == 0, "good %zu: type \"%s\"", i, p.type);
		CHECK(p.has_since == (g->since >= 0) && (!p.has_since || p.since_ms == g->since),
		    "good %zu: since %lld", i, (long long)p.since_ms);
		CHECK(p.has_until == (g->until >= 0) && (!p.has_until || p.until_ms == g->until),
		    "good %zu: until %lld", i, (long long)p.until_ms);
		CHECK(p.format == g->format, "good %zu: format %d", i, p.format);
		CHECK(p.bucket == g->bucket, "good %zu: bucket %d", i, p.bucket);
		CHECK(!p.has_cursor, "good %zu: cursor", i);
	}
}

/* since and until take every RFC 3339 date-time, before the epoch too. */
static void
test_times(void)
{
	static const struct { const char *qs; int64_t ms; } cases[] = {
		{ "since=1970-01-01T00:30:00%2B01:00", -1800000LL },
		{ "since=1970-01-01T00:30:00+01:00", -1800000LL },
		{ "until=1969-12-31T23:59:59Z", -1000LL },
		{ "since=1937-01-01T12:00:27.87%2B00:20", -1041337172130LL },
		{ "until=1996-12-19T16:39:57-08:00", 851042397000LL },
		{ "since=1990-12-31T15:59:60-08:00", 662687999999LL },
		{ "since=2026-02-11t15:47:39.123456789z", 1770824859123LL },
		{ "until=2026-02-11%2015:47:39Z", 1770824859000LL },
	};
	struct query_params p;
	char err[ERRBUF_LEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CHECK(query_params_parse(QUERY_ROUTE_EVENTS, cases[i].qs,
		    strlen(cases[i].qs), &p, err, sizeof(err)) == QUERY_OK &&
		    (cases[i].qs[0] == 's' ? p.has_since && p.since_ms == cases[i].ms :
		    p.has_until && p.until_ms == cases[i].ms), "time %s: %s", cases[i].qs, err);
	}
}

static void
test_bads(void)
{
	struct query_params p;
	char err[ERRBUF_LEN];
	enum query_err e;
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		err[0] = '\0';
		e = query_params_parse(b->route, b->qs, strlen(b->qs), &p, err, sizeof(err));
		CHECK(e == b->err, "bad %zu \"%s\": got %s (%s), want %s", i, b->qs,
		    query_err_code(e), err, query_err_code(b->err));
		CHECK(strstr(err, b->msg) != NULL, "bad %zu \"%s\": message \"%s\" lacks \"%s\"",
		    i, b->qs, err, b->msg);
	}
}

/* by=: the field, the key, and the limit's default and bounds. */
static void
test_by(void)
{
	static const struct {
		const char	*qs;
		enum query_by	 by;
		const char	*field, *name;
		int		 limit;
	} cases[] = {
		{ "by=type", QUERY_BY_TYPE, "type", "type", QUERY_BY_LIMIT_DEFAULT },
		{ "by=path&limit=5", QUERY_BY_PATH, "page.path", "path", 5 },
		{ "limit=100&by=referrer", QUERY_BY_REFERRER, "page.referrer", "referrer", 100 },
		{ "by=metadata.plan", QUERY_BY_METADATA, "metadata.plan", "metadata.plan", 10 },
		{ "by=metadata.price%24&type=buy", QUERY_BY_METADATA, "metadata.price$", "metadata.price$", 10 },
		{ "by=metadata.%C3%A9t%C3%A9", QUERY_BY_METADATA, "metadata.\xc3\xa9t\xc3\xa9", "metadata.\xc3\xa9t\xc3\xa9", 10 },
		{ "bucket=hour", QUERY_BY_NONE, "", "", QUERY_LIMIT_DEFAULT },
	};
	struct query_params p;
	char err[ERRBUF_LEN], field[LIMIT_METADATA_KEY_LEN + 16], name[LIMIT_METADATA_KEY_LEN + 16];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CHECK(query_params_parse(QUERY_ROUTE_STATS, cases[i].qs, strlen(cases[i].qs), &p,
		    err, sizeof(err)) == QUERY_OK, "by %zu \"%s\": %s", i, cases[i].qs, err);
		CHECK(p.by == cases[i].by, "by %zu: by %d", i, p.by);
		CHECK(strcmp(query_by_field(&p, field, sizeof(field)), cases[i].field) == 0,
		    "by %zu: field \"%s\"", i, field);
		CHECK(strcmp(query_by_name(&p, name, sizeof(name)), cases[i].name) == 0,
		    "by %zu: name \"%s\"", i, name);
		CHECK(p.limit == cases[i].limit, "by %zu: limit %d", i, p.limit);
	}
}

static void
test_too_long(void)
{
	static char qs[LIMIT_QUERY_STRING_LEN + 2];
	struct query_params p;
	char err[ERRBUF_LEN];

	/* Exactly at the limit parses (empty pairs), one byte over does not. */
	memset(qs, '&', LIMIT_QUERY_STRING_LEN);
	CHECK(query_params_parse(QUERY_ROUTE_EVENTS, qs, LIMIT_QUERY_STRING_LEN,
	    &p, err, sizeof(err)) == QUERY_OK, "query string at the limit: %s", err);
	qs[LIMIT_QUERY_STRING_LEN] = '&';
	CHECK(query_params_parse(QUERY_ROUTE_EVENTS, qs, LIMIT_QUERY_STRING_LEN + 1,
	    &p, err, sizeof(err)) == QUERY_ERR_TOO_LONG, "query string over the limit");
	/* Parsing stops at len, not at a NUL. */
	CHECK(query_params_parse(QUERY_ROUTE_EVENTS, "limit=5x", 7, &p, err,
	    sizeof(err)) == QUERY_OK && p.limit == 5, "len respected");
}

static const struct {
	int64_t		 ms;
	const char	*id;
} cursors[] = {
	{ 0, "a" },
	{ T0, "0194f3c2-7d2a-7c3e-9b1a-2f7e8d9c0b1a" },
	{ T0 + 1, "ab" },
	{ T0 + 2, "abc" },
	{ TIME_MS_MAX, "~!\"#$%&'()*+,-./:;<=>?@[\\]^_` {|}" },
	{ 1, "1234567890123456789012345678901234567890123456789012345678901234" },
	{ 12, "a:b:c" },
};

static void
test_cursors(void)
{
	char enc[LIMIT_CURSOR_LEN + 1], id[LIMIT_ID_LEN + 1], qs[LIMIT_CURSOR_LEN + 16];
	struct query_params p;
	char err[ERRBUF_LEN];
	int64_t ms;
	size_t i, j;

	for (i = 0; i < sizeof(cursors) / sizeof(cursors[0]); i++) {
		CHECK(query_cursor_encode(cursors[i].ms, cursors[i].id, enc,
		    sizeof(enc)) == 0, "encode %zu", i);
		for (j = 0; enc[j]; j++)
			CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
			    enc[j]) != NULL, "cursor %zu: '%c' is not base64url", i, enc[j]);
		CHECK(query_cursor_decode(enc, strlen(enc), &ms, id, sizeof(id)) == 0 &&
		    ms == cursors[i].ms && strcmp(id, cursors[i].id) == 0,
		    "round trip %zu (%s)", i, enc);
		snprintf(qs, sizeof(qs), "cursor=%s", enc);
		CHECK(query_params_parse(QUERY_ROUTE_EVENTS, qs, strlen(qs), &p, err,
		    sizeof(err)) == QUERY_OK && p.has_cursor && p.cursor_ms == cursors[i].ms &&
		    strcmp(p.cursor_id, cursors[i].id) == 0, "cursor %zu in a query: %s", i, err);
		/* Every one-character change of a cursor either fails or
		 * decodes to a valid cursor; none crashes or overflows. */
		for (j = 0; enc[j]; j++) {
			char save = enc[j];
			enc[j] = enc[j] == 'A' ? '_' : 'A';
			if (query_cursor_decode(enc, strlen(enc), &ms, id, sizeof(id)) == 0)
				CHECK(ms >= 0 && ms <= TIME_MS_MAX && strlen(id) >= 1,
				    "mutated cursor %zu/%zu", i, j);
			enc[j] = save;
		}
		/* Truncations never decode to something else silently. */
		for (j = 1; j < strlen(enc); j++)
			if (query_cursor_decode(enc, j, &ms, id, sizeof(id)) == 0)
				CHECK(ms != cursors[i].ms || strcmp(id, cursors[i].id) != 0,
				    "truncated cursor %zu/%zu decodes to the original", i, j);
	}
	/* Bad inputs to the encoder. */
	CHECK(query_cursor_encode(-1, "a", enc, sizeof(enc)) == -1, "negative ms");
	CHECK(query_cursor_encode(TIME_MS_MAX + 1, "a", enc, sizeof(enc)) == -1, "ms too large");
	CHECK(query_cursor_encode(1, "", enc, sizeof(enc)) == -1, "empty id");
	CHECK(query_cursor_encode(1, "a\nb", enc, sizeof(enc)) == -1, "control byte in id");
	CHECK(query_cursor_encode(1, "abc", enc, 4) == -1, "out buffer too small");
	/* The decoder respects idlen. */
	CHECK(query_cursor_encode(1, "abcdef", enc, sizeof(enc)) == 0 &&
	    query_cursor_decode(enc, strlen(enc), &ms, id, 6) == -1, "id buffer too small");
}

struct range_case {
	const char	*qs;
	int64_t		 now, from, to;
	size_t		 n;	/* 0: an error expected */
};

static const struct range_case ranges[] = {
	/* default: 60 buckets, the last one holding until's last ms */
	{ "", T0 + 30000, T0 - 3579000 + 60000, T0 + 30000, 60 },
	{ "", T0 - 39000, T0 - 39000 - 3600000, T0 - 39000, 60 },
	{ "", T0 - 38999, T0 - 39000 - 3540000, T0 - 38999, 60 },
	{ "bucket=hour", T0, T0 - 59LL * 3600000 - (T0 % 3600000), T0, 60 },
	{ "bucket=day&until=2026-02-11T00:00:00Z", 0, 1770768000000LL - 60LL * 86400000,
	    1770768000000LL, 60 },
	{ "until=1970-01-01T00:00:00Z", 0, 0, 0, 0 },
	{ "until=1969-12-31T00:00:00Z", 0, 0, 0, 0 },
	{ "since=2026-02-11T15:47:39Z&until=2026-02-11T15:49:00Z", 0, T0 - 39000, T0 + 81000, 2 },
	{ "since=2026-02-11T00:00:00Z&until=2026-02-12T00:00:00Z", 0,
	    T0 - 15 * 3600000LL - 47 * 60000 - 39000, T0 + 8 * 3600000LL + 12 * 60000 + 21000, 1440 },
	{ "since=2026-02-11T00:00:00Z&until=2026-02-12T00:00:01Z", 0, 0, 0, 0 },
	{ "bucket=day&since=2020-01-01T00:00:00Z&until=2023-12-01T00:00:00Z", 0,
	    1577836800000LL, 1701388800000LL, 1430 },
	{ "bucket=day&since=2020-01-01T00:00:00Z", 1770824859000LL, 0, 0, 0 },
	{ "until=1970-01-01T00:30:00Z", 0, 0, 1800000, 30 },
};

static void
test_ranges(void)
{
	struct query_params p;
	char err[ERRBUF_LEN];
	int64_t from, to;
	size_t i, n;
	int r;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		const struct range_case *c = &ranges[i];
		CHECK(query_params_parse(QUERY_ROUTE_STATS, c->qs, strlen(c->qs), &p,
		    err, sizeof(err)) == QUERY_OK, "range %zu: %s", i, err);
		r = query_stats_range(&p, c->now, &from, &to, &n, err, sizeof(err));
		if (c->n == 0) {
			CHECK(r == -1 && (strstr(err, "at most") != NULL ||
			    strstr(err, "after 1970") != NULL), "range %zu: want an error", i);
			continue;
		}
		CHECK(r == 0, "range %zu: %s", i, err);
		CHECK(from == c->from && to == c->to && n == c->n,
		    "range %zu: [%lld, %lld) in %zu, want [%lld, %lld) in %zu", i,
		    (long long)from, (long long)to, n, (long long)c->from,
		    (long long)c->to, c->n);
		CHECK(from % query_bucket_ms(p.bucket) == 0, "range %zu: from not aligned", i);
	}
}

static void
test_unescape(void)
{
	char out[8];
	size_t n;

	CHECK(query_unescape("a%2Fb", 5, out, sizeof(out), &n) == 0 &&
	    n == 3 && strcmp(out, "a/b") == 0, "unescape a%%2Fb");
	CHECK(query_unescape("%e2%82%ac", 9, out, sizeof(out), &n) == 0 &&
	    n == 3 && memcmp(out, "\xe2\x82\xac", 3) == 0, "unescape lower-case hex");
	CHECK(query_unescape("1234567", 7, out, sizeof(out), &n) == 0, "fits exactly");
	CHECK(query_unescape("12345678", 8, out, sizeof(out), &n) == -1, "one byte too many");
	CHECK(query_unescape("", 0, out, 0, &n) == -1, "no room at all");
}

int
main(void)
{
	test_routes();
	test_goods();
	test_times();
	test_bads();
	test_by();
	test_too_long();
	test_cursors();
	test_ranges();
	test_unescape();
	return check_exit("test-query-params");
}
