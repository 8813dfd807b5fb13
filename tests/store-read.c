/*
 * store-read: what the consumer tests read back from the store, since
 * there is no mongo shell here.
 *
 *   store-read count [ID]	number of documents (with _id ID)
 *   store-read ids	every _id, one a line
 *   store-read dump [ID]	every document (or the one with _id ID) as
 *			canonical extended JSON, one a line, so types show:
 *			{"$date": {"$numberLong": "..."}} is a BSON date
 *   store-read indexes	each index's key pattern as relaxed extended
 *			JSON, one a line
 *   store-read command JSON  run the command JSON (extended JSON) on the
 *			database; print the reply as relaxed extended JSON
 *			(exit 1 with the error when it fails)
 *
 * The store is $EVENTS_MONGO_URI, database $EVENTS_MONGO_DB, collection
 * $EVENTS_MONGO_COLLECTION (defaults as in events.conf).  Exit 0, or 1
 * with a message when the store cannot be read.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mongoc/mongoc.h>

static const char *
env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : def;
}

/* libmongoc's warnings (FerretDB: "endSessions" unknown) would mix with
 * the output the tests read. */
static void
quiet(mongoc_log_level_t level, const char *domain, const char *msg, void *arg)
{
	if (level <= MONGOC_LOG_LEVEL_CRITICAL)
		fprintf(stderr, "store-read: %s: %s\n", domain, msg);
}

int
main(int argc, char *argv[])
{
	mongoc_client_t *client = NULL;
	mongoc_collection_t *coll = NULL;
	mongoc_cursor_t *cur = NULL;
	const bson_t *doc;
	bson_t *filter = NULL, *opts = NULL;
	bson_error_t e;
	bson_iter_t it;
	char *s;
	int64_t n;
	int rc = 1;

	if (argc < 2 || (strcmp(argv[1], "count") != 0 && strcmp(argv[1], "ids") != 0 &&
	    strcmp(argv[1], "dump") != 0 && strcmp(argv[1], "indexes") != 0 &&
	    strcmp(argv[1], "command") != 0) || argc > 3 ||
	    (strcmp(argv[1], "command") == 0 && argc != 3)) {
		fprintf(stderr, "usage: store-read count | ids | dump [ID] | indexes | command JSON\n");
		return 2;
	}
	mongoc_init();
	mongoc_log_set_handler(quiet, NULL);
	client = mongoc_client_new(env("EVENTS_MONGO_URI", "mongodb://127.0.0.1:27017/"));
	if (client == NULL) {
		fprintf(stderr, "store-read: bad EVENTS_MONGO_URI\n");
		goto out;
	}
	mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
	coll = mongoc_client_get_collection(client, env("EVENTS_MONGO_DB", "events"),
	    env("EVENTS_MONGO_COLLECTION", "events"));
	if (strcmp(argv[1], "command") == 0) {
		bson_t reply, *cmd;

		if ((cmd = bson_new_from_json((const uint8_t *)argv[2], -1, &e)) == NULL) {
			fprintf(stderr, "store-read: command: %s\n", e.message);
			goto out;
		}
		if (mongoc_client_command_simple(client, env("EVENTS_MONGO_DB", "events"),
		    cmd, NULL, &reply, &e))
			rc = 0;
		else
			fprintf(stderr, "store-read: command: %s\n", e.message);
		s = bson_as_relaxed_extended_json(&reply, NULL);
		printf("%s\n", s);
		bson_free(s);
		bson_destroy(&reply);
		bson_destroy(cmd);
		goto out;
	}
	filter = argc == 3 ? BCON_NEW("_id", BCON_UTF8(argv[2])) : bson_new();

	if (strcmp(argv[1], "count") == 0) {
		if ((n = mongoc_collection_count_documents(coll, filter, NULL, NULL,
		    NULL, &e)) < 0) {
			fprintf(stderr, "store-read: count: %s\n", e.message);
			goto out;
		}
		printf("%lld\n", (long long)n);
		rc = 0;
		goto out;
	}
	if (strcmp(argv[1], "indexes") == 0) {
		cur = mongoc_collection_find_indexes_with_opts(coll, NULL);
		while (mongoc_cursor_next(cur, &doc)) {
			bson_t key;
			const uint8_t *data;
			uint32_t len;

			if (!bson_iter_init_find(&it, doc, "key") || !BSON_ITER_HOLDS_DOCUMENT(&it))
				continue;
			bson_iter_document(&it, &len, &data);
			if (!bson_init_static(&key, data, len))
				continue;
			s = bson_as_relaxed_extended_json(&key, NULL);
			printf("%s\n", s);
			bson_free(s);
		}
		if (mongoc_cursor_error(cur, &e)) {
			fprintf(stderr, "store-read: listIndexes: %s\n", e.message);
			goto out;
		}
		rc = 0;
		goto out;
	}
	opts = strcmp(argv[1], "ids") == 0 ?
	    BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}") :
	    BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}");
	cur = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
	while (mongoc_cursor_next(cur, &doc)) {
		if (strcmp(argv[1], "ids") == 0) {
			if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_UTF8(&it))
				printf("%s\n", bson_iter_utf8(&it, NULL));
			else
				printf("(not a string)\n");
			continue;
		}
		s = bson_as_canonical_extended_json(doc, NULL);
		printf("%s\n", s);
		bson_free(s);
	}
	if (mongoc_cursor_error(cur, &e)) {
		fprintf(stderr, "store-read: find: %s\n", e.message);
		goto out;
	}
	rc = 0;
out:
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	bson_destroy(opts);
	mongoc_collection_destroy(coll);
	mongoc_client_destroy(client);
	mongoc_cleanup();
	return rc;
}
