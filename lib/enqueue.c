#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "enqueue.h"
#include "bounds.h"
#include "metrics.h"
#include "cluster.h"
#include "shard.h"

/*
 * KEYS: 1 stream, 2 metrics hash, 3 address counter, 4 key counter.
 * ARGV: 1 ip_max, 2 key_max, 3 window seconds, 4 max_backlog, 5.. events.
 * Returns {0, n} queued; {1, ms left} address over; {2, ms left} key
 * over; {3, 0} backlog full.  Checks come before any write, so a refusal
 * changes nothing but its own counter.
 */
static const char enqueue_lua[] =
    "local n = #ARGV - 4\n"
    "local ipmax, keymax = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
    "local win, maxb = tonumber(ARGV[3]), tonumber(ARGV[4])\n"
    "local function over(k, max)\n"
    "  return max > 0 and tonumber(redis.call('GET', k) or '0') + n > max\n"
    "end\n"
    "if over(KEYS[3], ipmax) then\n"
    "  redis.call('HINCRBY', KEYS[2], '" METRIC_REJECTED "rate_limited_ip', 1)\n"
    "  return {1, redis.call('PTTL', KEYS[3])}\n"
    "end\n"
    "if over(KEYS[4], keymax) then\n"
    "  redis.call('HINCRBY', KEYS[2], '" METRIC_REJECTED "rate_limited_key', 1)\n"
    "  return {2, redis.call('PTTL', KEYS[4])}\n"
    "end\n"
    "if maxb > 0 and redis.call('XLEN', KEYS[1]) + n > maxb then\n"
    "  redis.call('HINCRBY', KEYS[2], '" METRIC_REJECTED "backlog_full', 1)\n"
    "  return {3, 0}\n"
    "end\n"
    "local function take(k, max)\n"
    "  if max > 0 and redis.call('INCRBY', k, n) == n then\n"
    "    redis.call('EXPIRE', k, win)\n"
    "  end\n"
    "end\n"
    "take(KEYS[3], ipmax)\n"
    "take(KEYS[4], keymax)\n"
    "for i = 5, #ARGV do\n"
    "  redis.call('XADD', KEYS[1], '*', '" ENQUEUE_FIELD "', ARGV[i])\n"
    "end\n"
    "redis.call('HINCRBY', KEYS[2], '" METRIC_ACCEPTED "', n)\n"
    "return {0, n}\n";

#define NKEYS	4
#define NFIXED	(2 + 1 + NKEYS + 4)	/* EVALSHA sha numkeys KEYS ARGV[1..4] */

/* Longest rate-limit counter name: "<stream>{tag}:rl:<kind>:<id>". */
#define KEY_LEN	(CONF_STR_LEN + SHARD_TAG_LEN + 128)

struct enqueue {
	struct shardmap		*m;
	struct shard_script	 script;
	unsigned		 n;		/* shards */
	unsigned		 last;		/* where the last batch went */
	char			 stream[CONF_STR_LEN];
	const char		*argv[NFIXED + LIMIT_EVENTS];
	size_t			 argvlen[NFIXED + LIMIT_EVENTS];
};

/* The next shard in turn: one turn for the process, shared by the
 * threads' enqueue (each has its own connections), so that requests go
 * round the shards whichever thread takes them. */
static atomic_uint next_shard;

struct enqueue *
enqueue_new(const struct conf *c)
{
	struct enqueue *q;
	char err[ERRBUF_LEN];

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	if ((q->m = shardmap_new(c, err, sizeof(err))) == NULL) {
		free(q);
		return NULL;
	}
	q->script.name = "enqueue";
	q->script.body = enqueue_lua;
	q->n = shardmap_count(q->m);
	/* Processes start their turns at different shards. */
	if (atomic_load(&next_shard) == 0)
		atomic_store(&next_shard, (unsigned)getpid() ^ (unsigned)time(NULL));
	snprintf(q->stream, sizeof(q->stream), "%s", c->stream);
	return q;
}

void
enqueue_free(struct enqueue *q)
{
	if (q == NULL)
		return;
	shardmap_free(q->m);
	free(q);
}

/* FNV-1a, to send one address (or key) to one shard. */
static unsigned
hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
set_arg(struct enqueue *q, int i, const char *v, size_t len)
{
	q->argv[i] = v;
	q->argvlen[i] = len;
}

static void
set_num(struct enqueue *q, int i, char *buf, size_t len, long v)
{
	int n = snprintf(buf, len, "%ld", v);

	set_arg(q, i, buf, (size_t)n);
}

/* The limits as one shard applies them. */
struct shard_limits {
	long	ip_max, key_max, max_backlog;
};

/*
 * lim as each of n shards applies it, into sl: the limit the request's
 * shard is chosen by (the address's, else the key's) whole, each other
 * limit a shard's share of it.  1 when the key's chooses the shard.
 */
static int
shard_limits(const struct enqueue_limits *lim, unsigned n, struct shard_limits *sl)
{
	int by_key = !(lim->ip_max > 0 && lim->ip != NULL) && lim->key_max > 0 &&
	    lim->key != NULL;

	sl->ip_max = lim->ip_max;
	sl->key_max = by_key || n == 1 ? lim->key_max : (lim->key_max + (long)n - 1) / (long)n;
	sl->max_backlog = (lim->max_backlog + (long)n - 1) / (long)n;
	return by_key;
}

long
enqueue_most(const struct enqueue *q, const struct enqueue_limits *lim, const char **name)
{
	struct shard_limits sl;
	long most = 0;

	shard_limits(lim, q->n, &sl);
	*name = NULL;
	if (lim->ip != NULL && sl.ip_max > 0)
		most = sl.ip_max, *name = "rate_limit_ip";
	if (lim->key != NULL && sl.key_max > 0 && (most == 0 || sl.key_max < most))
		most = sl.key_max, *name = "rate_limit_key";
	if (sl.max_backlog > 0 && (most == 0 || sl.max_backlog < most))
		most = sl.max_backlog, *name = "max_backlog";
	return most;
}

/*
 * Queue the batch (argv from NFIXED on, set by the caller) on one shard.
 * ENQUEUE_* as enqueue_batch.
 */
static enum enqueue_status
enqueue_on(struct enqueue *q, unsigned shard, int argc, const struct enqueue_limits *lim,
    const struct shard_limits *sl, size_t nev, long *retry_s, char *err, size_t errlen)
{
	char stream[KEY_LEN], metrics[KEY_LEN], ipkey[KEY_LEN], keykey[KEY_LEN], suffix[256];
	char nums[4][24];
	redisReply *r;
	enum enqueue_status st = ENQUEUE_UNAVAILABLE;
	long long code, val;
	long acked;

	shardmap_key(q->m, shard, q->stream, "", stream, sizeof(stream));
	shardmap_key(q->m, shard, q->stream, METRICS_KEY_SUFFIX, metrics, sizeof(metrics));
	snprintf(suffix, sizeof(suffix), ":rl:ip:%s", sl->ip_max > 0 && lim->ip ? lim->ip : "");
	shardmap_key(q->m, shard, q->stream, suffix, ipkey, sizeof(ipkey));
	snprintf(suffix, sizeof(suffix), ":rl:key:%s", sl->key_max > 0 && lim->key ? lim->key : "");
	shardmap_key(q->m, shard, q->stream, suffix, keykey, sizeof(keykey));
	set_arg(q, 2, "4", 1);
	set_arg(q, 3, stream, strlen(stream));
	set_arg(q, 4, metrics, strlen(metrics));
	set_arg(q, 5, ipkey, strlen(ipkey));
	set_arg(q, 6, keykey, strlen(keykey));
	set_num(q, 7, nums[0], sizeof(nums[0]), lim->ip != NULL ? sl->ip_max : 0);
	set_num(q, 8, nums[1], sizeof(nums[1]), lim->key != NULL ? sl->key_max : 0);
	set_num(q, 9, nums[2], sizeof(nums[2]), lim->window_s > 0 ? lim->window_s : 1);
	set_num(q, 10, nums[3], sizeof(nums[3]), sl->max_backlog);
	if ((r = shardmap_eval(q->m, shard, &q->script, argc, q->argv, q->argvlen, 1,
	    &acked, err, errlen)) == NULL)
		return ENQUEUE_UNAVAILABLE;
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_INTEGER &&
	    r->element[1]->type == REDIS_REPLY_INTEGER) {
		code = r->element[0]->integer;
		val = r->element[1]->integer;
		if (code == 0 && val == (long long)nev && acked >= 0 &&
		    acked < shardmap_min_replicas(q->m)) {
			st = ENQUEUE_UNREPLICATED;
			snprintf(err, errlen, "redis %s: %ld of %ld replicas acknowledged "
			    "the entries within the timeout", shardmap_where(q->m, shard), acked,
			    shardmap_min_replicas(q->m));
			/* A master whose replicas left may be one Sentinel has
			 * replaced (it keeps taking writes until Sentinel turns
			 * it into a replica, some seconds later): ask again. */
			shardmap_drop(q->m, shard);
		} else if (code == 0 && val == (long long)nev)
			st = ENQUEUE_OK;
		else if (code == 1 || code == 2) {
			st = code == 1 ? ENQUEUE_RATE_IP : ENQUEUE_RATE_KEY;
			*retry_s = val > 0 ? (long)((val + 999) / 1000) : 1;
		} else if (code == 3)
			st = ENQUEUE_BACKLOG;
		else
			snprintf(err, errlen, "redis %s: enqueue: unexpected reply",
			    shardmap_where(q->m, shard));
	} else
		snprintf(err, errlen, "redis %s: enqueue: %s", shardmap_where(q->m, shard),
		    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
	freeReplyObject(r);
	return st;
}

enum enqueue_status
enqueue_batch(struct enqueue *q, const struct event_batch *b,
    const struct enqueue_limits *lim, long *retry_s, char *err, size_t errlen)
{
	static const struct enqueue_limits none;
	unsigned char down[CLUSTER_NODES_MAX];
	struct shard_limits sl;
	enum enqueue_status st, worst = ENQUEUE_UNAVAILABLE;
	unsigned start, k, shard;
	size_t i;
	int srv, by_key = 0;

	*retry_s = 0;
	if (lim == NULL)
		lim = &none;
	if (b->n == 0 || b->n > LIMIT_EVENTS) {
		snprintf(err, errlen, "enqueue: batch of %zu events", b->n);
		return ENQUEUE_UNAVAILABLE;
	}
	for (i = 0; i < b->n; i++)
		set_arg(q, NFIXED + (int)i, b->ev[i].json, b->ev[i].json_len);
	/*
	 * Which shard first: the one the address hashes to when addresses
	 * are limited (its counter is then exact), else the key's when keys
	 * are, else the next in turn.  A limit not chosen by is counted per
	 * shard, each shard allowing its share; so is the backlog.
	 */
	by_key = shard_limits(lim, q->n, &sl);
	if (lim->ip_max > 0 && lim->ip != NULL)
		start = hash(lim->ip) % q->n;
	else if (by_key)
		start = hash(lim->key) % q->n;
	else
		start = atomic_fetch_add(&next_shard, 1) % q->n;
	memset(down, 0, sizeof(down));
	err[0] = '\0';
	/* A shard that is down, or full: the next one, on another master
	 * (a master that failed this request is not asked again). */
	for (k = 0; k < q->n; k++) {
		shard = (start + k) % q->n;
		srv = shardmap_server(q->m, shard);
		if (srv >= 0 && srv < CLUSTER_NODES_MAX && down[srv])
			continue;
		st = enqueue_on(q, shard, NFIXED + (int)b->n, lim, &sl, b->n, retry_s,
		    err, errlen);
		switch (st) {
		case ENQUEUE_OK:
		case ENQUEUE_RATE_IP:
		case ENQUEUE_RATE_KEY:
			q->last = shard;
			return st;
		case ENQUEUE_BACKLOG:
			if (worst == ENQUEUE_UNAVAILABLE)
				worst = ENQUEUE_BACKLOG;
			break;
		case ENQUEUE_UNREPLICATED:
		case ENQUEUE_UNAVAILABLE:
			/* Events that may be on a master: the client must send
			 * them again with the same ids. */
			if (st == ENQUEUE_UNREPLICATED)
				worst = st;
			srv = shardmap_server(q->m, shard);
			if (srv >= 0 && srv < CLUSTER_NODES_MAX)
				down[srv] = 1;
			break;
		}
	}
	if (worst == ENQUEUE_BACKLOG)
		q->last = start;
	return worst;
}

static void
count(struct enqueue *q, const char *suffix, const char *name, long n)
{
	char num[24], err[ERRBUF_LEN], hash_key[KEY_LEN];
	const char *argv[4] = { "HINCRBY", hash_key, name, num };
	redisReply *r;

	shardmap_key(q->m, q->last, q->stream, suffix, hash_key, sizeof(hash_key));
	snprintf(num, sizeof(num), "%ld", n);
	if ((r = shardmap_command(q->m, q->last, 4, argv, NULL, err, sizeof(err))) != NULL)
		freeReplyObject(r);
}

void
enqueue_count(struct enqueue *q, const char *name, long n)
{
	count(q, METRICS_KEY_SUFFIX, name, n);
}

void
enqueue_count_bot(struct enqueue *q, const char *name, long n)
{
	count(q, BOTS_KEY_SUFFIX, name, n);
}
