#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "bounds.h"
#include "redisaddr.h"
#include "shard.h"

struct shardmap {
	unsigned		 n;		/* shards */
	struct redisconn	**conn;		/* independent masters, or NULL */
	size_t			 nconn;
	struct cluster		*cl;		/* or a Redis Cluster */
	unsigned		*slot;		/* per shard, in a cluster */
	char			(*tag)[SHARD_TAG_LEN];	/* per shard */
	long			 min_replicas;
	char			 wait_n[24], wait_ms[24];
	long			 wait_extra_ms;
	char			 where[64];
};

static int
add_conn(struct shardmap *m, struct redisconn *rc)
{
	if (rc == NULL)
		return -1;
	m->conn[m->nconn++] = rc;
	return 0;
}

/* The masters: Sentinel's names, redis_servers, or the one Redis. */
static int
masters(struct shardmap *m, const struct conf *c, char *err, size_t errlen)
{
	struct redisaddr *a = NULL;
	const char *p, *w;
	char name[REDISADDR_NAME_LEN + 1], why[200];
	size_t len;
	int n, rc = -1;

	if ((m->conn = calloc(REDISADDR_MAX, sizeof(*m->conn))) == NULL)
		goto oom;
	if (c->redis_sentinels[0] != '\0') {
		p = c->redis_master_name;
		while ((w = redisaddr_word(&p, &len)) != NULL && m->nconn < REDISADDR_MAX) {
			snprintf(name, sizeof(name), "%.*s", (int)len, w);
			if (add_conn(m, redisconn_new_master(c, name)) != 0)
				goto oom;
		}
		return 0;
	}
	if (c->redis_servers[0] == '\0' && c->redis_cluster)
		return 0;	/* the seed is redis_host:redis_port */
	if (c->redis_servers[0] == '\0')
		return add_conn(m, redisconn_new(c)) == 0 ? 0 : (snprintf(err, errlen,
		    "out of memory"), -1);
	if ((a = calloc(REDISADDR_MAX, sizeof(*a))) == NULL)
		goto oom;
	if ((n = redisaddr_list(c->redis_servers, REDISADDR_PORT, a, REDISADDR_MAX, why, sizeof(why))) <= 0) {
		snprintf(err, errlen, "redis_servers: %s", n == 0 ? "empty" : why);
		goto out;
	}
	if (c->redis_cluster) {
		if ((m->cl = cluster_new(c, a, (size_t)n)) == NULL)
			goto oom;
	} else
		while (m->nconn < (size_t)n)
			if (add_conn(m, redisconn_new_addr(c, &a[m->nconn])) != 0)
				goto oom;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	free(a);
	return rc;
}

struct shardmap *
shardmap_new(const struct conf *c, char *err, size_t errlen)
{
	struct shardmap *m;
	struct redisaddr seed;
	unsigned i;
	int n;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->n = c->shards < 1 ? 1 : (unsigned)c->shards;
	if ((m->tag = calloc(m->n, sizeof(*m->tag))) == NULL ||
	    (m->slot = calloc(m->n, sizeof(*m->slot))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (masters(m, c, err, errlen) != 0)
		goto fail;
	if (c->redis_cluster && m->cl == NULL) {
		/* No redis_servers: the seed is the one Redis. */
		memset(&seed, 0, sizeof(seed));
		snprintf(seed.host, sizeof(seed.host), "%.255s", c->redis_host);
		seed.port = (int)c->redis_port;
		if ((m->cl = cluster_new(c, &seed, 1)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	for (i = 0; i < m->n; i++) {
		if (m->cl != NULL) {
			cluster_shard_tag(i, m->tag[i], SHARD_TAG_LEN);
			m->slot[i] = cluster_keyslot(m->tag[i], strlen(m->tag[i]));
		} else if (i > 0)
			snprintf(m->tag[i], SHARD_TAG_LEN, "%u", i);
	}
	m->min_replicas = c->redis_min_replicas;
	n = snprintf(m->wait_n, sizeof(m->wait_n), "%ld", c->redis_min_replicas);
	n = snprintf(m->wait_ms, sizeof(m->wait_ms), "%ld", c->redis_replica_timeout_ms);
	(void)n;
	m->wait_extra_ms = c->redis_replica_timeout_ms;
	return m;
fail:
	shardmap_free(m);
	return NULL;
}

void
shardmap_free(struct shardmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nconn; i++)
		redisconn_free(m->conn[i]);
	free(m->conn);
	cluster_free(m->cl);
	free(m->tag);
	free(m->slot);
	free(m);
}

unsigned
shardmap_count(const struct shardmap *m)
{
	return m->n;
}

long
shardmap_min_replicas(const struct shardmap *m)
{
	return m->min_replicas;
}

const char *
shardmap_key(const struct shardmap *m, unsigned shard, const char *base,
    const char *suffix, char *buf, size_t len)
{
	const char *t = m->tag[shard % m->n];

	if (t[0] == '\0')
		snprintf(buf, len, "%s%s", base, suffix);
	else
		snprintf(buf, len, "%s{%s}%s", base, t, suffix);
	return buf;
}

static struct redisconn *
conn_of(struct shardmap *m, unsigned shard)
{
	return m->conn[(shard % m->n) % m->nconn];
}

int
shardmap_run(struct shardmap *m, unsigned shard, const struct redis_cmd *cmds,
    size_t n, long extra_ms, redisReply **replies, char *err, size_t errlen)
{
	if (m->cl != NULL)
		return cluster_run(m->cl, m->slot[shard % m->n], cmds, n, extra_ms,
		    replies, err, errlen);
	return redisconn_pipeline(conn_of(m, shard), cmds, n, extra_ms, replies,
	    err, errlen);
}

redisReply *
shardmap_command(struct shardmap *m, unsigned shard, int argc, const char **argv,
    const size_t *argvlen, char *err, size_t errlen)
{
	struct redis_cmd c = { argc, argv, argvlen };
	redisReply *r;

	return shardmap_run(m, shard, &c, 1, 0, &r, err, errlen) == 0 ? r : NULL;
}

int
shardmap_server(struct shardmap *m, unsigned shard)
{
	if (m->cl != NULL)
		return cluster_node_of(m->cl, m->slot[shard % m->n]);
	return (int)((shard % m->n) % m->nconn);
}

const char *
shardmap_where(struct shardmap *m, unsigned shard)
{
	if (m->cl != NULL)
		return cluster_where(m->cl, m->slot[shard % m->n]);
	return redisconn_where(conn_of(m, shard));
}

void
shardmap_drop(struct shardmap *m, unsigned shard)
{
	if (m->cl == NULL)
		redisconn_drop(conn_of(m, shard));
}

/* The script and maybe WAIT, once; NOSCRIPT is the caller's. */
static redisReply *
eval_once(struct shardmap *m, unsigned shard, int argc, const char **argv,
    size_t *argvlen, int wait, long *acked, char *err, size_t errlen)
{
	const char *wargv[3] = { "WAIT", m->wait_n, m->wait_ms };
	struct redis_cmd c[2] = { { argc, argv, argvlen }, { 3, wargv, NULL } };
	redisReply *r[2];
	size_t n = wait ? 2 : 1;

	if (shardmap_run(m, shard, c, n, wait ? m->wait_extra_ms : 0, r, err, errlen) != 0)
		return NULL;
	if (wait) {
		*acked = r[1]->type == REDIS_REPLY_INTEGER ? (long)r[1]->integer : 0;
		freeReplyObject(r[1]);
	}
	return r[0];
}

redisReply *
shardmap_eval(struct shardmap *m, unsigned shard, struct shard_script *s, int argc,
    const char **argv, size_t *argvlen, int wait, long *acked, char *err, size_t errlen)
{
	const char *largv[3] = { "SCRIPT", "LOAD", s->body };
	redisReply *r;

	*acked = -1;
	wait = wait && m->min_replicas > 0;
	if (s->sha[0] == '\0') {
		/* The SHA1 of the body: the same on every node. */
		if ((r = shardmap_command(m, shard, 3, largv, NULL, err, errlen)) == NULL)
			return NULL;
		if (r->type != REDIS_REPLY_STRING || r->len != 40) {
			snprintf(err, errlen, "redis %s: SCRIPT LOAD %s: %s",
			    shardmap_where(m, shard), s->name,
			    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
			freeReplyObject(r);
			return NULL;
		}
		memcpy(s->sha, r->str, 41);
		freeReplyObject(r);
	}
	argv[0] = "EVALSHA";
	argvlen[0] = 7;
	argv[1] = s->sha;
	argvlen[1] = 40;
	r = eval_once(m, shard, argc, argv, argvlen, wait, acked, err, errlen);
	if (r != NULL && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0) {
		/* A restarted Redis, a new master, another node: EVAL sends
		 * the body, and caches it there. */
		freeReplyObject(r);
		argv[0] = "EVAL";
		argvlen[0] = 4;
		argv[1] = s->body;
		argvlen[1] = strlen(s->body);
		r = eval_once(m, shard, argc, argv, argvlen, wait, acked, err, errlen);
	}
	return r;
}
