/*
 * GET /events/stats from the counts cache (lib/store.h, "the counts
 * cache"), on the stores that keep it (FerretDB): "method": "cache".
 *
 * The range [from, to) is cut into units: whole hours when buckets are
 * an hour or a day wide, else minutes; the minutes after the last whole
 * hour; and the part of a minute at the end (until = now), which is
 * always counted from the events.  A unit whose counts are cached is
 * taken as is.  An hour without a document (never written through the
 * consumer: an import, an empty stretch) is counted from its events,
 * runs of such hours with one find each, a run growing while they hold
 * few events; an hour with a document but no counts (written into
 * since) is made of its minutes.  A minute not cached is counted from
 * the events, one find for each run of such minutes (at most an hour
 * of them).  Finds return only type and createdAt.  What was counted is
 * put back (store_counts_put(), which keeps only what no write changed
 * meanwhile), run by run, so a read cut short by the time budget still
 * leaves the next one less to do.
 *
 * With a type filter the units still hold every type (that is what is
 * cached); only the answer is filtered.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "query.h"
#include "stats_fold.h"

#define HOURS_A_ROUND	24	/* uncached hours whose minutes are read at once */

struct piece {
	struct store_unit	 u;
	size_t			 cap;	/* of u.counts */
	int			 counted;	/* u.counts hold its events */
	int			 over;		/* over LIMIT_COUNTS_TYPES types: its
						 * events went to the fold directly */
};

struct cread {
	struct query			*q;
	const struct query_params	*p;
	struct stats_fold		*fold;
	int64_t				 below;		/* retention's, from the cache */
};

static int
wanted(const struct cread *r, const char *type)
{
	return r->p->type[0] == '\0' || strcmp(r->p->type, type) == 0;
}

/* Add the piece's counts to the answer.  0, or -1 out of memory. */
static int
fold_piece(struct cread *r, const struct piece *pc)
{
	size_t i;

	for (i = 0; i < pc->u.ncounts; i++)
		if (wanted(r, pc->u.counts[i].type) &&
		    stats_fold_add(r->fold, pc->u.counts[i].type,
		    strlen(pc->u.counts[i].type), pc->u.start, pc->u.counts[i].n) != 0)
			return -1;
	return 0;
}

/* n events of type name in the piece's counts: 0, 1 when it cannot be
 * kept (more than LIMIT_COUNTS_TYPES types, or a name with a space:
 * nothing done), -1 out of memory. */
static int
keep(struct piece *pc, const char *name, size_t len, int64_t n)
{
	size_t i;
	void *p;

	for (i = 0; i < pc->u.ncounts; i++)
		if (strcmp(pc->u.counts[i].type, name) == 0) {
			pc->u.counts[i].n += n;
			return 0;
		}
	/* The cache writes a space between type and count (store_counts.c);
	 * no type the rules allow holds one. */
	if (pc->u.ncounts == LIMIT_COUNTS_TYPES || strchr(name, ' ') != NULL)
		return 1;
	if (pc->u.ncounts == pc->cap) {
		pc->cap = pc->cap ? pc->cap * 2 : 8;
		if ((p = reallocarray(pc->u.counts, pc->cap, sizeof(*pc->u.counts))) == NULL)
			return -1;
		pc->u.counts = p;
	}
	memcpy(pc->u.counts[pc->u.ncounts].type, name, len + 1);
	pc->u.counts[pc->u.ncounts].n = n;
	pc->u.ncounts++;
	return 0;
}

/* n events of type[0..len) counted in the piece.  0, or -1 out of
 * memory. */
static int
tally(struct cread *r, struct piece *pc, const char *type, size_t len, int64_t n)
{
	char name[LIMIT_TYPE_LEN + 1];
	int k;

	if (len == 0 || len > LIMIT_TYPE_LEN)
		return 0;	/* not an event this system stored */
	memcpy(name, type, len);
	name[len] = '\0';
	if (!pc->over && (k = keep(pc, name, len, n)) <= 0)
		return k;
	if (!pc->over) {
		/* Too many types to keep: this piece goes to the answer as
		 * it is counted, and is not cached. */
		if (fold_piece(r, pc) != 0)
			return -1;
		pc->u.ncounts = 0;
		pc->over = 1;
	}
	return wanted(r, name) ? stats_fold_add(r->fold, name, len, pc->u.start, n) : 0;
}

static void
pieces_free(struct piece *pc, size_t n)
{
	size_t i;

	if (pc == NULL)
		return;
	for (i = 0; i < n; i++)
		store_units_clear(&pc[i].u, 1);
	free(pc);
}

/* n pieces of width w from start. */
static struct piece *
pieces_new(int64_t start, int64_t w, size_t n)
{
	struct piece *pc;
	size_t i;

	if ((pc = calloc(n + 1, sizeof(*pc))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		pc[i].u.start = start + (int64_t)i * w;
		pc[i].u.width = w;
	}
	return pc;
}

/* Read the cache for pc[0..n): usable ones are counted. */
static enum store_status
get(struct cread *r, struct piece *pc, size_t n, char *err, size_t errlen)
{
	struct store_unit *u;
	enum store_status st;
	int64_t below;
	size_t i;

	/* The units lie apart in the pieces: gather, then give back. */
	if ((u = calloc(n + 1, sizeof(*u))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_REFUSED;
	}
	for (i = 0; i < n; i++)
		u[i] = pc[i].u;
	st = store_counts_get(r->q->store, u, n, &below, err, errlen);
	for (i = 0; i < n; i++) {
		pc[i].u = u[i];
		pc[i].cap = u[i].ncounts;
		pc[i].counted = u[i].usable && u[i].start >= r->below && u[i].start >= below;
		if (!pc[i].counted)
			pc[i].u.ncounts = 0;
	}
	if (below > r->below)
		r->below = below;
	free(u);
	return st;
}

/* Put what was counted in pc[0..n) (not over, not expiring) back. */
static void
put(struct cread *r, struct piece *pc, size_t n)
{
	struct store_unit **u;
	char err[ERRBUF_LEN];
	size_t i, k = 0;

	if ((u = calloc(n + 1, sizeof(*u))) == NULL)
		return;
	for (i = 0; i < n; i++)
		if (pc[i].counted && !pc[i].u.usable && !pc[i].over &&
		    pc[i].u.start >= r->below && !pc[i].u.open)
			u[k++] = &pc[i].u;
	/* Not putting them only costs the next read: not an error. */
	if (k > 0 && store_counts_put(r->q->store, u, k, err, sizeof(err)) != STORE_OK)
		log_warn("%s; /events/stats goes on counting from the events", err);
	free(u);
}

/*
 * Count the events of [a, b) from the store: into the pieces pc[0..n)
 * (consecutive, each w ms wide, the first starting at a) when pc is
 * given, else into the answer; *seen is how many there were.
 */
static enum store_status
count_events(struct cread *r, int64_t a, int64_t b, struct piece *pc, size_t n,
    int64_t w, int64_t *seen, char *err, size_t errlen)
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

	filter = BCON_NEW("createdAt", "{", "$gte", BCON_DATE_TIME(a),
	    "$lt", BCON_DATE_TIME(b), "}");
	opts = BCON_NEW("projection", "{", "_id", BCON_INT32(0), "type", BCON_INT32(1),
	    "createdAt", BCON_INT32(1), "}", "batchSize", BCON_INT32(STORE_READ_BATCH),
	    "maxTimeMS", BCON_INT64(LIMIT_QUERY_MS));
	*seen = 0;
	cur = store_find(r->q->store, filter, opts);
	while (!bad && store_cursor_next(r->q->store, cur, &doc)) {
		++*seen;
		if (!bson_iter_init_find(&it, doc, "createdAt") ||
		    !BSON_ITER_HOLDS_DATE_TIME(&it) || (c = bson_iter_date_time(&it)) < a ||
		    c >= b || !bson_iter_init_find(&it, doc, "type") ||
		    !BSON_ITER_HOLDS_UTF8(&it))
			continue;
		t = bson_iter_utf8(&it, &tlen);
		if (pc == NULL) {
			if (wanted(r, t) && stats_fold_add(r->fold, t, tlen, c, 1) != 0)
				bad = 1;
		} else if ((i = (size_t)((c - a) / w)) < n &&
		    tally(r, &pc[i], t, tlen, 1) != 0)
			bad = 1;
	}
	bson_destroy(filter);
	bson_destroy(opts);
	if (bad) {
		mongoc_cursor_destroy(cur);
		snprintf(err, errlen, "out of memory counting events");
		return STORE_REFUSED;
	}
	return store_cursor_end(r->q->store, cur, "find for stats", err, errlen);
}

/*
 * The pieces pc[0..n) (consecutive, w ms wide): those not cached counted
 * from the events, a run of them at a time, and put back after each run.
 * A run is at most maxrun pieces; with grow, it starts at one and
 * doubles after a run of few events (an empty stretch costs a few finds,
 * a dense one an hour's events a find).
 */
#define FEW_EVENTS	1000
static enum store_status
fill_runs(struct cread *r, struct piece *pc, size_t n, int64_t w, size_t maxrun, int grow,
    char *err, size_t errlen)
{
	enum store_status st;
	size_t i, j, k, run = grow ? 1 : maxrun;
	int64_t seen;

	for (i = 0; i < n; i = j) {
		if (pc[i].counted) {
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < n && j - i < run && !pc[j].counted; j++)
			;
		if ((st = count_events(r, pc[i].u.start, pc[j - 1].u.start + w, &pc[i], j - i,
		    w, &seen, err, errlen)) != STORE_OK)
			return st;
		for (k = i; k < j; k++)
			pc[k].counted = 1;
		put(r, &pc[i], j - i);
		if (grow)
			run = seen < FEW_EVENTS ? (run * 2 < maxrun ? run * 2 : maxrun) : 1;
	}
	return STORE_OK;
}

static enum store_status
fill_minutes(struct cread *r, struct piece *pc, size_t n, char *err, size_t errlen)
{
	return fill_runs(r, pc, n, STORE_MINUTE_MS, 60, 0, err, errlen);
}

/* An hour's counts from its 60 minutes (all counted): 0, or -1 when it
 * cannot be cached (a minute or the hour over the limit, out of
 * memory). */
static int
hour_from(struct piece *h, const struct piece *m)
{
	const struct store_count *c;
	size_t i, k;

	h->u.ncounts = 0;
	for (i = 0; i < 60; i++) {
		if (m[i].over)
			return -1;
		for (k = 0; k < m[i].u.ncounts; k++) {
			c = &m[i].u.counts[k];
			if (keep(h, c->type, strlen(c->type), c->n) != 0)
				return -1;
		}
	}
	return 0;
}

/* Uncached hours h[0..n): their minutes read, counted where needed,
 * added to the answer; the hours put back. */
static enum store_status
fill_hours(struct cread *r, struct piece *h, size_t n, char *err, size_t errlen)
{
	struct piece *m = NULL;
	enum store_status st = STORE_OK;
	size_t i, k, nh;

	for (i = 0; i < n && st == STORE_OK; i += nh) {
		nh = n - i < HOURS_A_ROUND ? n - i : HOURS_A_ROUND;
		/* Uncached hours need not be consecutive: 60 minutes each. */
		if ((m = calloc(nh * 60 + 1, sizeof(*m))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return STORE_REFUSED;
		}
		for (k = 0; k < nh * 60; k++) {
			m[k].u.start = h[i + k / 60].u.start + (int64_t)(k % 60) * STORE_MINUTE_MS;
			m[k].u.width = STORE_MINUTE_MS;
		}
		if ((st = get(r, m, nh * 60, err, errlen)) == STORE_OK)
			for (k = 0; k < nh && st == STORE_OK; k++)
				st = fill_minutes(r, &m[k * 60], 60, err, errlen);
		for (k = 0; k < nh * 60 && st == STORE_OK; k++)
			if (fold_piece(r, &m[k]) != 0) {
				snprintf(err, errlen, "out of memory");
				st = STORE_REFUSED;
			}
		if (st == STORE_OK)
			for (k = 0; k < nh; k++) {
				h[i + k].counted = hour_from(&h[i + k], &m[k * 60]) == 0;
				if (!h[i + k].counted)
					h[i + k].over = 1;	/* not put */
			}
		pieces_free(m, nh * 60);
		if (st == STORE_OK)
			put(r, &h[i], nh);
	}
	return st;
}

enum store_status
stats_count_cached(struct query *q, const struct query_params *p, struct stats_fold *f,
    int64_t from, int64_t to, int64_t w, char *err, size_t errlen)
{
	struct cread r = { q, p, f, 0 };
	struct piece *hours = NULL, *mins = NULL, **miss = NULL;
	int64_t m_end = to - to % STORE_MINUTE_MS, h_end = from;
	size_t nh = 0, nm, i, j, k;
	int64_t seen;
	enum store_status st = STORE_OK;
	struct piece *hm = NULL;

	if (m_end <= from)
		return count_events(&r, from, to, NULL, 0, 1, &seen, err, errlen);
	if (w >= STORE_HOUR_MS) {
		nh = (size_t)((m_end - from) / STORE_HOUR_MS);
		h_end = from + (int64_t)nh * STORE_HOUR_MS;
	}
	nm = (size_t)((m_end - h_end) / STORE_MINUTE_MS);
	if ((hours = pieces_new(from, STORE_HOUR_MS, nh)) == NULL ||
	    (mins = pieces_new(h_end, STORE_MINUTE_MS, nm)) == NULL ||
	    (hm = calloc(nh + nm + 1, sizeof(*hm))) == NULL) {
		snprintf(err, errlen, "out of memory");
		st = STORE_REFUSED;
		goto out;
	}
	/* One read of the cache for both (the hours first). */
	for (i = 0; i < nh; i++)
		hm[i] = hours[i];
	for (i = 0; i < nm; i++)
		hm[nh + i] = mins[i];
	st = get(&r, hm, nh + nm, err, errlen);
	for (i = 0; i < nh; i++)
		hours[i] = hm[i];
	for (i = 0; i < nm; i++)
		mins[i] = hm[nh + i];
	free(hm);
	hm = NULL;
	if (st != STORE_OK)
		goto out;
	/* Cached hours to the answer; the others gathered. */
	if ((miss = calloc(nh + 1, sizeof(*miss))) == NULL) {
		snprintf(err, errlen, "out of memory");
		st = STORE_REFUSED;
		goto out;
	}
	/* Hours without a document were never written through the
	 * consumer's brackets (an import, an empty stretch), and those
	 * retention is deleting from are never cached: both are counted
	 * from their events, runs of them at a time.  Those with a document
	 * but no counts were written since they were counted: their minutes
	 * tell more cheaply (fill_hours). */
	for (i = 0; i < nh; i = j) {
		for (j = i; j < nh && !hours[j].counted &&
		    (!hours[j].u.present || hours[j].u.start < r.below); j++)
			;
		if (j > i && (st = fill_runs(&r, &hours[i], j - i, STORE_HOUR_MS, 24 * 60, 1,
		    err, errlen)) != STORE_OK)
			goto out;
		if (j == i)
			j++;
	}
	for (i = k = 0; i < nh; i++)
		if (hours[i].counted) {
			if (fold_piece(&r, &hours[i]) != 0)
				goto oom;
		} else
			miss[k++] = &hours[i];
	if (k > 0) {
		struct piece *h;

		if ((h = calloc(k + 1, sizeof(*h))) == NULL)
			goto oom;
		for (i = 0; i < k; i++)
			h[i] = *miss[i];
		st = fill_hours(&r, h, k, err, errlen);
		for (i = 0; i < k; i++)
			*miss[i] = h[i];
		free(h);
		if (st != STORE_OK)
			goto out;
	}
	if ((st = fill_minutes(&r, mins, nm, err, errlen)) != STORE_OK)
		goto out;
	for (i = 0; i < nm; i++)
		if (fold_piece(&r, &mins[i]) != 0)
			goto oom;
	if (m_end < to)
		st = count_events(&r, m_end, to, NULL, 0, 1, &seen, err, errlen);
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
	st = STORE_REFUSED;
out:
	free(hm);
	free(miss);
	pieces_free(hours, nh);
	pieces_free(mins, nm);
	return st;
}
