/*
 * store-fill: the consumer's fill of the counts cache (lib/store_sweep.c)
 * against a real store ($EVENTS_MONGO_URI, tests/store-fill.sh), whose
 * events collection holds what tests/store-fill.sh loaded straight into
 * it, with no bracket and no cache document (as an import does):
 *   hour 0 of T0: nothing; hours 1-3: one event a second; hour 4:
 *   nothing; hour 5, "now" (NOW, half past): its first 30 minutes.
 * Passes of BUDGET_MS, each well short of one hour's counting, run with
 * NOW as the clock back to T0:
 *   - the first pass does not end the sweep (its budget runs out), and
 *     each pass resumes where the last stopped, keeping what it did:
 *     the sweep ends within MAX_PASSES;
 *   - afterwards every hour from T0 to NOW, every minute of hours 1-3
 *     and the 30 closed minutes of hour 5 are cached (hours 0 and 4 as
 *     empty) with exactly the counts of a plain find over the events,
 *     an event written through the brackets between two passes
 *     included; the minute not closed and hour 5 are not;
 *   - an event written through the brackets into a filled minute takes
 *     it and its hour out of the cache, and the next sweep fills those
 *     two again, and nothing else;
 *   - a sweep after that stores nothing: empty hours are not counted
 *     again.
 * A machine so busy that one minute outlasts two passes leaves that
 * hour to the next sweep (lib/store_sweep.c): the checks after a sweep
 * run sweeps until one stores nothing.
 * Exit 0, or 1 with the first check that failed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "store.h"
#include "timeutil.h"

#define T0		1767225600000LL		/* 2026-01-01T00:00:00Z */
#define NOW		(T0 + 5 * STORE_HOUR_MS + 30 * STORE_MINUTE_MS + 30000)
#define BUDGET_MS	250
#define MAX_PASSES	500

static struct store *s;
static char err[512];
static int failed, quiet;

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "store-fill: FAIL: %s%s%s\n", what, err[0] ? ": " : "", err);
		failed = 1;
	} else
		printf("ok - %s\n", what);
	err[0] = '\0';
}

/* What a plain find says of [a, b): events by type into u's counts. */
static int
truth(int64_t a, int64_t b, struct store_unit *u)
{
	bson_t *filter, *opts;
	mongoc_cursor_t *cur;
	const bson_t *doc;
	bson_iter_t it;
	uint32_t len;
	const char *t;

	filter = BCON_NEW("createdAt", "{", "$gte", BCON_DATE_TIME(a), "$lt",
	    BCON_DATE_TIME(b), "}");
	opts = BCON_NEW("projection", "{", "type", BCON_INT32(1), "}");
	cur = store_find(s, filter, opts);
	while (store_cursor_next(s, cur, &doc))
		if (bson_iter_init_find(&it, doc, "type") && BSON_ITER_HOLDS_UTF8(&it)) {
			t = bson_iter_utf8(&it, &len);
			if (store_counts_add(u, t, len, 1) != 0)
				return -1;
		}
	bson_destroy(filter);
	bson_destroy(opts);
	return store_cursor_end(s, cur, "find", err, sizeof(err)) == STORE_OK ? 0 : -1;
}

/* Is the unit at start (width w) cached, with what the events say? */
static int
exact(int64_t start, int64_t w, int want_events)
{
	struct store_unit u, t;
	int64_t below;
	size_t i, k;
	int ok;

	memset(&u, 0, sizeof(u));
	memset(&t, 0, sizeof(t));
	u.start = start;
	u.width = w;
	if (store_counts_get(s, &u, 1, &below, err, sizeof(err)) != STORE_OK ||
	    truth(start, start + w, &t) != 0)
		return 0;
	ok = u.usable && u.ncounts == t.ncounts && (want_events ? t.ncounts > 0 :
	    t.ncounts == 0);
	for (i = 0; ok && i < u.ncounts; i++) {
		for (k = 0; k < t.ncounts && strcmp(t.counts[k].type, u.counts[i].type); k++)
			;
		ok = k < t.ncounts && t.counts[k].n == u.counts[i].n;
	}
	if (!ok && !quiet) {
		char id[STORE_COUNTS_ID_LEN];

		store_counts_id(start, w, id);
		fprintf(stderr, "store-fill: %s: %s, %zu types cached, %zu in the events\n",
		    id, u.usable ? "cached" : "not cached", u.ncounts, t.ncounts);
	}
	store_units_clear(&u, 1);
	store_units_clear(&t, 1);
	return ok;
}

/* One event of type "late" at the minute m, written as the consumer
 * writes: inside the brackets. */
static int
write_one(int64_t m)
{
	static int seq;
	struct store_item item;
	bson_t *doc;
	char id[32];
	int ok;

	snprintf(id, sizeof(id), "store-fill-late-%d", ++seq);
	doc = BCON_NEW("_id", BCON_UTF8(id), "type", BCON_UTF8("late"),
	    "createdAt", BCON_DATE_TIME(m + 1234));
	memset(&item, 0, sizeof(item));
	item.doc = doc;
	ok = store_counts_open(s, "store-fill", &m, 1, err, sizeof(err)) == STORE_OK &&
	    store_insert(s, &item, 1, err, sizeof(err)) == STORE_OK &&
	    item.result == STORE_STORED &&
	    store_counts_close(s, "store-fill", &m, 1, err, sizeof(err)) == STORE_OK;
	bson_destroy(doc);
	return ok;
}

/* Sweeps, each of passes of BUDGET_MS, until one stores nothing (at
 * most MAX_SWEEPS): what they stored added to *kept.  0, or -1. */
#define MAX_SWEEPS	5
static int
sweeps(size_t *kept, int *passes)
{
	struct store_sweep sw;
	size_t one;
	int n;

	for (n = 0; n < MAX_SWEEPS; n++) {
		memset(&sw, 0, sizeof(sw));
		one = 0;
		do {
			if (store_counts_sweep(s, NOW, T0, BUDGET_MS, &sw, err,
			    sizeof(err)) != STORE_OK)
				return -1;
			one += sw.kept;
		} while (!sw.done && ++*passes < MAX_PASSES);
		if (!sw.done)
			return -1;
		*kept += one;
		if (one == 0)
			return 0;
	}
	return -1;
}

/* Every unit the sweep fills, against the events. */
static void
all_exact(void)
{
	int64_t h;
	int ok, i;

	for (h = T0; h < T0 + 5 * STORE_HOUR_MS; h += STORE_HOUR_MS)
		check(exact(h, STORE_HOUR_MS, h > T0 && h < T0 + 4 * STORE_HOUR_MS),
		    "a closed hour cached, equal to its events (empty where none)");
	for (ok = 1, h = T0 + STORE_HOUR_MS; h < T0 + 4 * STORE_HOUR_MS; h += STORE_HOUR_MS)
		for (i = 0; i < 60; i++)
			ok &= exact(h + i * STORE_MINUTE_MS, STORE_MINUTE_MS, 1);
	check(ok, "the 180 minutes of hours 1-3 cached, equal to their events");
	for (ok = 1, i = 0; i < 30; i++)
		ok &= exact(T0 + 5 * STORE_HOUR_MS + i * STORE_MINUTE_MS, STORE_MINUTE_MS, 1);
	check(ok, "the 30 closed minutes of the current hour cached, equal to their events");
	quiet = 1;
	check(!exact(T0 + 5 * STORE_HOUR_MS + 30 * STORE_MINUTE_MS, STORE_MINUTE_MS, 1) &&
	    !exact(T0 + 5 * STORE_HOUR_MS, STORE_HOUR_MS, 1),
	    "the minute not closed and the current hour are not cached");
	quiet = 0;
}

int
main(void)
{
	static struct conf c;
	struct store_sweep sw;
	int64_t t0, took, longest = 0, m;
	size_t kept = 0;
	int passes = 0, ok = 1;

	if (conf_load(&c, NULL, err, sizeof(err)) != 0 ||
	    (s = store_new(&c, "store-fill", STORE_WRITER, err, sizeof(err))) == NULL) {
		fprintf(stderr, "store-fill: %s\n", err);
		return 1;
	}
	memset(&sw, 0, sizeof(sw));
	do {
		t0 = time_mono_ms();
		ok = store_counts_sweep(s, NOW, T0, BUDGET_MS, &sw, err, sizeof(err)) == STORE_OK;
		took = time_mono_ms() - t0;
		longest = took > longest ? took : longest;
		kept += sw.kept;
		if (++passes == 1) {
			check(ok && !sw.done && sw.at > T0,
			    "the first pass runs out of its budget before the sweep ends");
			/* Between passes, an event into the current hour,
			 * which every pass fills again. */
			check(write_one(T0 + 5 * STORE_HOUR_MS), "an event written between passes");
		}
	} while (ok && !sw.done && passes < MAX_PASSES);
	check(ok, "every pass ends STORE_OK");
	check(sw.done, "the sweep ends");
	printf("# %d passes of %d ms, the longest %lld ms, %zu units stored\n", passes,
	    BUDGET_MS, (long long)longest, kept);
	check(passes > 3, "the sweep took several passes (each resumed the last)");
	/* A machine busy enough to make one minute outlast two passes
	 * leaves its hour to the next sweep. */
	check(sweeps(&kept, &passes) == 0, "the sweeps that follow end with nothing left");
	all_exact();

	/* A late event into a filled minute: the next sweep fills it and
	 * its hour again, and nothing else. */
	m = T0 + 3 * STORE_HOUR_MS + 10 * STORE_MINUTE_MS;
	check(write_one(m), "an event written into a filled minute");
	check(!exact(m, STORE_MINUTE_MS, 1), "the write took its minute out of the cache");
	kept = 0;
	check(sweeps(&kept, &passes) == 0 && kept == 2,
	    "the next sweeps fill that minute and its hour again, and nothing else");
	all_exact();

	memset(&sw, 0, sizeof(sw));
	check(store_counts_sweep(s, NOW, T0, 10000, &sw, err, sizeof(err)) == STORE_OK &&
	    sw.done && sw.kept == 0, "a sweep after that stores nothing (empty hours included)");

	store_free(s);
	store_cleanup();
	return failed;
}
