/*
 * What /health and /metrics know from Redis: per shard the stream's and
 * the dead-letter stream's length, the oldest entry, the counters and the
 * consumers' heartbeats (metrics.h), read in one pipeline a shard, then
 * summed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "log.h"
#include "metrics.h"
#include "status.h"

long long
counters_get(const struct counters *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->e[i].name, name) == 0)
			return c->e[i].v;
	return 0;
}

/* Add v to name (max: keep the larger). */
static void
counters_add(struct counters *c, const char *name, long long v, int max)
{
	struct counter *ne;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->e[i].name, name) == 0) {
			if (!max)
				c->e[i].v += v;
			else if (v > c->e[i].v)
				c->e[i].v = v;
			return;
		}
	if (c->n == c->cap) {
		if ((ne = realloc(c->e, (c->cap * 2 + 8) * sizeof(*ne))) == NULL)
			return;
		c->e = ne;
		c->cap = c->cap * 2 + 8;
	}
	if ((c->e[c->n].name = strdup(name)) == NULL)
		return;
	c->e[c->n++].v = v;
}

/* An HGETALL reply into c. */
static void
take_hash(struct counters *c, const redisReply *r, int max)
{
	size_t i;

	if (r->type != REDIS_REPLY_ARRAY)
		return;
	for (i = 0; i + 1 < r->elements; i += 2)
		if (r->element[i]->type == REDIS_REPLY_STRING &&
		    r->element[i + 1]->type == REDIS_REPLY_STRING)
			counters_add(c, r->element[i]->str,
			    strtoll(r->element[i + 1]->str, NULL, 10), max);
}

static void
counters_free(struct counters *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->e[i].name);
	free(c->e);
	memset(c, 0, sizeof(*c));
}

static long long
int_of(const redisReply *r)
{
	if (r->type == REDIS_REPLY_INTEGER)
		return r->integer;
	if (r->type == REDIS_REPLY_STRING)
		return strtoll(r->str, NULL, 10);
	return -1;
}

#define NCMD	7

/* One shard: 0, or -1 when it did not answer. */
static int
read_shard(struct shardmap *m, const struct conf *c, unsigned i, struct redis_view *v)
{
	char stream[CONF_STR_LEN + 64], dead[CONF_STR_LEN + 64], last[CONF_STR_LEN + 64];
	char metrics[CONF_STR_LEN + 64], bots[CONF_STR_LEN + 64], cons[CONF_STR_LEN + 64];
	char err[ERRBUF_LEN];
	const char *a0[2] = { "XLEN", stream }, *a1[2] = { "XLEN", dead };
	const char *a2[6] = { "XRANGE", stream, "-", "+", "COUNT", "1" };
	const char *a3[2] = { "GET", last }, *a4[2] = { "HGETALL", metrics };
	const char *a5[2] = { "HGETALL", bots }, *a6[2] = { "HGETALL", cons };
	struct redis_cmd cmds[NCMD] = {
		{ 2, a0, NULL }, { 2, a1, NULL }, { 6, a2, NULL }, { 2, a3, NULL },
		{ 2, a4, NULL }, { 2, a5, NULL }, { 2, a6, NULL },
	};
	redisReply *r[NCMD];
	const redisReply *x;
	struct shard_view *sv = &v->shard[i];
	long long n;
	size_t k, j;
	int bad = 0;

	shardmap_key(m, i, c->stream, "", stream, sizeof(stream));
	shardmap_key(m, i, c->dead_stream, "", dead, sizeof(dead));
	shardmap_key(m, i, c->stream, LAST_BATCH_KEY_SUFFIX, last, sizeof(last));
	shardmap_key(m, i, c->stream, METRICS_KEY_SUFFIX, metrics, sizeof(metrics));
	shardmap_key(m, i, c->stream, BOTS_KEY_SUFFIX, bots, sizeof(bots));
	shardmap_key(m, i, c->stream, CONSUMERS_KEY_SUFFIX, cons, sizeof(cons));
	/* Pipelines hold at most REDISCONN_PIPELINE_MAX commands (three in
	 * a cluster, which may add ASKING): in runs of three. */
	for (k = 0; k < NCMD; k += 3) {
		j = NCMD - k < 3 ? NCMD - k : 3;
		if (shardmap_run(m, i, cmds + k, j, 0, r + k, err, sizeof(err)) != 0) {
			log_warn("%s", err);
			while (k > 0)
				freeReplyObject(r[--k]);
			return -1;
		}
	}
	for (k = 0; k < NCMD; k++)
		if (r[k]->type == REDIS_REPLY_ERROR) {
			log_warn("redis %s: %s: %s", shardmap_where(m, i), cmds[k].argv[0],
			    r[k]->str);
			bad = 1;
		}
	if (bad)
		goto out;
	sv->up = 1;
	sv->backlog = int_of(r[0]);
	sv->dead = int_of(r[1]);
	v->backlog += sv->backlog;
	v->dead += sv->dead;
	/* The consumer deletes what it stored, so the first entry left is
	 * the oldest not yet stored; its id starts with its ms. */
	x = r[2];
	if (x->type == REDIS_REPLY_ARRAY && x->elements == 1 &&
	    x->element[0]->type == REDIS_REPLY_ARRAY && x->element[0]->elements >= 1 &&
	    x->element[0]->element[0]->type == REDIS_REPLY_STRING) {
		n = strtoll(x->element[0]->element[0]->str, NULL, 10);
		if (v->oldest_ms < 0 || n < v->oldest_ms)
			v->oldest_ms = n;
	}
	if (r[3]->type == REDIS_REPLY_STRING && (n = int_of(r[3])) > v->last_batch_ms)
		v->last_batch_ms = n;
	take_hash(&v->metrics, r[4], 0);
	take_hash(&v->bots, r[5], 0);
	take_hash(&v->consumers, r[6], 1);
out:
	for (k = 0; k < NCMD; k++)
		freeReplyObject(r[k]);
	return bad ? -1 : 0;
}

void
redis_view_read(struct shardmap *m, const struct conf *c, struct redis_view *v)
{
	unsigned i;
	size_t k;

	memset(v, 0, sizeof(*v));
	v->oldest_ms = v->last_batch_ms = v->last_seen_ms = -1;
	v->shards = shardmap_count(m);
	if ((v->shard = calloc(v->shards, sizeof(*v->shard))) == NULL) {
		v->shards = 0;
		return;
	}
	for (i = 0; i < v->shards; i++)
		if (read_shard(m, c, i, v) == 0)
			v->shards_up++;
	for (k = 0; k < v->consumers.n; k++)
		if (v->consumers.e[k].v > v->last_seen_ms)
			v->last_seen_ms = v->consumers.e[k].v;
}

void
redis_view_free(struct redis_view *v)
{
	counters_free(&v->metrics);
	counters_free(&v->bots);
	counters_free(&v->consumers);
	free(v->shard);
	v->shard = NULL;
}
