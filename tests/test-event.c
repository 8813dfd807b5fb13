/* The event model: every rule of POST /events bodies, table-driven. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "event.h"
#include "timeutil.h"

#define NOW 1764000000000LL	/* 2025-11-24T16:00:00Z */

struct bad {
	const char	*body;
	enum event_body	 fmt;
	enum event_err	 err;
	const char	*msg;	/* substring of the message */
};

static const struct bad bads[] = {
	/* malformed and truncated JSON */
	{ "", EVENT_BODY_JSON, EVENT_ERR_JSON, "unexpected end" },
	{ "{", EVENT_BODY_JSON, EVENT_ERR_JSON, "unexpected end" },
	{ "{\"type\":\"a\"", EVENT_BODY_JSON, EVENT_ERR_JSON, "unexpected end" },
	{ "{\"type\":\"a\",}", EVENT_BODY_JSON, EVENT_ERR_JSON, "malformed" },
	{ "[{\"type\":\"a\"},]", EVENT_BODY_JSON, EVENT_ERR_JSON, "malformed" },
	{ "{\"type\":\"a\"} x", EVENT_BODY_JSON, EVENT_ERR_JSON, "malformed" },
	{ "{\"type\":\"a\"}{\"type\":\"b\"}", EVENT_BODY_JSON, EVENT_ERR_JSON, "malformed" },
	{ "nul", EVENT_BODY_JSON, EVENT_ERR_JSON, "malformed" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":01}}", EVENT_BODY_JSON, EVENT_ERR_JSON, "malformed" },
	/* invalid UTF-8 */
	{ "{\"type\":\"a\",\"metadata\":{\"s\":\"\xff\xfe\"}}", EVENT_BODY_JSON, EVENT_ERR_JSON, "malformed" },
	{ "{\"type\":\"a\",\"metadata\":{\"s\":\"\xc0\xaf\"}}", EVENT_BODY_JSON, EVENT_ERR_JSON, "malformed" },
	/* wrong top-level shapes */
	{ "42", EVENT_BODY_JSON, EVENT_ERR_INVALID, "body: must be" },
	{ "\"click\"", EVENT_BODY_JSON, EVENT_ERR_INVALID, "body: must be" },
	{ "null", EVENT_BODY_JSON, EVENT_ERR_INVALID, "body: must be" },
	{ "[]", EVENT_BODY_JSON, EVENT_ERR_EMPTY, "no events" },
	{ "{\"events\":[]}", EVENT_BODY_JSON, EVENT_ERR_EMPTY, "no events" },
	{ "{\"events\":{}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "events: must be an array" },
	{ "{\"events\":[{\"type\":\"a\"}],\"x\":1}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "body: unknown field \"x\" beside" },
	/* sentAt without events: an envelope missing its events, not an
	 * event with an unknown field */
	{ "{\"sentAt\":1764000005000}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "body: sentAt goes with \"events\"" },
	{ "{\"sentAt\":1764000005000,\"type\":\"a\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "body: sentAt goes with \"events\"" },
	{ "{\"sentAt\":1764000005000,\"type\":\"a\"}", EVENT_BODY_NDJSON, EVENT_ERR_INVALID, "unknown field \"sentAt\"" },
	{ "{\"sentAt\":\"yesterday\",\"events\":[{\"type\":\"a\"}]}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "sentAt" },
	{ "[1]", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: must be a JSON object" },
	/* type */
	{ "{}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: type: missing" },
	{ "{\"type\":\"\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: type" },
	{ "{\"type\":1}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: type" },
	{ "{\"type\":null}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: type" },
	{ "{\"type\":\"a b\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: type" },
	{ "{\"type\":\"<img>\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: type" },
	{ "{\"type\":\"a\\u0000b\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: type" },
	{ "{\"type\":\"\xc3\xa9\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: type" },
	{ "{\"type\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
	    EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: type" },
	{ "[{\"type\":\"ok\"},{\"type\":\"bad type\"}]", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 1: type" },
	/* unknown fields */
	{ "{\"type\":\"a\",\"Type\":\"b\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "unknown field \"Type\"" },
	/* id */
	{ "{\"type\":\"a\",\"id\":\"\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: id" },
	{ "{\"type\":\"a\",\"id\":7}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: id" },
	{ "{\"type\":\"a\",\"id\":\"a\\nb\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: id" },
	{ "{\"type\":\"a\",\"id\":\"\\u00e9\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: id" },
	{ "{\"type\":\"a\",\"id\":\"0123456789012345678901234567890123456789012345678901234567890123X\"}",
	    EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: id" },
	/* one id for two events that differ: the first such event named,
	 * and the earlier one it clashes with */
	{ "[{\"type\":\"a\",\"id\":\"x\"},{\"type\":\"b\",\"id\":\"x\"}]", EVENT_BODY_JSON,
	    EVENT_ERR_INVALID, "event 1: id: \"x\" is also the id of event 0, which differs" },
	{ "[{\"type\":\"a\",\"id\":\"y\"},{\"type\":\"a\",\"id\":\"x\"},{\"type\":\"a\",\"id\":\"x\"},"
	    "{\"type\":\"a\",\"id\":\"y\",\"ts\":1763999990000},{\"type\":\"a\",\"id\":\"x\",\"metadata\":{}}]",
	    EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 3: id: \"y\" is also the id of event 0" },
	{ "{\"type\":\"a\",\"id\":\"x\"}\n{\"type\":\"a\",\"id\":\"x\",\"metadata\":{\"k\":1}}\n", EVENT_BODY_NDJSON,
	    EVENT_ERR_INVALID, "event 1: id: \"x\" is also the id of event 0" },
	{ "{\"events\":[{\"type\":\"a\",\"id\":\"q\\\"\"},{\"type\":\"a\",\"id\":\"q\\\"\",\"page\":{\"path\":\"/\"}}]}",
	    EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 1: id: \"q\"\" is also the id of event 0" },
	/* ts */
	{ "{\"type\":\"a\",\"ts\":\"2025-13-01T00:00:00Z\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: ts" },
	{ "{\"type\":\"a\",\"ts\":\"2025-02-29T00:00:00Z\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: ts" },
	{ "{\"type\":\"a\",\"ts\":\"2025-01-01 00:00:00\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: ts" },
	{ "{\"type\":\"a\",\"ts\":\"2025-01-01T00:00:00+25:00\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: ts" },
	{ "{\"type\":\"a\",\"ts\":-62167219200001}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: ts: out of range" },
	{ "{\"type\":\"a\",\"ts\":253402300800000}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: ts: out of range" },
	{ "{\"type\":\"a\",\"ts\":\"2026-02-30T00:00:00Z\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID,
	    "event 0: ts: not an RFC 3339 date-time: day 30 does not exist in February 2026" },
	{ "{\"type\":\"a\",\"ts\":\"2026-02-11T15:47:39\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID,
	    "event 0: ts: not an RFC 3339 date-time: a time offset must follow" },
	{ "{\"type\":\"a\",\"ts\":\"0000-01-01T00:00:00+00:01\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID,
	    "event 0: ts: out of range (years 0000 to 9999" },
	{ "{\"sentAt\":\"2026-02-11T15:47:60Z\",\"events\":[{\"type\":\"a\"}]}", EVENT_BODY_JSON,
	    EVENT_ERR_INVALID, "body: sentAt: not an RFC 3339 date-time: second 60 is a leap second only" },
	{ "{\"type\":\"a\",\"ts\":1e300}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: ts: out of range" },
	{ "{\"type\":\"a\",\"ts\":1e-400}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: ts: out of range" },
	{ "{\"sentAt\":-2e-999,\"events\":[{\"type\":\"a\"}]}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "body: sentAt: out of range" },
	{ "{\"type\":\"a\",\"ts\":99999999999999999999}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: ts: out of range" },
	{ "{\"type\":\"a\",\"ts\":NaN}", EVENT_BODY_JSON, EVENT_ERR_JSON, "event 0: ts: the value is NaN or Infinity" },
	{ "{\"type\":\"a\",\"ts\":true}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "event 0: ts" },
	/* metadata */
	{ "{\"type\":\"a\",\"metadata\":[1]}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "metadata: must be an object" },
	{ "{\"type\":\"a\",\"metadata\":\"x\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "metadata: must be an object" },
	{ "{\"type\":\"a\",\"metadata\":{\"$gt\":1}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "key \"$gt\"" },
	{ "{\"type\":\"a\",\"metadata\":{\"a.b\":1}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "key \"a.b\"" },
	{ "{\"type\":\"a\",\"metadata\":{\"\":1}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "key" },
	{ "{\"type\":\"a\",\"metadata\":{\"o\":{\"$where\":1}}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "key \"$where\"" },
	{ "{\"type\":\"a\",\"metadata\":{\"s\":\"a\\u0000b\"}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "NUL" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":1e400}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "out of range" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":-1e400}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "out of range" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":NaN}}", EVENT_BODY_JSON, EVENT_ERR_JSON, "metadata.n: the value is NaN" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":-Infinity}}", EVENT_BODY_JSON, EVENT_ERR_JSON, "metadata.n: the value is NaN" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":[1, Infinity]}}", EVENT_BODY_JSON, EVENT_ERR_JSON, "metadata.n[1]: the value is NaN" },
	/* Numbers JSON does not write (RFC 8259, 6), which json-c takes */
	{ "{\"type\":\"a\",\"metadata\":{\"n\":1.}}", EVENT_BODY_JSON, EVENT_ERR_JSON, "metadata.n: the value is not a number as JSON writes one" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":-.5}}", EVENT_BODY_JSON, EVENT_ERR_JSON, "metadata.n: the value is not a number" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":-01}}", EVENT_BODY_JSON, EVENT_ERR_JSON, "metadata.n: the value is not a number" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":00}}", EVENT_BODY_JSON, EVENT_ERR_JSON, "metadata.n: the value is not a number" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":[1,1.e5]}}", EVENT_BODY_JSON, EVENT_ERR_JSON, "metadata.n[1]: the value is not a number" },
	{ "{\"type\":\"a\",\"ts\":0123}", EVENT_BODY_JSON, EVENT_ERR_JSON, "" },
	{ "{\"sentAt\":1.,\"events\":[{\"type\":\"a\"}]}", EVENT_BODY_JSON, EVENT_ERR_JSON, "body: sentAt: the value is not a number" },
	{ "[{\"type\":\"a\"},{\"type\":\"a\",\"metadata\":{\"n\":.5}}]", EVENT_BODY_JSON, EVENT_ERR_JSON, "" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":+1}}", EVENT_BODY_JSON, EVENT_ERR_JSON, "" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":1e}}", EVENT_BODY_JSON, EVENT_ERR_JSON, "" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":1E+}}", EVENT_BODY_JSON, EVENT_ERR_JSON, "" },
	/* Below a 64-bit float's range: json-c makes it 0 */
	{ "{\"type\":\"a\",\"metadata\":{\"n\":1e-400}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "metadata.n: number out of range" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":-0.00012E-330}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "metadata.n: number out of range" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":9223372036854775808}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "out of range" },
	{ "{\"type\":\"a\",\"metadata\":{\"n\":-9223372036854775809}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "out of range" },
	/* 9 levels: the metadata object and 8 nested below it */
	{ "{\"type\":\"a\",\"metadata\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{}}}}}}}}}}",
	    EVENT_BODY_JSON, EVENT_ERR_INVALID, "deeper than 8" },
	{ "{\"type\":\"a\",\"metadata\":{\"a\":[{\"a\":[{\"a\":[{\"a\":[{\"a\":1}]}]}]}]}}",
	    EVENT_BODY_JSON, EVENT_ERR_INVALID, "deeper than 8" },
	{ "{\"type\":\"a\",\"metadata\":{\"a\":[1,[2]]}}",
	    EVENT_BODY_JSON, EVENT_ERR_INVALID, "array inside an array" },
	/* beyond the tokenizer's own depth limit: well-formed, too deep */
	{ "{\"type\":\"a\",\"metadata\":{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}}",
	    EVENT_BODY_JSON, EVENT_ERR_INVALID, "body: nested deeper than 16 levels at byte " },
	{ "{\"type\":\"a\",\"metadata\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}}}}}}}}}}}}",
	    EVENT_BODY_JSON, EVENT_ERR_INVALID, "metadata may be at most 8 levels deep" },
	{ "{\"type\":\"a\"}\n{\"type\":\"a\",\"metadata\":{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}}\n",
	    EVENT_BODY_NDJSON, EVENT_ERR_INVALID, "line 2: nested deeper than 16 levels" },
	/* page */
	{ "{\"type\":\"a\",\"page\":\"x\"}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "page: must be an object" },
	{ "{\"type\":\"a\",\"page\":{\"host\":\"x\"}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "page: unknown field \"host\"" },
	{ "{\"type\":\"a\",\"page\":{\"url\":5}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "page.url: must be a string" },
	{ "{\"type\":\"a\",\"page\":{\"title\":\"a\\u0000\"}}", EVENT_BODY_JSON, EVENT_ERR_INVALID, "page.title" },
	/* NDJSON */
	{ "{\"type\":\"a\"}\n{\"type\":\n", EVENT_BODY_NDJSON, EVENT_ERR_JSON, "line 2" },
	{ "{\"type\":\"a\"}\n\n{\"type\":\"b c\"}\n", EVENT_BODY_NDJSON, EVENT_ERR_INVALID, "event 1: type" },
	{ "\n\n  \n", EVENT_BODY_NDJSON, EVENT_ERR_EMPTY, "no events" },
	{ "[{\"type\":\"a\"}]\n", EVENT_BODY_NDJSON, EVENT_ERR_INVALID, "event 0: must be a JSON object" },
};

static struct event_ctx
ctx_default(void)
{
	struct event_ctx c;

	c.received_ms = NOW;
	c.user_agent = "test-agent/1.0";
	c.ip = "203.0.113.0";
	c.max_events = 500;
	return c;
}

static void
test_bad(void)
{
	struct event_ctx c = ctx_default();
	struct event_batch *b;
	char err[256];
	enum event_err e;
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		err[0] = '\0';
		e = event_batch_parse(bads[i].body, strlen(bads[i].body), bads[i].fmt,
		    &c, &b, err, sizeof(err));
		CHECK(e == bads[i].err, "case %zu (%s): got %s, want %s (%s)", i,
		    bads[i].body, event_err_code(e), event_err_code(bads[i].err), err);
		CHECK(b == NULL, "case %zu: batch set on error", i);
		CHECK(strstr(err, bads[i].msg) != NULL, "case %zu (%s): message \"%s\" lacks \"%s\"",
		    i, bads[i].body, err, bads[i].msg);
		event_batch_free(b);
	}
}

/* Parse body and return event i's queued JSON as an object (caller puts). */
static json_object *
parse_one(const char *body, size_t len, enum event_body fmt,
    const struct event_ctx *c, size_t want_n, size_t i, struct event_batch **bp)
{
	char err[256] = "";
	enum event_err e;
	json_object *o;

	e = event_batch_parse(body, len, fmt, c, bp, err, sizeof(err));
	CHECK(e == EVENT_OK, "parse %.60s: %s", body, err);
	if (e != EVENT_OK)
		return NULL;
	CHECK((*bp)->n == want_n, "parse %.60s: %zu events, want %zu", body, (*bp)->n, want_n);
	if (i >= (*bp)->n)
		return NULL;
	o = json_tokener_parse((*bp)->ev[i].json);
	CHECK(o != NULL, "queued JSON does not parse: %s", (*bp)->ev[i].json);
	return o;
}

static int64_t
get_i64(json_object *o, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v))
		return -1;
	return json_object_get_int64(v);
}

/* The time of a UUIDv7 in its text form: the first 12 hex digits. */
static int64_t
id_ms(const char *s)
{
	int64_t ms = 0;
	int i;

	for (i = 0; i < 13; i++)
		if (s[i] != '-')
			ms = ms * 16 + (s[i] <= '9' ? s[i] - '0' : s[i] - 'a' + 10);
	return ms;
}

static const char *
get_str(json_object *o, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v))
		return NULL;
	return json_object_get_string(v);
}

#define S(x) x, strlen(x)

/*
 * createdAt and clientTs for each way a client may give its time: an
 * event never happens after it was received (beyond LIMIT_CLOCK_AHEAD_MS)
 * nor more than LIMIT_CLOCK_SKEW_MS before; outside that createdAt is
 * receivedAt and the client's time is kept as clientTs.  NOW is
 * 2025-11-24T16:00:00Z.
 */
#define NO_CLIENT_TS	INT64_MIN
static const struct {
	const char	*body;
	int64_t		 created, client;
} clocks[] = {
	/* no time: receivedAt */
	{ "{\"type\":\"a\"}", NOW, NO_CLIENT_TS },
	/* ts alone, in the window */
	{ "{\"type\":\"a\",\"ts\":1763999990000}", NOW - 10000, NO_CLIENT_TS },
	{ "{\"type\":\"a\",\"ts\":\"2025-11-24T15:59:50Z\"}", NOW - 10000, NO_CLIENT_TS },
	{ "{\"type\":\"a\",\"ts\":\"2025-11-24t16:59:50+01:00\"}", NOW - 10000, NO_CLIENT_TS },
	{ "{\"type\":\"a\",\"ts\":\"2025-11-24T15:59:50.123456789z\"}", NOW - 9877, NO_CLIENT_TS },
	{ "{\"type\":\"a\",\"ts\":1763913600000}", NOW - 86400000LL, NO_CLIENT_TS },
	{ "{\"type\":\"a\",\"ts\":1764000001000}", NOW + 1000, NO_CLIENT_TS },
	{ "{\"type\":\"a\",\"ts\":1763999999999.9}", NOW - 1, NO_CLIENT_TS },
	/* ts alone, ahead of receivedAt or too far back: the client's */
	{ "{\"type\":\"a\",\"ts\":1764000001001}", NOW, 1764000001001LL },
	{ "{\"type\":\"a\",\"ts\":1764086400000}", NOW, 1764086400000LL },
	{ "{\"type\":\"a\",\"ts\":\"2025-11-25T16:00:00Z\"}", NOW, NOW + 86400000LL },
	{ "{\"type\":\"a\",\"ts\":1763913599999}", NOW, 1763913599999LL },
	{ "{\"type\":\"a\",\"ts\":-1}", NOW, -1 },
	{ "{\"type\":\"a\",\"ts\":\"1970-01-01T00:30:00+01:00\"}", NOW, -1800000LL },
	{ "{\"type\":\"a\",\"ts\":\"1990-12-31T23:59:60Z\"}", NOW, 662687999999LL },
	{ "{\"type\":\"a\",\"ts\":\"0000-01-01T00:00:00Z\"}", NOW, -62167219200000LL },
	/* with sentAt: receivedAt - (sentAt - ts) */
	{ "{\"sentAt\":1764003600000,\"events\":[{\"type\":\"a\",\"ts\":1764003595000}]}", NOW - 5000, NO_CLIENT_TS },
	{ "{\"sentAt\":\"2025-11-24T17:00:00+00:00\",\"events\":[{\"type\":\"a\",\"ts\":1764003595000}]}", NOW - 5000, NO_CLIENT_TS },
	{ "{\"sentAt\":1764003600000,\"events\":[{\"type\":\"a\",\"ts\":1764003601000}]}", NOW + 1000, NO_CLIENT_TS },
	/* ts after sentAt: it would have happened after it was received */
	{ "{\"sentAt\":1764003600000,\"events\":[{\"type\":\"a\",\"ts\":1764003601001}]}", NOW, 1764003601001LL },
	{ "{\"sentAt\":1764003600000,\"events\":[{\"type\":\"a\",\"ts\":1764090000000}]}", NOW, 1764090000000LL },
	/* corrected but more than 24 h back */
	{ "{\"sentAt\":1764003600000,\"events\":[{\"type\":\"a\",\"ts\":1763917199999}]}", NOW, 1763917199999LL },
	/* sentAt without ts changes nothing */
	{ "{\"sentAt\":1,\"events\":[{\"type\":\"a\"}]}", NOW, NO_CLIENT_TS },
};

/*
 * Every place a string can stand, key or value, at any depth, top level
 * included: a NUL (\u0000), an escaped lone surrogate and a key given
 * twice are refused with a message naming the event and the field.
 * Where the message says "%s", each fault's words go.
 */
static const struct {
	const char	*body;		/* with @ where the string goes */
	const char	*where;		/* the message's start */
} places[] = {
	{ "{@:\"a\"}", "event 0: " },
	{ "{\"type\":@}", "event 0: type: the string" },
	{ "{\"type\":\"a\",\"id\":@}", "event 0: id: the string" },
	{ "{\"type\":\"a\",\"ts\":@}", "event 0: ts: the string" },
	{ "{\"type\":\"a\",\"metadata\":{@:1}}", "event 0: metadata." },
	{ "{\"type\":\"a\",\"metadata\":{\"k\":@}}", "event 0: metadata.k: the string" },
	{ "{\"type\":\"a\",\"metadata\":{\"o\":{\"p\":[1,{@:2}]}}}", "event 0: metadata.o.p[1]." },
	{ "{\"type\":\"a\",\"metadata\":{\"o\":{\"p\":[1,{\"q\":[@]}]}}}", "event 0: metadata.o.p[1].q[0]: the string" },
	{ "{\"type\":\"a\",\"page\":{@:\"x\"}}", "event 0: page." },
	{ "{\"type\":\"a\",\"page\":{\"title\":@}}", "event 0: page.title: the string" },
	{ "[{\"type\":\"a\"},{\"type\":\"a\",\"metadata\":{\"k\":@}}]", "event 1: metadata.k: the string" },
	{ "[{\"type\":\"a\"},{@:1}]", "event 1: " },
	{ "{\"events\":[{\"type\":\"a\"},{\"type\":\"a\"},{\"type\":@}]}", "event 2: type: the string" },
	{ "{\"sentAt\":@,\"events\":[{\"type\":\"a\"}]}", "body: sentAt: the string" },
	{ "{@:1,\"events\":[{\"type\":\"a\"}]}", "body: " },
};

static const struct {
	const char	*string;	/* a JSON string, quotes and all */
	const char	*fault;
	int		 json;		/* invalid_json, not invalid_event */
} faults[] = {
	{ "\"k\\u0000x\"", "holds a NUL character", 0 },
	{ "\"\\u0000\"", "holds a NUL character", 0 },
	{ "\"ok\\u0000.$x\"", "holds a NUL character", 0 },
	{ "\"x\\ud83cy\"", "lone UTF-16 surrogate", 0 },
	{ "\"x\\uD83C\"", "lone UTF-16 surrogate", 0 },
	{ "\"x\\udf89y\"", "lone UTF-16 surrogate", 0 },
	{ "\"\\udf89\\ud83c\"", "lone UTF-16 surrogate", 0 },
	{ "\"\\ud83c\\u0041\"", "lone UTF-16 surrogate", 0 },
	{ "\"\\ud83c\\ud83c\"", "lone UTF-16 surrogate", 0 },
	/* Raw control characters: not JSON (RFC 8259, 7), json-c takes
	 * them.  (A raw line feed ends an NDJSON line, so not that one.) */
	{ "\"x\ty\"", "control character not escaped", 1 },
	{ "\"\x01\"", "control character not escaped", 1 },
	{ "\"ok\\n\x1f\"", "control character not escaped", 1 },
	{ "\"\r\"", "control character not escaped", 1 },
	{ "\"\xc3\xa9\b\"", "control character not escaped", 1 },
};

static void
test_strings(void)
{
	struct event_ctx c = ctx_default();
	struct event_batch *b;
	char body[512], want[200], err[256];
	const char *at;
	enum event_err e;
	size_t i, k;

	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		for (k = 0; k < sizeof(faults) / sizeof(faults[0]); k++) {
			at = strchr(places[i].body, '@');
			snprintf(body, sizeof(body), "%.*s%s%s", (int)(at - places[i].body),
			    places[i].body, faults[k].string, at + 1);
			b = NULL;
			err[0] = '\0';
			e = event_batch_parse(body, strlen(body), EVENT_BODY_JSON, &c, &b, err, sizeof(err));
			CHECK(e == (faults[k].json ? EVENT_ERR_JSON : EVENT_ERR_INVALID) && b == NULL,
			    "%s: accepted (%d)", body, e);
			CHECK(strncmp(err, places[i].where, strlen(places[i].where)) == 0 &&
			    strstr(err, faults[k].fault) != NULL,
			    "%s: message \"%s\", want \"%s...%s\"", body, err, places[i].where,
			    faults[k].fault);
			event_batch_free(b);
			/* The same event as an NDJSON line, the third. */
			if (places[i].body[0] == '{' && strstr(places[i].body, "events") == NULL) {
				char nd[600];
				snprintf(nd, sizeof(nd), "{\"type\":\"a\"}\n{\"type\":\"b\"}\n%s\n", body);
				err[0] = '\0';
				e = event_batch_parse(nd, strlen(nd), EVENT_BODY_NDJSON, &c, &b, err, sizeof(err));
				snprintf(want, sizeof(want), "event 2: %s", places[i].where + 9);
				CHECK(e == (faults[k].json ? EVENT_ERR_JSON : EVENT_ERR_INVALID) &&
				    strncmp(err, want, strlen(want)) == 0,
				    "NDJSON %s: \"%s\", want \"%s\"", body, err, want);
				event_batch_free(b);
			}
		}

	/* NaN and Infinity, which json-c takes, are not JSON (RFC 8259,
	 * 6): wherever a value stands, invalid_json naming it. */
	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		static const char *const nonfinite[] = { "NaN", "Infinity", "-Infinity" };
		size_t at_len;

		if ((at = strstr(places[i].where, "the string")) == NULL)
			continue;
		at_len = (size_t)(at - places[i].where);
		for (k = 0; k < 3; k++) {
			at = strchr(places[i].body, '@');
			snprintf(body, sizeof(body), "%.*s%s%s", (int)(at - places[i].body),
			    places[i].body, nonfinite[k], at + 1);
			snprintf(want, sizeof(want), "%.*sthe value is NaN or Infinity",
			    (int)at_len, places[i].where);
			b = NULL;
			err[0] = '\0';
			e = event_batch_parse(body, strlen(body), EVENT_BODY_JSON, &c, &b, err, sizeof(err));
			CHECK(e == EVENT_ERR_JSON && b == NULL, "%s: %s, want invalid_json (%s)", body,
			    event_err_code(e), err);
			CHECK(strncmp(err, want, strlen(want)) == 0, "%s: message \"%s\", want \"%s...\"",
			    body, err, want);
			event_batch_free(b);
		}
	}

	/* Keys given twice, however written, at every depth. */
	static const struct { const char *body, *msg; } dups[] = {
		{ "{\"type\":\"a\",\"type\":\"b\"}", "event 0: type: the key is given twice" },
		{ "{\"type\":\"a\",\"t\\u0079pe\":\"b\"}", "event 0: t\\u0079pe: the key is given twice" },
		{ "{\"type\":\"a\",\"metadata\":{\"k\":\"real\",\"k\":\"fake\"}}", "event 0: metadata.k: the key is given twice" },
		{ "{\"type\":\"a\",\"metadata\":{\"a\":{\"x\":1,\"y\":2,\"\\u0078\":3}}}", "event 0: metadata.a.\\u0078: the key is given twice" },
		{ "{\"type\":\"a\",\"metadata\":{\"l\":[{\"\\u00e9\":1,\"\xc3\xa9\":2}]}}", "event 0: metadata.l[0]." },
		{ "{\"type\":\"a\",\"page\":{\"url\":\"x\",\"url\":\"y\"}}", "event 0: page.url: the key is given twice" },
		/* Only empty keys: no key bytes were kept at all. */
		{ "{\"type\":\"a\",\"metadata\":{\"\":1,\"\":2}}", "event 0: metadata" },
		{ "{\"\":1,\"\":\"c.\"}", "event 0: " },
		{ "[{\"type\":\"a\"},{\"type\":\"a\",\"id\":\"1\",\"id\":\"2\"}]", "event 1: id: the key is given twice" },
		{ "{\"events\":[{\"type\":\"a\"}],\"events\":[{\"type\":\"b\"}]}", "body: events: the key is given twice" },
		{ "{\"sentAt\":1,\"sentAt\":2,\"events\":[{\"type\":\"b\"}]}", "body: sentAt: the key is given twice" },
		/* Up to 16 keys are compared pair by pair, more are sorted:
		 * either way the duplicate named is the later one, and of two
		 * duplicates the first in byte order. */
		{ "{\"type\":\"a\",\"metadata\":{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,"
		  "\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,\"ka\":10,\"kb\":11,\"kc\":12,\"kd\":13,\"ke\":14,"
		  "\"k\\u0030\":15}}", "event 0: metadata.k\\u0030: the key is given twice" },
		{ "{\"type\":\"a\",\"metadata\":{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,"
		  "\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,\"ka\":10,\"kb\":11,\"kc\":12,\"kd\":13,\"ke\":14,"
		  "\"kf\":15,\"k\\u0030\":16}}", "event 0: metadata.k\\u0030: the key is given twice" },
		{ "{\"type\":\"a\",\"metadata\":{\"z\":1,\"b\":2,\"z\":3,\"b\":4}}", "event 0: metadata.b: the key is given twice" },
	};
	for (i = 0; i < sizeof(dups) / sizeof(dups[0]); i++) {
		b = NULL;
		err[0] = '\0';
		e = event_batch_parse(dups[i].body, strlen(dups[i].body), EVENT_BODY_JSON, &c, &b, err, sizeof(err));
		CHECK(e == EVENT_ERR_INVALID && strncmp(err, dups[i].msg, strlen(dups[i].msg)) == 0 &&
		    strstr(err, "given twice") != NULL,
		    "%s: \"%s\", want \"%s\"", dups[i].body, err, dups[i].msg);
		event_batch_free(b);
	}

	/* What is fine is kept as it was meant: escapes decoded, a
	 * surrogate pair one character, equal-looking but different keys. */
	static const struct { const char *body, *key, *value; } goods[] = {
		{ "{\"type\":\"a\",\"metadata\":{\"k\":\"\\ud83c\\udf89\"}}", "k", "\xf0\x9f\x8e\x89" },
		{ "{\"type\":\"a\",\"metadata\":{\"\\u00e9\":\"\\u00e9\\n/\\/\"}}", "\xc3\xa9", "\xc3\xa9\n//" },
		{ "{\"type\":\"a\",\"metadata\":{\"k\":\"a\",\"K\":\"b\"}}", "K", "b" },
		{ "{\"type\":\"a\",\"metadata\":{\"k\":\"\\\\u0000\"}}", "k", "\\u0000" },
		{ "{\"type\":\"a\",\"metadata\":{\"o\":{\"k\":1},\"p\":{\"k\":2}}}", "o", NULL },
	};
	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		json_object *o = NULL, *m, *v;
		b = NULL;
		err[0] = '\0';
		e = event_batch_parse(goods[i].body, strlen(goods[i].body), EVENT_BODY_JSON, &c, &b, err, sizeof(err));
		CHECK(e == EVENT_OK, "%s: %s", goods[i].body, err);
		if (e == EVENT_OK)
			o = json_tokener_parse(b->ev[0].json);
		CHECK(o != NULL && json_object_object_get_ex(o, "metadata", &m) &&
		    json_object_object_get_ex(m, goods[i].key, &v) &&
		    (goods[i].value == NULL || strcmp(json_object_get_string(v), goods[i].value) == 0),
		    "%s: stored as %s", goods[i].body, b ? b->ev[0].json : "-");
		json_object_put(o);
		event_batch_free(b);
	}
}

static void
test_clocks(void)
{
	struct event_ctx c = ctx_default();
	struct event_batch *b;
	char err[256];
	json_object *o, *v;
	size_t i;

	for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		b = NULL;
		err[0] = '\0';
		if (event_batch_parse(clocks[i].body, strlen(clocks[i].body), EVENT_BODY_JSON,
		    &c, &b, err, sizeof(err)) != EVENT_OK) {
			CHECK(0, "clock %zu (%s): %s", i, clocks[i].body, err);
			continue;
		}
		o = json_tokener_parse(b->ev[0].json);
		CHECK(get_i64(o, "createdAt") == clocks[i].created, "clock %zu (%s): createdAt %lld, want %lld",
		    i, clocks[i].body, (long long)get_i64(o, "createdAt"), (long long)clocks[i].created);
		CHECK(get_i64(o, "createdAt") <= NOW + LIMIT_CLOCK_AHEAD_MS, "clock %zu: after receivedAt", i);
		if (clocks[i].client == NO_CLIENT_TS)
			CHECK(!json_object_object_get_ex(o, "clientTs", &v), "clock %zu: a clientTs", i);
		else
			CHECK(json_object_object_get_ex(o, "clientTs", &v) &&
			    json_object_get_int64(v) == clocks[i].client,
			    "clock %zu (%s): clientTs %s, want %lld", i, clocks[i].body,
			    v ? json_object_get_string(v) : "absent", (long long)clocks[i].client);
		json_object_put(o);
		event_batch_free(b);
	}
}

static void
test_good(void)
{
	struct event_ctx c = ctx_default();
	struct event_batch *b = NULL;
	json_object *o, *m, *v;
	const char *s;

	/* One event: server id (UUIDv7), times, ua, ip, metadata kept. */
	o = parse_one(S("{\"type\":\"click\",\"metadata\":{\"x\":10,\"y\":20,\"t\":\"<img src=x>\",\"deep\":{\"a\":[1,2,{\"b\":null}]}}}"),
	    EVENT_BODY_JSON, &c, 1, 0, &b);
	if (o != NULL) {
		s = get_str(o, "id");
		CHECK(s != NULL && strlen(s) == 36 && s[14] == '7' &&
		    strchr("89ab", s[19]) != NULL, "server id is not a UUIDv7: %s", s ? s : "(none)");
		CHECK(strcmp(s, b->ev[0].id) == 0, "batch id differs from JSON id");
		/* The time is NOW's (019ab697-e800), or a little later once
		 * this thread's ids of that millisecond ran its counter out. */
		CHECK(id_ms(s) >= NOW && id_ms(s) <= NOW + 4, "UUIDv7 time prefix: %s", s);
		CHECK(get_i64(o, "createdAt") == NOW, "createdAt without ts is receivedAt");
		CHECK(get_i64(o, "receivedAt") == NOW, "receivedAt");
		CHECK(get_i64(o, "clientTs") == -1, "no clientTs when none given");
		CHECK(strcmp(get_str(o, "type"), "click") == 0, "type");
		CHECK(strcmp(get_str(o, "ua"), "test-agent/1.0") == 0, "ua");
		CHECK(strcmp(get_str(o, "ip"), "203.0.113.0") == 0, "ip as given: %s", get_str(o, "ip"));
		CHECK(json_object_object_get_ex(o, "metadata", &m) &&
		    json_object_object_get_ex(m, "t", &v) &&
		    strcmp(json_object_get_string(v), "<img src=x>") == 0, "metadata kept as is");
		CHECK(!json_object_object_get_ex(o, "page", &v), "no page when none given");
	}
	json_object_put(o);
	event_batch_free(b);

	/* Numbers at the edges of a 64-bit float, and zeros however
	 * written: taken, queued as written (the store reads the same
	 * value from that text). */
	{
		static const char *const nums[] = { "0e-400", "-0.0", "0.000E+999", "1e-320",
		    "-4.9e-324", "1.7976931348623157e308", "-9223372036854775807", "1.10",
		    "0.5e-3", "1E+2", "-0.0e0", "10", "9.0E-1" };
		char body[128], want[64];
		size_t i;

		for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
			snprintf(body, sizeof(body), "{\"type\":\"a\",\"metadata\":{\"n\":%s}}", nums[i]);
			snprintf(want, sizeof(want), "\"metadata\":{\"n\":%s}", nums[i]);
			o = parse_one(body, strlen(body), EVENT_BODY_JSON, &c, 1, 0, &b);
			CHECK(o != NULL && strstr(b->ev[0].json, want) != NULL,
			    "number %s: queued as %s", nums[i], b != NULL ? b->ev[0].json : "(refused)");
			json_object_put(o);
			event_batch_free(b);
			b = NULL;
		}
	}

	/* One event sent twice in a request, the same both times: taken
	 * (the store keeps one); a server id beside them does not clash. */
	o = parse_one(S("[{\"type\":\"a\",\"id\":\"x\",\"metadata\":{\"k\":1}},{\"type\":\"b\"},"
	    "{\"type\":\"a\",\"id\":\"x\",\"metadata\":{\"k\":1}}]"), EVENT_BODY_JSON, &c, 3, 2, &b);
	if (o != NULL)
		CHECK(strcmp(get_str(o, "id"), "x") == 0 && b->ev[1].id[0] != 'x',
		    "the same event twice: ids %s %s %s", b->ev[0].id, b->ev[1].id, b->ev[2].id);
	json_object_put(o);
	event_batch_free(b);
	/* Compared as queued: white space, escapes and the order of the
	 * top-level fields do not make two events differ. */
	o = parse_one(S("[{\"id\":\"x\",\"type\":\"a\",\"metadata\":{\"k\":\"/\"}},"
	    "{ \"metadata\" : { \"\\u006b\" : \"\\/\" } , \"type\" : \"a\" , \"id\" : \"\\u0078\" }]"),
	    EVENT_BODY_JSON, &c, 2, 1, &b);
	json_object_put(o);
	event_batch_free(b);

	/* Client id, ts as epoch ms, page. */
	o = parse_one(S("{\"type\":\"a.b:c-d_e\",\"id\":\"k-1 x\",\"ts\":1763999990000,\"page\":{\"url\":\"https://e.x/p?q\",\"path\":\"/p\",\"referrer\":\"\",\"title\":\"T\\u00e9\"}}"),
	    EVENT_BODY_JSON, &c, 1, 0, &b);
	if (o != NULL) {
		CHECK(strcmp(get_str(o, "id"), "k-1 x") == 0, "client id kept");
		CHECK(get_i64(o, "createdAt") == 1763999990000LL, "ts alone is createdAt");
		CHECK(json_object_object_get_ex(o, "page", &v) &&
		    strcmp(get_str(v, "title"), "T\xc3\xa9") == 0 &&
		    strcmp(get_str(v, "path"), "/p") == 0, "page kept");
	}
	json_object_put(o);
	event_batch_free(b);

	/* ts as RFC 3339 with an offset and sub-ms digits. */
	o = parse_one(S("{\"type\":\"a\",\"ts\":\"2025-11-24T17:59:59.1239+02:00\"}"),
	    EVENT_BODY_JSON, &c, 1, 0, &b);
	if (o != NULL)
		CHECK(get_i64(o, "createdAt") == NOW - 1000 + 123, "RFC 3339 ts: %lld",
		    (long long)get_i64(o, "createdAt"));
	json_object_put(o);
	event_batch_free(b);

	/* Skew correction: client clock 1 h fast; event 5 s before sending. */
	o = parse_one(S("{\"sentAt\":1764003600000,\"events\":[{\"type\":\"a\",\"ts\":1764003595000},{\"type\":\"b\"}]}"),
	    EVENT_BODY_JSON, &c, 2, 0, &b);
	if (o != NULL) {
		CHECK(get_i64(o, "createdAt") == NOW - 5000, "skew-corrected createdAt: %lld",
		    (long long)get_i64(o, "createdAt"));
		CHECK(get_i64(o, "clientTs") == -1, "no clientTs when corrected time is near");
	}
	json_object_put(o);
	event_batch_free(b);

	/* A client time more than 24 h off: replaced, kept as clientTs. */
	o = parse_one(S("{\"type\":\"a\",\"ts\":1000}"), EVENT_BODY_JSON, &c, 1, 0, &b);
	if (o != NULL) {
		CHECK(get_i64(o, "createdAt") == NOW, "far ts replaced by receivedAt");
		CHECK(get_i64(o, "clientTs") == 1000, "far ts kept as clientTs");
	}
	json_object_put(o);
	event_batch_free(b);

	/* sentAt as RFC 3339, ts far off even after correction. */
	o = parse_one(S("{\"sentAt\":\"2025-11-24T16:00:00Z\",\"events\":[{\"type\":\"a\",\"ts\":\"2025-11-20T16:00:00Z\"}]}"),
	    EVENT_BODY_JSON, &c, 1, 0, &b);
	if (o != NULL) {
		CHECK(get_i64(o, "createdAt") == NOW, "corrected but 4 days off: replaced");
		CHECK(get_i64(o, "clientTs") == NOW - 4 * 86400000LL, "clientTs is the client's ts");
	}
	json_object_put(o);
	event_batch_free(b);

	/* null optional fields are absent fields; metadata at exactly 8 levels. */
	o = parse_one(S("{\"type\":\"a\",\"id\":null,\"ts\":null,\"page\":null,\"metadata\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}}}"),
	    EVENT_BODY_JSON, &c, 1, 0, &b);
	json_object_put(o);
	event_batch_free(b);

	/* NDJSON with blank lines and CRLF. */
	o = parse_one(S("{\"type\":\"a\"}\r\n\r\n{\"type\":\"b\"}\r\n"), EVENT_BODY_NDJSON, &c, 2, 1, &b);
	if (o != NULL)
		CHECK(strcmp(get_str(o, "type"), "b") == 0, "NDJSON second event");
	json_object_put(o);
	event_batch_free(b);

	/* No address, no ua. */
	c.ip = NULL;
	c.user_agent = NULL;
	o = parse_one(S("{\"type\":\"a\"}"), EVENT_BODY_JSON, &c, 1, 0, &b);
	if (o != NULL)
		CHECK(get_str(o, "ip") == NULL && get_str(o, "ua") == NULL, "no ip, no ua");
	json_object_put(o);
	event_batch_free(b);
}

static void
test_limits(void)
{
	struct event_ctx c = ctx_default();
	struct event_batch *b = NULL;
	char err[256], ua[1000], *body, *p;
	enum event_err e;
	json_object *o;
	size_t i, len;

	/* 500 events pass, 501 do not; max_events lower than the ceiling. */
	body = malloc(600 * 20 + 16);
	for (len = 501; len >= 500; len--) {
		p = body;
		*p++ = '[';
		for (i = 0; i < len; i++)
			p += sprintf(p, "%s{\"type\":\"e%zu\"}", i ? "," : "", i);
		*p++ = ']';
		*p = '\0';
		e = event_batch_parse(body, strlen(body), EVENT_BODY_JSON, &c, &b, err, sizeof(err));
		if (len == 501)
			CHECK(e == EVENT_ERR_TOO_MANY && event_err_status(e) == 413, "501 events: %s", err);
		else
			CHECK(e == EVENT_OK && b->n == 500, "500 events: %s", err);
		event_batch_free(b);
	}
	c.max_events = 10;
	e = event_batch_parse(body, strlen(body), EVENT_BODY_JSON, &c, &b, err, sizeof(err));
	CHECK(e == EVENT_ERR_TOO_MANY && strstr(err, "at most 10"), "max_events 10: %s", err);
	/* the same in NDJSON */
	p = body;
	for (i = 0; i < 11; i++)
		p += sprintf(p, "{\"type\":\"e\"}\n");
	e = event_batch_parse(body, strlen(body), EVENT_BODY_NDJSON, &c, &b, err, sizeof(err));
	CHECK(e == EVENT_ERR_TOO_MANY, "11 NDJSON lines over max 10: %s", err);
	c.max_events = 500;
	free(body);

	/* metadata: 8192 bytes serialized pass, 8193 do not, measured as
	 * queued: '/' is not escaped there, so counts one byte. */
	body = malloc(9000 + 64);
	for (i = 0; i < 2; i++)
		for (len = 8192; len <= 8193; len++) {
			/* {"s":"xxx"} is 8 bytes plus the string */
			sprintf(body, "{\"type\":\"a\",\"metadata\":{\"s\":\"");
			p = body + strlen(body);
			memset(p, i ? '/' : 'x', len - 8);
			strcpy(p + len - 8, "\"}}");
			e = event_batch_parse(body, strlen(body), EVENT_BODY_JSON, &c, &b, err, sizeof(err));
			if (len == 8192)
				CHECK(e == EVENT_OK, "8192-byte metadata of '%c': %s", i ? '/' : 'x', err);
			else
				CHECK(e == EVENT_ERR_INVALID && strstr(err, "8193 bytes"),
				    "8193-byte metadata of '%c': %s", i ? '/' : 'x', err);
			event_batch_free(b);
		}
	/* A number counts as JSON.stringify writes it, not as sent: with
	 * {"s":"...","a":N} of 8192 bytes so measured, 8193 are refused. */
	{
		static const struct {
			const char *text;
			size_t js;	/* JSON.stringify(JSON.parse(text)).length */
		} nums[] = {
			{ "1.0", 1 }, { "1.00", 1 }, { "100e0", 3 }, { "5e-1", 3 },
			{ "1e2", 3 }, { "-0.0", 1 }, { "1E21", 5 }, { "0.0000001", 4 },
			{ "1e-6", 8 }, { "99999999999999999", 18 }, { "-1.5E-7", 7 },
		};
		size_t k, fill;

		for (k = 0; k < sizeof(nums) / sizeof(nums[0]); k++)
			for (len = 8192; len <= 8193; len++) {
				/* {"s":"","a":} is 13 bytes around the fill and N */
				fill = len - 13 - nums[k].js;
				sprintf(body, "{\"type\":\"a\",\"metadata\":{\"s\":\"");
				p = body + strlen(body);
				memset(p, 'x', fill);
				sprintf(p + fill, "\",\"a\":%s}}", nums[k].text);
				e = event_batch_parse(body, strlen(body), EVENT_BODY_JSON, &c, &b, err, sizeof(err));
				if (len == 8192)
					CHECK(e == EVENT_OK, "metadata of 8192 bytes with %s: %s", nums[k].text, err);
				else
					CHECK(e == EVENT_ERR_INVALID && strstr(err, "8193 bytes"),
					    "metadata of 8193 bytes with %s: %s", nums[k].text, err);
				event_batch_free(b);
			}
	}
	/* page.title: 256 bytes pass, 257 do not */
	for (len = 256; len <= 257; len++) {
		sprintf(body, "{\"type\":\"a\",\"page\":{\"title\":\"");
		p = body + strlen(body);
		memset(p, 't', len);
		strcpy(p + len, "\"}}");
		e = event_batch_parse(body, strlen(body), EVENT_BODY_JSON, &c, &b, err, sizeof(err));
		CHECK((len == 256) == (e == EVENT_OK), "page.title of %zu bytes: %s", len, err);
		event_batch_free(b);
	}
	/* type and id of exactly 64 pass */
	sprintf(body, "{\"type\":\"%064d\",\"id\":\"%064d\"}", 0, 0);
	e = event_batch_parse(body, strlen(body), EVENT_BODY_JSON, &c, &b, err, sizeof(err));
	CHECK(e == EVENT_OK, "64-character type and id: %s", err);
	event_batch_free(b);
	free(body);

	/* A raw NUL byte in the body. */
	e = event_batch_parse("{\"type\":\"a\0\"}", 13, EVENT_BODY_JSON, &c, &b, err, sizeof(err));
	CHECK(e == EVENT_ERR_JSON && strstr(err, "NUL"), "raw NUL: %s", err);

	/* The user agent is cut to 256 bytes on a character boundary, and
	 * bytes that are not UTF-8 are replaced. */
	memset(ua, 'a', 255);
	strcpy(ua + 255, "\xc3\xa9zzzz");	/* "é" straddles byte 256 */
	c.user_agent = ua;
	o = parse_one(S("{\"type\":\"a\"}"), EVENT_BODY_JSON, &c, 1, 0, &b);
	if (o != NULL)
		CHECK(strlen(get_str(o, "ua")) == 255, "ua cut before a split character: %zu",
		    strlen(get_str(o, "ua")));
	json_object_put(o);
	event_batch_free(b);
	c.user_agent = "bad\xff\x01ua";
	o = parse_one(S("{\"type\":\"a\"}"), EVENT_BODY_JSON, &c, 1, 0, &b);
	if (o != NULL)
		CHECK(strcmp(get_str(o, "ua"), "bad??ua") == 0, "ua sanitised: %s", get_str(o, "ua"));
	json_object_put(o);
	event_batch_free(b);
}

static void
test_status(void)
{
	CHECK(event_err_status(EVENT_ERR_JSON) == 400, "json 400");
	CHECK(event_err_status(EVENT_ERR_INVALID) == 400, "invalid 400");
	CHECK(event_err_status(EVENT_ERR_EMPTY) == 400, "empty 400");
	CHECK(event_err_status(EVENT_ERR_TOO_MANY) == 413, "too many 413");
	CHECK(strcmp(event_err_code(EVENT_ERR_INVALID), "invalid_event") == 0, "code");
}

/*
 * One parser for many requests, as a serving thread keeps it: nothing of
 * one request (its user agent, address, events, error) shows in the next,
 * and a large batch, whose buffer is then let go, changes nothing.
 */
static void
test_parser_reuse(void)
{
	struct event_parser *ep = event_parser_new();
	struct event_ctx c = ctx_default();
	const struct event_batch *kb;
	struct event_batch *b = NULL;
	char err[256], *big, *q;
	enum event_err e;
	json_object *o;
	size_t i, round;

	CHECK(ep != NULL, "event_parser_new");
	if (ep == NULL)
		return;
	big = malloc(600 * 1100 + 16);
	q = big;
	*q++ = '[';
	for (i = 0; i < 500; i++) {
		q += sprintf(q, "%s{\"type\":\"e\",\"id\":\"big-%zu\",\"metadata\":{\"s\":\"", i ? "," : "", i);
		memset(q, 'x', 1000);
		q += 1000;
		q += sprintf(q, "\"}}");
	}
	strcpy(q, "]");
	for (round = 0; round < 3; round++) {
		/* with ua and ip, two events, one with a quote in its id */
		c = ctx_default();
		c.user_agent = "agent \"one\"";
		e = event_parser_parse(ep, S("[{\"type\":\"a\",\"id\":\"x\\\"y\"},{\"type\":\"b\",\"page\":{\"url\":\"u\",\"title\":null}}]"),
		    EVENT_BODY_JSON, &c, &kb, err, sizeof(err));
		CHECK(e == EVENT_OK && kb->n == 2, "round %zu: two events: %s", round, err);
		if (e == EVENT_OK) {
			o = json_tokener_parse(kb->ev[0].json);
			CHECK(o != NULL && strcmp(get_str(o, "id"), "x\"y") == 0 &&
			    strcmp(get_str(o, "ua"), "agent \"one\"") == 0 &&
			    strcmp(get_str(o, "ip"), "203.0.113.0") == 0,
			    "round %zu: first event: %s", round, kb->ev[0].json);
			json_object_put(o);
			CHECK(strlen(kb->ev[1].json) == kb->ev[1].json_len &&
			    strstr(kb->ev[1].json, "\"page\":{\"url\":\"u\"}") != NULL,
			    "round %zu: second event, page without nulls: %s", round, kb->ev[1].json);
		}
		/* an error in between leaves no batch */
		e = event_parser_parse(ep, S("[{\"type\":\"a\"},{\"type\":\"b c\"}]"),
		    EVENT_BODY_JSON, &c, &kb, err, sizeof(err));
		CHECK(e == EVENT_ERR_INVALID && kb == NULL, "round %zu: invalid second event", round);
		/* without ua and ip */
		c.user_agent = NULL;
		c.ip = NULL;
		e = event_parser_parse(ep, S("{\"type\":\"c\"}\n"), EVENT_BODY_NDJSON, &c,
		    &kb, err, sizeof(err));
		CHECK(e == EVENT_OK && kb->n == 1, "round %zu: NDJSON: %s", round, err);
		if (e == EVENT_OK) {
			o = json_tokener_parse(kb->ev[0].json);
			CHECK(o != NULL && get_str(o, "ua") == NULL && get_str(o, "ip") == NULL &&
			    strcmp(get_str(o, "type"), "c") == 0,
			    "round %zu: no ua, no ip: %s", round, kb->ev[0].json);
			json_object_put(o);
		}
		/* 500 events of 1 KB: more than the parser keeps */
		e = event_parser_parse(ep, big, strlen(big), EVENT_BODY_JSON, &c, &kb, err, sizeof(err));
		CHECK(e == EVENT_OK && kb->n == 500, "round %zu: 500 large events: %s", round, err);
		for (i = 0; e == EVENT_OK && i < kb->n; i++) {
			char want[48];

			snprintf(want, sizeof(want), "{\"id\":\"big-%zu\",", i);
			if (strncmp(kb->ev[i].json, want, strlen(want)) != 0 ||
			    kb->ev[i].json[kb->ev[i].json_len] != '\0' ||
			    kb->ev[i].json[kb->ev[i].json_len - 1] != '}') {
				CHECK(0, "round %zu: large event %zu: %.40s", round, i, kb->ev[i].json);
				break;
			}
		}
	}
	event_parser_free(ep);
	event_parser_free(NULL);
	/* The same body through event_batch_parse: the caller's batch. */
	c = ctx_default();
	e = event_batch_parse(big, strlen(big), EVENT_BODY_JSON, &c, &b, err, sizeof(err));
	CHECK(e == EVENT_OK && b->n == 500 && strncmp(b->ev[499].json, S("{\"id\":\"big-499\",")) == 0,
	    "event_batch_parse of 500 large events: %s", err);
	event_batch_free(b);
	free(big);
}

int
main(void)
{
	test_bad();
	test_good();
	test_clocks();
	test_strings();
	test_limits();
	test_parser_reuse();
	test_status();
	return check_exit("test-event");
}
