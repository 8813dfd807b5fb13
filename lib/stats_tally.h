/*
 * The counting behind GET /events/stats?by=: how many events hold each
 * value of one field, values told apart by their JSON text (so "1" and
 * 1 are two values, as they are to the store), then ordered for the
 * answer: count down, then JSON text in strcmp order.  Pure: json-c
 * values in, counts out.
 *
 * Ownership: stats_tally_new() returns a tally the caller frees with
 * stats_tally_free() (NULL is a no-op).  stats_tally_add() takes the
 * value it is given, whatever it returns.  stats_tally_value() lends a
 * value that lives as long as the tally.
 */
#ifndef EVENTS_STATS_TALLY_H
#define EVENTS_STATS_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "bounds.h"

struct stats_tally;

/* NULL when out of memory. */
struct stats_tally *stats_tally_new(void);
void		 stats_tally_free(struct stats_tally *t);

/*
 * Count n more events holding v (NULL: JSON null, or the field missing).
 * n <= 0 counts nothing.  Past LIMIT_STATS_GROUPS distinct values a new
 * value is counted in the total only, and the tally marked truncated.
 * 0, or -1 out of memory.
 */
int		 stats_tally_add(struct stats_tally *t, json_object *v, int64_t n);

/* Order the values: most events first, then by JSON text. */
void		 stats_tally_sort(struct stats_tally *t);

/* Distinct values kept; events counted (kept or not); 1 if values were
 * dropped at LIMIT_STATS_GROUPS. */
size_t		 stats_tally_distinct(const struct stats_tally *t);
int64_t		 stats_tally_total(const struct stats_tally *t);
int		 stats_tally_truncated(const struct stats_tally *t);

/* Value i (0 .. distinct - 1; NULL for null), borrowed, and its count
 * in *n. */
json_object	*stats_tally_value(const struct stats_tally *t, size_t i, int64_t *n);

#endif
