/*
 * The counting behind GET /events/stats: events per bucket (a fixed
 * width of time, aligned by the caller) and per type, added up as the
 * store's answer arrives, then folded into the table the answer shows.
 * Pure: no store, no FastCGI; only counts and names.
 *
 * Ownership: stats_fold_new() returns a fold the caller frees with
 * stats_fold_free() (NULL is a no-op).  stats_fold_table() fills a table
 * the caller frees with stats_table_free() (NULL too is a no-op; the
 * struct itself stays the caller's, emptied); its names point into the
 * fold, so the fold must outlive the table.
 */
#ifndef EVENTS_STATS_FOLD_H
#define EVENTS_STATS_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "bounds.h"

/* The column that adds up the types past the busiest ones. */
#define STATS_OTHER_TYPE	"(other)"

struct stats_fold;

/*
 * A fold for the range [from_ms, to_ms) cut into nbuckets buckets of
 * width_ms each (width_ms > 0; bucket i starts at from_ms + i * width_ms;
 * the last may be cut short by to_ms).  NULL when out of memory.
 */
struct stats_fold *stats_fold_new(int64_t from_ms, int64_t to_ms,
		    int64_t width_ms, size_t nbuckets);
void		 stats_fold_free(struct stats_fold *f);

/* Forget every count, as if just made (the range stays). */
void		 stats_fold_reset(struct stats_fold *f);

/*
 * Count n events of type name[0..len) (not NUL-terminated) at time
 * at_ms, which may be the event's createdAt or the start of its bucket.
 * Ignored, as not an event this system stored: an empty name or one
 * over LIMIT_TYPE_LEN bytes, n <= 0, a time outside [from_ms, to_ms).
 * Past LIMIT_STATS_GROUPS calls that counted, further counts are
 * dropped and the fold marked truncated.  0, or -1 out of memory (the
 * fold keeps what it had).
 */
int		 stats_fold_add(struct stats_fold *f, const char *name,
		    size_t len, int64_t at_ms, int64_t n);

/* 1 when counts were dropped at LIMIT_STATS_GROUPS, else 0. */
int		 stats_fold_truncated(const struct stats_fold *f);

/*
 * The answer's table: the busiest maxtypes types (most events first,
 * then by name in strcmp order) each in a column of its own, the rest
 * added up in one last column named STATS_OTHER_TYPE (only when they
 * hold any event).
 */
struct stats_table {
	size_t		  nbuckets;
	size_t		  ncols;	/* nshown, plus 1 for "(other)" */
	size_t		  nshown;	/* types with a column of their own */
	const char	**names;	/* ncols names, borrowed from the fold */
	int64_t		 *totals;	/* ncols totals over the range */
	int64_t		 *cells;	/* nbuckets rows of ncols: cells[b * ncols + c] */
};

/* Fill t from f (t's arrays owned by t).  0, or -1 out of memory with
 * t empty (stats_table_free is still safe on it). */
int		 stats_fold_table(const struct stats_fold *f, size_t maxtypes,
		    struct stats_table *t);
void		 stats_table_free(struct stats_table *t);

#endif
