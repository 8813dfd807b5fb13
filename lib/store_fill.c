/*
 * Units of the counts cache counted from the events and put back: what
 * GET /events/stats does for the units it finds uncached, and what the
 * consumer does in the background (store_sweep.c), one implementation
 * for both.  The rules that keep the cache exact are in store.h; the
 * put here is store_counts_put()'s, generation-checked, never a plain
 * write.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"

int
store_counts_add(struct store_unit *u, const char *name, size_t len, int64_t n)
{
	size_t i;
	void *p;

	for (i = 0; i < u->ncounts; i++)
		if (strncmp(u->counts[i].type, name, len) == 0 &&
		    u->counts[i].type[len] == '\0') {
			u->counts[i].n += n;
			return 0;
		}
	/* The cache writes a space between type and count (store_counts.c);
	 * no type the rules allow holds one. */
	if (u->ncounts >= LIMIT_COUNTS_TYPES || len == 0 || len > LIMIT_TYPE_LEN ||
	    memchr(name, ' ', len) != NULL || memchr(name, '\0', len) != NULL)
		return 1;
	if (u->ncounts == u->cap) {
		if ((p = reallocarray(u->counts, u->cap ? u->cap * 2 : 8,
		    sizeof(*u->counts))) == NULL)
			return -1;
		u->counts = p;
		u->cap = u->cap ? u->cap * 2 : 8;
	}
	memcpy(u->counts[u->ncounts].type, name, len);
	u->counts[u->ncounts].type[len] = '\0';
	u->counts[u->ncounts].n = n;
	u->ncounts++;
	return 0;
}

int
store_counts_sum(struct store_unit *h, const struct store_unit *m, size_t n)
{
	const struct store_count *c;
	size_t i, k;
	int rc;

	h->ncounts = 0;
	for (i = 0; i < n; i++) {
		if (m[i].over || !m[i].counted)
			return -1;
		for (k = 0; k < m[i].ncounts; k++) {
			c = &m[i].counts[k];
			if ((rc = store_counts_add(h, c->type, strlen(c->type), c->n)) != 0) {
				if (rc > 0)
					h->over = 1;
				h->ncounts = 0;
				return -1;
			}
		}
	}
	return 0;
}

/* u cannot keep a type: what it held goes to the spill, and so will
 * its later events.  0, or -1 when the spill fails. */
static int
spill_unit(struct store_unit *u, const struct store_fill *f)
{
	size_t i;

	u->over = 1;
	for (i = 0; i < u->ncounts && f->spill != NULL; i++)
		if (f->spill(f->arg, u->counts[i].type, strlen(u->counts[i].type), u->start,
		    u->counts[i].n) != 0)
			return -1;
	u->ncounts = 0;
	return 0;
}

/* One event of type t[0..len) at c.  0, or -1 (spill failed, out of
 * memory). */
static int
one_event(struct store_unit *u, size_t n, int64_t from, const char *t, size_t len,
    int64_t c, const struct store_fill *f)
{
	struct store_unit *x = NULL;
	size_t i;
	int rc;

	if (n > 0 && (i = (size_t)((c - from) / u[0].width)) < n)
		x = &u[i];
	if (x != NULL && !x->over) {
		if ((rc = store_counts_add(x, t, len, 1)) <= 0)
			return rc;
		if (spill_unit(x, f) != 0)
			return -1;
	}
	return f->spill != NULL ? f->spill(f->arg, t, len, c, 1) : 0;
}

enum store_status
store_counts_count(struct store *s, int64_t from, int64_t to, struct store_unit *u,
    size_t n, struct store_fill *f, char *err, size_t errlen)
{
	bson_t *filter, *opts;
	mongoc_cursor_t *cur;
	const bson_t *doc;
	bson_iter_t it;
	const char *t;
	uint32_t tlen;
	int64_t c;
	size_t i;
	int bad = 0;
	enum store_status st;

	filter = BCON_NEW("createdAt", "{", "$gte", BCON_DATE_TIME(from),
	    "$lt", BCON_DATE_TIME(to), "}");
	opts = BCON_NEW("projection", "{", "_id", BCON_INT32(0), "type", BCON_INT32(1),
	    "createdAt", BCON_INT32(1), "}",
	    "batchSize", BCON_INT32(f->batch > 0 ? f->batch : STORE_READ_BATCH),
	    "maxTimeMS", BCON_INT64(LIMIT_QUERY_MS));
	f->seen = 0;
	for (i = 0; i < n; i++) {
		u[i].ncounts = 0;
		u[i].counted = u[i].over = 0;
	}
	cur = store_find(s, filter, opts);
	while (!bad && store_cursor_next(s, cur, &doc)) {
		f->seen++;
		if (!bson_iter_init_find(&it, doc, "createdAt") ||
		    !BSON_ITER_HOLDS_DATE_TIME(&it) || (c = bson_iter_date_time(&it)) < from ||
		    c >= to || !bson_iter_init_find(&it, doc, "type") ||
		    !BSON_ITER_HOLDS_UTF8(&it))
			continue;
		t = bson_iter_utf8(&it, &tlen);
		if (tlen == 0 || tlen > LIMIT_TYPE_LEN)
			continue;	/* not an event this system stored */
		bad = one_event(u, n, from, t, tlen, c, f) != 0;
	}
	bson_destroy(filter);
	bson_destroy(opts);
	if (bad) {
		mongoc_cursor_destroy(cur);
		snprintf(err, errlen, "out of memory counting events");
		return STORE_REFUSED;
	}
	if ((st = store_cursor_end(s, cur, "find for stats", err, errlen)) != STORE_OK)
		return st;
	for (i = 0; i < n; i++)
		u[i].counted = 1;
	return STORE_OK;
}

enum store_status
store_counts_keep(struct store *s, struct store_unit *u, size_t n, struct store_fill *f,
    char *err, size_t errlen)
{
	struct store_unit **put;
	enum store_status st = STORE_OK;
	size_t i, k = 0;

	f->kept = 0;
	if ((put = calloc(n + 1, sizeof(*put))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_REFUSED;
	}
	/* Never one a write is marked in, nor one retention is deleting
	 * from: the put would be refused, or never read. */
	for (i = 0; i < n; i++)
		if (u[i].counted && !u[i].usable && !u[i].over && !u[i].open &&
		    u[i].start >= f->below && (!f->skip_empty || u[i].ncounts > 0))
			put[k++] = &u[i];
	if (k > 0)
		st = store_counts_put(s, put, k, &f->kept, err, errlen);
	free(put);
	return st;
}

enum store_status
store_counts_fill(struct store *s, struct store_unit *u, size_t n, struct store_fill *f,
    char *err, size_t errlen)
{
	enum store_status st;
	char perr[STORE_REASON_LEN];

	f->kept = 0;
	if (n == 0)
		return STORE_OK;
	if ((st = store_counts_count(s, u[0].start, u[n - 1].start + u[0].width, u, n, f,
	    err, errlen)) != STORE_OK)
		return st;
	/* Not putting them only costs the next read. */
	if (store_counts_keep(s, u, n, f, perr, sizeof(perr)) != STORE_OK)
		log_warn("%s; those units are counted from the events until a put succeeds",
		    perr);
	return STORE_OK;
}
