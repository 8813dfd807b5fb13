/* event-status's internal interface: the Redis side of a snapshot
 * (status_redis.c), summed over the shards; status.c serves it. */
#ifndef EVENTS_CGI_STATUS_H
#define EVENTS_CGI_STATUS_H

#include <stddef.h>

#include "conf.h"
#include "shard.h"

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

/* Read every shard.  Shards that do not answer are counted out of
 * shards_up and logged.  Free with redis_view_free(). */
void	redis_view_read(struct shardmap *m, const struct conf *c, struct redis_view *v);
void	redis_view_free(struct redis_view *v);

#endif
