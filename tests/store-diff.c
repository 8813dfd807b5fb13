/*
 * store-diff: the differential test of our FerretDB patch
 * (scripts/ferretdb/sqlite-pushdown.patch), with tests/store-pushdown.sh.
 *
 *   store-diff load N URI...	the same data set in each store: N events
 *				and the wrong-shaped documents below, in
 *				the same order; the project's two indexes
 *   store-diff compare URI REF	every query shape the project sends, on
 *				the patched store URI and on REF (the same
 *				binary with --test-disable-pushdown, the
 *				stock evaluation in Go): the same documents,
 *				byte for byte, in the same order
 *   store-diff explain URI	each shape's plan on URI: an index SEARCH,
 *				never a SCAN of the collection
 *
 * The data set is adversarial on purpose: many events share a createdAt
 * millisecond (one group of 700 spans pages), ids use every printable
 * ASCII character with near-duplicates ("a", "a ", "a!", "a\"", ...),
 * strings are non-ASCII too, metadata holds every value type, and some
 * documents have createdAt missing, null, a string, a number, a
 * timestamp, an array, or type of another type, or an _id that is not a
 * string.  Database $EVENTS_MONGO_DB, collection $EVENTS_MONGO_COLLECTION
 * (defaults as in events.conf).  Exit 0 when all agree, 1 with the first
 * difference.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mongoc/mongoc.h>

/* The time the data set starts at: 2023-11-14T22:13:20Z. */
#define BASE_MS		INT64_C(1700000000000)
#define MINUTE_MS	INT64_C(60000)
#define DAY_MS		INT64_C(86400000)
/* The big tie group: this many events at one millisecond. */
#define TIE_MS		(BASE_MS + 1234 * MINUTE_MS + 7)
#define TIE_COUNT	700

static const char *const types[] = { "click", "view", "view", "view", "buy",
	"signup:done", "a.b-c_d" };

static const char *const words[] = { "", " ", "!", "\"", "\\", "<", ">", "&",
	"'", "é", "e\xcc\x81", "日本", "\xf0\x9f\x98\x80", "\xe2\x80\xa8", "\xef\xbf\xbd",
	"<script>", "a&b", "~", "\x7f" };

static int failures;

static const char *
env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : def;
}

static void
quiet(mongoc_log_level_t level, const char *domain, const char *msg, void *arg)
{
	(void)arg;
	if (level <= MONGOC_LOG_LEVEL_CRITICAL)
		fprintf(stderr, "store-diff: %s: %s\n", domain, msg);
}

/* A deterministic generator (64-bit LCG, the high bits), so every run and
 * every store gets the same data. */
static uint64_t rng_state = 42;

static uint32_t
rng(void)
{
	rng_state = rng_state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (uint32_t)(rng_state >> 33);
}

/* A bulk id: 2 to 6 random printable characters, then the serial in 3
 * base-95 digits.  Unique among themselves (same length, same positions
 * of the serial) and longer than every hand-written id below. */
static void
make_id(char *buf, uint32_t serial)
{
	size_t n = 0, k = 2 + rng() % 5, i;

	for (i = 0; i < k; i++)
		buf[n++] = (char)(0x20 + rng() % 95);
	for (i = 0; i < 3; i++) {
		buf[n++] = (char)(0x20 + serial % 95);
		serial /= 95;
	}
	buf[n] = '\0';
}

static void
append_metadata(bson_t *doc, uint32_t r)
{
	bson_t meta, sub, arr;

	BSON_APPEND_DOCUMENT_BEGIN(doc, "metadata", &meta);
	switch (r % 12) {
	case 0: BSON_APPEND_INT32(&meta, "v", (int32_t)(r % 1000)); break;
	case 1: BSON_APPEND_INT64(&meta, "v", (int64_t)r * 1000003); break;
	case 2: BSON_APPEND_DOUBLE(&meta, "v", (double)r / 7.0); break;
	case 3: BSON_APPEND_BOOL(&meta, "v", r & 1); break;
	case 4: BSON_APPEND_NULL(&meta, "v"); break;
	case 5: BSON_APPEND_UTF8(&meta, "v", words[r % (sizeof(words) / sizeof(words[0]))]); break;
	case 6:
		BSON_APPEND_DOCUMENT_BEGIN(&meta, "v", &sub);
		BSON_APPEND_UTF8(&sub, "k", "日本");
		BSON_APPEND_INT32(&sub, "n", 1);
		bson_append_document_end(&meta, &sub);
		break;
	case 7:
		BSON_APPEND_ARRAY_BEGIN(&meta, "v", &arr);
		BSON_APPEND_INT32(&arr, "0", 1);
		BSON_APPEND_UTF8(&arr, "1", "two");
		BSON_APPEND_BOOL(&arr, "2", true);
		bson_append_array_end(&meta, &arr);
		break;
	case 8: BSON_APPEND_DATE_TIME(&meta, "v", BASE_MS - (int64_t)r); break;
	case 9: BSON_APPEND_UTF8(&meta, "createdAt", "not the event's"); break;
	default: break;
	}
	bson_append_document_end(doc, &meta);
}

/* One event as the consumer stores it. */
static bson_t *
event_doc(const char *id, const char *type, int64_t created, uint32_t r)
{
	bson_t *doc = bson_new(), page;

	BSON_APPEND_UTF8(doc, "_id", id);
	BSON_APPEND_UTF8(doc, "type", type);
	append_metadata(doc, r);
	BSON_APPEND_DATE_TIME(doc, "createdAt", created);
	BSON_APPEND_DATE_TIME(doc, "receivedAt", created + r % 5000);
	if (r % 3 == 0) {
		BSON_APPEND_DOCUMENT_BEGIN(doc, "page", &page);
		BSON_APPEND_UTF8(&page, "path", words[r % (sizeof(words) / sizeof(words[0]))]);
		bson_append_document_end(doc, &page);
	}
	return doc;
}

/* The documents of the wrong shape, as extended JSON.  "Past" ones (a
 * date far before the data) and "future" ones sort at the ends of a
 * list, so the paging of event-query (which stops at an event without a
 * string id and a date) is not cut short in the middle. */
static const char *const odd_docs[] = {
	/* createdAt of every other type */
	"{\"_id\": \"odd-missing\", \"type\": \"click\"}",
	"{\"_id\": \"odd-null\", \"type\": \"click\", \"createdAt\": null}",
	"{\"_id\": \"odd-string\", \"type\": \"click\", \"createdAt\": \"2023-11-15T00:00:00Z\"}",
	"{\"_id\": \"odd-long\", \"type\": \"click\", \"createdAt\": {\"$numberLong\": \"1700000000007\"}}",
	"{\"_id\": \"odd-int\", \"type\": \"view\", \"createdAt\": 5}",
	"{\"_id\": \"odd-double\", \"type\": \"view\", \"createdAt\": 1700000000007.5}",
	"{\"_id\": \"odd-bool\", \"type\": \"view\", \"createdAt\": true}",
	"{\"_id\": \"odd-timestamp\", \"type\": \"click\", \"createdAt\": {\"$timestamp\": {\"t\": 5, \"i\": 1}}}",
	"{\"_id\": \"odd-oid\", \"type\": \"click\", \"createdAt\": {\"$oid\": \"65536a5e0000000000000000\"}}",
	"{\"_id\": \"odd-doc\", \"type\": \"click\", \"createdAt\": {\"d\": {\"$date\": {\"$numberLong\": \"1700000000007\"}}}}",
	"{\"_id\": \"odd-regex\", \"type\": \"click\", \"createdAt\": {\"$regularExpression\": {\"pattern\": \"^a\", \"options\": \"\"}}}",
	"{\"_id\": \"odd-empty-array\", \"type\": \"click\", \"createdAt\": []}",
	/* arrays of dates: the sort uses the largest (descending) or the
	 * smallest (ascending), a filter matches if one element does */
	"{\"_id\": \"odd-array-future\", \"type\": \"click\", \"createdAt\": ["
	    "{\"$date\": {\"$numberLong\": \"1800000000000\"}}, {\"$date\": {\"$numberLong\": \"1700003600000\"}}]}",
	"{\"_id\": \"odd-array-mixed\", \"type\": \"view\", \"createdAt\": ["
	    "\"x\", {\"$date\": {\"$numberLong\": \"1800000000001\"}}, {\"$date\": {\"$numberLong\": \"1700007200000\"}}, 3]}",
	/* type of another type */
	"{\"_id\": \"odd-type-array\", \"type\": [\"click\", \"view\"], \"createdAt\": {\"$date\": {\"$numberLong\": \"1800000000002\"}}}",
	"{\"_id\": \"odd-type-int\", \"type\": 5, \"createdAt\": {\"$date\": {\"$numberLong\": \"1700000000007\"}}}",
	"{\"_id\": \"odd-type-null\", \"type\": null, \"createdAt\": {\"$date\": {\"$numberLong\": \"1700000000007\"}}}",
	"{\"_id\": \"odd-type-missing\", \"createdAt\": {\"$date\": {\"$numberLong\": \"1700000000007\"}}}",
	"{\"_id\": \"odd-type-doc\", \"type\": {\"t\": \"click\"}, \"createdAt\": {\"$date\": {\"$numberLong\": \"1700000000007\"}}}",
	/* _id of another type, with a date in the past */
	"{\"_id\": 7, \"type\": \"click\", \"createdAt\": {\"$date\": {\"$numberLong\": \"1690000000000\"}}}",
	"{\"_id\": {\"$numberLong\": \"8\"}, \"type\": \"click\", \"createdAt\": {\"$date\": {\"$numberLong\": \"1690000000000\"}}}",
	"{\"_id\": 9.5, \"type\": \"click\", \"createdAt\": {\"$date\": {\"$numberLong\": \"1690000000000\"}}}",
	"{\"_id\": {\"$oid\": \"65536a5e0000000000000001\"}, \"type\": \"click\", \"createdAt\": {\"$date\": {\"$numberLong\": \"1690000000000\"}}}",
	"{\"_id\": {\"$date\": {\"$numberLong\": \"1\"}}, \"type\": \"click\", \"createdAt\": {\"$date\": {\"$numberLong\": \"1690000000000\"}}}",
	"{\"_id\": {\"k\": \"v\"}, \"type\": \"click\", \"createdAt\": {\"$date\": {\"$numberLong\": \"1690000000000\"}}}",
	"{\"_id\": true, \"type\": \"click\", \"createdAt\": {\"$date\": {\"$numberLong\": \"1690000000000\"}}}",
	"{\"_id\": \"65536a5e0000000000000002\", \"type\": \"click\", \"createdAt\": {\"$date\": {\"$numberLong\": \"1690000000000\"}}}",
	/* non-ASCII ids and types, in the past */
	"{\"_id\": \"é\", \"type\": \"日本\", \"createdAt\": {\"$date\": {\"$numberLong\": \"1690000000001\"}}}",
	"{\"_id\": \"e\\u0301\", \"type\": \"日本\", \"createdAt\": {\"$date\": {\"$numberLong\": \"1690000000001\"}}}",
	"{\"_id\": \"\\ud83d\\ude00\", \"type\": \"\\ud83d\\ude00\", \"createdAt\": {\"$date\": {\"$numberLong\": \"1690000000001\"}}}",
	"{\"_id\": \"\\u2028\", \"type\": \"é\", \"createdAt\": {\"$date\": {\"$numberLong\": \"1690000000001\"}}}",
	/* dates before 1970 and far ahead */
	"{\"_id\": \"odd-1969\", \"type\": \"click\", \"createdAt\": {\"$date\": {\"$numberLong\": \"-5\"}}}",
	"{\"_id\": \"odd-2200\", \"type\": \"click\", \"createdAt\": {\"$date\": {\"$numberLong\": \"7258118400000\"}}}",
};

/* The ids the tie group starts with: near-duplicates that differ only in
 * a trailing space, '!', a quote, a backslash, or characters JSON escapes. */
static const char *const tie_ids[] = { "a", "a ", "a  ", "a!", "a !", "a\"", "a\\",
	"a\\\"", "a<", "a>", "a&", "a<>&", " ", "  ", "!", "\"", "\\", "<", ">", "&",
	"~", "a~", "A", "a b" };

static int
insert_all(mongoc_collection_t *coll, bson_t **docs, size_t n, const char *uri)
{
	bson_error_t e;
	size_t i, k;

	for (i = 0; i < n; i += k) {
		k = n - i < 1000 ? n - i : 1000;
		if (!mongoc_collection_insert_many(coll, (const bson_t **)docs + i, k, NULL, NULL, &e)) {
			fprintf(stderr, "store-diff: insert into %s: %s\n", uri, e.message);
			return -1;
		}
	}
	return 0;
}

static int
create_indexes(mongoc_database_t *db, const char *coll, const char *uri)
{
	bson_t *cmd;
	bson_error_t e;
	int ok;

	cmd = BCON_NEW("createIndexes", BCON_UTF8(coll), "indexes", "[",
	    "{", "key", "{", "createdAt", BCON_INT32(-1), "_id", BCON_INT32(-1), "}",
	    "name", BCON_UTF8("createdAt_-1__id_-1"), "}",
	    "{", "key", "{", "type", BCON_INT32(1), "createdAt", BCON_INT32(-1), "_id", BCON_INT32(-1), "}",
	    "name", BCON_UTF8("type_1_createdAt_-1__id_-1"), "}", "]");
	ok = mongoc_database_write_command_with_opts(db, cmd, NULL, NULL, &e);
	bson_destroy(cmd);
	if (!ok)
		fprintf(stderr, "store-diff: createIndexes on %s: %s\n", uri, e.message);
	return ok ? 0 : -1;
}

static int
cmd_load(long n, char **uris, int nuris)
{
	bson_t **docs;
	size_t ndocs = 0, cap, i;
	bson_error_t e;
	char id[64];
	int rc = 1, u;

	cap = (size_t)n + sizeof(odd_docs) / sizeof(odd_docs[0]);
	if ((docs = calloc(cap, sizeof(*docs))) == NULL)
		return 1;

	/* the tie group: near-duplicate ids first, then random ones */
	for (i = 0; i < sizeof(tie_ids) / sizeof(tie_ids[0]) && ndocs < (size_t)n; i++)
		docs[ndocs++] = event_doc(tie_ids[i], types[i % 7], TIE_MS, rng());
	/* every printable character as an id of its own */
	for (i = 0x20; i < 0x7f && ndocs < (size_t)n; i++) {
		id[0] = (char)i;
		id[1] = 'z';
		id[2] = '\0';
		docs[ndocs++] = event_doc(id, types[i % 7], TIE_MS - 1 - (int64_t)(i % 3), rng());
	}
	while (ndocs < (size_t)n) {
		uint32_t r = rng();
		int64_t t;

		make_id(id, (uint32_t)ndocs);
		if (ndocs < TIE_COUNT)
			t = TIE_MS;
		else
			/* about 3,000 distinct minutes over two days, 3 ms
			 * apart at most: several events on each millisecond */
			t = BASE_MS + (int64_t)(r % 3000) * MINUTE_MS + (int64_t)(r >> 20) % 3;
		docs[ndocs++] = event_doc(id, types[(r >> 8) % 7], t, r);
	}
	for (i = 0; i < sizeof(odd_docs) / sizeof(odd_docs[0]); i++) {
		if ((docs[ndocs] = bson_new_from_json((const uint8_t *)odd_docs[i], -1, &e)) == NULL) {
			fprintf(stderr, "store-diff: odd document %zu: %s\n", i, e.message);
			goto out;
		}
		ndocs++;
	}

	for (u = 0; u < nuris; u++) {
		mongoc_client_t *client = mongoc_client_new(uris[u]);
		mongoc_database_t *db;
		mongoc_collection_t *coll;
		int st;

		if (client == NULL) {
			fprintf(stderr, "store-diff: bad URI %s\n", uris[u]);
			goto out;
		}
		mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
		db = mongoc_client_get_database(client, env("EVENTS_MONGO_DB", "events"));
		coll = mongoc_database_get_collection(db, env("EVENTS_MONGO_COLLECTION", "events"));
		st = create_indexes(db, env("EVENTS_MONGO_COLLECTION", "events"), uris[u]);
		if (st == 0)
			st = insert_all(coll, docs, ndocs, uris[u]);
		mongoc_collection_destroy(coll);
		mongoc_database_destroy(db);
		mongoc_client_destroy(client);
		if (st != 0)
			goto out;
	}
	printf("ok - %zu documents in %d stores\n", ndocs, nuris);
	rc = 0;
out:
	for (i = 0; i < ndocs; i++)
		bson_destroy(docs[i]);
	free(docs);
	return rc;
}

/* A list of documents read back. */
struct docs {
	bson_t	**v;
	size_t	  n, cap;
};

static void
docs_free(struct docs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		bson_destroy(d->v[i]);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static void
docs_add(struct docs *d, const bson_t *doc)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 256;
		if ((d->v = realloc(d->v, d->cap * sizeof(*d->v))) == NULL)
			abort();
	}
	d->v[d->n++] = bson_copy(doc);
}

struct store {
	const char		*uri;
	mongoc_client_t		*client;
	mongoc_database_t	*db;
	mongoc_collection_t	*coll;
};

static int
store_open(struct store *s, const char *uri)
{
	memset(s, 0, sizeof(*s));
	s->uri = uri;
	if ((s->client = mongoc_client_new(uri)) == NULL) {
		fprintf(stderr, "store-diff: bad URI %s\n", uri);
		return -1;
	}
	mongoc_client_set_error_api(s->client, MONGOC_ERROR_API_VERSION_2);
	s->db = mongoc_client_get_database(s->client, env("EVENTS_MONGO_DB", "events"));
	s->coll = mongoc_database_get_collection(s->db, env("EVENTS_MONGO_COLLECTION", "events"));
	return 0;
}

static void
store_close(struct store *s)
{
	mongoc_collection_destroy(s->coll);
	mongoc_database_destroy(s->db);
	mongoc_client_destroy(s->client);
}

/* find with filter and opts (extended JSON); the documents into out. */
static int
find(struct store *s, const char *filter, const char *opts, struct docs *out)
{
	bson_t *f, *o = NULL;
	bson_error_t e;
	mongoc_cursor_t *c;
	const bson_t *doc;
	int rc = 0;

	if ((f = bson_new_from_json((const uint8_t *)filter, -1, &e)) == NULL ||
	    (opts != NULL && (o = bson_new_from_json((const uint8_t *)opts, -1, &e)) == NULL)) {
		fprintf(stderr, "store-diff: bad JSON %s / %s: %s\n", filter, opts ? opts : "", e.message);
		bson_destroy(f);
		return -1;
	}
	c = mongoc_collection_find_with_opts(s->coll, f, o, NULL);
	while (mongoc_cursor_next(c, &doc))
		docs_add(out, doc);
	if (mongoc_cursor_error(c, &e)) {
		fprintf(stderr, "store-diff: find %s %s on %s: %s\n", filter, opts ? opts : "", s->uri, e.message);
		rc = -1;
	}
	mongoc_cursor_destroy(c);
	bson_destroy(f);
	bson_destroy(o);
	return rc;
}

/* A command (extended JSON) on the database; its reply into reply. */
static int
command(struct store *s, const char *json, bson_t *reply)
{
	bson_t *cmd;
	bson_error_t e;
	int ok;

	if ((cmd = bson_new_from_json((const uint8_t *)json, -1, &e)) == NULL) {
		fprintf(stderr, "store-diff: bad JSON %s: %s\n", json, e.message);
		bson_init(reply);
		return -1;
	}
	ok = mongoc_database_command_simple(s->db, cmd, NULL, reply, &e);
	bson_destroy(cmd);
	if (!ok) {
		fprintf(stderr, "store-diff: %s on %s: %s\n", json, s->uri, e.message);
		return -1;
	}
	return 0;
}

static void
print_doc(const char *label, const bson_t *doc)
{
	char *s = doc != NULL ? bson_as_canonical_extended_json(doc, NULL) : NULL;

	fprintf(stderr, "  %s: %s\n", label, s != NULL ? s : "(none)");
	bson_free(s);
}

/* The same documents in the same order, byte for byte. */
static int
same(const char *what, const struct docs *a, const struct docs *b)
{
	size_t i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (a->v[i]->len != b->v[i]->len ||
		    memcmp(bson_get_data(a->v[i]), bson_get_data(b->v[i]), a->v[i]->len) != 0)
			break;
	if (i == a->n && i == b->n)
		return 1;
	fprintf(stderr, "FAIL: %s: %zu and %zu documents, first difference at %zu\n",
	    what, a->n, b->n, i);
	print_doc("patched", i < a->n ? a->v[i] : NULL);
	print_doc("reference", i < b->n ? b->v[i] : NULL);
	failures++;
	return 0;
}

/* Find on both stores and compare; n_out gets the count. */
static int
both(struct store *p, struct store *r, const char *what, const char *filter,
    const char *opts, size_t *n_out)
{
	struct docs a = { 0 }, b = { 0 };
	int ok;

	if (find(p, filter, opts, &a) != 0 || find(r, filter, opts, &b) != 0) {
		failures++;
		docs_free(&a);
		docs_free(&b);
		return 0;
	}
	ok = same(what, &a, &b);
	if (ok)
		printf("ok - %s (%zu documents)\n", what, a.n);
	if (n_out != NULL)
		*n_out = a.n;
	docs_free(&a);
	docs_free(&b);
	return ok;
}

/* What event-query asks for a page (cgi/query_events.c). */
#define EVENT_PROJECTION "\"projection\": {\"type\": 1, \"metadata\": 1, \"createdAt\": 1, " \
	"\"receivedAt\": 1, \"clientTs\": 1, \"page\": 1, \"ua\": 1, \"ip\": 1}"
#define EVENT_SORT "\"sort\": {\"createdAt\": -1, \"_id\": -1}"

/* The filter of cgi/query_events.c's build_filter, as extended JSON. */
static void
page_filter(char *buf, size_t len, const char *type, int64_t since, int64_t until,
    int64_t cursor_ms, const char *cursor_id)
{
	char *idjson = NULL;
	size_t n = 0;
	int upto = cursor_id != NULL && (until < 0 || cursor_ms < until);
	bson_t *idd;

	n += (size_t)snprintf(buf + n, len - n, "{");
	if (type != NULL)
		n += (size_t)snprintf(buf + n, len - n, "\"type\": \"%s\", ", type);
	if (since >= 0 || until >= 0 || cursor_id != NULL) {
		n += (size_t)snprintf(buf + n, len - n, "\"createdAt\": {");
		if (since >= 0)
			n += (size_t)snprintf(buf + n, len - n, "\"$gte\": {\"$date\": {\"$numberLong\": \"%" PRId64 "\"}}%s",
			    since, upto || until >= 0 ? ", " : "");
		if (upto)
			n += (size_t)snprintf(buf + n, len - n, "\"$lte\": {\"$date\": {\"$numberLong\": \"%" PRId64 "\"}}", cursor_ms);
		else if (until >= 0)
			n += (size_t)snprintf(buf + n, len - n, "\"$lt\": {\"$date\": {\"$numberLong\": \"%" PRId64 "\"}}", until);
		n += (size_t)snprintf(buf + n, len - n, "}, ");
	}
	if (cursor_id != NULL) {
		/* the id as a JSON string, escaped by libbson */
		idd = BCON_NEW("i", BCON_UTF8(cursor_id));
		idjson = bson_as_relaxed_extended_json(idd, NULL);
		bson_destroy(idd);
		/* idjson is { "i" : "..." }: take the value */
		n += (size_t)snprintf(buf + n, len - n,
		    "\"$or\": [{\"createdAt\": {\"$lt\": {\"$date\": {\"$numberLong\": \"%" PRId64 "\"}}}}, "
		    "{\"createdAt\": {\"$date\": {\"$numberLong\": \"%" PRId64 "\"}}, \"_id\": {\"$lt\": %.*s}}], ",
		    cursor_ms, cursor_ms, (int)(strlen(idjson) - 10), idjson + 8);
		bson_free(idjson);
	}
	if (n >= 2 && buf[n - 2] == ',')
		n -= 2;
	snprintf(buf + n, len - n, "}");
}

/* Whether the paging of event-query can continue after doc: a createdAt
 * date from 1970 on and a printable ASCII string id. */
static int
clean(const bson_t *doc, int64_t *ms, const char **id)
{
	bson_iter_t it;
	const char *s;
	uint32_t len, i;

	if (!bson_iter_init_find(&it, doc, "createdAt") || !BSON_ITER_HOLDS_DATE_TIME(&it) ||
	    (*ms = bson_iter_date_time(&it)) < 0)
		return 0;
	if (!bson_iter_init_find(&it, doc, "_id") || !BSON_ITER_HOLDS_UTF8(&it))
		return 0;
	s = bson_iter_utf8(&it, &len);
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	*id = s;
	return len > 0;
}

/*
 * One list of GET /events: the reference's whole list in order (one query,
 * no limit; with whole, the patched store's too, the same); then the
 * patched store walked page by page as event-query does (limit + 1, the
 * keyset cursor from the last clean event shown), whose events of the
 * clean kind (a date, a printable string id) must be exactly the
 * reference list's, in order: no event skipped or shown twice at any
 * depth.  (The
 * odd events a page shows are compared by the single pages below and by
 * tests/store-pushdown.sh through event-query.)
 */
static void
list_case(struct store *p, struct store *r, const char *what, const char *type,
    int64_t since, int64_t until, int limit, int whole)
{
	char filter[1024], opts[512], label[256];
	struct docs ref = { 0 }, page = { 0 }, walked = { 0 }, want = { 0 };
	int64_t cms = 0, ms;
	const char *cid = NULL, *id;
	char cidbuf[256];
	size_t i, pages = 0;
	int more = 1;

	page_filter(filter, sizeof(filter), type, since, until, -1, NULL);
	snprintf(opts, sizeof(opts), "{" EVENT_PROJECTION ", " EVENT_SORT "}");
	if (find(r, filter, opts, &ref) != 0) {
		failures++;
		return;
	}
	if (whole) {
		struct docs all = { 0 };

		snprintf(label, sizeof(label), "%s: the whole list", what);
		if (find(p, filter, opts, &all) == 0 && same(label, &all, &ref))
			printf("ok - %s (%zu events)\n", label, all.n);
		docs_free(&all);
	}
	while (more) {
		page_filter(filter, sizeof(filter), type, since, until, cms, cid);
		snprintf(opts, sizeof(opts), "{" EVENT_PROJECTION ", " EVENT_SORT ", \"limit\": %d, "
		    "\"batchSize\": %d, \"singleBatch\": true}", limit + 1, limit + 1);
		docs_free(&page);
		if (find(p, filter, opts, &page) != 0) {
			failures++;
			goto out;
		}
		pages++;
		more = page.n > (size_t)limit;
		for (i = 0; i < page.n && i < (size_t)limit; i++)
			docs_add(&walked, page.v[i]);
		if (more) {
			/* event-query stops at an odd last event; a client
			 * may go on from the last clean one (only odd events
			 * can come again) */
			for (i = (size_t)limit; i > 0 && !clean(page.v[i - 1], &ms, &id); i--)
				;
			if (i == 0)
				break;
			cms = ms;
			snprintf(cidbuf, sizeof(cidbuf), "%s", id);
			cid = cidbuf;
		}
	}
	/* the clean events of both lists */
	{
		struct docs got = { 0 };

		for (i = 0; i < walked.n; i++)
			if (clean(walked.v[i], &ms, &id))
				docs_add(&got, walked.v[i]);
		/* a walk stopped early (at an odd event) is a prefix */
		for (i = 0; i < ref.n && (!more || want.n < got.n); i++)
			if (clean(ref.v[i], &ms, &id))
				docs_add(&want, ref.v[i]);
		snprintf(label, sizeof(label), "%s: walked in %zu pages of %d", what, pages, limit);
		if (same(label, &got, &want))
			printf("ok - %s (%zu events%s)\n", label, got.n, more ? ", stopped at a page without a clean event" : "");
		docs_free(&got);
	}
out:
	docs_free(&ref);
	docs_free(&page);
	docs_free(&walked);
	docs_free(&want);
}

/* {"$date": ...} of ms, for the JSON below. */
static const char *
date(int64_t ms)
{
	static char buf[8][64];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "{\"$date\": {\"$numberLong\": \"%" PRId64 "\"}}", ms);
	return buf[k];
}

/* One page at a given cursor, on both stores. */
static void
page_case(struct store *p, struct store *r, const char *what, const char *type,
    int64_t since, int64_t until, int64_t cms, const char *cid, int limit)
{
	char filter[1024], opts[512];

	page_filter(filter, sizeof(filter), type, since, until, cms, cid);
	snprintf(opts, sizeof(opts), "{" EVENT_PROJECTION ", " EVENT_SORT ", \"limit\": %d, "
	    "\"batchSize\": %d, \"singleBatch\": true}", limit + 1, limit + 1);
	both(p, r, what, filter, opts, NULL);
}

/* A write command on both stores: the same reply field n. */
static void
write_case(struct store *p, struct store *r, const char *what, const char *cmd)
{
	bson_t a, b;
	bson_iter_t it;
	int64_t na = -1, nb = -2, nm;

	if (command(p, cmd, &a) == 0 && bson_iter_init_find(&it, &a, "n"))
		na = bson_iter_as_int64(&it);
	if (command(r, cmd, &b) == 0 && bson_iter_init_find(&it, &b, "n"))
		nb = bson_iter_as_int64(&it);
	if (na == nb && bson_iter_init_find(&it, &a, "nModified")) {
		nm = bson_iter_as_int64(&it);
		if (!bson_iter_init_find(&it, &b, "nModified") || bson_iter_as_int64(&it) != nm)
			nb = -3;
	}
	if (na != nb || na < 0) {
		fprintf(stderr, "FAIL: %s: n %" PRId64 " on the patched store, %" PRId64 " on the reference\n",
		    what, na, nb);
		failures++;
	} else
		printf("ok - %s (n %" PRId64 ")\n", what, na);
	bson_destroy(&a);
	bson_destroy(&b);
}

/* The _id values of docs as a JSON array, for $in. */
static char *
ids_json(const struct docs *d)
{
	bson_t arr, *wrap = bson_new();
	char key[24], *json;
	bson_iter_t it;
	size_t i;

	BSON_APPEND_ARRAY_BEGIN(wrap, "a", &arr);
	for (i = 0; i < d->n; i++)
		if (bson_iter_init_find(&it, d->v[i], "_id")) {
			snprintf(key, sizeof(key), "%zu", i);
			bson_append_iter(&arr, key, -1, &it);
		}
	bson_append_array_end(wrap, &arr);
	json = bson_as_canonical_extended_json(wrap, NULL);
	bson_destroy(wrap);
	return json;	/* { "a" : [...] } */
}

/* Retention as the consumer does it on FerretDB (lib/store_expire.c):
 * find the oldest N before the cutoff, only _id, then delete them by
 * _id; the same documents found and deleted on both stores. */
static void
retention_case(struct store *p, struct store *r, int64_t cutoff, int rounds)
{
	char filter[256], opts[256], *json, *cmd, what[128];
	struct docs a = { 0 };
	size_t n;
	int i;

	snprintf(filter, sizeof(filter), "{\"createdAt\": {\"$lt\": %s}}", date(cutoff));
	snprintf(opts, sizeof(opts), "{\"sort\": {\"createdAt\": 1}, \"limit\": 300, \"projection\": {\"_id\": 1}}");
	for (i = 0; i < rounds; i++) {
		snprintf(what, sizeof(what), "retention: the oldest 300 before the cutoff, round %d", i + 1);
		if (!both(p, r, what, filter, opts, &n) || find(p, filter, opts, &a) != 0)
			break;
		json = ids_json(&a);
		n = strlen(json) + 256;
		cmd = malloc(n);
		snprintf(cmd, n, "{\"delete\": \"%s\", \"deletes\": [{\"q\": {\"_id\": {\"$in\": %.*s}}, \"limit\": 0}]}",
		    env("EVENTS_MONGO_COLLECTION", "events"), (int)(strlen(json) - 10), json + 8);
		snprintf(what, sizeof(what), "retention: delete them by _id $in, round %d", i + 1);
		write_case(p, r, what, cmd);
		free(cmd);
		bson_free(json);
		docs_free(&a);
	}
	docs_free(&a);
}

static int
cmd_compare(const char *uri_p, const char *uri_r)
{
	struct store p, r;
	char cmd[1024], filter[1024];
	const char *coll = env("EVENTS_MONGO_COLLECTION", "events");

	if (store_open(&p, uri_p) != 0 || store_open(&r, uri_r) != 0)
		return 1;

	/* GET /events: every list walked at every depth */
	list_case(&p, &r, "GET /events", NULL, -1, -1, 50, 1);
	list_case(&p, &r, "GET /events?type=click", "click", -1, -1, 50, 0);
	list_case(&p, &r, "GET /events with since and until", NULL,
	    BASE_MS + 600 * MINUTE_MS, BASE_MS + 1800 * MINUTE_MS, 500, 0);
	list_case(&p, &r, "GET /events?type=view, 7 a page through the tie group", "view",
	    TIE_MS - 3 * MINUTE_MS, TIE_MS + 3 * MINUTE_MS, 7, 0);

	/* first pages, with the odd events that sort before and after the
	 * dates, and single pages with a cursor inside the tie group */
	page_case(&p, &r, "GET /events, the first page", NULL, -1, -1, -1, NULL, 50);
	page_case(&p, &r, "GET /events?type=click, the first page", "click", -1, -1, -1, NULL, 50);
	page_case(&p, &r, "a page after (tie, \"a\")", NULL, -1, -1, TIE_MS, "a", 50);
	page_case(&p, &r, "a page after (tie, \"a \"), type=view", "view", -1, -1, TIE_MS, "a ", 20);
	page_case(&p, &r, "a page after (tie, \"a\\\"\") since the day before, type=buy", "buy",
	    TIE_MS - DAY_MS, -1, TIE_MS, "a\"", 500);
	page_case(&p, &r, "a non-ASCII type", "日本", -1, -1, -1, NULL, 10);

	/* /events/stats: the range alone, type and createdAt, no sort */
	snprintf(filter, sizeof(filter), "{\"createdAt\": {\"$gte\": %s, \"$lt\": %s}}",
	    date(BASE_MS + 30 * MINUTE_MS), date(BASE_MS + 90 * MINUTE_MS));
	both(&p, &r, "stats: an hour", filter, "{\"projection\": {\"type\": 1, \"createdAt\": 1}}", NULL);
	snprintf(filter, sizeof(filter), "{\"createdAt\": {\"$gte\": %s, \"$lt\": %s}, \"type\": \"click\"}",
	    date(BASE_MS), date(BASE_MS + 3 * DAY_MS));
	both(&p, &r, "stats: three days of one type", filter, "{\"projection\": {\"type\": 1, \"createdAt\": 1}}", NULL);

	/* lookups by _id, strings and others */
	both(&p, &r, "_id $in: near-duplicates and other types",
	    "{\"_id\": {\"$in\": [\"a\", \"a \", \"a!\", \"a\\\"\", \"a\\\\\", \"a<>&\", \" \", \"é\", \"nope\", "
	    "{\"$oid\": \"65536a5e0000000000000001\"}, \"65536a5e0000000000000002\", 7, "
	    "{\"$date\": {\"$numberLong\": \"1\"}}]}}", NULL, NULL);
	both(&p, &r, "_id equality with a quote", "{\"_id\": \"a\\\"\"}", NULL, NULL);

	/* other shapes: ascending, on _id, $in, $gt, type of any kind */
	both(&p, &r, "ascending (createdAt, _id), type=click, limit 100",
	    "{\"type\": \"click\"}", "{\"sort\": {\"createdAt\": 1, \"_id\": 1}, \"limit\": 100}", NULL);
	snprintf(filter, sizeof(filter), "{\"createdAt\": {\"$gt\": %s}, \"type\": {\"$in\": [\"view\", \"buy\"]}}",
	    date(TIE_MS - 1));
	both(&p, &r, "$gt and type $in, sorted by _id, limit 30", filter,
	    "{\"sort\": {\"_id\": -1}, \"limit\": 30}", NULL);
	both(&p, &r, "sorted by type then createdAt, limit 60", "{}",
	    "{\"sort\": {\"type\": 1, \"createdAt\": -1}, \"limit\": 60}", NULL);

	/* writes: by _id, by filter, one of many; then retention */
	snprintf(cmd, sizeof(cmd), "{\"update\": \"%s\", \"updates\": [{\"q\": {\"_id\": \"a\\\\\"}, "
	    "\"u\": {\"$set\": {\"seen\": true}}}]}", coll);
	write_case(&p, &r, "update by _id", cmd);
	snprintf(cmd, sizeof(cmd), "{\"update\": \"%s\", \"updates\": [{\"q\": {\"type\": \"buy\", "
	    "\"createdAt\": {\"$lt\": %s}}, \"u\": {\"$set\": {\"seen\": 2}}, \"multi\": true}]}",
	    coll, date(TIE_MS));
	write_case(&p, &r, "updateMany by type and createdAt", cmd);
	snprintf(cmd, sizeof(cmd), "{\"delete\": \"%s\", \"deletes\": [{\"q\": {\"type\": \"view\", "
	    "\"createdAt\": {\"$gte\": %s}}, \"limit\": 1}]}", coll, date(TIE_MS));
	write_case(&p, &r, "deleteOne of many (the first in insertion order)", cmd);
	retention_case(&p, &r, TIE_MS + 1, 2);
	snprintf(cmd, sizeof(cmd), "{\"delete\": \"%s\", \"deletes\": [{\"q\": {\"createdAt\": {\"$lt\": %s}}, "
	    "\"limit\": 0}]}", coll, date(BASE_MS + 300 * MINUTE_MS));
	write_case(&p, &r, "deleteMany by a createdAt range", cmd);

	/* what is left, in insertion order */
	both(&p, &r, "every document left", "{}", NULL, NULL);

	store_close(&p);
	store_close(&r);
	if (failures > 0) {
		fprintf(stderr, "store-diff: %d difference(s)\n", failures);
		return 1;
	}
	return 0;
}

/* The plan of find filter/opts on s: every table access an index SEARCH. */
static void
explain_case(struct store *s, const char *what, const char *find_json, int top)
{
	bson_t reply;
	bson_iter_t it, plan;
	char *json = NULL;
	int search = 0, scan = 0, pushed = 1;

	if (command(s, find_json, &reply) != 0) {
		failures++;
		return;
	}
	if (bson_iter_init(&it, &reply) && bson_iter_find_descendant(&it, "queryPlanner.Plan", &plan) &&
	    BSON_ITER_HOLDS_ARRAY(&plan) && bson_iter_recurse(&plan, &it)) {
		while (bson_iter_next(&it)) {
			const char *line = BSON_ITER_HOLDS_UTF8(&it) ? bson_iter_utf8(&it, NULL) : "";

			search += strstr(line, "detail=SEARCH ") != NULL;
			scan += strstr(line, "detail=SCAN ") != NULL;
		}
	}
	if (!bson_iter_init_find(&it, &reply, "filterPushdown") || !bson_iter_as_bool(&it))
		pushed = 0;
	if (top && (!bson_iter_init_find(&it, &reply, "sortPushdown") || !bson_iter_as_bool(&it)))
		pushed = 0;
	if (search == 0 || scan > 0 || !pushed) {
		json = bson_as_relaxed_extended_json(&reply, NULL);
		fprintf(stderr, "FAIL: %s: not an index search: %s\n", what, json);
		bson_free(json);
		failures++;
	} else
		printf("ok - %s: %d index searches, no scan\n", what, search);
	bson_destroy(&reply);
}

static int
cmd_explain(const char *uri)
{
	struct store s;
	char q[2048], filter[1024];
	const char *coll = env("EVENTS_MONGO_COLLECTION", "events");

#define EXPLAIN_FIND(...) snprintf(q, sizeof(q), "{\"explain\": {\"find\": \"%s\", " __VA_ARGS__)

	if (store_open(&s, uri) != 0)
		return 1;
	page_filter(filter, sizeof(filter), NULL, -1, -1, -1, NULL);
	EXPLAIN_FIND("\"filter\": %s, " EVENT_SORT ", \"limit\": 51}}", coll, filter);
	explain_case(&s, "GET /events", q, 1);
	page_filter(filter, sizeof(filter), "click", -1, -1, -1, NULL);
	EXPLAIN_FIND("\"filter\": %s, " EVENT_SORT ", \"limit\": 51}}", coll, filter);
	explain_case(&s, "GET /events?type=", q, 1);
	page_filter(filter, sizeof(filter), NULL, -1, -1, BASE_MS + 100 * MINUTE_MS, "a!");
	EXPLAIN_FIND("\"filter\": %s, " EVENT_SORT ", \"limit\": 51}}", coll, filter);
	explain_case(&s, "GET /events, a deep page", q, 1);
	page_filter(filter, sizeof(filter), "view", BASE_MS, BASE_MS + DAY_MS, BASE_MS + 100 * MINUTE_MS, "a!");
	EXPLAIN_FIND("\"filter\": %s, " EVENT_SORT ", \"limit\": 51}}", coll, filter);
	explain_case(&s, "GET /events?type=&since=&until=, a deep page", q, 1);
	page_filter(filter, sizeof(filter), NULL, BASE_MS, BASE_MS + DAY_MS, -1, NULL);
	EXPLAIN_FIND("\"filter\": %s, " EVENT_SORT ", \"limit\": 51}}", coll, filter);
	explain_case(&s, "GET /events, a one-day window", q, 1);
	EXPLAIN_FIND("\"filter\": {\"createdAt\": {\"$gte\": %s, \"$lt\": %s}}, "
	    "\"projection\": {\"type\": 1, \"createdAt\": 1}}}", coll, date(BASE_MS), date(BASE_MS + DAY_MS));
	explain_case(&s, "GET /events/stats", q, 0);
	EXPLAIN_FIND("\"filter\": {\"createdAt\": {\"$lt\": %s}}, \"sort\": {\"createdAt\": 1}, "
	    "\"limit\": 500, \"projection\": {\"_id\": 1}}}", coll, date(BASE_MS));
	explain_case(&s, "retention: the oldest before the cutoff", q, 1);
	EXPLAIN_FIND("\"filter\": {\"createdAt\": {\"$lt\": %s}}}}", coll, date(BASE_MS));
	explain_case(&s, "retention: deleteMany's filter, a createdAt range", q, 0);
	EXPLAIN_FIND("\"filter\": {\"_id\": {\"$in\": [\"a\", \"b\"]}}}}", coll);
	explain_case(&s, "retention: by _id $in", q, 0);
	EXPLAIN_FIND("\"filter\": {\"_id\": \"a\\\"\"}}}", coll);
	explain_case(&s, "lookup by _id", q, 0);
#undef EXPLAIN_FIND
	store_close(&s);
	if (failures > 0) {
		fprintf(stderr, "store-diff: %d plan(s) not on an index\n", failures);
		return 1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	int rc = 2;

	mongoc_init();
	mongoc_log_set_handler(quiet, NULL);
	if (argc >= 4 && strcmp(argv[1], "load") == 0 && atol(argv[2]) > 0)
		rc = cmd_load(atol(argv[2]), argv + 3, argc - 3);
	else if (argc == 4 && strcmp(argv[1], "compare") == 0)
		rc = cmd_compare(argv[2], argv[3]);
	else if (argc == 3 && strcmp(argv[1], "explain") == 0)
		rc = cmd_explain(argv[2]);
	else
		fprintf(stderr, "usage: store-diff load N URI... | compare URI REF | explain URI\n");
	mongoc_cleanup();
	return rc;
}
