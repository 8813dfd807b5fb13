/*
 * The stored document (lib/storedoc.c) against the one set of rules
 * (lib/rules.c): what event-ingest queues is stored as it was meant,
 * field by field; a stream entry that breaks a rule (written by anyone
 * who can reach Redis) is refused with a reason, table-driven, for every
 * rule and every place a string can stand; and every event the ingest
 * accepts, the consumer stores.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bson/bson.h>

#include "check.h"
#include "event.h"
#include "storedoc.h"
#include "bson-keys.h"

#define Q(rest)	"{\"id\":\"e-1\",\"type\":\"click\",\"createdAt\":1764000000000," \
		"\"receivedAt\":1764000000000" rest "}"

static const struct {
	const char	*json;
	const char	*why;		/* substring of the reason */
} bads[] = {
	{ "", "invalid JSON" },
	{ "[]", "not a JSON object" },
	{ "{\"type\":\"a\",\"createdAt\":1,\"receivedAt\":1}", "id: missing" },
	{ Q(",\"extra\":1"), "unknown field \"extra\"" },
	{ "{\"id\":\"e\",\"type\":\"a b\",\"createdAt\":1,\"receivedAt\":1}", "type:" },
	{ "{\"id\":\"\",\"type\":\"a\",\"createdAt\":1,\"receivedAt\":1}", "id:" },
	/* times */
	{ "{\"id\":\"e\",\"type\":\"a\",\"createdAt\":-1,\"receivedAt\":1}", "createdAt: out of range" },
	{ "{\"id\":\"e\",\"type\":\"a\",\"createdAt\":1,\"receivedAt\":253402300800000}", "receivedAt: out of range" },
	{ "{\"id\":\"e\",\"type\":\"a\",\"createdAt\":1.5,\"receivedAt\":1}", "createdAt: must be an integer" },
	{ Q(",\"clientTs\":-62167219200001"), "clientTs: out of range" },
	{ Q(",\"clientTs\":\"2025-01-01T00:00:00Z\""), "clientTs: must be an integer" },
	/* metadata: the rules of lib/rules.c */
	{ Q(",\"metadata\":[1]"), "metadata: must be an object" },
	{ Q(",\"metadata\":{\"$gt\":1}"), "key \"$gt\"" },
	{ Q(",\"metadata\":{\"a\":{\"b.c\":1}}"), "metadata.a: key \"b.c\"" },
	{ Q(",\"metadata\":{\"\":1}"), "key \"\"" },
	{ Q(",\"metadata\":{\"a\":[1,[2]]}"), "metadata.a[1]: an array inside an array" },
	{ Q(",\"metadata\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{}}}}}}}}}"), "nested deeper than 8" },
	{ Q(",\"metadata\":{\"n\":9223372036854775808}"), "metadata.n: integer out of range" },
	{ Q(",\"metadata\":{\"n\":1e400}"), "metadata.n: number out of range" },
	{ Q(",\"metadata\":{\"n\":-1e-400}"), "metadata.n: number out of range" },
	{ Q(",\"metadata\":{\"n\":NaN}"), "metadata.n: the value is NaN or Infinity" },
	{ Q(",\"metadata\":{\"a\":[-Infinity]}"), "metadata.a[0]: the value is NaN or Infinity" },
	/* a string json-c decodes into something that is not UTF-8 */
	{ Q(",\"metadata\":{\"s\":\"\xff\"}"), "invalid JSON" },
	/* what json-c hides, at every place */
	{ Q(",\"metadata\":{\"k\":\"real\",\"k\\u0000x\":\"fake\"}"), "metadata.k\\u0000x: the key holds a NUL" },
	{ Q(",\"metadata\":{\"k\":\"real\",\"k\":\"fake\"}"), "metadata.k: the key is given twice" },
	{ Q(",\"metadata\":{\"k\":\"x\\ud83cy\"}"), "metadata.k: the string holds a lone UTF-16 surrogate" },
	{ Q(",\"metadata\":{\"k\":\"a\\u0000b\"}"), "metadata.k: the string holds a NUL" },
	{ Q(",\"metadata\":{\"ok\\u0000.$x\":1}"), "the key holds a NUL" },
	{ "{\"id\":\"e\",\"type\\u0000junk\":\"a\",\"type\":\"b\",\"createdAt\":1,\"receivedAt\":1}", "type\\u0000junk: the key holds a NUL" },
	{ Q(",\"type\":\"other\""), "type: the key is given twice" },
	{ Q(",\"ua\":\"\\udc00\""), "ua: the string holds a lone" },
	{ Q(",\"page\":{\"url\":\"a\",\"url\":\"b\"}"), "page.url: the key is given twice" },
	/* metadata size: 8192 bytes as compact JSON */
	/* (see test_sizes) */
	/* page */
	{ Q(",\"page\":[]"), "page: must be an object" },
	{ Q(",\"page\":{\"host\":\"x\"}"), "page: unknown field \"host\"" },
	{ Q(",\"page\":{\"url\":5}"), "page.url: must be a string" },
	{ Q(",\"page\":{\"title\":\"a\\u0000\"}"), "page.title: the string holds a NUL" },
	/* ua, ip */
	{ Q(",\"ua\":5"), "ua: must be a string" },
	{ Q(",\"ip\":\"012345678901234567890123456789012345678901234567\""), "ip: longer than 47 bytes" },
	{ Q(",\"ua\":\"\\u00e9\\u0000\""), "ua: the string holds a NUL" },
};

static void
test_bads(void)
{
	char err[256];
	bson_t doc;
	size_t i;
	int r;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		bson_init(&doc);
		err[0] = '\0';
		r = storedoc_from_json(bads[i].json, strlen(bads[i].json), &doc, err, sizeof(err));
		CHECK(r == -1 && strstr(err, bads[i].why) != NULL,
		    "bad %zu (%.80s): %d \"%s\", want \"%s\"", i, bads[i].json, r, err, bads[i].why);
		CHECK(bson_empty(&doc), "bad %zu: document not emptied", i);
		bson_destroy(&doc);
	}
}

/* A queued event, stored: the fields in order, times as dates, clientTs
 * before 1970 too, null page members dropped. */
static void
test_good(void)
{
	static const char json[] = "{\"id\":\"e-1\",\"type\":\"click\","
	    "\"metadata\":{\"x\":1,\"big\":5000000000,\"f\":1.5,\"s\":\"\\u00e9/\\ud83c\\udf89\","
	    "\"l\":[1,{\"k\":null}],\"$ok\":null},"
	    "\"createdAt\":1764000000000,\"receivedAt\":1764000000001,\"clientTs\":-1800000,"
	    "\"page\":{\"url\":\"https://a/b\",\"title\":null},\"ua\":\"curl/8\",\"ip\":\"192.0.2.0\"}";
	char err[256], *ext;
	bson_t doc;
	int r;

	bson_init(&doc);
	err[0] = '\0';
	/* "$ok" is not a key the rules allow: the document is refused. */
	r = storedoc_from_json(json, strlen(json), &doc, err, sizeof(err));
	CHECK(r == -1 && strstr(err, "key \"$ok\""), "$ok: %s", err);
	bson_destroy(&doc);

	{
		char ok[sizeof(json)];
		char *p;
		snprintf(ok, sizeof(ok), "%s", json);
		p = strstr(ok, ",\"$ok\":null");
		memmove(p, p + 11, strlen(p + 11) + 1);
		bson_init(&doc);
		r = storedoc_from_json(ok, strlen(ok), &doc, err, sizeof(err));
		CHECK(r == 0, "good: %s", err);
		ext = bson_as_relaxed_extended_json(&doc, NULL);
		CHECK(ext != NULL && strcmp(ext,
		    "{ \"_id\" : \"e-1\", \"type\" : \"click\", \"metadata\" : { \"x\" : 1, "
		    "\"big\" : 5000000000, \"f\" : 1.5, \"s\" : \"\xc3\xa9/\xf0\x9f\x8e\x89\", "
		    "\"l\" : [ 1, { \"k\" : null } ] }, "
		    "\"createdAt\" : { \"$date\" : \"2025-11-24T16:00:00Z\" }, "
		    "\"receivedAt\" : { \"$date\" : \"2025-11-24T16:00:00.001Z\" }, "
		    "\"clientTs\" : { \"$date\" : { \"$numberLong\" : \"-1800000\" } }, "
		    "\"page\" : { \"url\" : \"https://a/b\" }, \"ua\" : \"curl/8\", \"ip\" : \"192.0.2.0\" }") == 0,
		    "stored as %s", ext ? ext : "(null)");
		CHECK(bson_keys_ok(&doc), "keys");
		bson_free(ext);
		bson_destroy(&doc);
	}
}

/* metadata of exactly 8192 bytes as compact JSON is stored, 8193 not;
 * '/' counts once. */
static void
test_sizes(void)
{
	char *json, err[256];
	size_t fill, n, i;
	bson_t doc;
	int r, c;

	json = malloc(20000);
	for (c = 0; c < 2; c++)
		for (fill = 8192 - 8; fill <= 8192 - 7; fill++) {
			/* {"s":"..."} is 8 bytes around the fill */
			n = (size_t)sprintf(json, "{\"id\":\"e\",\"type\":\"a\",\"createdAt\":1,"
			    "\"receivedAt\":1,\"metadata\":{\"s\":\"");
			for (i = 0; i < fill; i++)
				json[n++] = c ? '/' : 'x';
			n += (size_t)sprintf(json + n, "\"}}");
			bson_init(&doc);
			err[0] = '\0';
			r = storedoc_from_json(json, n, &doc, err, sizeof(err));
			CHECK((fill + 8 <= 8192) == (r == 0), "metadata of %zu bytes of '%c': %d %s",
			    fill + 8, c ? '/' : 'x', r, err);
			bson_destroy(&doc);
		}
	/* A number counts as JSON.stringify writes it: "1.00" is "1". */
	for (fill = 8192 - 14; fill <= 8192 - 13; fill++) {
		/* {"s":"...","a":1.00} is 14 bytes around the fill so measured */
		n = (size_t)sprintf(json, "{\"id\":\"e\",\"type\":\"a\",\"createdAt\":1,"
		    "\"receivedAt\":1,\"metadata\":{\"s\":\"");
		memset(json + n, 'x', fill);
		n += fill;
		n += (size_t)sprintf(json + n, "\",\"a\":1.00}}");
		bson_init(&doc);
		err[0] = '\0';
		r = storedoc_from_json(json, n, &doc, err, sizeof(err));
		CHECK((fill + 14 <= 8192) == (r == 0), "metadata of %zu bytes with 1.00: %d %s",
		    fill + 14, r, err);
		bson_destroy(&doc);
	}
	free(json);
}

/* One set of rules: what event-ingest queues, the consumer stores. */
static void
test_agreement(void)
{
	static const char *const bodies[] = {
		"{\"type\":\"a\",\"metadata\":{\"k\":\"\\u00e9\\ud83c\\udf89\\n\\u007f/\",\"n\":-0,\"d\":1e2,"
		    "\"deep\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}},\"l\":[{\"x\":[1]},null,true]},"
		    "\"page\":{\"url\":\"https://example.org/\\u00e9\",\"path\":null},\"ts\":\"1970-01-01T00:30:00+01:00\"}",
		"{\"sentAt\":1,\"events\":[{\"type\":\"b\",\"id\":\"x y\",\"ts\":2}]}",
		"[{\"type\":\"c\",\"ts\":\"0000-01-01T00:00:00Z\"},{\"type\":\"d\",\"ts\":253402300799999}]",
	};
	struct event_ctx ctx = { 1764000000000LL, "Mozilla/5.0 \xc3\xa9", "198.51.100.0", 500 };
	struct event_batch *b;
	char err[256];
	bson_t doc;
	size_t i, k;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		b = NULL;
		CHECK(event_batch_parse(bodies[i], strlen(bodies[i]), EVENT_BODY_JSON, &ctx, &b,
		    err, sizeof(err)) == EVENT_OK, "ingest %zu: %s", i, err);
		for (k = 0; b != NULL && k < b->n; k++) {
			bson_init(&doc);
			err[0] = '\0';
			CHECK(storedoc_from_json(b->ev[k].json, b->ev[k].json_len, &doc, err,
			    sizeof(err)) == 0, "stored %zu.%zu (%s): %s", i, k, b->ev[k].json, err);
			CHECK(bson_keys_ok(&doc), "keys %zu.%zu", i, k);
			bson_destroy(&doc);
		}
		event_batch_free(b);
	}
}

int
main(void)
{
	test_bads();
	test_good();
	test_sizes();
	test_agreement();
	return check_exit("test-storedoc");
}
