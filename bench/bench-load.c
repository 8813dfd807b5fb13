/*
 * bench-load: put event documents straight into the store, shaped as the
 * consumer writes them, for the query benchmark and the query tests.
 *
 *   bench-load [--uri URI] [--db DB] [--coll C] [--drop]
 *       --count N [--start MS] [--step MS] [--same K] [--types a,b,...]
 *       [--prefix P] [--batch B]
 *   bench-load [...] --stdin	one extended-JSON document a line
 *
 * Synthetic document i (0 <= i < N): _id P%08zu, type types[i % ntypes],
 * createdAt start + (i / K) * step (so K documents share each time and
 * paging must break ties on _id), receivedAt createdAt + 5 ms, metadata
 * {x, y, i}, page {url, path, referrer, title}, ua, ip.  It creates the
 * consumer's indexes first (with the consumer's code), so it can run
 * before the consumer ever has.  URI defaults to $EVENTS_MONGO_URI.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "store.h"

static void
usage(void)
{
	fprintf(stderr, "usage: bench-load [--uri URI] [--db DB] [--coll C] [--drop]\n"
	    "    (--count N [--start MS] [--step MS] [--same K] [--types a,b]\n"
	    "     [--prefix P] [--batch B] | --stdin)\n");
	exit(2);
}

static long long
num(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0)
		usage();
	return v;
}

/* The consumer's indexes, made by the same code (lib/store_index.c). */
static void
create_indexes(const char *uri, const char *db, const char *cname)
{
	static struct conf c;	/* large: not on the stack */
	struct store *s;
	char err[256];

	if (conf_defaults(&c) != 0)
		exit(1);
	snprintf(c.mongo_uri, sizeof(c.mongo_uri), "%s", uri);
	snprintf(c.mongo_db, sizeof(c.mongo_db), "%s", db);
	snprintf(c.mongo_collection, sizeof(c.mongo_collection), "%s", cname);
	if ((s = store_new(&c, "bench-load", STORE_WRITER, err, sizeof(err))) == NULL ||
	    store_ensure_indexes(s, err, sizeof(err)) != STORE_OK)
		fprintf(stderr, "bench-load: indexes: %s (going on)\n", err);
	store_free(s);
}

static void
synthetic(bson_t *doc, const char *prefix, size_t i, int64_t created,
    const char *type)
{
	bson_t meta, page;
	char id[128], url[128], path[64];

	snprintf(id, sizeof(id), "%s%08zu", prefix, i);
	snprintf(path, sizeof(path), "/page/%zu", i % 50);
	snprintf(url, sizeof(url), "http://example.test%s?q=%zu", path, i);
	BSON_APPEND_UTF8(doc, "_id", id);
	BSON_APPEND_UTF8(doc, "type", type);
	BSON_APPEND_DOCUMENT_BEGIN(doc, "metadata", &meta);
	BSON_APPEND_INT32(&meta, "x", (int32_t)(i * 37 % 1280));
	BSON_APPEND_INT32(&meta, "y", (int32_t)(i * 53 % 800));
	BSON_APPEND_INT64(&meta, "i", (int64_t)i);
	BSON_APPEND_UTF8(&meta, "target", "main > button.primary");
	bson_append_document_end(doc, &meta);
	BSON_APPEND_DATE_TIME(doc, "createdAt", created);
	BSON_APPEND_DATE_TIME(doc, "receivedAt", created + 5);
	BSON_APPEND_DOCUMENT_BEGIN(doc, "page", &page);
	BSON_APPEND_UTF8(&page, "url", url);
	BSON_APPEND_UTF8(&page, "path", path);
	BSON_APPEND_UTF8(&page, "referrer", "");
	BSON_APPEND_UTF8(&page, "title", "Bench page");
	bson_append_document_end(doc, &page);
	BSON_APPEND_UTF8(doc, "ua", "bench-load/1.0");
	BSON_APPEND_UTF8(doc, "ip", "127.0.0.0");
}

/* Insert what bulk holds; 0 or -1. */
static int
flush(mongoc_bulk_operation_t **bulk, mongoc_collection_t *coll, size_t *n)
{
	bson_t opts = BSON_INITIALIZER, reply;
	bson_error_t e;
	int ok = 1;

	if (*n > 0) {
		ok = mongoc_bulk_operation_execute(*bulk, &reply, &e) != 0;
		if (!ok)
			fprintf(stderr, "bench-load: insert: %s\n", e.message);
		bson_destroy(&reply);
	}
	mongoc_bulk_operation_destroy(*bulk);
	BSON_APPEND_BOOL(&opts, "ordered", false);
	*bulk = mongoc_collection_create_bulk_operation_with_opts(coll, &opts);
	bson_destroy(&opts);
	*n = 0;
	return ok ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	const char *uri = getenv("EVENTS_MONGO_URI"), *db = "events", *cname = "events";
	const char *prefix = "ev", *typelist = "click,pageview,scroll";
	char *types[64], *tl, *tok, line[65536];
	long long count = -1, start = -1, step = 1000, same = 1, batch = 1000;
	mongoc_bulk_operation_t *bulk = NULL;
	mongoc_collection_t *coll;
	mongoc_client_t *client;
	bson_error_t e;
	bson_t *doc, d;
	size_t ntypes = 0, i, inbulk = 0, total = 0;
	int drop = 0, from_stdin = 0, rc = 0, a;
	struct timespec t0, t1;

	for (a = 1; a < argc; a++) {
		const char *o = argv[a];
		if (strcmp(o, "--drop") == 0)
			drop = 1;
		else if (strcmp(o, "--stdin") == 0)
			from_stdin = 1;
		else if (a + 1 >= argc)
			usage();
		else if (strcmp(o, "--uri") == 0)
			uri = argv[++a];
		else if (strcmp(o, "--db") == 0)
			db = argv[++a];
		else if (strcmp(o, "--coll") == 0)
			cname = argv[++a];
		else if (strcmp(o, "--count") == 0)
			count = num(argv[++a]);
		else if (strcmp(o, "--start") == 0)
			start = num(argv[++a]);
		else if (strcmp(o, "--step") == 0)
			step = num(argv[++a]);
		else if (strcmp(o, "--same") == 0)
			same = num(argv[++a]);
		else if (strcmp(o, "--types") == 0)
			typelist = argv[++a];
		else if (strcmp(o, "--prefix") == 0)
			prefix = argv[++a];
		else if (strcmp(o, "--batch") == 0)
			batch = num(argv[++a]);
		else
			usage();
	}
	if ((count < 0) == !from_stdin || same < 1 || batch < 1)
		usage();
	if (uri == NULL)
		uri = "mongodb://127.0.0.1:27017/";
	if (start < 0)
		start = (long long)time(NULL) * 1000;
	tl = strdup(typelist);
	for (tok = strtok(tl, ","); tok != NULL && ntypes < 64; tok = strtok(NULL, ","))
		types[ntypes++] = tok;
	if (ntypes == 0)
		usage();

	store_init();
	if ((client = mongoc_client_new(uri)) == NULL) {
		fprintf(stderr, "bench-load: bad URI %s\n", uri);
		return 1;
	}
	mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
	coll = mongoc_client_get_collection(client, db, cname);
	if (drop && !mongoc_collection_drop(coll, &e) &&
	    strstr(e.message, "not found") == NULL)
		fprintf(stderr, "bench-load: drop: %s\n", e.message);
	create_indexes(uri, db, cname);
	flush(&bulk, coll, &inbulk);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (from_stdin) {
		while (fgets(line, sizeof(line), stdin) != NULL) {
			if (line[strspn(line, " \t\r\n")] == '\0')
				continue;
			if ((doc = bson_new_from_json((const uint8_t *)line, -1, &e)) == NULL) {
				fprintf(stderr, "bench-load: line %zu: %s\n", total + 1, e.message);
				rc = 1;
				break;
			}
			mongoc_bulk_operation_insert(bulk, doc);
			bson_destroy(doc);
			total++;
			if (++inbulk == (size_t)batch && flush(&bulk, coll, &inbulk) != 0)
				rc = 1;
		}
	} else {
		for (i = 0; i < (size_t)count; i++) {
			bson_init(&d);
			synthetic(&d, prefix, i, start + (int64_t)(i / (size_t)same) * step,
			    types[i % ntypes]);
			mongoc_bulk_operation_insert(bulk, &d);
			bson_destroy(&d);
			total++;
			if (++inbulk == (size_t)batch && flush(&bulk, coll, &inbulk) != 0) {
				rc = 1;
				break;
			}
		}
	}
	if (flush(&bulk, coll, &inbulk) != 0)
		rc = 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "bench-load: %zu documents in %.1f s\n", total,
	    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	mongoc_bulk_operation_destroy(bulk);
	mongoc_collection_destroy(coll);
	mongoc_client_destroy(client);
	mongoc_cleanup();
	free(tl);
	return rc;
}
