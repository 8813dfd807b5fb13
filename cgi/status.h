/*
 * event-status: GET /health and GET /metrics.  The program's own
 * header: its state and the prototypes of its files, grouped by file.
 */
#ifndef EVENTS_CGI_STATUS_H
#define EVENTS_CGI_STATUS_H

#include <stddef.h>

#include "conf.h"
#include "http.h"
#include "shard.h"
#include "store.h"

/* Named counters, summed over shards (or, for consumers, the newest). */
struct counter {
	char		*name;
	long long	 v;
};

struct counters {
	struct counter	*e;
	size_t		 n, cap;
};

/* 0 when name is not there. */
long long	counters_get(const struct counters *c, const char *name);

/* One shard, for /health's "shards" and /metrics' per-shard gauges. */
struct shard_view {
	int		 up;
	long long	 backlog, dead;
};

struct redis_view {
	unsigned	 shards, shards_up;
	long long	 backlog, dead;		/* over the shards that answered */
	long long	 oldest_ms;	/* -1: nothing waiting */
	long long	 last_batch_ms;	/* -1: never */
	long long	 last_seen_ms;	/* newest consumer heartbeat, -1: none */
	struct counters	 metrics, bots;	/* "<stream>:metrics", ":bots", summed */
	struct counters	 consumers;	/* name -> newest heartbeat, ms */
	struct shard_view *shard;	/* [shards] */
};

/* status_redis.c */

/* Read every shard.  Shards that do not answer are counted out of
 * shards_up and logged.  Free with redis_view_free(). */
void	redis_view_read(struct shardmap *m, const struct conf *c, struct redis_view *v);
void	redis_view_free(struct redis_view *v);

/* The program's state, kept across requests. */
struct status {
	struct conf		 conf;
	struct shardmap		*m;
	struct store		*store;		/* NULL until it connects */
};

/* What /health and /metrics report, read fresh for each request. */
struct snapshot {
	int		 redis_up, store_up;	/* redis_up: every shard answered */
	struct store_server server;	/* when store_up */
	long long	 spool_bytes;
	struct redis_view r;
};

/* status_snapshot.c */

/* Read the spool's size, the store (connecting it when needed; a failed
 * ping drops the client, so the next request tries a new one) and every
 * shard into s.  Never fails: what does not answer is "down" in s and
 * logged.  Free with snapshot_free(). */
void	snapshot_read(struct status *st, struct snapshot *s);
void	snapshot_free(struct snapshot *s);

/* status_health.c: GET /health, 200 or 503 with the problems found. */
void	health_handle(struct status *st, struct http_req *req);

/* status_metrics.c: GET /metrics, the Prometheus text format. */
void	metrics_handle(struct status *st, struct http_req *req);

#endif
