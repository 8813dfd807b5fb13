/*
 * The counts cache behind GET /events/stats on FerretDB: per-minute and
 * per-hour counts by type, kept exact by brackets around every write of
 * events and by generation-checked puts.  The rules, and why they keep
 * it exact, are in store.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_impl.h"

int
store_counts_kept(enum store_kind k)
{
	return k != STORE_KIND_MONGODB;
}

int
store_counts_fillable(enum store_kind k)
{
	return k == STORE_KIND_FERRETDB_EVENTS;
}

void
store_counts_id(int64_t start_ms, int64_t width_ms, char *out)
{
	time_t t = (time_t)(start_ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (width_ms == STORE_HOUR_MS)
		strftime(out, STORE_COUNTS_ID_LEN, "h:%Y-%m-%dT%HZ", &tm);
	else
		strftime(out, STORE_COUNTS_ID_LEN, "m:%Y-%m-%dT%H:%MZ", &tm);
}

static int
by_time(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The units to mark for these minutes: each minute, and its hour once.
 * A sorted copy; *n updated.  NULL out of memory. */
static int64_t *
units_of(const int64_t *minutes, size_t *n, int64_t **hours, size_t *nh)
{
	int64_t *m, *h;
	size_t i, k = 0, j = 0;

	if ((m = calloc(*n + 1, sizeof(*m))) == NULL ||
	    (h = calloc(*n + 1, sizeof(*h))) == NULL) {
		free(m);
		return NULL;
	}
	for (i = 0; i < *n; i++)
		m[i] = minutes[i] - minutes[i] % STORE_MINUTE_MS;
	qsort(m, *n, sizeof(*m), by_time);
	for (i = 0; i < *n; i++) {
		if (k > 0 && m[k - 1] == m[i])
			continue;
		m[k++] = m[i];
		if (j == 0 || h[j - 1] != m[i] - m[i] % STORE_HOUR_MS)
			h[j++] = m[i] - m[i] % STORE_HOUR_MS;
	}
	*n = k;
	*hours = h;
	*nh = j;
	return m;
}

/* Run bulk and turn a failure into a status.  Destroys bulk. */
static enum store_status
bulk_run(struct store *s, mongoc_bulk_operation_t *bulk, const char *what,
    char *err, size_t errlen)
{
	bson_t reply;
	bson_error_t e;
	enum store_status st = STORE_OK;

	if (!mongoc_bulk_operation_execute(bulk, &reply, &e))
		st = store_fail(s, &e, &reply, what, err, errlen);
	bson_destroy(&reply);
	mongoc_bulk_operation_destroy(bulk);
	return st;
}

static enum store_status
mark(struct store *s, const char *who, const int64_t *minutes, size_t n, int open,
    char *err, size_t errlen)
{
	mongoc_collection_t *coll;
	mongoc_bulk_operation_t *bulk = NULL;
	int64_t *m, *h, start;
	size_t nm = n, nh, i;
	bson_t *sel, *upd, *opts;
	char id[STORE_COUNTS_ID_LEN];
	enum store_status st = STORE_OK;

	if (n == 0)
		return STORE_OK;
	if ((coll = store_counts_coll(s, err, errlen)) == NULL)
		return STORE_TRANSIENT;
	if ((m = units_of(minutes, &nm, &h, &nh)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_TRANSIENT;
	}
	/* An open creates what is missing; a close of a unit retention
	 * dropped meanwhile has nothing left to do. */
	opts = BCON_NEW("upsert", BCON_BOOL(open));
	for (i = 0; i < nm + nh && st == STORE_OK; i++) {
		if (bulk == NULL)
			bulk = mongoc_collection_create_bulk_operation_with_opts(coll,
			    s->bulk_opts);
		start = i < nm ? m[i] : h[i - nm];
		store_counts_id(start, i < nm ? STORE_MINUTE_MS : STORE_HOUR_MS, id);
		sel = BCON_NEW("_id", BCON_UTF8(id));
		if (open)
			upd = BCON_NEW("$inc", "{", "g", BCON_INT64(1), "}",
			    "$addToSet", "{", "o", BCON_UTF8(who), "}",
			    "$unset", "{", "c", BCON_UTF8(""), "}",
			    "$setOnInsert", "{", "t", BCON_DATE_TIME(start), "}");
		else
			upd = BCON_NEW("$inc", "{", "g", BCON_INT64(1), "}",
			    "$pull", "{", "o", BCON_UTF8(who), "}",
			    "$unset", "{", "c", BCON_UTF8(""), "}");
		mongoc_bulk_operation_update_one_with_opts(bulk, sel, upd, opts, NULL);
		bson_destroy(sel);
		bson_destroy(upd);
		if ((i + 1) % STORE_COUNTS_BULK == 0 || i + 1 == nm + nh) {
			st = bulk_run(s, bulk, open ? "mark counts open" : "mark counts closed",
			    err, errlen);
			bulk = NULL;
		}
	}
	if (bulk != NULL)
		mongoc_bulk_operation_destroy(bulk);
	bson_destroy(opts);
	free(m);
	free(h);
	return st;
}

enum store_status
store_counts_open(struct store *s, const char *who, const int64_t *minutes, size_t n,
    char *err, size_t errlen)
{
	return mark(s, who, minutes, n, 1, err, errlen);
}

enum store_status
store_counts_close(struct store *s, const char *who, const int64_t *minutes, size_t n,
    char *err, size_t errlen)
{
	return mark(s, who, minutes, n, 0, err, errlen);
}

/* update (many) or delete of sel on the counts collection. */
static enum store_status
counts_write(struct store *s, const bson_t *sel, const bson_t *upd, const char *what,
    char *err, size_t errlen)
{
	mongoc_collection_t *coll;
	bson_t reply;
	bson_error_t e;
	enum store_status st = STORE_OK;
	bool ok;

	if ((coll = store_counts_coll(s, err, errlen)) == NULL)
		return STORE_TRANSIENT;
	if (upd != NULL)
		ok = mongoc_collection_update_many(coll, sel, upd, NULL, &reply, &e);
	else
		ok = mongoc_collection_delete_many(coll, sel, NULL, &reply, &e);
	if (!ok)
		st = store_fail(s, &e, &reply, what, err, errlen);
	bson_destroy(&reply);
	return st;
}

enum store_status
store_counts_release(struct store *s, const char *who, char *err, size_t errlen)
{
	bson_t *sel, *upd;
	enum store_status st;

	sel = BCON_NEW("o", BCON_UTF8(who));
	upd = BCON_NEW("$inc", "{", "g", BCON_INT64(1), "}",
	    "$pull", "{", "o", BCON_UTF8(who), "}",
	    "$unset", "{", "c", BCON_UTF8(""), "}");
	st = counts_write(s, sel, upd, "release counts left open", err, errlen);
	bson_destroy(sel);
	bson_destroy(upd);
	return st;
}

enum store_status
store_counts_expire_begin(struct store *s, int64_t cutoff_ms, char *err, size_t errlen)
{
	mongoc_collection_t *coll;
	bson_t *sel, *upd, *opts, reply;
	bson_error_t e;
	enum store_status st = STORE_OK;

	if ((coll = store_counts_coll(s, err, errlen)) == NULL)
		return STORE_TRANSIENT;
	sel = BCON_NEW("_id", BCON_UTF8("expire"));
	upd = BCON_NEW("$max", "{", "below", BCON_DATE_TIME(cutoff_ms), "}");
	opts = BCON_NEW("upsert", BCON_BOOL(true));
	if (!mongoc_collection_update_one(coll, sel, upd, opts, &reply, &e))
		st = store_fail(s, &e, &reply, "raise the counts' expiry", err, errlen);
	bson_destroy(&reply);
	bson_destroy(sel);
	bson_destroy(upd);
	bson_destroy(opts);
	return st;
}

enum store_status
store_counts_expire_end(struct store *s, int64_t cutoff_ms, char *err, size_t errlen)
{
	bson_t *sel;
	enum store_status st;

	/* An hour below the cutoff: whole minutes and hours, all expired. */
	sel = BCON_NEW("t", "{", "$lt", BCON_DATE_TIME(cutoff_ms - STORE_HOUR_MS), "}");
	st = counts_write(s, sel, NULL, "drop expired counts", err, errlen);
	bson_destroy(sel);
	return st;
}

void
store_units_clear(struct store_unit *u, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(u[i].counts);
		u[i].counts = NULL;
		u[i].ncounts = 0;
		u[i].cap = 0;
		u[i].present = u[i].open = u[i].usable = u[i].counted = u[i].over = 0;
		u[i].gen = 0;
	}
}

/* c: "type n type n ..." into u->counts.  0, or -1 when malformed or
 * too many (the unit is then not usable). */
static int
read_counts(bson_iter_t *it, struct store_unit *u)
{
	const char *p, *sp, *end;
	char num[24];
	size_t n = 0, len;
	void *q;
	char *e;

	if (!BSON_ITER_HOLDS_UTF8(it))
		return -1;
	p = bson_iter_utf8(it, NULL);
	while (*p != '\0') {
		/* A type, a space, a count, then a space or the end. */
		if ((sp = strchr(p, ' ')) == NULL || (len = (size_t)(sp - p)) == 0 ||
		    len > LIMIT_TYPE_LEN || n >= LIMIT_COUNTS_TYPES)
			return -1;
		if ((end = strchr(sp + 1, ' ')) == NULL)
			end = sp + 1 + strlen(sp + 1);
		if ((size_t)(end - sp - 1) == 0 || (size_t)(end - sp - 1) >= sizeof(num))
			return -1;
		if (n == u->cap) {
			if ((q = reallocarray(u->counts, u->cap ? u->cap * 2 : 8,
			    sizeof(*u->counts))) == NULL)
				return -1;
			u->counts = q;
			u->cap = u->cap ? u->cap * 2 : 8;
		}
		memcpy(u->counts[n].type, p, len);
		u->counts[n].type[len] = '\0';
		memcpy(num, sp + 1, (size_t)(end - sp - 1));
		num[end - sp - 1] = '\0';
		u->counts[n].n = strtoll(num, &e, 10);
		if (*e != '\0' || u->counts[n].n < 0)
			return -1;
		n++;
		p = *end == ' ' ? end + 1 : end;
	}
	u->ncounts = n;
	return 0;
}

static int
by_id(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One unit document: find its unit by _id (ids sorted, ix its order). */
static void
unit_doc(const bson_t *doc, char **ids, size_t n, struct store_unit **ix,
    int64_t *below)
{
	bson_iter_t it, o;
	const char *id;
	char **hit;
	struct store_unit *u;
	int has_c = 0, bad = 0;

	if (!bson_iter_init_find(&it, doc, "_id") || !BSON_ITER_HOLDS_UTF8(&it))
		return;
	id = bson_iter_utf8(&it, NULL);
	if (strcmp(id, "expire") == 0) {
		if (bson_iter_init_find(&it, doc, "below") && BSON_ITER_HOLDS_DATE_TIME(&it))
			*below = bson_iter_date_time(&it);
		return;
	}
	if ((hit = bsearch(&id, ids, n, sizeof(*ids), by_id)) == NULL)
		return;
	u = ix[hit - ids];
	u->present = 1;
	bson_iter_init(&it, doc);
	while (bson_iter_next(&it)) {
		if (strcmp(bson_iter_key(&it), "g") == 0 && BSON_ITER_HOLDS_INT(&it))
			u->gen = bson_iter_as_int64(&it);
		else if (strcmp(bson_iter_key(&it), "o") == 0)
			/* Anything but an empty array counts as marked. */
			u->open = !BSON_ITER_HOLDS_ARRAY(&it) ||
			    !bson_iter_recurse(&it, &o) || bson_iter_next(&o);
		else if (strcmp(bson_iter_key(&it), "c") == 0) {
			has_c = 1;
			bad = read_counts(&it, u) != 0;
		}
	}
	u->usable = has_c && !bad && !u->open;
	if (!u->usable)
		u->ncounts = 0;	/* what a malformed "c" held so far */
	u->counted = u->usable;
}

/* Sort ids with the units in the same order. */
struct id_ref {
	char			*id;
	struct store_unit	*u;
};

static int
ref_by_id(const void *a, const void *b)
{
	return strcmp(((const struct id_ref *)a)->id, ((const struct id_ref *)b)->id);
}

enum store_status
store_counts_get(struct store *s, struct store_unit *u, size_t n, int64_t *below,
    char *err, size_t errlen)
{
	mongoc_collection_t *coll;
	mongoc_cursor_t *cur;
	const bson_t *doc;
	struct id_ref *ref = NULL;
	char (*idbuf)[STORE_COUNTS_ID_LEN] = NULL, key[16];
	char **ids = NULL;
	struct store_unit **ix = NULL;
	bson_t filter, in, arr, *opts;
	const char *k;
	size_t i, j, lo, cnt;
	enum store_status st = STORE_OK;

	*below = 0;
	if ((coll = store_counts_coll(s, err, errlen)) == NULL)
		return STORE_TRANSIENT;
	if ((ref = calloc(n + 1, sizeof(*ref))) == NULL ||
	    (idbuf = calloc(n + 1, sizeof(*idbuf))) == NULL ||
	    (ids = calloc(n + 1, sizeof(*ids))) == NULL ||
	    (ix = calloc(n + 1, sizeof(*ix))) == NULL) {
		snprintf(err, errlen, "out of memory");
		st = STORE_REFUSED;
		goto out;
	}
	for (i = 0; i < n; i++) {
		store_counts_id(u[i].start, u[i].width, idbuf[i]);
		ref[i].id = idbuf[i];
		ref[i].u = &u[i];
	}
	qsort(ref, n, sizeof(*ref), ref_by_id);
	for (i = 0; i < n; i++) {
		ids[i] = ref[i].id;
		ix[i] = ref[i].u;
	}
	opts = BCON_NEW("batchSize", BCON_INT32(STORE_COUNTS_IN + 1),
	    "maxTimeMS", BCON_INT64(LIMIT_QUERY_MS));
	/* The expiry with the first finds' ids. */
	for (lo = 0; st == STORE_OK && (lo < n || lo == 0); lo += STORE_COUNTS_IN) {
		bson_init(&filter);
		BSON_APPEND_DOCUMENT_BEGIN(&filter, "_id", &in);
		BSON_APPEND_ARRAY_BEGIN(&in, "$in", &arr);
		cnt = 0;
		if (lo == 0) {
			BSON_APPEND_UTF8(&arr, "0", "expire");
			cnt++;
		}
		for (j = lo; j < n && j < lo + STORE_COUNTS_IN; j++, cnt++) {
			bson_uint32_to_string((uint32_t)cnt, &k, key, sizeof(key));
			bson_append_utf8(&arr, k, -1, ids[j], -1);
		}
		bson_append_array_end(&in, &arr);
		bson_append_document_end(&filter, &in);
		store_read_starts(s);
		cur = mongoc_collection_find_with_opts(coll, &filter, opts, NULL);
		while (store_cursor_next(s, cur, &doc))
			unit_doc(doc, ids, n, ix, below);
		st = store_cursor_end(s, cur, "find counts", err, errlen);
		bson_destroy(&filter);
		if (n == 0)
			break;
	}
	bson_destroy(opts);
	for (i = 0; i < n; i++)
		if (u[i].start < *below) {
			u[i].usable = u[i].counted = 0;
			u[i].ncounts = 0;
		}
out:
	free(ref);
	free(idbuf);
	free(ids);
	free(ix);
	return st;
}

/* c: "type n type n ...", the cheapest shape for FerretDB to read back
 * (it decodes every document field by field: one string costs a third
 * of an array of {t, n}).  Types never hold a space (lib/rules.c); the
 * caller caches no unit with one that does. */
static int
append_counts(bson_t *doc, const struct store_unit *u)
{
	char *buf, *p;
	size_t i, cap = u->ncounts * (LIMIT_TYPE_LEN + 24) + 1;
	int rc;

	if ((buf = malloc(cap)) == NULL)
		return -1;
	p = buf;
	*p = '\0';
	for (i = 0; i < u->ncounts; i++)
		p += snprintf(p, cap - (size_t)(p - buf), "%s%s %lld", i ? " " : "",
		    u->counts[i].type, (long long)u->counts[i].n);
	rc = BSON_APPEND_UTF8(doc, "c", buf) ? 0 : -1;
	free(buf);
	return rc;
}

/* What the bulk reply says it did: field's value, or 0. */
static int64_t
reply_count(const bson_t *reply, const char *field)
{
	bson_iter_t it;

	return bson_iter_init_find(&it, reply, field) && BSON_ITER_HOLDS_NUMBER(&it) ?
	    bson_iter_as_int64(&it) : 0;
}

/* One command of store_counts_put(): bulk run, *kept added to. */
static enum store_status
put_run(struct store *s, mongoc_bulk_operation_t *bulk, size_t *kept, char *err,
    size_t errlen)
{
	bson_t reply;
	bson_error_t e;
	enum store_status st = STORE_OK;

	if (!mongoc_bulk_operation_execute(bulk, &reply, &e) &&
	    !(e.domain == MONGOC_ERROR_SERVER && e.code == MONGOC_ERROR_DUPLICATE_KEY))
		st = store_fail(s, &e, &reply, "store counts", err, errlen);
	else if (kept != NULL)
		/* Updates whose generation still matched, inserts that found
		 * no document. */
		*kept += (size_t)(reply_count(&reply, "nMatched") +
		    reply_count(&reply, "nInserted"));
	bson_destroy(&reply);
	mongoc_bulk_operation_destroy(bulk);
	return st;
}

enum store_status
store_counts_put(struct store *s, struct store_unit *const *u, size_t n, size_t *kept,
    char *err, size_t errlen)
{
	mongoc_collection_t *coll;
	mongoc_bulk_operation_t *bulk = NULL;
	bson_t doc, set, sel, q;
	char id[STORE_COUNTS_ID_LEN];
	enum store_status st = STORE_OK;
	size_t i, inbulk = 0;
	int ok;

	if (kept != NULL)
		*kept = 0;
	if (n == 0)
		return STORE_OK;
	if ((coll = store_counts_coll(s, err, errlen)) == NULL)
		return STORE_TRANSIENT;
	for (i = 0; i < n && st == STORE_OK; i++) {
		if (bulk == NULL)
			bulk = mongoc_collection_create_bulk_operation_with_opts(coll,
			    s->bulk_opts);
		store_counts_id(u[i]->start, u[i]->width, id);
		bson_init(&doc);
		if (u[i]->present) {
			/* Only if no bracket began since it was read. */
			BSON_APPEND_DOCUMENT_BEGIN(&doc, "$set", &set);
			ok = append_counts(&set, u[i]) == 0;
			bson_append_document_end(&doc, &set);
			bson_init(&sel);
			BSON_APPEND_UTF8(&sel, "_id", id);
			BSON_APPEND_INT64(&sel, "g", u[i]->gen);
			BSON_APPEND_DOCUMENT_BEGIN(&sel, "o", &q);
			BSON_APPEND_INT32(&q, "$size", 0);
			bson_append_document_end(&sel, &q);
			if (ok && mongoc_bulk_operation_update_one_with_opts(bulk, &sel, &doc,
			    NULL, NULL))
				inbulk++;
			bson_destroy(&sel);
		} else {
			/* Only if none is there yet: a duplicate _id means a
			 * bracket began, and the insert fails alone. */
			BSON_APPEND_UTF8(&doc, "_id", id);
			BSON_APPEND_DATE_TIME(&doc, "t", u[i]->start);
			BSON_APPEND_INT64(&doc, "g", 0);
			BSON_APPEND_ARRAY_BEGIN(&doc, "o", &q);
			bson_append_array_end(&doc, &q);
			if (append_counts(&doc, u[i]) == 0 &&
			    mongoc_bulk_operation_insert_with_opts(bulk, &doc, NULL, NULL))
				inbulk++;
		}
		bson_destroy(&doc);
		if (inbulk == STORE_COUNTS_BULK || (i + 1 == n && inbulk > 0)) {
			st = put_run(s, bulk, kept, err, errlen);
			bulk = NULL;
			inbulk = 0;
		}
	}
	if (bulk != NULL)
		mongoc_bulk_operation_destroy(bulk);
	return st;
}
