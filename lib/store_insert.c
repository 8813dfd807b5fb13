/*
 * The consumer's unordered bulk insert, and what became of each
 * document.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

/* One writeErrors element: its index, code and message; *other_key is
 * set when a duplicate-key error names a unique index other than _id's. */
static int
write_error(bson_iter_t *el, int32_t *index, int32_t *code, const char **msg,
    int *other_key)
{
	bson_iter_t d, kp;

	*index = -1;
	*code = 0;
	*msg = "";
	*other_key = 0;
	if (!BSON_ITER_HOLDS_DOCUMENT(el) || !bson_iter_recurse(el, &d))
		return -1;
	while (bson_iter_next(&d)) {
		if (strcmp(bson_iter_key(&d), "index") == 0 && BSON_ITER_HOLDS_INT(&d))
			*index = (int32_t)bson_iter_as_int64(&d);
		else if (strcmp(bson_iter_key(&d), "code") == 0 && BSON_ITER_HOLDS_INT(&d))
			*code = (int32_t)bson_iter_as_int64(&d);
		else if (strcmp(bson_iter_key(&d), "errmsg") == 0 && BSON_ITER_HOLDS_UTF8(&d))
			*msg = bson_iter_utf8(&d, NULL);
		else if (strcmp(bson_iter_key(&d), "keyPattern") == 0 &&
		    BSON_ITER_HOLDS_DOCUMENT(&d) && bson_iter_recurse(&d, &kp))
			/* MongoDB 4.4+: {_id: 1} for the primary key. */
			*other_key = !bson_iter_next(&kp) ||
			    strcmp(bson_iter_key(&kp), "_id") != 0 || bson_iter_next(&kp);
	}
	/* Older servers and FerretDB: only the message may name the index
	 * ("... index: _id_ dup key: ..."; FerretDB names none). */
	if (*code == MONGOC_ERROR_DUPLICATE_KEY && strstr(*msg, " index: ") != NULL &&
	    strstr(*msg, " index: _id_ ") == NULL)
		*other_key = 1;
	return *index >= 0 ? 0 : -1;
}

/*
 * Sort out the writeErrors of a failed bulk write.  Each element names
 * the document by its position in the bulk; every document it does not
 * name was stored.  MongoDB and FerretDB 1.24 both answer a duplicate
 * _id in an unordered insert this way, with code 11000, and go on with
 * the rest (FerretDB's errmsg is "E11000 duplicate key error collection:
 * db.coll", without the index; MongoDB adds keyPattern).  FerretDB also
 * refuses some documents MongoDB takes, one by one with code 2 ("nested
 * arrays are not supported"): those are refusals like any other.  An
 * error with a transient code is about the server, not the document:
 * the whole batch is then retried.
 */
static enum store_status
write_errors(const struct store *s, const bson_t *reply, struct store_item *items,
    const size_t *map, size_t nmap, char *err, size_t errlen)
{
	bson_iter_t it, arr;
	bson_error_t one;
	const char *msg;
	int32_t index, code;
	size_t i;
	int other_key;

	if (!bson_iter_init_find(&it, reply, "writeErrors") || !BSON_ITER_HOLDS_ARRAY(&it) ||
	    !bson_iter_recurse(&it, &arr)) {
		snprintf(err, errlen, "store %s: insert: no writeErrors in the reply", s->where);
		return STORE_TRANSIENT;
	}
	while (bson_iter_next(&arr)) {
		if (write_error(&arr, &index, &code, &msg, &other_key) != 0 ||
		    (size_t)index >= nmap) {
			snprintf(err, errlen, "store %s: insert: unreadable write error in the reply",
			    s->where);
			return STORE_TRANSIENT;
		}
		one.domain = MONGOC_ERROR_SERVER;
		one.code = (uint32_t)code;
		if (store_classify(&one, NULL) == STORE_TRANSIENT) {
			snprintf(err, errlen, "store %s: insert: code %d: %s", s->where,
			    (int)code, msg);
			return STORE_TRANSIENT;
		}
		i = map[index];
		/* A duplicate _id: this event is stored already.  A clash on
		 * some other unique index someone added is a refusal. */
		if (code == MONGOC_ERROR_DUPLICATE_KEY && !other_key)
			items[i].result = STORE_DUPLICATE;
		else {
			items[i].result = STORE_REJECTED;
			snprintf(items[i].reason, sizeof(items[i].reason),
			    "store refused the document: code %d: %.200s", (int)code, msg);
		}
	}
	return STORE_OK;
}

/* Does the reply carry per-document errors and nothing worse? */
static int
only_write_errors(const bson_t *reply, const bson_error_t *e)
{
	bson_iter_t it;

	return store_classify(e, reply) != STORE_TRANSIENT &&
	    bson_iter_init_find(&it, reply, "writeErrors") && BSON_ITER_HOLDS_ARRAY(&it);
}

enum store_status
store_insert(struct store *s, struct store_item *items, size_t n, char *err,
    size_t errlen)
{
	mongoc_collection_t *coll;
	mongoc_bulk_operation_t *bulk;
	bson_error_t e;
	bson_t reply;
	size_t *map, i, nmap = 0;
	enum store_status st = STORE_OK;

	for (i = 0; i < n; i++) {
		items[i].result = STORE_STORED;
		items[i].reason[0] = '\0';
	}
	if (n == 0)
		return STORE_OK;
	if ((map = calloc(n, sizeof(*map))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_TRANSIENT;
	}
	if ((coll = store_coll(s, err, errlen)) == NULL) {
		free(map);
		return STORE_TRANSIENT;
	}
	/* map[bulk position] = item, for the items libmongoc takes. */
	bulk = mongoc_collection_create_bulk_operation_with_opts(coll, s->bulk_opts);
	for (i = 0; i < n; i++) {
		if (!mongoc_bulk_operation_insert_with_opts(bulk, items[i].doc,
		    s->insert_opts, &e)) {
			items[i].result = STORE_REJECTED;
			snprintf(items[i].reason, sizeof(items[i].reason),
			    "libmongoc refused the document: %.200s", e.message);
			continue;
		}
		map[nmap++] = i;
	}
	if (nmap == 0) {
		mongoc_bulk_operation_destroy(bulk);
		free(map);
		return STORE_OK;
	}
	if (mongoc_bulk_operation_execute(bulk, &reply, &e)) {
		mongoc_bulk_operation_destroy(bulk);
		bson_destroy(&reply);
		free(map);
		return STORE_OK;
	}
	/* The bulk goes before store_fail may drop its client. */
	mongoc_bulk_operation_destroy(bulk);
	if (only_write_errors(&reply, &e))
		st = write_errors(s, &reply, items, map, nmap, err, errlen);
	else
		/* The command failed as a whole (unreachable, not primary,
		 * unauthorised, ...): nothing to hold against any one event. */
		st = store_fail(s, &e, &reply, "insert", err, errlen);
	bson_destroy(&reply);
	free(map);
	return st;
}
