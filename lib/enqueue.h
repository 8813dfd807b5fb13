/*
 * Putting a validated batch on the Redis stream: one stream entry per
 * event, field "e" holding the event's JSON, all or nothing in one round
 * trip.  A Lua script runs atomically (Redis runs no other command while
 * it runs), so the rate-limit counters, the backlog check, the entries and
 * the "accepted" counter change together or not at all.  No MAXLEN: only
 * the consumer removes entries, once they are stored.
 *
 * With redis_min_replicas above 0, a WAIT follows the script in the same
 * round trip, and the batch counts as queued only once that many
 * replicas hold it (ENQUEUE_UNREPLICATED otherwise).
 *
 * With shards (shard.h) a batch goes to one shard: the one the address
 * (or key) hashes to when that limit is on, so the limit is counted in
 * one place, else the next in turn; when its master does not answer (or
 * too few replicas acknowledge), the next shard on another master.  A
 * batch that reached a master and is then queued on another shard is
 * stored once all the same: the store keeps one document per id.
 *
 * Keys beside the stream S (of a shard: "events", "events{3}"):
 * "S:metrics" (a hash of counters, see metrics.h), "S:rl:ip:<addr>" and
 * "S:rl:key:<key>" (rate-limit windows).
 *
 * Ownership: enqueue_new() copies what it needs from the conf and
 * owns its connections; enqueue_free() frees them (NULL is a no-op).
 * Batches, limits and names are borrowed for the call.
 */
#ifndef EVENTS_ENQUEUE_H
#define EVENTS_ENQUEUE_H

#include <stddef.h>

#include "conf.h"
#include "event.h"

struct enqueue;

/* What one request may do; all zero (or a NULL pointer) means no limit. */
struct enqueue_limits {
	const char	*ip;		/* the client's counter, or NULL */
	const char	*key;		/* the write key's counter, or NULL */
	long		 ip_max;	/* events per window from one address */
	long		 key_max;	/* events per window under one key */
	long		 window_s;
	long		 max_backlog;	/* stream length (queued + in flight) */
};

enum enqueue_status {
	ENQUEUE_OK,
	ENQUEUE_UNAVAILABLE,	/* Redis unreachable or refusing: nothing queued */
	ENQUEUE_RATE_IP,	/* over the per-address limit: nothing queued */
	ENQUEUE_RATE_KEY,	/* over the per-key limit: nothing queued */
	ENQUEUE_BACKLOG,	/* backlog full: nothing queued */
	ENQUEUE_UNREPLICATED	/* on the master, but fewer than redis_min_replicas
				   replicas acknowledged it in time: it may be
				   lost in a failover, or stored; the client
				   should send it again with the same ids */
};

/* Owns a redisconn made from c (Sentinel-aware).  NULL on out of memory.
 * One handle per thread: it holds no globals. */
struct enqueue	*enqueue_new(const struct conf *c);
void		 enqueue_free(struct enqueue *q);

/*
 * Queue b under lim (NULL: none).  retry_s must not be NULL: for the rate
 * limits it is set to the seconds until the window ends, else to 0.  With
 * ENQUEUE_UNAVAILABLE and ENQUEUE_UNREPLICATED err says why.
 */
enum enqueue_status enqueue_batch(struct enqueue *q, const struct event_batch *b,
		    const struct enqueue_limits *lim, long *retry_s,
		    char *err, size_t errlen);

/*
 * The most events one request may hold and ever pass lim (as each shard
 * applies it, enqueue_batch): the smallest of rate_limit_ip (with an
 * address), rate_limit_key (with a key) and max_backlog, with *name set
 * to that key's name; 0 (and NULL) when none is set.  A request with more
 * is refused whatever the counters say, so a client should not retry it.
 */
long		 enqueue_most(const struct enqueue *q, const struct enqueue_limits *lim,
		    const char **name);

/* Add n to counter name in the metrics hash ("<stream>:metrics"), or in
 * the crawler hash ("<stream>:bots"); best effort, one command. */
void		 enqueue_count(struct enqueue *q, const char *name, long n);
void		 enqueue_count_bot(struct enqueue *q, const char *name, long n);

/* The stream entry field that holds an event's JSON. */
#define ENQUEUE_FIELD "e"

#endif
