/*
 * The counts cache filled in the background (lib/store_sweep.c), so
 * that the first GET /events/stats of a range finds it warm instead of
 * counting the range from the events, which FerretDB does at about a
 * second an hour of one event a second.  Events stored through the
 * consumers, late ones, and events loaded straight into the store alike.
 *
 * When: on our FerretDB (store_counts_fillable(): a stock one reads the
 * whole collection for every find, and keeps the cache only for the
 * readers), with counts_fill_days > 0, once this consumer has caught up with the
 * stream (a read of new entries returned less than a batch: nothing
 * waits behind it for long), in passes of at most about
 * CONSUMER_FILL_PASS_MS, so a new event waits that much at worst; at
 * most one pass every CONSUMER_FILL_EVERY_MS among all consumers (a
 * Redis key set NX says whose turn it is).  Each consumer keeps where
 * its sweep has got to; a sweep goes from the newest closed hour back
 * to the horizon (counts_fill_days, or retention_days where that is
 * shorter: older events are deleted anyway), and the next one starts
 * CONSUMER_FILL_SWEEP_MS after it ends, for the hours closed since and
 * those late events touched.  What it fills is counted in the metrics
 * hash ("counts_filled"), shown by GET /metrics.
 *
 * Exactness: every unit is stored with store_counts_put()'s checks;
 * why that holds beside writes, retention and readers is in
 * lib/store_sweep.c.  This consumer's own brackets (counts.c) are never
 * open during a pass: it runs between batches.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "consumer.h"
#include "log.h"
#include "metrics.h"
#include "timeutil.h"

/* The horizon in days; 0: no fill. */
static long
horizon_days(const struct consumer *c)
{
	long d = c->conf.counts_fill_days;

	if (c->conf.retention_days > 0 && c->conf.retention_days < d)
		d = c->conf.retention_days;
	return d;
}

void
fill_maybe(struct consumer *c)
{
	char err[ERRBUF_LEN], when[TIME_RFC3339_LEN];
	int64_t now = time_mono_ms(), budget, wall, from;
	enum store_status st;
	long days = horizon_days(c);

	if (days <= 0 || !c->server_logged || !store_counts_fillable(c->server.kind) ||
	    now < c->next_fill || c->store_down_since != 0 || c->s->down_since != 0 ||
	    consumer_stopping())
		return;
	/* No further than --max-seconds. */
	if ((budget = consumer_clamp_ms(c, CONSUMER_FILL_PASS_MS)) < CONSUMER_FILL_PASS_MS / 5)
		return;
	c->next_fill = now + CONSUMER_FILL_EVERY_MS;
	/* Marks an earlier run under this name left are released first. */
	counts_setup(c);
	if (!c->counts_ready || !turn_take(c, c->fill_key, CONSUMER_FILL_EVERY_MS, "counts"))
		return;
	wall = time_now_ms();
	from = wall - days * 86400000LL;
	st = store_counts_sweep(c->store, wall, from, budget, &c->sweep, err, sizeof(err));
	if (c->sweep.kept > 0) {
		turn_count(c, METRIC_COUNTS_FILLED, (long long)c->sweep.kept, "counts");
		c->n_filled += c->sweep.kept;
		c->sweep_kept += (int64_t)c->sweep.kept;
	}
	if (st != STORE_OK) {
		/* An outage shows in the next insert; anything else is said,
		 * and tried again at the next sweep. */
		if (st == STORE_TRANSIENT)
			log_debug("counts: %s (filled in a later pass)", err);
		else {
			log_warn("counts: %s (filled in a minute)", err);
			c->next_fill = now + CONSUMER_FILL_SWEEP_MS;
		}
		return;
	}
	if (!c->sweep.done) {
		log_debug("counts: a pass filled %zu units; more in the next", c->sweep.kept);
		return;
	}
	time_format_rfc3339(from, when, sizeof(when));
	if (c->sweep_kept > 0)
		log_info("counts: filled %lld minutes and hours of the stats cache, back to %s",
		    (long long)c->sweep_kept, when);
	else
		log_debug("counts: the stats cache is filled back to %s", when);
	c->sweep_kept = 0;
	c->next_fill = now + CONSUMER_FILL_SWEEP_MS;
}
