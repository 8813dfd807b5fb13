/*
 * GET /events: one page of events, newest first, as JSON, NDJSON or CSV.
 *
 * Paging is keyset on (createdAt, _id), both descending, the key of the
 * index {createdAt: -1, _id: -1} that the consumer creates: a page after
 * the cursor (c, id) is
 *     createdAt <= c  AND  (createdAt < c  OR  (createdAt = c AND _id < id))
 * sorted {createdAt: -1, _id: -1} and limited, so the store walks the
 * index from the cursor on and a deep page costs what the first does.
 * The sort is exactly the index's key pattern, which is what lets
 * MongoDB's planner answer from the index with no in-memory sort; no
 * hint is given, so that with a type filter the planner may pick
 * {type: 1, createdAt: -1, _id: -1}, which ends in the same order.
 */
#include "config.h"

#include <string.h>

#include "csv.h"
#include "log.h"
#include "query.h"
#include "query_cursor.h"

/* One stored document as the event the API shows, and its paging key. */
static json_object *
event_json(const bson_t *doc, int64_t *ms, int *has_id)
{
	static const char *const order[] = { "type", "metadata", "createdAt",
	    "receivedAt", "clientTs", "page", "ua", "ip" };
	json_object *ev, *v;
	bson_iter_t it;
	size_t i;

	*ms = -1;
	*has_id = 0;
	if ((ev = json_object_new_object()) == NULL)
		return NULL;
	if (bson_iter_init_find(&it, doc, "_id")) {
		json_object_object_add(ev, "id", doc_to_json(&it, 1));
		*has_id = BSON_ITER_HOLDS_UTF8(&it);
	} else
		json_object_object_add(ev, "id", NULL);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		v = NULL;
		if (bson_iter_init_find(&it, doc, order[i])) {
			v = doc_to_json(&it, 1);
			if (i == 2 && BSON_ITER_HOLDS_DATE_TIME(&it))
				*ms = bson_iter_date_time(&it);
		}
		json_object_object_add(ev, order[i], v);
	}
	return ev;
}

/*
 * The filter: type, the time window and the keyset cursor.  With a
 * cursor (c, id) the window's upper bound becomes createdAt <= c when c
 * is below until: the $or already says as much, and a store that seeks
 * an index on one upper bound per field (our FerretDB, see README.md)
 * then starts at the cursor instead of at until.  createdAt < until
 * stays when c >= until, so the set of events is exactly what it was.
 */
static void
build_filter(const struct query_params *p, bson_t *filter)
{
	bson_t range, or, alt, lt;
	int upto_cursor = p->has_cursor && (!p->has_until || p->cursor_ms < p->until_ms);

	/* Every client value goes in as a string or a date, never as a
	 * document, so none can become an operator. */
	if (p->type[0] != '\0')
		BSON_APPEND_UTF8(filter, "type", p->type);
	if (p->has_since || p->has_until || p->has_cursor) {
		BSON_APPEND_DOCUMENT_BEGIN(filter, "createdAt", &range);
		if (p->has_since)
			BSON_APPEND_DATE_TIME(&range, "$gte", p->since_ms);
		if (upto_cursor)
			BSON_APPEND_DATE_TIME(&range, "$lte", p->cursor_ms);
		else if (p->has_until)
			BSON_APPEND_DATE_TIME(&range, "$lt", p->until_ms);
		bson_append_document_end(filter, &range);
	}
	if (p->has_cursor) {
		BSON_APPEND_ARRAY_BEGIN(filter, "$or", &or);
		BSON_APPEND_DOCUMENT_BEGIN(&or, "0", &alt);
		BSON_APPEND_DOCUMENT_BEGIN(&alt, "createdAt", &lt);
		BSON_APPEND_DATE_TIME(&lt, "$lt", p->cursor_ms);
		bson_append_document_end(&alt, &lt);
		bson_append_document_end(&or, &alt);
		BSON_APPEND_DOCUMENT_BEGIN(&or, "1", &alt);
		BSON_APPEND_DATE_TIME(&alt, "createdAt", p->cursor_ms);
		BSON_APPEND_DOCUMENT_BEGIN(&alt, "_id", &lt);
		BSON_APPEND_UTF8(&lt, "$lt", p->cursor_id);
		bson_append_document_end(&alt, &lt);
		bson_append_document_end(&or, &alt);
		bson_append_array_end(filter, &or);
	}
}

static void
build_query(const struct query_params *p, bson_t *filter, bson_t *opts)
{
	bson_t proj, sort;

	build_filter(p, filter);
	BSON_APPEND_DOCUMENT_BEGIN(opts, "projection", &proj);
	BSON_APPEND_INT32(&proj, "type", 1);
	BSON_APPEND_INT32(&proj, "metadata", 1);
	BSON_APPEND_INT32(&proj, "createdAt", 1);
	BSON_APPEND_INT32(&proj, "receivedAt", 1);
	BSON_APPEND_INT32(&proj, "clientTs", 1);
	BSON_APPEND_INT32(&proj, "page", 1);
	BSON_APPEND_INT32(&proj, "ua", 1);
	BSON_APPEND_INT32(&proj, "ip", 1);
	bson_append_document_end(opts, &proj);
	BSON_APPEND_DOCUMENT_BEGIN(opts, "sort", &sort);
	BSON_APPEND_INT32(&sort, "createdAt", -1);
	BSON_APPEND_INT32(&sort, "_id", -1);
	bson_append_document_end(opts, &sort);
	/* One more than asked, to know whether there is a next page; all
	 * of it in the first batch so no server cursor stays open. */
	BSON_APPEND_INT64(opts, "limit", p->limit + 1);
	BSON_APPEND_INT32(opts, "batchSize", p->limit + 1);
	BSON_APPEND_BOOL(opts, "singleBatch", true);
	BSON_APPEND_INT64(opts, "maxTimeMS", LIMIT_QUERY_MS);
}

static const char *
str_field(json_object *o, const char *key, size_t *len)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		*len = 0;
		return "";
	}
	*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

/* New columns go at the end, so that readers by position keep working. */
static const char *const csv_columns[] = { "id", "type", "createdAt",
    "receivedAt", "page_url", "page_path", "page_referrer", "page_title",
    "metadata", "clientTs", "ua", "ip" };

static void
csv_event(struct buf *b, json_object *ev)
{
	static const char *const top[] = { "id", "type", "createdAt", "receivedAt" };
	static const char *const pg[] = { "url", "path", "referrer", "title" };
	static const char *const end[] = { "clientTs", "ua", "ip" };
	json_object *page = NULL, *meta = NULL;
	const char *s;
	size_t i, n;

	for (i = 0; i < 4; i++) {
		s = str_field(ev, top[i], &n);
		csv_field(b, s, n, 0);
	}
	json_object_object_get_ex(ev, "page", &page);
	for (i = 0; i < 4; i++) {
		s = str_field(page, pg[i], &n);
		csv_field(b, s, n, 0);
	}
	if (json_object_object_get_ex(ev, "metadata", &meta) && meta != NULL)
		s = json_object_to_json_string_length(meta,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	else {
		s = "";
		n = 0;
	}
	csv_field(b, s, n, 0);
	for (i = 0; i < 3; i++) {
		s = str_field(ev, end[i], &n);
		csv_field(b, s, n, i == 2);
	}
}

static void
send_page(struct http_req *req, const struct query_params *p,
    json_object *events, const char *next)
{
	char extra[LIMIT_CURSOR_LEN + 32];
	struct buf b = { 0 };
	json_object *root;
	const char *s;
	size_t i, n, len;

	extra[0] = '\0';
	if (next != NULL)
		snprintf(extra, sizeof(extra), "Next-Cursor: %s\r\n", next);
	n = json_object_array_length(events);
	switch (p->format) {
	case QUERY_FORMAT_JSON:
		if ((root = json_object_new_object()) == NULL)
			break;
		json_object_object_add(root, "events", json_object_get(events));
		json_object_object_add(root, "next",
		    next != NULL ? json_object_new_string(next) : NULL);
		http_send_json(req, 200, extra, root);
		json_object_put(root);
		return;
	case QUERY_FORMAT_NDJSON:
		for (i = 0; i < n; i++) {
			s = json_object_to_json_string_length(
			    json_object_array_get_idx(events, i),
			    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
			buf_add(&b, s, len);
			buf_add(&b, "\n", 1);
		}
		if (b.failed)
			break;
		http_send(req, 200, "application/x-ndjson", extra, b.p ? b.p : "", b.len);
		buf_free(&b);
		return;
	case QUERY_FORMAT_CSV:
		for (i = 0; i < sizeof(csv_columns) / sizeof(csv_columns[0]); i++)
			csv_field(&b, csv_columns[i], strlen(csv_columns[i]),
			    i + 1 == sizeof(csv_columns) / sizeof(csv_columns[0]));
		for (i = 0; i < n; i++)
			csv_event(&b, json_object_array_get_idx(events, i));
		if (b.failed)
			break;
		http_send(req, 200, "text/csv; charset=utf-8; header=present", extra,
		    b.p, b.len);
		buf_free(&b);
		return;
	}
	buf_free(&b);
	http_send_error(req, 500, NULL, "internal", "out of memory");
}

void
events_handle(struct http_req *req, struct query *q, const struct query_params *p)
{
	char err[ERRBUF_LEN], next[LIMIT_CURSOR_LEN + 1];
	json_object *events = NULL, *ev;
	mongoc_cursor_t *cur = NULL;
	const bson_t *doc;
	bson_t filter, opts;
	enum store_status st;
	const char *last_id = NULL;
	int64_t ms, last_ms = -1;
	int n = 0, more = 0, has_id;
	size_t len;

	bson_init(&filter);
	bson_init(&opts);
	if ((events = json_object_new_array_ext(p->limit)) == NULL) {
		http_send_error(req, 500, NULL, "internal", "out of memory");
		goto out;
	}
	build_query(p, &filter, &opts);
	cur = store_find(q->store, &filter, &opts);
	while (store_cursor_next(q->store, cur, &doc)) {
		if (n == p->limit) {
			more = 1;
			break;
		}
		if ((ev = event_json(doc, &ms, &has_id)) == NULL) {
			http_send_error(req, 500, NULL, "internal", "out of memory");
			goto out;
		}
		json_object_array_add(events, ev);
		/* last_id points into ev, which lives as long as events. */
		last_ms = ms;
		last_id = has_id ? str_field(ev, "id", &len) : NULL;
		n++;
	}
	st = store_cursor_end(q->store, cur, "find", err, sizeof(err));
	cur = NULL;
	if (st != STORE_OK) {
		query_store_failed(req, st, err);
		goto out;
	}
	if (more && (last_id == NULL || last_ms < 0 ||
	    query_cursor_encode(last_ms, last_id, next, sizeof(next)) != 0)) {
		log_warn("stored event without a string id or a createdAt date: paging stops there");
		more = 0;
	}
	send_page(req, p, events, more ? next : NULL);
out:
	mongoc_cursor_destroy(cur);
	json_object_put(events);
	bson_destroy(&filter);
	bson_destroy(&opts);
}
