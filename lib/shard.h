/*
 * The sharded queue: `shards` streams, each with its dead letters,
 * counters, attempts and rate-limit counters in keys that share one hash
 * tag, so that one shard lives in one Redis Cluster slot and the Lua
 * scripts, which touch several of those keys at once, stay atomic per
 * shard.
 *
 * Key names of shard i (base "events", say):
 *   shard 0 outside a cluster	"events", "events:metrics", "events:dead"
 *				(today's names: shards = 1 is the
 *				single-stream layout, and going from 1 to N
 *				shards keeps what is queued where it is)
 *   shard i > 0 outside one	"events{i}", "events{i}:metrics",
 *				"events:dead{i}"
 *   in a Redis Cluster		"events{i.k}" and so on for every shard,
 *				k chosen to spread shards over the slots
 *				(cluster_shard_tag)
 *
 * Where shard i lives:
 *   one Redis			redis_host:redis_port or redis_socket, or
 *				the master Sentinel names
 *   independent masters	shard i on master i mod n of redis_servers,
 *				or of the names in redis_master_name (each
 *				found through Sentinel)
 *   a Redis Cluster		redis_cluster = 1: the master of the slot
 *				of the shard's tag (cluster.h); the seeds
 *				are redis_servers, else redis_host:port
 *
 * Ownership: shardmap_new() copies what it needs from the conf;
 * shardmap_free() frees every connection (NULL is a no-op).  Replies are
 * the caller's to freeReplyObject().  No globals: one map per thread.
 */
#ifndef EVENTS_SHARD_H
#define EVENTS_SHARD_H

#include <stddef.h>

#include <hiredis/hiredis.h>

#include "conf.h"
#include "redisconn.h"

#define SHARDS_MAX	1024
#define SHARD_TAG_LEN	24

/* A Lua script run by EVALSHA, sent whole after NOSCRIPT. */
struct shard_script {
	const char	*name;		/* for messages */
	const char	*body;
	char		 sha[41];	/* "" until loaded */
};

struct shardmap;

/* NULL with err set on out of memory or a configuration conf_load
 * would have refused. */
struct shardmap	*shardmap_new(const struct conf *c, char *err, size_t errlen);
void		 shardmap_free(struct shardmap *m);

unsigned	 shardmap_count(const struct shardmap *m);

/*
 * The name of key base in shard i, with suffix ("" for none) after it:
 * shardmap_key(m, 3, "events", ":metrics", ...) is "events{3}:metrics".
 * Cut short to len - 1 bytes (keys come from checked names and are far
 * shorter).
 */
const char	*shardmap_key(const struct shardmap *m, unsigned shard, const char *base,
		    const char *suffix, char *buf, size_t len);

/*
 * Run a pipeline of n commands (keys of shard i only) on the master that
 * holds the shard, following a Redis Cluster's redirections and a
 * Sentinel failover (redisconn.h).  0 with replies[0..n) set, or -1 with
 * err set.
 */
int		 shardmap_run(struct shardmap *m, unsigned shard, const struct redis_cmd *cmds,
		    size_t n, long extra_ms, redisReply **replies, char *err, size_t errlen);

/* One command; the reply (maybe an error reply), or NULL with err set. */
redisReply	*shardmap_command(struct shardmap *m, unsigned shard, int argc,
		    const char **argv, const size_t *argvlen, char *err, size_t errlen);

/*
 * Run script s on shard i: the caller fills argv[2..argc) (numkeys, keys,
 * arguments) and leaves room for argv[0..1], which this fills (EVALSHA
 * and the SHA1, or EVAL and the body after NOSCRIPT).  With wait set and
 * redis_min_replicas above 0, "WAIT redis_min_replicas
 * redis_replica_timeout_ms" follows in the same round trip and *acked is
 * what it answered (else -1).  The reply (maybe an error reply), or NULL
 * with err set.
 */
redisReply	*shardmap_eval(struct shardmap *m, unsigned shard, struct shard_script *s,
		    int argc, const char **argv, size_t *argvlen, int wait, long *acked,
		    char *err, size_t errlen);

/* Which connection serves shard i now: shards with the same number share
 * a master; -1 when not known yet. */
int		 shardmap_server(struct shardmap *m, unsigned shard);

/* Where shard i lives, for messages. */
const char	*shardmap_where(struct shardmap *m, unsigned shard);

/* redis_min_replicas, for callers that judge WAIT's answer. */
long		 shardmap_min_replicas(const struct shardmap *m);

/* Drop shard i's connection: the next command connects again (asking
 * Sentinel anew). */
void		 shardmap_drop(struct shardmap *m, unsigned shard);

#endif
