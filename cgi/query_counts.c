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

struct cread {
	struct query			*q;
	const struct query_params	*p;
	struct stats_fold		*fold;
	int64_t				 below;		/* retention's, from the cache */
};

static int
wanted(const struct cread *r, const char *type, size_t len)
{
	return r->p->type[0] == '\0' ||
	    (strlen(r->p->type) == len && memcmp(r->p->type, type, len) == 0);
}

/* Events no unit keeps go to the answer (store_spill_fn). */
static int
spill(void *arg, const char *name, size_t len, int64_t at, int64_t n)
{
	struct cread *r = arg;

	return wanted(r, name, len) ? stats_fold_add(r->fold, name, len, at, n) : 0;
}

/* Add the unit's counts to the answer.  0, or -1 out of memory. */
static int
fold_unit(struct cread *r, const struct store_unit *u)
{
	size_t i, len;

	for (i = 0; i < u->ncounts; i++) {
		len = strlen(u->counts[i].type);
		if (wanted(r, u->counts[i].type, len) &&
		    stats_fold_add(r->fold, u->counts[i].type, len, u->start,
		    u->counts[i].n) != 0)
			return -1;
	}
	return 0;
}

static void
units_free(struct store_unit *u, size_t n)
{
	if (u == NULL)
		return;
	store_units_clear(u, n);
	free(u);
}

/* Read the cache for u[0..n): usable ones are counted. */
static enum store_status
get(struct cread *r, struct store_unit *u, size_t n, char *err, size_t errlen)
{
	enum store_status st;
	int64_t below;
	size_t i;

	st = store_counts_get(r->q->store, u, n, &below, err, errlen);
	if (below > r->below)
		r->below = below;
	for (i = 0; i < n; i++)
		if (u[i].counted && u[i].start < r->below) {
			u[i].counted = 0;
			u[i].ncounts = 0;
		}
	return st;
}

/*
 * The units u[0..n) (consecutive, of one width): those not cached
 * counted from the events and put back (store_counts_fill()), a run of
 * them at a time.  A run is at most maxrun units; with grow, it starts
 * at one and doubles after a run of few events (an empty stretch costs
 * a few finds, a dense one an hour's events a find).
 */
#define FEW_EVENTS	1000
static enum store_status
fill_runs(struct cread *r, struct store_unit *u, size_t n, size_t maxrun, int grow,
    char *err, size_t errlen)
{
	struct store_fill f;
	enum store_status st;
	size_t i, j, run = grow ? 1 : maxrun;

	for (i = 0; i < n; i = j) {
		if (u[i].counted) {
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < n && j - i < run && !u[j].counted; j++)
			;
		memset(&f, 0, sizeof(f));
		f.below = r->below;
		f.spill = spill;
		f.arg = r;
		if ((st = store_counts_fill(r->q->store, &u[i], j - i, &f, err,
		    errlen)) != STORE_OK)
			return st;
		if (grow)
			run = f.seen < FEW_EVENTS ? (run * 2 < maxrun ? run * 2 : maxrun) : 1;
	}
	return STORE_OK;
}

static enum store_status
fill_minutes(struct cread *r, struct store_unit *u, size_t n, char *err, size_t errlen)
{
	return fill_runs(r, u, n, 60, 0, err, errlen);
}

/* Uncached hours h[0..n): their minutes read, counted where needed,
 * added to the answer (the hours are not: their minutes were); the
 * hours put back as the sums of their minutes, read after them. */
static enum store_status
fill_hours(struct cread *r, struct store_unit *h, size_t n, char *err, size_t errlen)
{
	struct store_unit *m = NULL;
	struct store_fill f;
	enum store_status st = STORE_OK;
	size_t i, k, nh;
	char perr[STORE_REASON_LEN];

	for (i = 0; i < n && st == STORE_OK; i += nh) {
		nh = n - i < HOURS_A_ROUND ? n - i : HOURS_A_ROUND;
		/* Uncached hours need not be consecutive: 60 minutes each. */
		if ((m = calloc(nh * 60 + 1, sizeof(*m))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return STORE_REFUSED;
		}
		for (k = 0; k < nh * 60; k++) {
			m[k].start = h[i + k / 60].start + (int64_t)(k % 60) * STORE_MINUTE_MS;
			m[k].width = STORE_MINUTE_MS;
		}
		if ((st = get(r, m, nh * 60, err, errlen)) == STORE_OK)
			for (k = 0; k < nh && st == STORE_OK; k++)
				st = fill_minutes(r, &m[k * 60], 60, err, errlen);
		for (k = 0; k < nh * 60 && st == STORE_OK; k++)
			if (fold_unit(r, &m[k]) != 0) {
				snprintf(err, errlen, "out of memory");
				st = STORE_REFUSED;
			}
		if (st == STORE_OK)
			for (k = 0; k < nh; k++) {
				h[i + k].counted = store_counts_sum(&h[i + k], &m[k * 60], 60) == 0;
				if (!h[i + k].counted)
					h[i + k].over = 1;	/* not put */
			}
		units_free(m, nh * 60);
		/* Not putting them only costs the next read. */
		memset(&f, 0, sizeof(f));
		f.below = r->below;
		if (st == STORE_OK && store_counts_keep(r->q->store, &h[i], nh, &f, perr,
		    sizeof(perr)) != STORE_OK)
			log_warn("%s; /events/stats goes on counting from the events", perr);
	}
	return st;
}

enum store_status
stats_count_cached(struct query *q, const struct query_params *p, struct stats_fold *f,
    int64_t from, int64_t to, int64_t w, char *err, size_t errlen)
{
	struct cread r = { q, p, f, 0 };
	struct store_unit *hours = NULL, *mins = NULL, **miss = NULL, *hm = NULL;
	struct store_fill tail;
	int64_t m_end = to - to % STORE_MINUTE_MS, h_end = from, first, grid;
	size_t nh = 0, nm, i, j, k;
	enum store_status st = STORE_OK;

	memset(&tail, 0, sizeof(tail));
	tail.spill = spill;
	tail.arg = &r;
	/* The units before the first event of the range hold nothing: they
	 * are neither read nor counted ("all time" on the page asks for
	 * four years, tens of thousands of hours, mostly before the first
	 * event).  from moves on by whole units, so the units stay those
	 * of the cache. */
	if ((st = store_first_event(q->store, from, &first, err, errlen)) != STORE_OK)
		return st;
	if (first >= to)
		return STORE_OK;
	grid = w >= STORE_HOUR_MS ? STORE_HOUR_MS : STORE_MINUTE_MS;
	if (first > from)
		from += (first - from) / grid * grid;
	h_end = from;
	if (m_end <= from)
		return store_counts_count(q->store, from, to, NULL, 0, &tail, err, errlen);
	if (w >= STORE_HOUR_MS) {
		nh = (size_t)((m_end - from) / STORE_HOUR_MS);
		h_end = from + (int64_t)nh * STORE_HOUR_MS;
	}
	nm = (size_t)((m_end - h_end) / STORE_MINUTE_MS);
	/* One read of the cache for both: the hours first, then the
	 * minutes, in one array. */
	if ((hm = calloc(nh + nm + 1, sizeof(*hm))) == NULL ||
	    (miss = calloc(nh + 1, sizeof(*miss))) == NULL) {
		snprintf(err, errlen, "out of memory");
		st = STORE_REFUSED;
		goto out;
	}
	for (i = 0; i < nh; i++) {
		hm[i].start = from + (int64_t)i * STORE_HOUR_MS;
		hm[i].width = STORE_HOUR_MS;
	}
	for (i = 0; i < nm; i++) {
		hm[nh + i].start = h_end + (int64_t)i * STORE_MINUTE_MS;
		hm[nh + i].width = STORE_MINUTE_MS;
	}
	hours = hm;
	mins = hm + nh;
	if ((st = get(&r, hm, nh + nm, err, errlen)) != STORE_OK)
		goto out;
	/* Hours without a document were never written through the
	 * consumer's brackets (an import, an empty stretch) nor filled,
	 * and those retention is deleting from are never cached: both are
	 * counted from their events, runs of them at a time.  Those with a
	 * document but no counts were written since they were counted:
	 * their minutes tell more cheaply (fill_hours). */
	for (i = 0; i < nh; i = j) {
		for (j = i; j < nh && !hours[j].counted &&
		    (!hours[j].present || hours[j].start < r.below); j++)
			;
		if (j > i && (st = fill_runs(&r, &hours[i], j - i, 24 * 60, 1,
		    err, errlen)) != STORE_OK)
			goto out;
		if (j == i)
			j++;
	}
	for (i = k = 0; i < nh; i++)
		if (hours[i].counted) {
			if (fold_unit(&r, &hours[i]) != 0)
				goto oom;
		} else
			miss[k++] = &hours[i];
	if (k > 0) {
		struct store_unit *h;

		if ((h = calloc(k + 1, sizeof(*h))) == NULL)
			goto oom;
		/* The units move into h and back: their counts are owned
		 * by one of the two at a time. */
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
		if (fold_unit(&r, &mins[i]) != 0)
			goto oom;
	if (m_end < to)
		st = store_counts_count(q->store, m_end, to, NULL, 0, &tail, err, errlen);
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
	st = STORE_REFUSED;
out:
	free(miss);
	units_free(hm, nh + nm);
	return st;
}
