/*
 * store-smoke: round-trips one document through the MongoDB-compatible
 * store with libmongoc, the way the consumer will: a string _id, a BSON
 * date, a nested document.  Connects to $EVENTS_MONGO_URI, writes to a
 * collection of its own in database "events_smoke" and drops it.
 * Prints the server's version (buildInfo) so a log shows what it ran
 * against.  Exit 0 on success, 1 on any mismatch or error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mongoc/mongoc.h>

#define SMOKE_DB	"events_smoke"
#define SMOKE_DATE_MS	1767225600123LL	/* 2026-01-01T00:00:00.123Z */

static int
check_doc(const bson_t *doc, const char *id, char *err, size_t errlen)
{
	bson_iter_t it;

	if (!bson_iter_init_find(&it, doc, "_id") || !BSON_ITER_HOLDS_UTF8(&it) ||
	    strcmp(bson_iter_utf8(&it, NULL), id) != 0) {
		snprintf(err, errlen, "_id is not the string \"%s\"", id);
		return -1;
	}
	if (!bson_iter_init_find(&it, doc, "createdAt") ||
	    !BSON_ITER_HOLDS_DATE_TIME(&it) ||
	    bson_iter_date_time(&it) != SMOKE_DATE_MS) {
		snprintf(err, errlen, "createdAt is not the date %lld ms", SMOKE_DATE_MS);
		return -1;
	}
	if (!bson_iter_init_find(&it, doc, "type") || !BSON_ITER_HOLDS_UTF8(&it) ||
	    strcmp(bson_iter_utf8(&it, NULL), "smoke") != 0) {
		snprintf(err, errlen, "type is not \"smoke\"");
		return -1;
	}
	if (!bson_iter_init(&it, doc) ||
	    !bson_iter_find_descendant(&it, "metadata.n", &it) ||
	    !BSON_ITER_HOLDS_INT64(&it) || bson_iter_int64(&it) != 42) {
		snprintf(err, errlen, "metadata.n is not the int64 42");
		return -1;
	}
	return 0;
}

/* Print the server's version: buildInfo.version, and ferretdbVersion
 * when the server is FerretDB. */
static void
print_version(mongoc_client_t *client)
{
	bson_t cmd = BSON_INITIALIZER, reply;
	bson_error_t error;
	bson_iter_t it;

	BSON_APPEND_INT32(&cmd, "buildInfo", 1);
	if (!mongoc_client_command_simple(client, "admin", &cmd, NULL, &reply, &error)) {
		fprintf(stderr, "store-smoke: buildInfo: %s\n", error.message);
		bson_destroy(&cmd);
		return;
	}
	printf("store: MongoDB wire version");
	if (bson_iter_init_find(&it, &reply, "version") && BSON_ITER_HOLDS_UTF8(&it))
		printf(" %s", bson_iter_utf8(&it, NULL));
	if (bson_iter_init_find(&it, &reply, "ferretdbVersion") && BSON_ITER_HOLDS_UTF8(&it))
		printf(", FerretDB %s", bson_iter_utf8(&it, NULL));
	printf("\n");
	bson_destroy(&reply);
	bson_destroy(&cmd);
}

int
main(void)
{
	mongoc_client_t *client = NULL;
	mongoc_collection_t *coll = NULL;
	mongoc_cursor_t *cursor = NULL;
	mongoc_uri_t *uri = NULL;
	bson_t *doc = NULL, *filter = NULL;
	const bson_t *found;
	bson_error_t error;
	const char *uristr;
	char id[64], collname[64], err[256];
	int n = 0, rc = 1;

	if ((uristr = getenv("EVENTS_MONGO_URI")) == NULL || *uristr == '\0') {
		fprintf(stderr, "store-smoke: EVENTS_MONGO_URI is not set\n");
		return 1;
	}
	mongoc_init();
	if ((uri = mongoc_uri_new_with_error(uristr, &error)) == NULL) {
		fprintf(stderr, "store-smoke: %s: %s\n", uristr, error.message);
		goto out;
	}
	if ((client = mongoc_client_new_from_uri(uri)) == NULL) {
		fprintf(stderr, "store-smoke: cannot make a client for %s\n", uristr);
		goto out;
	}
	mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
	mongoc_client_set_appname(client, "store-smoke");
	print_version(client);

	snprintf(collname, sizeof(collname), "smoke_%ld", (long)getpid());
	snprintf(id, sizeof(id), "0190f5a2-smoke-%ld", (long)getpid());
	coll = mongoc_client_get_collection(client, SMOKE_DB, collname);

	doc = BCON_NEW("_id", BCON_UTF8(id), "type", BCON_UTF8("smoke"),
	    "createdAt", BCON_DATE_TIME(SMOKE_DATE_MS),
	    "metadata", "{", "n", BCON_INT64(42), "}");
	if (!mongoc_collection_insert_one(coll, doc, NULL, NULL, &error)) {
		fprintf(stderr, "store-smoke: insert: %s\n", error.message);
		goto out;
	}
	/* The same _id again must be refused as a duplicate key (11000):
	 * the consumer counts on it to store each event once. */
	if (mongoc_collection_insert_one(coll, doc, NULL, NULL, &error) ||
	    error.code != 11000) {
		fprintf(stderr, "store-smoke: a second insert of the same _id was not "
		    "refused as a duplicate (code %u: %s)\n", error.code, error.message);
		goto out;
	}

	filter = BCON_NEW("_id", BCON_UTF8(id));
	cursor = mongoc_collection_find_with_opts(coll, filter, NULL, NULL);
	while (mongoc_cursor_next(cursor, &found)) {
		if (check_doc(found, id, err, sizeof(err)) != 0) {
			fprintf(stderr, "store-smoke: read back: %s\n", err);
			goto out;
		}
		n++;
	}
	if (mongoc_cursor_error(cursor, &error)) {
		fprintf(stderr, "store-smoke: find: %s\n", error.message);
		goto out;
	}
	if (n != 1) {
		fprintf(stderr, "store-smoke: found %d documents, expected 1\n", n);
		goto out;
	}
	if (!mongoc_collection_drop(coll, &error)) {
		fprintf(stderr, "store-smoke: drop: %s\n", error.message);
		goto out;
	}
	printf("store-smoke: round trip through %s ok\n", uristr);
	rc = 0;
out:
	mongoc_cursor_destroy(cursor);
	bson_destroy(filter);
	bson_destroy(doc);
	mongoc_collection_destroy(coll);
	mongoc_client_destroy(client);
	mongoc_uri_destroy(uri);
	mongoc_cleanup();
	return rc;
}
