/*
 * Retention: events older than retention_days leave the store.
 *
 * MongoDB does it itself with a TTL index on createdAt
 * (expireAfterSeconds), which the consumer creates, changes (collMod) or
 * drops at start to match the setting.  FerretDB has no TTL indexes
 * (createIndexes answers NotImplemented for expireAfterSeconds), so
 * there the consumer deletes expired events itself, a bounded batch at
 * a time: find {createdAt: {$lt: cutoff}} sorted {createdAt: 1}, limit
 * N, only _id; then delete {_id: {$in: [...]}}.  Both are index-backed
 * on our patched FerretDB; on a stock one the find scans the collection.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store_impl.h"

enum store_expire_way
store_expire_way(enum store_kind kind)
{
	return kind == STORE_KIND_MONGODB ? STORE_EXPIRE_TTL : STORE_EXPIRE_DELETE;
}

enum store_ttl_action
store_ttl_plan(long days, const struct store_ttl_index *cur)
{
	if (days <= 0)
		/* Only a TTL index is ours to drop: a plain index by that
		 * name is someone else's. */
		return cur->exists && cur->ttl ? STORE_TTL_DROP : STORE_TTL_NOTHING;
	if (!cur->exists)
		return STORE_TTL_CREATE;
	if (!cur->ttl)
		return STORE_TTL_REPLACE;
	return cur->seconds == (int64_t)days * 86400 ? STORE_TTL_NOTHING : STORE_TTL_MODIFY;
}

bson_t *
store_ttl_command(enum store_ttl_action a, const char *coll, long days)
{
	int32_t secs = (int32_t)(days * 86400);

	switch (a) {
	case STORE_TTL_CREATE:
		return BCON_NEW("createIndexes", BCON_UTF8(coll), "indexes", "[", "{",
		    "key", "{", "createdAt", BCON_INT32(1), "}",
		    "name", BCON_UTF8(STORE_INDEX_TTL),
		    "expireAfterSeconds", BCON_INT32(secs), "}", "]");
	case STORE_TTL_MODIFY:
		return BCON_NEW("collMod", BCON_UTF8(coll), "index", "{",
		    "name", BCON_UTF8(STORE_INDEX_TTL),
		    "expireAfterSeconds", BCON_INT32(secs), "}");
	case STORE_TTL_DROP:
	case STORE_TTL_REPLACE:
		return BCON_NEW("dropIndexes", BCON_UTF8(coll), "index",
		    BCON_UTF8(STORE_INDEX_TTL));
	case STORE_TTL_NOTHING:
		break;
	}
	return NULL;
}

/* What the collection has under the TTL index's name. */
static enum store_status
ttl_index(struct store *s, struct store_ttl_index *cur, char *err, size_t errlen)
{
	mongoc_collection_t *coll;
	mongoc_cursor_t *c;
	const bson_t *doc;
	bson_iter_t it;
	bson_error_t e;
	const bson_t *reply;
	bson_t copy;
	enum store_status st;

	memset(cur, 0, sizeof(*cur));
	if ((coll = store_coll(s, err, errlen)) == NULL)
		return STORE_TRANSIENT;
	c = mongoc_collection_find_indexes_with_opts(coll, NULL);
	while (mongoc_cursor_next(c, &doc)) {
		if (!bson_iter_init_find(&it, doc, "name") || !BSON_ITER_HOLDS_UTF8(&it) ||
		    strcmp(bson_iter_utf8(&it, NULL), STORE_INDEX_TTL) != 0)
			continue;
		cur->exists = 1;
		if (bson_iter_init_find(&it, doc, "expireAfterSeconds") &&
		    BSON_ITER_HOLDS_NUMBER(&it)) {
			cur->ttl = 1;
			cur->seconds = bson_iter_as_int64(&it);
		}
	}
	if (!mongoc_cursor_error_document(c, &e, &reply)) {
		mongoc_cursor_destroy(c);
		return STORE_OK;
	}
	bson_copy_to(reply, &copy);
	mongoc_cursor_destroy(c);
	/* NamespaceNotFound: no collection yet, so no index. */
	if (e.domain == MONGOC_ERROR_SERVER && e.code == 26)
		st = STORE_OK;
	else
		st = store_fail(s, &e, &copy, "listIndexes", err, errlen);
	bson_destroy(&copy);
	return st;
}

/* Send one command of the plan. */
static enum store_status
ttl_send(struct store *s, enum store_ttl_action a, long days, char *err,
    size_t errlen)
{
	mongoc_collection_t *coll;
	bson_t *cmd;
	bson_t reply;
	bson_error_t e;
	enum store_status st = STORE_OK;

	if ((coll = store_coll(s, err, errlen)) == NULL)
		return STORE_TRANSIENT;
	if ((cmd = store_ttl_command(a, s->coll_name, days)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_TRANSIENT;
	}
	if (!mongoc_collection_write_command_with_opts(coll, cmd, NULL, &reply, &e))
		st = store_fail(s, &e, &reply, a == STORE_TTL_CREATE ? "createIndexes " STORE_INDEX_TTL :
		    a == STORE_TTL_MODIFY ? "collMod " STORE_INDEX_TTL : "dropIndexes " STORE_INDEX_TTL,
		    err, errlen);
	bson_destroy(&reply);
	bson_destroy(cmd);
	return st;
}

enum store_status
store_ttl_apply(struct store *s, long days, enum store_ttl_action *done,
    char *err, size_t errlen)
{
	struct store_ttl_index cur;
	enum store_status st;

	*done = STORE_TTL_NOTHING;
	if ((st = ttl_index(s, &cur, err, errlen)) != STORE_OK)
		return st;
	*done = store_ttl_plan(days, &cur);
	if (*done == STORE_TTL_NOTHING)
		return STORE_OK;
	st = ttl_send(s, *done, days, err, errlen);
	/* An index without expireAfterSeconds under our name: dropped
	 * above, made again as a TTL index now. */
	if (st == STORE_OK && *done == STORE_TTL_REPLACE)
		st = ttl_send(s, STORE_TTL_CREATE, days, err, errlen);
	return st;
}

enum store_status
store_expire_batch(struct store *s, int64_t cutoff_ms, int limit, int64_t *deleted,
    int *found, char *err, size_t errlen)
{
	mongoc_collection_t *coll;
	mongoc_cursor_t *cur;
	const bson_t *doc;
	bson_t *filter, *opts, sel, in, ids, reply;
	bson_iter_t it;
	bson_error_t e;
	enum store_status st;
	char key[16];
	const char *k;
	int n = 0;

	*deleted = 0;
	*found = 0;
	filter = BCON_NEW("createdAt", "{", "$lt", BCON_DATE_TIME(cutoff_ms), "}");
	opts = BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}",
	    "sort", "{", "createdAt", BCON_INT32(1), "}",
	    "limit", BCON_INT64(limit), "batchSize", BCON_INT32(limit),
	    "singleBatch", BCON_BOOL(true), "maxTimeMS", BCON_INT64(LIMIT_QUERY_MS));
	bson_init(&sel);
	BSON_APPEND_DOCUMENT_BEGIN(&sel, "_id", &in);
	BSON_APPEND_ARRAY_BEGIN(&in, "$in", &ids);
	cur = store_find(s, filter, opts);
	while (store_cursor_next(s, cur, &doc))
		if (bson_iter_init_find(&it, doc, "_id")) {
			bson_uint32_to_string((uint32_t)n, &k, key, sizeof(key));
			bson_append_value(&ids, k, -1, bson_iter_value(&it));
			n++;
		}
	bson_append_array_end(&in, &ids);
	bson_append_document_end(&sel, &in);
	st = store_cursor_end(s, cur, "find expired events", err, errlen);
	*found = n;
	if (st == STORE_OK && n > 0) {
		if ((coll = store_coll(s, err, errlen)) == NULL)
			st = STORE_TRANSIENT;
		else if (mongoc_collection_delete_many(coll, &sel, NULL, &reply, &e)) {
			if (bson_iter_init_find(&it, &reply, "deletedCount") &&
			    BSON_ITER_HOLDS_NUMBER(&it))
				*deleted = bson_iter_as_int64(&it);
			bson_destroy(&reply);
		} else {
			st = store_fail(s, &e, &reply, "delete expired events", err, errlen);
			bson_destroy(&reply);
		}
	}
	bson_destroy(&sel);
	bson_destroy(filter);
	bson_destroy(opts);
	return st;
}
