/*
 * Finds and aggregations on the events collection, for event-query.
 * The caller builds the filter and options (maxTimeMS included); this
 * file hands them to the server, holds the whole read to the same time
 * budget, and turns a failure into a status.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "store_impl.h"
#include "timeutil.h"

void
store_read_budget(struct store *s, int64_t ms)
{
	s->read_budget_ms = ms;
}

void
store_read_begin(struct store *s)
{
	s->read_held = 0;
	store_read_starts(s);
	s->read_held = 1;
}

void
store_read_end(struct store *s)
{
	s->read_held = 0;
}

/* A new read: its deadline starts now, unless store_read_begin() holds
 * one for several finds. */
void
store_read_starts(struct store *s)
{
	if (s->read_held)
		return;
	s->read_deadline = time_mono_ms() + (s->read_budget_ms > 0 ?
	    s->read_budget_ms : LIMIT_QUERY_MS);
	s->read_late = 0;
}

mongoc_cursor_t *
store_find(struct store *s, const bson_t *filter, const bson_t *opts)
{
	mongoc_collection_t *coll;
	char err[8];

	if ((coll = store_coll(s, err, sizeof(err))) == NULL)
		return NULL;
	store_read_starts(s);
	return mongoc_collection_find_with_opts(coll, filter, opts, NULL);
}

mongoc_cursor_t *
store_aggregate(struct store *s, const bson_t *pipeline, const bson_t *opts)
{
	mongoc_collection_t *coll;
	char err[8];

	if ((coll = store_coll(s, err, sizeof(err))) == NULL)
		return NULL;
	store_read_starts(s);
	return mongoc_collection_aggregate(coll, MONGOC_QUERY_NONE, pipeline, opts, NULL);
}

bool
store_cursor_next(struct store *s, mongoc_cursor_t *cur, const bson_t **doc)
{
	if (cur == NULL || s->read_late)
		return false;
	if (time_mono_ms() > s->read_deadline) {
		s->read_late = 1;
		return false;
	}
	return mongoc_cursor_next(cur, doc);
}

enum store_status
store_cursor_end(struct store *s, mongoc_cursor_t *cur, const char *what,
    char *err, size_t errlen)
{
	const bson_t *reply;
	bson_error_t e;
	bson_t copy;
	enum store_status st;

	s->read_spent = 0;
	if (cur == NULL) {
		snprintf(err, errlen, "store %s: %s: no client (out of memory)", s->where, what);
		return STORE_REFUSED;
	}
	if (s->read_late) {
		/* Destroying the cursor kills it on the server too. */
		mongoc_cursor_destroy(cur);
		s->read_late = 0;
		s->read_spent = 1;
		snprintf(err, errlen, "store %s: %s: not done within %lld ms", s->where, what,
		    (long long)(s->read_budget_ms > 0 ? s->read_budget_ms : LIMIT_QUERY_MS));
		return STORE_TRANSIENT;
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

enum store_status
store_first_event(struct store *s, int64_t from_ms, int64_t *first, char *err,
    size_t errlen)
{
	mongoc_cursor_t *cur;
	const bson_t *doc;
	bson_t *filter, *opts;
	bson_iter_t it;
	enum store_status st;

	*first = INT64_MAX;
	filter = BCON_NEW("createdAt", "{", "$gte", BCON_DATE_TIME(from_ms), "}");
	opts = BCON_NEW("sort", "{", "createdAt", BCON_INT32(1), "}", "limit", BCON_INT64(1),
	    "projection", "{", "createdAt", BCON_INT32(1), "}",
	    "maxTimeMS", BCON_INT64(LIMIT_QUERY_MS));
	cur = store_find(s, filter, opts);
	while (store_cursor_next(s, cur, &doc))
		if (bson_iter_init_find(&it, doc, "createdAt") && BSON_ITER_HOLDS_DATE_TIME(&it))
			*first = bson_iter_date_time(&it);
	st = store_cursor_end(s, cur, "find the first event", err, errlen);
	bson_destroy(filter);
	bson_destroy(opts);
	return st;
}
