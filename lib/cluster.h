/*
 * Redis Cluster, the part the programs need (hiredis 0.14 has none, and
 * Debian 12 packages no cluster client for C): which node serves a key,
 * and following the cluster's redirections.  From the Redis Cluster
 * specification (redis.io, "Redis cluster specification"):
 *
 *   - a key's hash slot is CRC16-XMODEM of the key, or of its hash tag
 *     (what lies between the first "{" and the next "}", when not
 *     empty), modulo 16384;
 *   - CLUSTER SLOTS maps slot ranges to masters; any node answers it;
 *   - "-MOVED slot host:port": the slot lives there now; update the map
 *     (the whole map is read again) and send the command there;
 *   - "-ASK slot host:port": the slot is being migrated and this key is
 *     there already: send ASKING and the command to that node, once,
 *     without changing the map;
 *   - "-TRYAGAIN": a multi-key command during a migration; try shortly;
 *   - a node that cannot be reached, or "-CLUSTERDOWN": read the map
 *     again (a replica may have been promoted) and fail this request.
 *
 * Ownership: cluster_new() copies what it needs; cluster_free() frees
 * the nodes' connections (NULL is a no-op).  Replies are the caller's.
 * No globals: each handle keeps its own map.
 */
#ifndef EVENTS_CLUSTER_H
#define EVENTS_CLUSTER_H

#include <stddef.h>

#include <hiredis/hiredis.h>

#include "conf.h"
#include "redisaddr.h"
#include "redisconn.h"

#define CLUSTER_SLOTS		16384
#define CLUSTER_NODES_MAX	256	/* masters and seeds one handle knows */
#define CLUSTER_HOPS		5	/* redirections followed for one command */
#define CLUSTER_REFRESH_MS	200	/* the map is read at most this often */

/* The hash slot of a key (0..16383), hash tags honoured. */
unsigned	 cluster_keyslot(const char *key, size_t len);

/*
 * A hash tag for shard i (0..1023) whose slot lies in the i-th place of a
 * spread over the slot space (bit-reversed order), so that the first n
 * shards fall evenly on masters holding even shares of the slots:
 * "<i>.<k>" for the smallest k that does it.  buf holds at least 24 bytes.
 */
const char	*cluster_shard_tag(unsigned i, char *buf, size_t len);

/* A redirection in an error reply. */
enum cluster_redirect {
	CLUSTER_NO_REDIRECT,	/* any other error */
	CLUSTER_MOVED,		/* MOVED: *slot and *to set */
	CLUSTER_ASK		/* ASK: *slot and *to set */
};
enum cluster_redirect cluster_redirect(const char *err, unsigned *slot,
		    struct redisaddr *to);

struct cluster;

/* A cluster found from seeds[0..n) (n >= 1), with c's credentials and
 * timeout.  NULL on out of memory. */
struct cluster	*cluster_new(const struct conf *c, const struct redisaddr *seeds, size_t n);
void		 cluster_free(struct cluster *cl);

/*
 * Run the commands (a pipeline, at most REDISCONN_PIPELINE_MAX - 1) on the
 * master of slot, following redirections as above; the first command's
 * reply decides.  0 with replies[0..n) set, or -1 with err set.
 */
int		 cluster_run(struct cluster *cl, unsigned slot, const struct redis_cmd *cmds,
		    size_t n, long extra_ms, redisReply **replies, char *err, size_t errlen);

/* The node that serves slot, as the map says now (-1: not known), and
 * its address for messages. */
int		 cluster_node_of(struct cluster *cl, unsigned slot);
const char	*cluster_where(struct cluster *cl, unsigned slot);

#endif
