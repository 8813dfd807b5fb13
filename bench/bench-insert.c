/*
 * bench-insert: the two halves of bench/consumer-drain.sh.
 *
 *   bench-insert queue N	put N events on the stream, as event-ingest
 *				would (field "e", the queue JSON), pipelined
 *   bench-insert insert N B	the same N events, converted exactly as the
 *				consumer converts them (storedoc.c), written
 *				with unordered bulk inserts of B documents into
 *				a fresh collection "<mongo_collection>_raw",
 *				four times: with the _id index alone, with the
 *				consumer's two indexes too (store.c), with
 *				them again, then alone again; prints each
 *				rate, then a "both orders:" line with each
 *				way's rate over its two runs and the indexes'
 *				cost, 1 - (rate with them / rate without)
 *
 * Redis and the store come from the configuration (EVENTS_* variables).
 * The events are the same in both modes: event i is a function of i.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>
#include <mongoc/mongoc.h>

#include "conf.h"
#include "enqueue.h"
#include "bounds.h"
#include "store.h"
#include "storedoc.h"
#include "timeutil.h"

/* Event i's queue JSON, shaped like a page-view from the tracker. */
static int
event_json(char *buf, size_t len, long i, int64_t t0)
{
	static const char *const types[] = { "pageview", "click", "scroll", "signup", "purchase" };

	return snprintf(buf, len,
	    "{\"id\":\"bench-%08ld\",\"type\":\"%s\","
	    "\"metadata\":{\"button\":\"buy-%ld\",\"price\":%ld.5,\"items\":[%ld,%ld],"
	    "\"user\":{\"plan\":\"pro\",\"trial\":false}},"
	    "\"createdAt\":%lld,\"receivedAt\":%lld,"
	    "\"page\":{\"url\":\"https://shop.example/product/%ld?ref=home\","
	    "\"path\":\"/product/%ld\",\"referrer\":\"https://shop.example/\","
	    "\"title\":\"Product %ld\"},"
	    "\"ua\":\"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\","
	    "\"ip\":\"203.0.113.0\"}",
	    i, types[i % 5], i % 97, i % 1000, i % 7, i % 11,
	    (long long)(t0 + i), (long long)(t0 + i + 3), i % 5000, i % 5000, i % 5000);
}

static int
queue(const struct conf *c, long n)
{
	redisContext *ctx;
	redisReply *r;
	char json[1024];
	long i, sent = 0, got = 0;
	int64_t t0 = 1767225600000LL;	/* 2026-01-01 */
	int len, rc = 1;

	ctx = c->redis_socket[0] ? redisConnectUnix(c->redis_socket) :
	    redisConnect(c->redis_host, (int)c->redis_port);
	if (ctx == NULL || ctx->err) {
		fprintf(stderr, "bench-insert: redis: %s\n", ctx ? ctx->errstr : "out of memory");
		goto out;
	}
	/* Pipelined, 1000 replies outstanding at most. */
	for (i = 0; i < n; i++) {
		len = event_json(json, sizeof(json), i, t0);
		redisAppendCommand(ctx, "XADD %s * " ENQUEUE_FIELD " %b", c->stream, json,
		    (size_t)len);
		sent++;
		while (sent - got > 1000 || (i == n - 1 && got < sent)) {
			if (redisGetReply(ctx, (void **)&r) != REDIS_OK) {
				fprintf(stderr, "bench-insert: redis: %s\n", ctx->errstr);
				goto out;
			}
			if (r->type == REDIS_REPLY_ERROR) {
				fprintf(stderr, "bench-insert: XADD: %s\n", r->str);
				freeReplyObject(r);
				goto out;
			}
			freeReplyObject(r);
			got++;
		}
	}
	rc = 0;
out:
	if (ctx != NULL)
		redisFree(ctx);
	return rc;
}

static int
insert(const struct conf *c, long n, long batch, int indexed, int64_t *spent_ms)
{
	mongoc_client_t *client = NULL;
	mongoc_collection_t *coll = NULL;
	mongoc_bulk_operation_t *bulk;
	bson_t *docs = NULL, *opts, *iopts;
	bson_t reply;
	bson_error_t e;
	char json[1024], err[ERRBUF_LEN], name[CONF_STR_LEN + 8];
	int64_t t0 = 1767225600000LL, start, spent = 0, conv = 0, t;
	long i, j, k;
	int len, rc = 1;

	/* As lib/store_insert.c does it. */
	opts = BCON_NEW("ordered", BCON_BOOL(false));
	iopts = BCON_NEW("validate", BCON_BOOL(false));
	if ((client = mongoc_client_new(c->mongo_uri)) == NULL) {
		fprintf(stderr, "bench-insert: bad mongo_uri\n");
		goto out;
	}
	mongoc_client_set_appname(client, "bench-insert");
	snprintf(name, sizeof(name), "%s_raw", c->mongo_collection);
	coll = mongoc_client_get_collection(client, c->mongo_db, name);
	if (!mongoc_collection_drop(coll, &e) && strstr(e.message, "not found") == NULL &&
	    strstr(e.message, "not exist") == NULL) {
		fprintf(stderr, "bench-insert: drop %s: %s\n", name, e.message);
		goto out;
	}
	if (indexed) {
		static struct conf ic;	/* large: not on the stack */
		struct store *st;

		ic = *c;
		snprintf(ic.mongo_collection, sizeof(ic.mongo_collection), "%.4000s", name);
		if ((st = store_new(&ic, "bench-insert", STORE_WRITER, err, sizeof(err))) == NULL ||
		    store_ensure_indexes(st, err, sizeof(err)) != STORE_OK) {
			fprintf(stderr, "bench-insert: indexes: %s\n", err);
			store_free(st);
			goto out;
		}
		store_free(st);
	}
	if ((docs = calloc((size_t)batch, sizeof(*docs))) == NULL)
		goto out;
	for (i = 0; i < n; i += batch) {
		k = n - i < batch ? n - i : batch;
		t = time_mono_ms();
		for (j = 0; j < k; j++) {
			len = event_json(json, sizeof(json), i + j, t0);
			bson_init(&docs[j]);
			if (storedoc_from_json(json, (size_t)len, &docs[j], err, sizeof(err)) != 0) {
				fprintf(stderr, "bench-insert: event %ld: %s\n", i + j, err);
				goto out;
			}
		}
		conv += time_mono_ms() - t;
		start = time_mono_ms();
		bulk = mongoc_collection_create_bulk_operation_with_opts(coll, opts);
		for (j = 0; j < k; j++)
			mongoc_bulk_operation_insert_with_opts(bulk, &docs[j], iopts, NULL);
		if (!mongoc_bulk_operation_execute(bulk, &reply, &e)) {
			fprintf(stderr, "bench-insert: insert: %s\n", e.message);
			bson_destroy(&reply);
			mongoc_bulk_operation_destroy(bulk);
			goto out;
		}
		bson_destroy(&reply);
		mongoc_bulk_operation_destroy(bulk);
		spent += time_mono_ms() - start;
		for (j = 0; j < k; j++)
			bson_destroy(&docs[j]);
	}
	printf("inserted %ld documents in batches of %ld, %s: %.2f s, %.0f events/s "
	    "(conversion %.2f s more)\n", n, batch,
	    indexed ? "with the consumer's indexes" : "_id index only", spent / 1000.0,
	    spent > 0 ? n * 1000.0 / spent : 0.0, conv / 1000.0);
	*spent_ms = spent > 0 ? spent : 1;
	rc = 0;
out:
	free(docs);
	bson_destroy(opts);
	bson_destroy(iopts);
	mongoc_collection_destroy(coll);
	mongoc_client_destroy(client);
	return rc;
}

/* libmongoc's warnings ("endSessions" unknown to FerretDB) would clutter
 * the table. */
static void
quiet(mongoc_log_level_t level, const char *domain, const char *msg, void *arg)
{
	if (level <= MONGOC_LOG_LEVEL_CRITICAL)
		fprintf(stderr, "bench-insert: %s: %s\n", domain, msg);
}

int
main(int argc, char *argv[])
{
	struct conf c;
	char err[ERRBUF_LEN];
	int64_t raw[2], ind[2];	/* ms spent inserting */
	long n, batch = 0;
	int rc;

	if (argc < 3 || (strcmp(argv[1], "queue") == 0 && argc != 3) ||
	    (strcmp(argv[1], "insert") == 0 && argc != 4) ||
	    (strcmp(argv[1], "queue") != 0 && strcmp(argv[1], "insert") != 0) ||
	    (n = strtol(argv[2], NULL, 10)) < 1 ||
	    (argc == 4 && (batch = strtol(argv[3], NULL, 10)) < 1)) {
		fprintf(stderr, "usage: bench-insert queue N | insert N BATCH\n");
		return 2;
	}
	if (conf_load(&c, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench-insert: %s\n", err);
		return 1;
	}
	if (strcmp(argv[1], "queue") == 0)
		return queue(&c, n);
	mongoc_init();
	mongoc_log_set_handler(quiet, NULL);
	/* Each way twice, in the order ABBA: the second of two runs on one
	 * server finds the first's pages (the dropped collection's, free in
	 * the file; the write-ahead log), which favours neither way then. */
	rc = insert(&c, n, batch, 0, &raw[0]);
	if (rc == 0)
		rc = insert(&c, n, batch, 1, &ind[0]);
	if (rc == 0)
		rc = insert(&c, n, batch, 1, &ind[1]);
	if (rc == 0)
		rc = insert(&c, n, batch, 0, &raw[1]);
	if (rc == 0)
		printf("both orders: _id index only %.0f events/s, with the consumer's indexes "
		    "%.0f events/s: the indexes cost %.1f%%\n",
		    2.0 * n * 1000.0 / (double)(raw[0] + raw[1]),
		    2.0 * n * 1000.0 / (double)(ind[0] + ind[1]),
		    100.0 * (1.0 - (double)(raw[0] + raw[1]) / (double)(ind[0] + ind[1])));
	mongoc_cleanup();
	return rc;
}
