/*
 * GET /events/stats?by=FIELD: the busiest values of one field over a
 * range (top pages, referrers, types, the values of a metadata key), as
 * analytics dashboards show them.
 *
 *   $match {createdAt: {$gte: since, $lt: until}[, type]}
 *   $group {_id: "$FIELD", n: {$sum: 1}}
 *
 * on MongoDB (and any store not known to lack it), one aggregation
 * counted by the store.  On a store where /events/stats counts from a
 * find (FerretDB, STATS_MODE_SCAN; see query.c), the same bounded way:
 * one find over the range that returns only FIELD, counted here.  Either way, at most
 * LIMIT_STATS_GROUPS distinct values are kept ("truncated": true past
 * that), every read carries maxTimeMS, and the values are ordered here:
 * count down, then value; the first limit are listed and the rest added
 * up as "other".  A missing field counts as the value null.
 *
 * Values are told apart by their JSON text, so "1" and 1 are two
 * values, as they are two values to the store.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jsontime.h"
#include "query.h"
#include "stats_tally.h"
#include "timeutil.h"

/* The value at it (NULL: JSON null). */
static json_object *
value_at(const bson_iter_t *it)
{
	return doc_to_json(it, 1);
}

/* {_id: value, n: count}: one group from the aggregation. */
static int
group_row(struct stats_tally *t, const bson_t *doc, const char *field)
{
	bson_iter_t it, n;

	(void)field;
	if (!bson_iter_init_find(&n, doc, "n") ||
	    !(BSON_ITER_HOLDS_INT32(&n) || BSON_ITER_HOLDS_INT64(&n) || BSON_ITER_HOLDS_DOUBLE(&n)))
		return 0;
	if (!bson_iter_init_find(&it, doc, "_id"))
		return stats_tally_add(t, NULL, bson_iter_as_int64(&n));
	return stats_tally_add(t, value_at(&it), bson_iter_as_int64(&n));
}

/* {FIELD...}: one event from the find, counted here. */
static int
scan_row(struct stats_tally *t, const bson_t *doc, const char *field)
{
	bson_iter_t it, child;

	if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, field, &child))
		return stats_tally_add(t, value_at(&child), 1);
	return stats_tally_add(t, NULL, 1);
}

static void
range_filter(bson_t *match, const struct query_params *p, int64_t until)
{
	bson_t range;

	BSON_APPEND_DOCUMENT_BEGIN(match, "createdAt", &range);
	if (p->has_since)
		BSON_APPEND_DATE_TIME(&range, "$gte", p->since_ms);
	BSON_APPEND_DATE_TIME(&range, "$lt", until);
	bson_append_document_end(match, &range);
	if (p->type[0] != '\0')
		BSON_APPEND_UTF8(match, "type", p->type);
}

/* Read cur to its end into t.  STORE_OK or the failure's status. */
static enum store_status
drain(struct query *q, mongoc_cursor_t *cur, struct stats_tally *t, const char *field,
    int (*row)(struct stats_tally *, const bson_t *, const char *), const char *what,
    char *err, size_t errlen)
{
	const bson_t *doc;

	while (store_cursor_next(q->store, cur, &doc))
		if (row(t, doc, field) != 0) {
			mongoc_cursor_destroy(cur);
			snprintf(err, errlen, "out of memory counting values");
			return STORE_REFUSED;
		}
	return store_cursor_end(q->store, cur, what, err, errlen);
}

static enum store_status
count_group(struct query *q, const struct query_params *p, const char *field,
    int64_t until, struct stats_tally *t, char *err, size_t errlen)
{
	bson_t pipeline, stage, match, group, sum, opts;
	char ref[LIMIT_METADATA_KEY_LEN + 32];
	enum store_status st;

	snprintf(ref, sizeof(ref), "$%s", field);
	bson_init(&pipeline);
	BSON_APPEND_DOCUMENT_BEGIN(&pipeline, "0", &stage);
	BSON_APPEND_DOCUMENT_BEGIN(&stage, "$match", &match);
	range_filter(&match, p, until);
	bson_append_document_end(&stage, &match);
	bson_append_document_end(&pipeline, &stage);
	BSON_APPEND_DOCUMENT_BEGIN(&pipeline, "1", &stage);
	BSON_APPEND_DOCUMENT_BEGIN(&stage, "$group", &group);
	BSON_APPEND_UTF8(&group, "_id", ref);
	BSON_APPEND_DOCUMENT_BEGIN(&group, "n", &sum);
	BSON_APPEND_INT32(&sum, "$sum", 1);
	bson_append_document_end(&group, &sum);
	bson_append_document_end(&stage, &group);
	bson_append_document_end(&pipeline, &stage);
	bson_init(&opts);
	BSON_APPEND_INT64(&opts, "maxTimeMS", LIMIT_QUERY_MS);
	st = drain(q, store_aggregate(q->store, &pipeline, &opts), t, field, group_row,
	    "$group by value", err, errlen);
	bson_destroy(&opts);
	bson_destroy(&pipeline);
	return st;
}

static enum store_status
count_scan(struct query *q, const struct query_params *p, const char *field,
    int64_t until, struct stats_tally *t, char *err, size_t errlen)
{
	bson_t filter, opts, proj;
	enum store_status st;

	bson_init(&filter);
	range_filter(&filter, p, until);
	bson_init(&opts);
	BSON_APPEND_DOCUMENT_BEGIN(&opts, "projection", &proj);
	BSON_APPEND_INT32(&proj, "_id", 0);
	BSON_APPEND_INT32(&proj, field, 1);
	bson_append_document_end(&opts, &proj);
	BSON_APPEND_INT64(&opts, "maxTimeMS", LIMIT_QUERY_MS);
	/* Batches of a bounded size: the time budget is checked between
	 * them (store_cursor_next). */
	BSON_APPEND_INT32(&opts, "batchSize", STORE_READ_BATCH);
	st = drain(q, store_find(q->store, &filter, &opts), t, field, scan_row,
	    "find for values", err, errlen);
	bson_destroy(&opts);
	bson_destroy(&filter);
	return st;
}

static json_object *
answer(const struct query_params *p, struct stats_tally *t, int64_t until,
    const char *method)
{
	json_object *root, *values, *o, *v;
	char name[LIMIT_METADATA_KEY_LEN + 16];
	int64_t shown = 0, n;
	size_t i;

	stats_tally_sort(t);
	if ((root = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(root, "by", json_object_new_string(query_by_name(p, name, sizeof(name))));
	json_object_object_add(root, "since", p->has_since ? json_time(p->since_ms) : NULL);
	json_object_object_add(root, "until", json_time(until));
	if (p->type[0] != '\0')
		json_object_object_add(root, "type", json_object_new_string(p->type));
	json_object_object_add(root, "total", json_object_new_int64(stats_tally_total(t)));
	values = json_object_new_array();
	for (i = 0; i < stats_tally_distinct(t) && i < (size_t)p->limit; i++) {
		v = stats_tally_value(t, i, &n);
		o = json_object_new_object();
		json_object_object_add(o, "value", json_object_get(v));
		json_object_object_add(o, "count", json_object_new_int64(n));
		json_object_array_add(values, o);
		shown += n;
	}
	json_object_object_add(root, "values", values);
	json_object_object_add(root, "other", json_object_new_int64(stats_tally_total(t) - shown));
	json_object_object_add(root, "distinct",
	    json_object_new_int64((int64_t)stats_tally_distinct(t)));
	json_object_object_add(root, "method", json_object_new_string(method));
	json_object_object_add(root, "truncated",
	    json_object_new_boolean(stats_tally_truncated(t)));
	return root;
}

void
breakdown_handle(struct http_req *req, struct query *q, const struct query_params *p)
{
	struct stats_tally *t;
	char field[LIMIT_METADATA_KEY_LEN + 16], err[ERRBUF_LEN];
	enum store_status st;
	int64_t until = p->has_until ? p->until_ms : time_now_ms();
	json_object *root;

	if ((t = stats_tally_new()) == NULL) {
		http_send_error(req, 500, NULL, "internal", "out of memory");
		return;
	}
	if (p->has_since && p->since_ms >= until) {
		http_send_error(req, 400, NULL, "bad_parameter", "since must be earlier than until");
		goto out;
	}
	query_by_field(p, field, sizeof(field));
	if (q->stats_mode == STATS_MODE_SCAN)
		st = count_scan(q, p, field, until, t, err, sizeof(err));
	else
		st = count_group(q, p, field, until, t, err, sizeof(err));
	if (st != STORE_OK) {
		query_store_failed(req, st, err);
		goto out;
	}
	if ((root = answer(p, t, until, q->stats_mode == STATS_MODE_SCAN ? "scan" : "group")) == NULL) {
		http_send_error(req, 500, NULL, "internal", "out of memory");
		goto out;
	}
	http_send_json(req, 200, NULL, root);
	json_object_put(root);
out:
	stats_tally_free(t);
}
