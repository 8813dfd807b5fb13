/*
 * Finds and aggregations on the events collection, for event-query.
 * The caller builds the filter and options (maxTimeMS included); this
 * file hands them to the server and turns a failure into a status.
 */
#include "config.h"

#include <stdio.h>

#include "store_impl.h"

mongoc_cursor_t *
store_find(struct store *s, const bson_t *filter, const bson_t *opts)
{
	mongoc_collection_t *coll;
	char err[8];

	if ((coll = store_coll(s, err, sizeof(err))) == NULL)
		return NULL;
	return mongoc_collection_find_with_opts(coll, filter, opts, NULL);
}

mongoc_cursor_t *
store_aggregate(struct store *s, const bson_t *pipeline, const bson_t *opts)
{
	mongoc_collection_t *coll;
	char err[8];

	if ((coll = store_coll(s, err, sizeof(err))) == NULL)
		return NULL;
	return mongoc_collection_aggregate(coll, MONGOC_QUERY_NONE, pipeline, opts, NULL);
}

enum store_status
store_cursor_end(struct store *s, mongoc_cursor_t *cur, const char *what,
    char *err, size_t errlen)
{
	const bson_t *reply;
	bson_error_t e;
	bson_t copy;
	enum store_status st;

	if (cur == NULL) {
		snprintf(err, errlen, "store %s: %s: no client (out of memory)", s->where, what);
		return STORE_REFUSED;
	}
	if (!mongoc_cursor_error_document(cur, &e, &reply)) {
		mongoc_cursor_destroy(cur);
		return STORE_OK;
	}
	/* The cursor goes before store_fail may drop its client; the
	 * reply is the cursor's, so keep a copy. */
	bson_copy_to(reply, &copy);
	mongoc_cursor_destroy(cur);
	st = store_fail(s, &e, &copy, what, err, errlen);
	bson_destroy(&copy);
	return st;
}
