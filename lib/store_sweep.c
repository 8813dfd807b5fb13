/*
 * The consumer's fill of the counts cache in the background, so that
 * the first GET /events/stats of a range finds it warm: a sweep goes
 * from the newest closed hour back to a horizon, one bounded pass at a
 * time, and caches each hour that is not cached, with its minutes.
 *
 * How an hour is filled.  Its document is read first (with up to
 * SWEEP_CHUNK hours in one find), then its 60 minutes; the minutes not
 * cached are counted from the events, a run of consecutive ones
 * a find, and each run is put as soon as it is counted
 * (store_counts_fill()), so a pass that runs out mid-hour keeps what it
 * did and the next one counts only the rest.  Runs are sized to the
 * time the pass has left, at what counting a minute cost lately.  Once every minute is
 * counted the hour is put as their sum, against the generation read
 * before the minutes.  One find of the events gives both, at
 * FerretDB's cost per event; the minute documents cost one bulk write
 * a run.  A minute without events is not written (a reader counts a
 * run of them with one find that returns nothing); an hour without
 * events is cached as empty, so that it is not counted again.
 *
 * Why the fill stays exact (the rules are in store.h).  Everything it
 * stores goes through store_counts_put(): an update that needs the
 * unit's g as read and no writer's mark, or an insert that fails if a
 * document appeared.
 *  - A consumer (this one between its batches, or another at the same
 *    time) that writes events into a unit marks it, and its hour, with
 *    store_counts_open() before the insert: g + 1, its name in o.  If
 *    that came after the sweep read the unit, the put finds another g
 *    (or, where the read found no document, the open's upsert made
 *    one) and is refused; if before, the unit was read marked and is
 *    neither counted nor put, or it was read after the close, and the
 *    find that counted it began after the insert and saw every event
 *    of it.  A writer that died marked leaves o non-empty: never put.
 *  - The hour: a write into any of its minutes after the hour was read
 *    also marks the hour, so an hour put from minutes read or counted
 *    later is refused unless nothing was written into the hour from
 *    that read to the put; the minutes' counts, each right when read or
 *    counted, were then all still right.  This needs the hour read
 *    before its minutes, hence two finds of the cache.
 *  - Retention raises "below" before it deletes and never marks units.
 *    A unit starting below the floor read with it is not put; one the
 *    floor passes after the read may be put with events since deleted,
 *    but every reader from then on reads the higher floor and neither
 *    uses it nor counts on it, and store_counts_expire_end() drops it.
 *  - Readers may fill the same units at the same time: both put what
 *    the events held, the second refused or equal.
 *  - An import that writes events without the brackets (bench-load)
 *    is not seen by any of this: the cache must be dropped after it
 *    (README), as before.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store_impl.h"
#include "timeutil.h"

#define SWEEP_CHUNK	24	/* hours read with one find of the cache */
#define MINUTES		60

struct pass {
	struct store		*s;
	struct store_sweep	*sw;
	int64_t			 budget;
	int64_t			 deadline;	/* monotonic ms */
	int64_t			 below;		/* the highest floor read */
	int			 progress;	/* a run was counted */
	enum store_status	 st;		/* of a failure */
};

enum fill_end {
	FILL_DONE,	/* every minute counted (or marked open) */
	FILL_CUT,	/* the pass ran out: the rest next time */
	FILL_SKIP,	/* one minute alone outlasts two passes: left out */
	FILL_FAILED	/* err set */
};

static int
late(const struct pass *p)
{
	return time_mono_ms() >= p->deadline;
}

/* A read failed with st: the pass ran out, or a failure. */
static enum fill_end
failed(struct pass *p, enum store_status st)
{
	if (st == STORE_TRANSIENT && p->s->read_spent)
		return FILL_CUT;
	p->st = st;
	return FILL_FAILED;
}

/* The minutes m[0..n), consecutive, read and filled.  DONE with them
 * counted, or where it stopped.  A run is as many minutes as the time
 * left should count at what a minute cost lately (one minute when that
 * is not known yet); a run cut short by the budget raises the
 * estimate, so the next pass takes fewer.  Runs without events say
 * nothing of the cost once it is known (an empty stretch is one quick
 * find). */
static enum fill_end
fill_minutes(struct pass *p, struct store_unit *m, size_t n, char *err, size_t errlen)
{
	struct store_sweep *sw = p->sw;
	struct store_fill f;
	enum store_status st;
	int64_t below, t0, left, took;
	size_t i, j, k;
	int whole;

	if ((st = store_counts_get(p->s, m, n, &below, err, errlen)) != STORE_OK)
		return failed(p, st);
	if (below > p->below)
		p->below = below;
	for (i = 0; i < n; i = j) {
		if (m[i].counted || m[i].open) {
			j = i + 1;
			continue;
		}
		t0 = time_mono_ms();
		left = p->deadline - t0;
		if (left <= 0)
			k = 0;
		else if (sw->minute_us > 0)
			k = (size_t)(left * 750 / sw->minute_us);
		else
			k = 1;	/* a minute first, to learn what one costs */
		if (k < 1) {
			/* Not one minute fits in what is left: the next pass,
			 * unless this one has done nothing yet. */
			if (p->progress)
				return FILL_CUT;
			k = 1;
		}
		for (j = i + 1; j < n && j - i < k && !m[j].counted && !m[j].open; j++)
			;
		/* A minute that is the first run of a pass has a whole
		 * budget (the pass may then take up to twice its own), so a
		 * minute that does not fit in that, twice in a row (once
		 * may be a busy machine), is known to be one, and left
		 * out. */
		if ((whole = j - i == 1 && !p->progress) && left < p->budget) {
			store_read_begin(p->s);
			p->deadline = t0 + p->budget;
		}
		memset(&f, 0, sizeof(f));
		f.below = p->below;
		f.batch = STORE_SWEEP_BATCH;
		f.skip_empty = 1;
		st = store_counts_fill(p->s, &m[i], j - i, &f, err, errlen);
		took = time_mono_ms() - t0;
		if (st != STORE_OK) {
			if (failed(p, st) == FILL_FAILED)
				return FILL_FAILED;
			if (whole && sw->stuck == m[i].start) {
				sw->stuck = 0;
				return FILL_SKIP;
			}
			if (whole) {
				sw->stuck = m[i].start;
				return FILL_CUT;
			}
			/* More than took for these minutes: twice, say. */
			if (sw->minute_us < 2000 * took / (int64_t)(j - i))
				sw->minute_us = 2000 * took / (int64_t)(j - i);
			return FILL_CUT;
		}
		p->progress = 1;
		sw->kept += f.kept;
		if (f.seen > 0 || sw->minute_us == 0)
			sw->minute_us = took * 1000 / (int64_t)(j - i) > 0 ?
			    took * 1000 / (int64_t)(j - i) : 1;
	}
	return FILL_DONE;
}

static struct store_unit *
units_new(int64_t start, int64_t width, size_t n)
{
	struct store_unit *u;
	size_t i;

	if ((u = calloc(n + 1, sizeof(*u))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		u[i].start = start + (int64_t)i * width;
		u[i].width = width;
	}
	return u;
}

/* The hour h (read, not cached, not marked): its minutes, then it. */
static enum fill_end
fill_hour(struct pass *p, struct store_unit *h, char *err, size_t errlen)
{
	struct store_unit *m;
	struct store_fill f;
	enum fill_end end;
	size_t i;

	if ((m = units_new(h->start, STORE_MINUTE_MS, MINUTES)) == NULL) {
		snprintf(err, errlen, "out of memory");
		p->st = STORE_REFUSED;
		return FILL_FAILED;
	}
	end = fill_minutes(p, m, MINUTES, err, errlen);
	if (end == FILL_DONE) {
		for (i = 0; i < MINUTES && !m[i].open; i++)
			;
		/* A minute marked open: the hour is written into; its put
		 * would be refused.  Else it is the sum of its minutes. */
		if (i == MINUTES && h->start >= p->below &&
		    store_counts_sum(h, m, MINUTES) == 0) {
			h->counted = 1;
			memset(&f, 0, sizeof(f));
			f.below = p->below;
			if ((p->st = store_counts_keep(p->s, h, 1, &f, err, errlen)) != STORE_OK)
				end = FILL_FAILED;
			else
				p->sw->kept += f.kept;
		}
	}
	store_units_clear(m, MINUTES);
	free(m);
	return end;
}

/* The closed minutes of the hour top (now in it). */
static enum fill_end
fill_current(struct pass *p, int64_t top, int64_t now, char *err, size_t errlen)
{
	struct store_unit *m;
	size_t n = (size_t)((now - top) / STORE_MINUTE_MS);
	enum fill_end end;

	if (n == 0 || p->sw->skip == top)
		return FILL_DONE;
	if ((m = units_new(top, STORE_MINUTE_MS, n)) == NULL) {
		snprintf(err, errlen, "out of memory");
		p->st = STORE_REFUSED;
		return FILL_FAILED;
	}
	end = fill_minutes(p, m, n, err, errlen);
	if (end == FILL_SKIP) {
		p->sw->skip = top;
		end = FILL_DONE;
	}
	store_units_clear(m, n);
	free(m);
	return end;
}

/* Hours from sw->at back to lo, a chunk of them read at a time. */
static enum fill_end
fill_hours(struct pass *p, int64_t lo, char *err, size_t errlen)
{
	struct store_sweep *sw = p->sw;
	struct store_unit *h;
	enum fill_end end = FILL_DONE;
	enum store_status st;
	int64_t a, below;
	size_t n, k;

	while (end == FILL_DONE && sw->at > lo) {
		if (late(p))
			return FILL_CUT;
		a = sw->at - SWEEP_CHUNK * STORE_HOUR_MS > lo ? sw->at - SWEEP_CHUNK *
		    STORE_HOUR_MS : lo;
		n = (size_t)((sw->at - a) / STORE_HOUR_MS);
		if ((h = units_new(a, STORE_HOUR_MS, n)) == NULL) {
			snprintf(err, errlen, "out of memory");
			p->st = STORE_REFUSED;
			return FILL_FAILED;
		}
		if ((st = store_counts_get(p->s, h, n, &below, err, errlen)) != STORE_OK)
			end = failed(p, st);
		else if (below > p->below)
			p->below = below;
		for (k = n; k-- > 0 && end == FILL_DONE; ) {
			if (late(p)) {
				end = FILL_CUT;
				break;
			}
			if (!h[k].counted && !h[k].open && h[k].start >= p->below &&
			    (end = fill_hour(p, &h[k], err, errlen)) == FILL_SKIP)
				end = FILL_DONE;
			if (end == FILL_DONE)
				sw->at = h[k].start;
		}
		store_units_clear(h, n);
		free(h);
	}
	return end;
}

enum store_status
store_counts_sweep(struct store *s, int64_t now_ms, int64_t from_ms, int64_t budget_ms,
    struct store_sweep *sw, char *err, size_t errlen)
{
	struct pass p;
	int64_t top = now_ms - now_ms % STORE_HOUR_MS;
	int64_t lo = from_ms - from_ms % STORE_HOUR_MS;
	enum fill_end end;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.sw = sw;
	p.budget = budget_ms > 0 ? budget_ms : 1;
	sw->kept = 0;
	sw->done = 0;
	if (sw->at <= 0 || sw->at > top) {
		sw->at = top;		/* a new sweep, or the clock went back */
		sw->skip = 0;
	}
	/* Our own deadline first, never after the store's. */
	p.deadline = time_mono_ms() + p.budget;
	store_read_budget(s, p.budget);
	store_read_begin(s);
	end = fill_current(&p, top, now_ms, err, errlen);
	if (end == FILL_DONE)
		end = fill_hours(&p, lo, err, errlen);
	store_read_end(s);
	store_read_budget(s, 0);
	if (end == FILL_FAILED)
		return p.st;
	if (end == FILL_DONE) {
		sw->done = 1;
		sw->at = 0;
		sw->skip = 0;
	}
	return STORE_OK;
}
