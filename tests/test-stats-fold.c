/* The counting behind GET /events/stats (lib/stats_fold.c): buckets,
 * the range's edges, what is not counted, the busiest types and
 * "(other)", the LIMIT_STATS_GROUPS cut. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "stats_fold.h"

#define W	60000		/* a minute */
#define FROM	(1000 * (int64_t)W)

static void
test_buckets(void)
{
	struct stats_fold *f;
	struct stats_table t;

	/* Three buckets, the last cut short at FROM + 2.5 W. */
	f = stats_fold_new(FROM, FROM + 2 * W + W / 2, W, 3);
	CHECK(f != NULL, "new");
	CHECK(stats_fold_add(f, "click", 5, FROM, 1) == 0, "first ms");
	CHECK(stats_fold_add(f, "click", 5, FROM + W - 1, 2) == 0, "last ms of bucket 0");
	CHECK(stats_fold_add(f, "click", 5, FROM + W, 4) == 0, "first ms of bucket 1");
	CHECK(stats_fold_add(f, "view", 4, FROM + 2 * W + W / 2 - 1, 8) == 0, "last ms of the range");
	/* Not counted: outside the range, no events, no or too long a name. */
	CHECK(stats_fold_add(f, "click", 5, FROM - 1, 16) == 0, "before");
	CHECK(stats_fold_add(f, "click", 5, FROM + 2 * W + W / 2, 16) == 0, "at until");
	CHECK(stats_fold_add(f, "click", 5, FROM, 0) == 0, "n 0");
	CHECK(stats_fold_add(f, "click", 5, FROM, -3) == 0, "n < 0");
	CHECK(stats_fold_add(f, "", 0, FROM, 16) == 0, "empty name");
	CHECK(stats_fold_add(f, "x", LIMIT_TYPE_LEN + 1, FROM, 16) == 0, "long name");
	/* The name is a length, not a C string. */
	CHECK(stats_fold_add(f, "viewXYZ", 4, FROM, 32) == 0, "name cut by len");

	CHECK(stats_fold_table(f, LIMIT_STATS_TYPES, &t) == 0, "table");
	CHECK(t.nbuckets == 3 && t.ncols == 2 && t.nshown == 2, "shape %zu %zu %zu",
	    t.nbuckets, t.ncols, t.nshown);
	/* view 40 before click 7. */
	CHECK(strcmp(t.names[0], "view") == 0 && t.totals[0] == 40, "%s %lld",
	    t.names[0], (long long)t.totals[0]);
	CHECK(strcmp(t.names[1], "click") == 0 && t.totals[1] == 7, "%s %lld",
	    t.names[1], (long long)t.totals[1]);
	CHECK(t.cells[0 * 2 + 0] == 32 && t.cells[0 * 2 + 1] == 3, "bucket 0: %lld %lld",
	    (long long)t.cells[0], (long long)t.cells[1]);
	CHECK(t.cells[1 * 2 + 0] == 0 && t.cells[1 * 2 + 1] == 4, "bucket 1");
	CHECK(t.cells[2 * 2 + 0] == 8 && t.cells[2 * 2 + 1] == 0, "bucket 2");
	CHECK(!stats_fold_truncated(f), "not truncated");
	stats_table_free(&t);

	/* reset forgets every count. */
	stats_fold_reset(f);
	CHECK(stats_fold_table(f, LIMIT_STATS_TYPES, &t) == 0 && t.ncols == 0,
	    "after reset: %zu columns", t.ncols);
	stats_table_free(&t);
	CHECK(stats_fold_add(f, "click", 5, FROM, 1) == 0, "after reset");
	CHECK(stats_fold_table(f, LIMIT_STATS_TYPES, &t) == 0 && t.ncols == 1 &&
	    t.totals[0] == 1 && t.cells[0] == 1, "counted again after reset");
	stats_table_free(&t);
	stats_fold_free(f);
	stats_fold_free(NULL);
}

/* Past maxtypes the rest add up in "(other)"; equal totals go by name. */
static void
test_other(void)
{
	struct stats_fold *f;
	struct stats_table t;
	char name[16];
	int i;

	f = stats_fold_new(0, 2 * W, W, 2);
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		/* t0..t2: 10 each; t3: 20; t4, t5: 1 each in bucket 1. */
		CHECK(stats_fold_add(f, name, strlen(name), i < 4 ? 0 : W,
		    i < 3 ? 10 : i == 3 ? 20 : 1) == 0, "%s", name);
	}
	CHECK(stats_fold_table(f, 3, &t) == 0, "table");
	CHECK(t.nshown == 3 && t.ncols == 4, "%zu %zu", t.nshown, t.ncols);
	CHECK(strcmp(t.names[0], "t3") == 0 && strcmp(t.names[1], "t0") == 0 &&
	    strcmp(t.names[2], "t1") == 0, "order %s %s %s", t.names[0], t.names[1],
	    t.names[2]);
	CHECK(strcmp(t.names[3], STATS_OTHER_TYPE) == 0 && t.totals[3] == 12,
	    "other %s %lld", t.names[3], (long long)t.totals[3]);
	CHECK(t.cells[0 * 4 + 3] == 10 && t.cells[1 * 4 + 3] == 2, "other per bucket");
	stats_table_free(&t);

	/* No "(other)" column when every type shows. */
	CHECK(stats_fold_table(f, 6, &t) == 0 && t.ncols == 6 && t.nshown == 6, "all shown");
	stats_table_free(&t);
	stats_fold_free(f);
}

static void
test_truncated(void)
{
	struct stats_fold *f;
	struct stats_table t;
	int64_t i;
	int r = 0;

	f = stats_fold_new(0, LIMIT_STATS_GROUPS + (int64_t)10, 1, LIMIT_STATS_GROUPS + 10);
	for (i = 0; i < LIMIT_STATS_GROUPS + 5; i++)
		r |= stats_fold_add(f, "a", 1, i, 1);
	CHECK(r == 0, "adds");
	CHECK(stats_fold_truncated(f), "truncated");
	CHECK(stats_fold_table(f, LIMIT_STATS_TYPES, &t) == 0 &&
	    t.totals[0] == LIMIT_STATS_GROUPS, "total %lld", (long long)t.totals[0]);
	stats_table_free(&t);
	stats_fold_free(f);
}

int
main(void)
{
	test_buckets();
	test_other();
	test_truncated();
	return check_exit("test-stats-fold");
}
