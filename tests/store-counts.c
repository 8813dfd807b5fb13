/*
 * store-counts: the rules of the counts cache (lib/store.h) against a
 * real store ($EVENTS_MONGO_URI, tests/store-counts.sh), each
 * interleaving of a reader and a writer played in order:
 *   - a put on a unit nobody wrote since the read is kept;
 *   - a put after a bracket began (open), or was opened and closed, since
 *     the read, is not kept; nor one while a bracket is open at the read;
 *   - a put on a unit without a document is kept, unless a bracket made
 *     one meanwhile;
 *   - any bracket removes counts already kept, and a close without
 *     the open of the same name leaves the other writer's mark;
 *   - release closes what a name left open;
 *   - retention: units below "below" are not usable; expire_end drops
 *     those an hour under the cutoff.
 * Exit 0, or 1 with the first check that failed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "store.h"

#define T0	1767225600000LL		/* 2026-01-01T00:00:00Z */

static struct store *s;
static char err[512];
static int failed;

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "store-counts: FAIL: %s%s%s\n", what, err[0] ? ": " : "", err);
		failed = 1;
	} else
		printf("ok - %s\n", what);
	err[0] = '\0';
}

/* Read the unit (minute or hour at start). */
static void
get(struct store_unit *u, int64_t start, int64_t width, int64_t *below)
{
	int64_t b;

	store_units_clear(u, 1);
	memset(u, 0, sizeof(*u));
	u->start = start;
	u->width = width;
	check(store_counts_get(s, u, 1, below ? below : &b, err, sizeof(err)) == STORE_OK,
	    "get");
}

/* Put n events of type "x" on u (as read). */
static void
put(struct store_unit *u, int64_t n)
{
	static struct store_count c;
	struct store_unit *one = u;

	snprintf(c.type, sizeof(c.type), "x");
	c.n = n;
	free(u->counts);	/* what the read found: replaced */
	u->counts = &c;
	u->ncounts = 1;
	check(store_counts_put(s, &one, 1, NULL, err, sizeof(err)) == STORE_OK, "put");
	u->counts = NULL;
	u->ncounts = 0;
}

/* The unit's cached count as a reader now sees it, or -1 if none. */
static int64_t
cached(int64_t start, int64_t width)
{
	struct store_unit u;
	int64_t n;

	memset(&u, 0, sizeof(u));
	get(&u, start, width, NULL);
	n = u.usable && u.ncounts == 1 ? u.counts[0].n : -1;
	store_units_clear(&u, 1);
	return n;
}

static void
bracket(int open, const char *who, int64_t minute)
{
	check((open ? store_counts_open : store_counts_close)(s, who, &minute, 1, err,
	    sizeof(err)) == STORE_OK, open ? "open" : "close");
}

int
main(void)
{
	static struct conf c;
	struct store_unit u;
	int64_t m = T0 + 5 * STORE_MINUTE_MS, below;
	char id[STORE_COUNTS_ID_LEN];

	memset(&u, 0, sizeof(u));
	if (conf_load(&c, NULL, err, sizeof(err)) != 0 ||
	    (s = store_new(&c, "store-counts", STORE_WRITER, err, sizeof(err))) == NULL) {
		fprintf(stderr, "store-counts: %s\n", err);
		return 1;
	}
	store_counts_id(m, STORE_MINUTE_MS, id);
	check(strcmp(id, "m:2026-01-01T00:05Z") == 0, "a minute's id");
	store_counts_id(T0, STORE_HOUR_MS, id);
	check(strcmp(id, "h:2026-01-01T00Z") == 0, "an hour's id");

	/* No document: an insert, kept. */
	get(&u, m, STORE_MINUTE_MS, NULL);
	check(!u.present && !u.usable, "a new minute has no document");
	put(&u, 3);
	check(cached(m, STORE_MINUTE_MS) == 3, "a put where none was is kept");

	/* A bracket removes it; a put read before the bracket is refused. */
	get(&u, m, STORE_MINUTE_MS, NULL);
	bracket(1, "w1", m);
	check(cached(m, STORE_MINUTE_MS) == -1, "open removes the cached count");
	check(cached(T0, STORE_HOUR_MS) == -1, "open marks the hour too");
	put(&u, 3);
	check(cached(m, STORE_MINUTE_MS) == -1, "a put read before an open is not kept");

	/* Read while open: not usable, and its put is refused. */
	get(&u, m, STORE_MINUTE_MS, NULL);
	check(u.present && u.open && !u.usable, "read while open: marked");
	put(&u, 4);
	check(cached(m, STORE_MINUTE_MS) == -1, "a put read while open is not kept");
	bracket(0, "w1", m);

	/* Read, then a whole bracket, then the put: refused by g. */
	get(&u, m, STORE_MINUTE_MS, NULL);
	check(u.present && !u.open && !u.usable, "read after close: no counts");
	bracket(1, "w1", m);
	bracket(0, "w1", m);
	put(&u, 4);
	check(cached(m, STORE_MINUTE_MS) == -1, "a put read before a whole bracket is not kept");

	/* Read, put: kept; then any bracket removes it. */
	get(&u, m, STORE_MINUTE_MS, NULL);
	put(&u, 5);
	check(cached(m, STORE_MINUTE_MS) == 5, "a put with nothing in between is kept");
	bracket(0, "nobody", m);
	check(cached(m, STORE_MINUTE_MS) == -1, "even a close removes the cached count");

	/* No document at the read, one made by a bracket before the put. */
	m += STORE_MINUTE_MS;
	get(&u, m, STORE_MINUTE_MS, NULL);
	check(!u.present, "another new minute");
	bracket(1, "w1", m);
	bracket(0, "w1", m);
	put(&u, 6);
	check(cached(m, STORE_MINUTE_MS) == -1, "an insert after a bracket made the unit is not kept");

	/* Two writers: one closing leaves the other's mark. */
	bracket(1, "w1", m);
	bracket(1, "w2", m);
	bracket(0, "w1", m);
	get(&u, m, STORE_MINUTE_MS, NULL);
	check(u.open, "w2 still writing: marked");
	put(&u, 7);
	check(cached(m, STORE_MINUTE_MS) == -1, "not kept while w2 writes");

	/* w2 dies; its next start releases the mark. */
	check(store_counts_release(s, "w2", err, sizeof(err)) == STORE_OK, "release");
	get(&u, m, STORE_MINUTE_MS, NULL);
	check(!u.open, "released");
	put(&u, 8);
	check(cached(m, STORE_MINUTE_MS) == 8, "kept after the release");

	/* Retention: below the floor nothing is usable; the end drops it. */
	check(store_counts_expire_begin(s, m + 1, err, sizeof(err)) == STORE_OK, "expire begin");
	get(&u, m, STORE_MINUTE_MS, &below);
	check(below == m + 1, "below read back");
	check(!u.usable, "a unit below the floor is not usable");
	check(store_counts_expire_begin(s, m - 1, err, sizeof(err)) == STORE_OK, "a lower cutoff");
	get(&u, m, STORE_MINUTE_MS, &below);
	check(below == m + 1, "below never goes back");
	check(store_counts_expire_end(s, m + STORE_HOUR_MS + 1, err, sizeof(err)) == STORE_OK,
	    "expire end");
	get(&u, m, STORE_MINUTE_MS, NULL);
	check(!u.present, "expired units dropped");

	/* A batch of late events over 300 minutes (and 6 hours), whose
	 * units all exist: FerretDB 1.24 would hang on one command of them
	 * (store.h, STORE_COUNTS_BULK). */
	{
		int64_t late[300];
		struct store_unit many[300], *pm[300];
		size_t i, kept = 0;
		int all = 1;

		for (i = 0; i < 300; i++)
			late[i] = T0 + 10 * STORE_HOUR_MS + (int64_t)i * STORE_MINUTE_MS + 7;
		check(store_counts_open(s, "w3", late, 300, err, sizeof(err)) == STORE_OK &&
		    store_counts_close(s, "w3", late, 300, err, sizeof(err)) == STORE_OK,
		    "a bracket over 300 new minutes");
		check(store_counts_open(s, "w3", late, 300, err, sizeof(err)) == STORE_OK &&
		    store_counts_close(s, "w3", late, 300, err, sizeof(err)) == STORE_OK,
		    "a bracket over 300 minutes that all exist");
		memset(many, 0, sizeof(many));
		for (i = 0; i < 300; i++) {
			many[i].start = late[i] - 7;
			many[i].width = STORE_MINUTE_MS;
			pm[i] = &many[i];
		}
		check(store_counts_get(s, many, 300, &below, err, sizeof(err)) == STORE_OK,
		    "get 300 minutes");
		for (i = 0; i < 300; i++) {
			all &= many[i].present && !many[i].open && !many[i].usable;
			all &= store_counts_add(&many[i], "x", 1, (int64_t)i) == 0;
		}
		check(all, "300 minutes read, none cached");
		check(store_counts_put(s, pm, 300, &kept, err, sizeof(err)) == STORE_OK &&
		    kept == 300, "a put of 300 minutes that exist, all kept");
		store_units_clear(many, 300);
		check(cached(late[299] - 7, STORE_MINUTE_MS) == 299, "the last of them cached");
	}

	store_units_clear(&u, 1);
	store_free(s);
	store_cleanup();
	return failed;
}
