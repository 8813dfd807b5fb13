/*
 * Counter names in the metrics hash "<stream>:metrics", kept by the
 * programs with HINCRBY and shown by GET /metrics.  Rejections are
 * "rejected:<reason>", ignored events "ignored:<reason>", crawlers in
 * "<stream>:bots" as "<reason>:<name>".
 *
 * Ownership: names only (string constants); nothing to free.
 */
#ifndef EVENTS_METRICS_H
#define EVENTS_METRICS_H

#define METRICS_KEY_SUFFIX	":metrics"
#define BOTS_KEY_SUFFIX		":bots"

/* "<stream>:consumers": a hash of consumer name -> epoch ms at which it
 * last finished a pass of its loop (alive); "<stream>:last_batch": epoch
 * ms of the last batch any consumer stored.  GET /health reads both. */
#define CONSUMERS_KEY_SUFFIX	":consumers"
#define LAST_BATCH_KEY_SUFFIX	":last_batch"

#define METRIC_ACCEPTED		"accepted"	/* events queued by POST */
#define METRIC_REJECTED		"rejected:"	/* + reason: events or requests refused */
#define METRIC_IGNORED		"ignored:"	/* + dnt, bot: answered, not kept */
#define METRIC_STORED		"stored"	/* events inserted by the consumer */
#define METRIC_DUPLICATES	"duplicates"	/* already stored: counted, not inserted */
#define METRIC_DEAD		"dead_lettered"
#define METRIC_SPOOLED		"spooled"	/* events found in the spool on replay */
#define METRIC_REPLAYED		"replayed"	/* of those, queued again */
#define METRIC_EXPIRED		"expired"	/* deleted by the consumer past retention_days */
#define METRIC_COUNTS_FILLED	"counts_filled"	/* units of the counts cache the consumer filled */

/* "<stream>:expire_pass": set (NX, for a minute) by the consumer that
 * runs a retention pass, so that all consumers together run at most one
 * a minute. */
#define EXPIRE_PASS_KEY_SUFFIX	":expire_pass"

/* "<stream>:fill_pass": set (NX, for CONSUMER_FILL_EVERY_MS) by the
 * consumer that runs a pass of the counts cache's fill, so that all
 * consumers together run at most one that often. */
#define FILL_PASS_KEY_SUFFIX	":fill_pass"

#endif
