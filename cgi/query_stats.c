/*
 * GET /events/stats: events per bucket (minute, hour or day, aligned on
 * the epoch in UTC) and per type, counted by the store.
 *
 * On MongoDB (4.0 or later) one aggregation does it:
 *   $match {createdAt: {$gte: from, $lt: to}[, type]}
 *   $group {_id: {t: "$type", b: toLong(createdAt) - toLong(createdAt) mod w},
 *           n: {$sum: 1}}
 * FerretDB 1.x has no date arithmetic ($toLong, $subtract, $dateTrunc,
 * $dateToString) inside $group and answers NotImplemented.  On a store
 * known to be FerretDB, or once one answers that, the program counts
 * from one find over the range instead (count_scan below).  The
 * answer's "method" field tells which was used: "group" or "scan".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsontime.h"
#include "log.h"
#include "query.h"
#include "stats_fold.h"
#include "timeutil.h"

/* One request's range and what the store answered so far. */
struct stats {
	int64_t			 from, to, w;
	size_t			 nbuckets;
	struct stats_fold	*fold;
};

static int64_t
iter_number(const bson_iter_t *it)
{
	switch (bson_iter_type(it)) {
	case BSON_TYPE_INT32:
	case BSON_TYPE_INT64:
	case BSON_TYPE_DOUBLE:
		return bson_iter_as_int64(it);
	default:
		return -1;
	}
}

static void
match_stage(bson_t *pipeline, const char *key, const struct query_params *p,
    int64_t from, int64_t to)
{
	bson_t stage, match, range;

	BSON_APPEND_DOCUMENT_BEGIN(pipeline, key, &stage);
	BSON_APPEND_DOCUMENT_BEGIN(&stage, "$match", &match);
	BSON_APPEND_DOCUMENT_BEGIN(&match, "createdAt", &range);
	BSON_APPEND_DATE_TIME(&range, "$gte", from);
	BSON_APPEND_DATE_TIME(&range, "$lt", to);
	bson_append_document_end(&match, &range);
	if (p->type[0] != '\0')
		BSON_APPEND_UTF8(&match, "type", p->type);
	bson_append_document_end(&stage, &match);
	bson_append_document_end(pipeline, &stage);
}

/* Read cur to the end, handing each result to fn.  STORE_OK, or the
 * failure's status with err set (out of memory counts as a refusal). */
static enum store_status
drain(struct query *q, mongoc_cursor_t *cur, struct stats *s,
    int (*fn)(struct stats *, const bson_t *), const char *what, char *err,
    size_t errlen)
{
	const bson_t *doc;
	enum store_status st;

	while (store_cursor_next(q->store, cur, &doc))
		if (fn(s, doc) != 0) {
			mongoc_cursor_destroy(cur);
			snprintf(err, errlen, "out of memory counting events");
			return STORE_REFUSED;
		}
	st = store_cursor_end(q->store, cur, what, err, errlen);
	return st;
}

/* {_id: {t: type, b: bucket start ms}, n: count} */
static int
group_row(struct stats *s, const bson_t *doc)
{
	bson_iter_t it, id;
	const char *t = NULL;
	uint32_t tlen = 0;
	int64_t b = -1, n;

	if (!bson_iter_init_find(&it, doc, "_id") || !BSON_ITER_HOLDS_DOCUMENT(&it) ||
	    !bson_iter_recurse(&it, &id))
		return 0;
	while (bson_iter_next(&id)) {
		if (strcmp(bson_iter_key(&id), "t") == 0 && BSON_ITER_HOLDS_UTF8(&id))
			t = bson_iter_utf8(&id, &tlen);
		else if (strcmp(bson_iter_key(&id), "b") == 0)
			b = iter_number(&id);
	}
	if (t == NULL || !bson_iter_init_find(&it, doc, "n") ||
	    (n = iter_number(&it)) < 0)
		return 0;
	return stats_fold_add(s->fold, t, tlen, b, n);
}

static enum store_status
count_group(struct query *q, const struct query_params *p, struct stats *s,
    char *err, size_t errlen)
{
	bson_t pipeline, stage, group, id, b, sub, sub_args, mod, mod_args, tolong;
	bson_t opts;
	enum store_status st;

	bson_init(&pipeline);
	match_stage(&pipeline, "0", p, s->from, s->to);
	BSON_APPEND_DOCUMENT_BEGIN(&pipeline, "1", &stage);
	BSON_APPEND_DOCUMENT_BEGIN(&stage, "$group", &group);
	BSON_APPEND_DOCUMENT_BEGIN(&group, "_id", &id);
	BSON_APPEND_UTF8(&id, "t", "$type");
	/* b: {$subtract: [{$toLong: "$createdAt"},
	 *                 {$mod: [{$toLong: "$createdAt"}, w]}]} */
	BSON_APPEND_DOCUMENT_BEGIN(&id, "b", &b);
	BSON_APPEND_ARRAY_BEGIN(&b, "$subtract", &sub_args);
	BSON_APPEND_DOCUMENT_BEGIN(&sub_args, "0", &tolong);
	BSON_APPEND_UTF8(&tolong, "$toLong", "$createdAt");
	bson_append_document_end(&sub_args, &tolong);
	BSON_APPEND_DOCUMENT_BEGIN(&sub_args, "1", &mod);
	BSON_APPEND_ARRAY_BEGIN(&mod, "$mod", &mod_args);
	BSON_APPEND_DOCUMENT_BEGIN(&mod_args, "0", &tolong);
	BSON_APPEND_UTF8(&tolong, "$toLong", "$createdAt");
	bson_append_document_end(&mod_args, &tolong);
	BSON_APPEND_INT64(&mod_args, "1", s->w);
	bson_append_array_end(&mod, &mod_args);
	bson_append_document_end(&sub_args, &mod);
	bson_append_array_end(&b, &sub_args);
	bson_append_document_end(&id, &b);
	bson_append_document_end(&group, &id);
	BSON_APPEND_DOCUMENT_BEGIN(&group, "n", &sub);
	BSON_APPEND_INT32(&sub, "$sum", 1);
	bson_append_document_end(&group, &sub);
	bson_append_document_end(&stage, &group);
	bson_append_document_end(&pipeline, &stage);
	bson_init(&opts);
	BSON_APPEND_INT64(&opts, "maxTimeMS", LIMIT_QUERY_MS);
	st = drain(q, store_aggregate(q->store, &pipeline, &opts), s, group_row,
	    "$group by bucket", err, errlen);
	bson_destroy(&opts);
	bson_destroy(&pipeline);
	return st;
}

/* {type, createdAt}: one event, counted into its bucket here. */
static int
scan_row(struct stats *s, const bson_t *doc)
{
	bson_iter_t it;
	const char *t;
	uint32_t tlen;
	int64_t c;

	if (!bson_iter_init_find(&it, doc, "createdAt") || !BSON_ITER_HOLDS_DATE_TIME(&it))
		return 0;
	c = bson_iter_date_time(&it);
	if (!bson_iter_init_find(&it, doc, "type") || !BSON_ITER_HOLDS_UTF8(&it))
		return 0;
	t = bson_iter_utf8(&it, &tlen);
	return stats_fold_add(s->fold, t, tlen, c, 1);
}

/*
 * For stores without date arithmetic in $group (FerretDB 1.x): one
 * find over the range that returns only type and createdAt, counted
 * into buckets here.  FerretDB answers that in one pass, where its
 * $group (per bucket, or per type and time) takes seconds for a few
 * thousand events; the answer says "method": "scan".  Bounded by the same
 * 10 s as every read (maxTimeMS, and store_cursor_next over all batches).
 */
static enum store_status
count_scan(struct query *q, const struct query_params *p, struct stats *s,
    char *err, size_t errlen)
{
	bson_t filter, range, opts, proj;
	enum store_status st;

	bson_init(&filter);
	BSON_APPEND_DOCUMENT_BEGIN(&filter, "createdAt", &range);
	BSON_APPEND_DATE_TIME(&range, "$gte", s->from);
	BSON_APPEND_DATE_TIME(&range, "$lt", s->to);
	bson_append_document_end(&filter, &range);
	if (p->type[0] != '\0')
		BSON_APPEND_UTF8(&filter, "type", p->type);
	bson_init(&opts);
	BSON_APPEND_DOCUMENT_BEGIN(&opts, "projection", &proj);
	BSON_APPEND_INT32(&proj, "_id", 0);
	BSON_APPEND_INT32(&proj, "type", 1);
	BSON_APPEND_INT32(&proj, "createdAt", 1);
	bson_append_document_end(&opts, &proj);
	BSON_APPEND_INT64(&opts, "maxTimeMS", LIMIT_QUERY_MS);
	/* Batches of a bounded size: the time budget is checked between
	 * them (store_cursor_next). */
	BSON_APPEND_INT32(&opts, "batchSize", STORE_READ_BATCH);
	st = drain(q, store_find(q->store, &filter, &opts), s, scan_row,
	    "find for stats", err, errlen);
	bson_destroy(&opts);
	bson_destroy(&filter);
	return st;
}

/* The answer: the busiest LIMIT_STATS_TYPES types by name, the rest as
 * "(other)", and every bucket of the range, empty ones included. */
static json_object *
stats_json(const struct stats *s, const struct query_params *p)
{
	json_object *root, *types, *totals, *buckets, *bk, *counts;
	struct stats_table tab;
	size_t i, c;

	if (stats_fold_table(s->fold, LIMIT_STATS_TYPES, &tab) != 0)
		return NULL;
	if ((root = json_object_new_object()) == NULL)
		goto out;
	json_object_object_add(root, "since", json_time(s->from));
	json_object_object_add(root, "until", json_time(s->to));
	json_object_object_add(root, "bucket", json_object_new_string(query_bucket_name(p->bucket)));
	json_object_object_add(root, "bucketMs", json_object_new_int64(s->w));
	if (p->type[0] != '\0')
		json_object_object_add(root, "type", json_object_new_string(p->type));
	types = json_object_new_array();
	totals = json_object_new_object();
	for (c = 0; c < tab.ncols; c++) {
		json_object_array_add(types, json_object_new_string(tab.names[c]));
		json_object_object_add(totals, tab.names[c], json_object_new_int64(tab.totals[c]));
	}
	json_object_object_add(root, "types", types);
	json_object_object_add(root, "totals", totals);
	buckets = json_object_new_array_ext((int)s->nbuckets);
	for (i = 0; i < s->nbuckets; i++) {
		bk = json_object_new_object();
		counts = json_object_new_object();
		json_object_object_add(bk, "start", json_time(s->from + (int64_t)i * s->w));
		for (c = 0; c < tab.ncols; c++)
			if (tab.cells[i * tab.ncols + c] > 0)
				json_object_object_add(counts, tab.names[c],
				    json_object_new_int64(tab.cells[i * tab.ncols + c]));
		json_object_object_add(bk, "counts", counts);
		json_object_array_add(buckets, bk);
	}
	json_object_object_add(root, "buckets", buckets);
	json_object_object_add(root, "truncated",
	    json_object_new_boolean(stats_fold_truncated(s->fold)));
out:
	stats_table_free(&tab);
	return root;
}

void
stats_handle(struct http_req *req, struct query *q, const struct query_params *p)
{
	struct stats s;
	enum store_status st = STORE_REFUSED;
	char err[ERRBUF_LEN];
	json_object *root;
	int cached = 0;

	memset(&s, 0, sizeof(s));
	if (query_stats_range(p, time_now_ms(), &s.from, &s.to, &s.nbuckets,
	    err, sizeof(err)) != 0) {
		http_send_error(req, 400, NULL, "bad_parameter", err);
		return;
	}
	s.w = query_bucket_ms(p->bucket);
	if ((s.fold = stats_fold_new(s.from, s.to, s.w, s.nbuckets)) == NULL) {
		http_send_error(req, 500, NULL, "internal", "out of memory");
		return;
	}
	if (q->stats_mode != STATS_MODE_SCAN) {
		st = count_group(q, p, &s, err, sizeof(err));
		if (st == STORE_OK)
			q->stats_mode = STATS_MODE_GROUP;
		else if (st == STORE_UNSUPPORTED && q->stats_mode == STATS_MODE_UNKNOWN) {
			log_warn("%s; the store cannot bucket dates in $group (FerretDB 1.x?): "
			    "/events/stats now counts from one find over the range", err);
			q->stats_mode = STATS_MODE_SCAN;
			stats_fold_reset(s.fold);
		}
	}
	/* Where the consumer keeps the counts cache, from it. */
	cached = q->stats_mode == STATS_MODE_SCAN && q->server_known &&
	    store_counts_kept(q->server.kind);
	if (cached) {
		store_read_begin(q->store);
		st = stats_count_cached(q, p, s.fold, s.from, s.to, s.w, err, sizeof(err));
		store_read_end(q->store);
	} else if (q->stats_mode == STATS_MODE_SCAN)
		st = count_scan(q, p, &s, err, sizeof(err));
	if (st != STORE_OK) {
		query_store_failed(req, st, err);
		goto out;
	}
	if ((root = stats_json(&s, p)) == NULL) {
		http_send_error(req, 500, NULL, "internal", "out of memory");
		goto out;
	}
	json_object_object_add(root, "method", json_object_new_string(
	    q->stats_mode == STATS_MODE_GROUP ? "group" : cached ? "cache" : "scan"));
	http_send_json(req, 200, NULL, root);
	json_object_put(root);
out:
	stats_fold_free(s.fold);
}
