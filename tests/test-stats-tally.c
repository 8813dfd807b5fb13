/* The counting behind GET /events/stats?by= (lib/stats_tally.c): values
 * told apart by JSON text, null, the order, what is not counted, the
 * LIMIT_STATS_GROUPS cut. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "check.h"
#include "stats_tally.h"

/* The JSON text of value i, and its count. */
static const char *
text(const struct stats_tally *t, size_t i, int64_t *n)
{
	json_object *v = stats_tally_value(t, i, n);

	return v != NULL ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE) : "null";
}

static void
test_values(void)
{
	struct stats_tally *t;
	int64_t n;

	t = stats_tally_new();
	CHECK(t != NULL, "new");
	stats_tally_sort(t);		/* empty: nothing to sort */
	CHECK(stats_tally_distinct(t) == 0 && stats_tally_total(t) == 0, "empty");
	CHECK(stats_tally_add(t, json_object_new_string("/a"), 1) == 0, "add /a");
	CHECK(stats_tally_add(t, json_object_new_string("/b"), 3) == 0, "add /b");
	CHECK(stats_tally_add(t, json_object_new_string("/a"), 2) == 0, "add /a again");
	/* "1" and 1 are two values; null is one of its own. */
	CHECK(stats_tally_add(t, json_object_new_string("1"), 1) == 0, "add \"1\"");
	CHECK(stats_tally_add(t, json_object_new_int(1), 1) == 0, "add 1");
	CHECK(stats_tally_add(t, NULL, 2) == 0, "add null");
	/* Not counted: n <= 0 (the value is freed all the same). */
	CHECK(stats_tally_add(t, json_object_new_string("/z"), 0) == 0, "n 0");
	CHECK(stats_tally_add(t, json_object_new_string("/z"), -1) == 0, "n < 0");
	CHECK(stats_tally_add(t, json_object_new_string("/b"), 1) == 0, "add /b again");

	CHECK(stats_tally_distinct(t) == 5, "distinct %zu", stats_tally_distinct(t));
	CHECK(stats_tally_total(t) == 11, "total %lld", (long long)stats_tally_total(t));
	stats_tally_sort(t);
	/* /b 4, /a 3, null 2, then 1 and "1" by text: "\"1\"" < "1". */
	CHECK(strcmp(text(t, 0, &n), "\"/b\"") == 0 && n == 4, "first %s %lld",
	    text(t, 0, &n), (long long)n);
	CHECK(strcmp(text(t, 1, &n), "\"/a\"") == 0 && n == 3, "second %s", text(t, 1, &n));
	CHECK(stats_tally_value(t, 2, &n) == NULL && n == 2, "third: null");
	CHECK(strcmp(text(t, 3, &n), "\"1\"") == 0 && n == 1, "fourth %s", text(t, 3, &n));
	CHECK(strcmp(text(t, 4, &n), "1") == 0 && n == 1, "fifth %s", text(t, 4, &n));
	CHECK(!stats_tally_truncated(t), "not truncated");
	stats_tally_free(t);
	stats_tally_free(NULL);
}

static void
test_truncated(void)
{
	struct stats_tally *t = stats_tally_new();
	int64_t i, n;
	int r = 0;

	for (i = 0; i < LIMIT_STATS_GROUPS + 3; i++)
		r |= stats_tally_add(t, json_object_new_int64(i), 1);
	/* A value already kept still counts past the cut. */
	r |= stats_tally_add(t, json_object_new_int64(0), 5);
	CHECK(r == 0, "adds");
	CHECK(stats_tally_truncated(t), "truncated");
	CHECK(stats_tally_distinct(t) == LIMIT_STATS_GROUPS, "distinct %zu",
	    stats_tally_distinct(t));
	CHECK(stats_tally_total(t) == LIMIT_STATS_GROUPS + 3 + 5, "total counts all");
	stats_tally_sort(t);
	CHECK(strcmp(text(t, 0, &n), "0") == 0 && n == 6, "0 first with 6");
	stats_tally_free(t);
}

int
main(void)
{
	test_values();
	test_truncated();
	return check_exit("test-stats-tally");
}
