/*
 * The indexes the reads need, created by the consumer at start.
 */
#include "config.h"

#include <stdio.h>

#include "store_impl.h"

/* One createIndexes command for one index, on the events or (counts)
 * on the counts cache. */
static enum store_status
create_index(struct store *s, int counts, const bson_t *key, const char *name,
    char *err, size_t errlen)
{
	mongoc_collection_t *coll;
	bson_t *cmd;
	bson_t reply;
	bson_error_t e;
	char what[128];
	enum store_status st = STORE_OK;

	if ((coll = counts ? store_counts_coll(s, err, errlen) :
	    store_coll(s, err, errlen)) == NULL)
		return STORE_TRANSIENT;
	cmd = BCON_NEW("createIndexes", BCON_UTF8(counts ? s->counts_name : s->coll_name),
	    "indexes", "[", "{", "key", BCON_DOCUMENT(key), "name", BCON_UTF8(name), "}", "]");
	if (cmd == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_TRANSIENT;
	}
	if (!mongoc_collection_write_command_with_opts(coll, cmd, NULL, &reply, &e)) {
		snprintf(what, sizeof(what), "createIndexes %s", name);
		st = store_fail(s, &e, &reply, what, err, errlen);
	}
	bson_destroy(&reply);
	bson_destroy(cmd);
	return st;
}

/* Drop the index name if it is there. */
static enum store_status
drop_index(struct store *s, const char *name, char *err, size_t errlen)
{
	mongoc_collection_t *coll;
	bson_t *cmd;
	bson_t reply;
	bson_error_t e;
	char what[128];
	enum store_status st = STORE_OK;

	if ((coll = store_coll(s, err, errlen)) == NULL)
		return STORE_TRANSIENT;
	if ((cmd = BCON_NEW("dropIndexes", BCON_UTF8(s->coll_name), "index",
	    BCON_UTF8(name))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_TRANSIENT;
	}
	/* IndexNotFound (27) or NamespaceNotFound (26): nothing to do. */
	if (!mongoc_collection_write_command_with_opts(coll, cmd, NULL, &reply, &e) &&
	    !(e.domain == MONGOC_ERROR_SERVER && (e.code == 26 || e.code == 27))) {
		snprintf(what, sizeof(what), "dropIndexes %s", name);
		st = store_fail(s, &e, &reply, what, err, errlen);
	}
	bson_destroy(&reply);
	bson_destroy(cmd);
	return st;
}

enum store_status
store_ensure_indexes(struct store *s, char *err, size_t errlen)
{
	bson_t *by_time, *by_type;
	enum store_status st;

	/* Newest first, _id breaking ties: the paging order of GET
	 * /events.  By type, then the same order: a page of one type, deep
	 * or not, walks the index from its cursor. */
	by_time = BCON_NEW("createdAt", BCON_INT32(-1), "_id", BCON_INT32(-1));
	by_type = BCON_NEW("type", BCON_INT32(1), "createdAt", BCON_INT32(-1),
	    "_id", BCON_INT32(-1));
	/*
	 * One command per index: FerretDB 1.24 drops the connection (a
	 * panic in validateIndexesForCreation, which deletes from its list
	 * at the wrong position) when a createIndexes that names two or
	 * more indexes finds them all there already.
	 */
	st = create_index(s, 0, by_time, STORE_INDEX_BY_TIME, err, errlen);
	if (st == STORE_OK)
		st = create_index(s, 0, by_type, STORE_INDEX_BY_TYPE, err, errlen);
	/* The type index of earlier releases, {type: 1, createdAt: -1}, is
	 * a prefix of the new one and serves nothing the new one does not:
	 * dropped once the new one is there (createIndexes has returned). */
	if (st == STORE_OK)
		st = drop_index(s, STORE_INDEX_BY_TYPE_OLD, err, errlen);
	bson_destroy(by_time);
	bson_destroy(by_type);
	return st;
}

enum store_status
store_ensure_counts_index(struct store *s, char *err, size_t errlen)
{
	bson_t *by_start = BCON_NEW("t", BCON_INT32(1));
	enum store_status st;

	st = create_index(s, 1, by_start, STORE_INDEX_COUNTS, err, errlen);
	bson_destroy(by_start);
	return st;
}
