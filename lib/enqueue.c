#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enqueue.h"
#include "limits.h"
#include "metrics.h"
#include "redisconn.h"

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

struct enqueue {
	struct redisconn	*rc;
	char			 stream[CONF_STR_LEN];
	char			 metrics[CONF_STR_LEN + 16];
	char			 bots[CONF_STR_LEN + 16];
	long			 min_replicas;	/* WAIT for this many; 0: no WAIT */
	long			 replica_timeout_ms;
	char			 sha[41];	/* "" until loaded */
	const char		*argv[NFIXED + LIMIT_EVENTS];
	size_t			 argvlen[NFIXED + LIMIT_EVENTS];
};

struct enqueue *
enqueue_new(const struct conf *c)
{
	struct enqueue *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	if ((q->rc = redisconn_new(c)) == NULL) {
		free(q);
		return NULL;
	}
	snprintf(q->stream, sizeof(q->stream), "%s", c->stream);
	snprintf(q->metrics, sizeof(q->metrics), "%s" METRICS_KEY_SUFFIX, c->stream);
	snprintf(q->bots, sizeof(q->bots), "%s" BOTS_KEY_SUFFIX, c->stream);
	q->min_replicas = c->redis_min_replicas;
	q->replica_timeout_ms = c->redis_replica_timeout_ms;
	return q;
}

void
enqueue_free(struct enqueue *q)
{
	if (q == NULL)
		return;
	redisconn_free(q->rc);
	free(q);
}

/*
 * The script and, with min_replicas, "WAIT min_replicas timeout" behind
 * it, written together and read together: one round trip.  WAIT returns
 * how many replicas have acknowledged every write this connection made
 * so far, so the script's entries included (the WAIT command page).
 * Returns the script's reply (and *acked, -1 without WAIT), or NULL with
 * err set and the connection dropped.
 */
static redisReply *
send_script(struct enqueue *q, redisContext *ctx, int argc, long *acked,
    char *err, size_t errlen)
{
	redisReply *r = NULL, *w = NULL;
	void *rep;

	*acked = -1;
	if (redisAppendCommandArgv(ctx, argc, q->argv, q->argvlen) != REDIS_OK)
		goto io;
	if (q->min_replicas > 0) {
		if (redisAppendCommand(ctx, "WAIT %ld %ld", q->min_replicas,
		    q->replica_timeout_ms) != REDIS_OK)
			goto io;
		/* The socket waits longer than the server does. */
		redisconn_timeout(q->rc, q->replica_timeout_ms);
	}
	if (redisGetReply(ctx, &rep) != REDIS_OK)
		goto io;
	r = rep;
	if (q->min_replicas > 0) {
		if (redisGetReply(ctx, &rep) != REDIS_OK)
			goto io;
		w = rep;
		redisconn_timeout(q->rc, 0);
		if (w->type == REDIS_REPLY_INTEGER)
			*acked = (long)w->integer;
		else
			*acked = 0;
		freeReplyObject(w);
	}
	return r;
io:
	snprintf(err, errlen, "redis %s: %s", redisconn_where(q->rc), ctx->errstr);
	if (r != NULL)
		freeReplyObject(r);
	return NULL;
}

/*
 * One attempt.  Returns the reply, or NULL with *retry set when the
 * command failed in a way that shows it never ran (a connection Redis had
 * closed while we idled), so that one retry cannot queue anything twice.
 */
static redisReply *
attempt(struct enqueue *q, int argc, long *acked, int *retry, char *err,
    size_t errlen)
{
	redisContext *ctx;
	redisReply *r;
	int reused = 1, eof;

	*retry = 0;
	*acked = -1;
	if ((ctx = redisconn_get(q->rc, err, errlen)) == NULL)
		return NULL;
	if (q->sha[0] == '\0') {
		reused = 0;
		if (redisconn_script_load(q->rc, enqueue_lua, q->sha, err, errlen) != 0)
			return NULL;
	}
	q->argv[0] = "EVALSHA";
	q->argvlen[0] = 7;
	q->argv[1] = q->sha;
	q->argvlen[1] = 40;
	r = send_script(q, ctx, argc, acked, err, errlen);
	if (r != NULL && r->type == REDIS_REPLY_ERROR &&
	    strncmp(r->str, "NOSCRIPT", 8) == 0) {
		/* The script cache was flushed under us: send the body. */
		freeReplyObject(r);
		q->sha[0] = '\0';
		q->argv[0] = "EVAL";
		q->argvlen[0] = 4;
		q->argv[1] = enqueue_lua;
		q->argvlen[1] = sizeof(enqueue_lua) - 1;
		r = send_script(q, ctx, argc, acked, err, errlen);
	}
	if (r == NULL) {
		eof = ctx->err == REDIS_ERR_EOF ||
		    (ctx->err == REDIS_ERR_IO && (errno == EPIPE || errno == ECONNRESET));
		redisconn_drop(q->rc);
		q->sha[0] = '\0';	/* a restarted Redis has no scripts */
		*retry = eof && reused;
		return NULL;
	}
	if (redisconn_failover(q->rc, r))
		q->sha[0] = '\0';	/* the next master may not have it */
	return r;
}

static void
set_key(struct enqueue *q, int i, char *buf, size_t len, const char *kind,
    const char *id)
{
	int n = snprintf(buf, len, "%s:rl:%s:%s", q->stream, kind, id ? id : "");

	q->argv[3 + i] = buf;
	q->argvlen[3 + i] = n < 0 ? 0 : ((size_t)n >= len ? len - 1 : (size_t)n);
}

static void
set_num(struct enqueue *q, int i, char *buf, size_t len, long v)
{
	int n = snprintf(buf, len, "%ld", v);

	q->argv[i] = buf;
	q->argvlen[i] = (size_t)n;
}

enum enqueue_status
enqueue_batch(struct enqueue *q, const struct event_batch *b,
    const struct enqueue_limits *lim, long *retry_s, char *err, size_t errlen)
{
	static const struct enqueue_limits none;
	char ipkey[CONF_STR_LEN + 128], keykey[CONF_STR_LEN + 128];
	char nums[4][24];
	redisReply *r;
	enum enqueue_status st = ENQUEUE_UNAVAILABLE;
	long long code, val;
	long acked;
	size_t i;
	int retry, argc;

	*retry_s = 0;
	if (lim == NULL)
		lim = &none;
	if (b->n == 0 || b->n > LIMIT_EVENTS) {
		snprintf(err, errlen, "enqueue: batch of %zu events", b->n);
		return ENQUEUE_UNAVAILABLE;
	}
	q->argv[2] = "4";
	q->argvlen[2] = 1;
	q->argv[3] = q->stream;
	q->argvlen[3] = strlen(q->stream);
	q->argv[4] = q->metrics;
	q->argvlen[4] = strlen(q->metrics);
	set_key(q, 2, ipkey, sizeof(ipkey), "ip", lim->ip_max > 0 ? lim->ip : NULL);
	set_key(q, 3, keykey, sizeof(keykey), "key", lim->key_max > 0 ? lim->key : NULL);
	set_num(q, 7, nums[0], sizeof(nums[0]), lim->ip != NULL ? lim->ip_max : 0);
	set_num(q, 8, nums[1], sizeof(nums[1]), lim->key != NULL ? lim->key_max : 0);
	set_num(q, 9, nums[2], sizeof(nums[2]), lim->window_s > 0 ? lim->window_s : 1);
	set_num(q, 10, nums[3], sizeof(nums[3]), lim->max_backlog);
	for (i = 0; i < b->n; i++) {
		q->argv[NFIXED + i] = b->ev[i].json;
		q->argvlen[NFIXED + i] = b->ev[i].json_len;
	}
	argc = NFIXED + (int)b->n;
	if ((r = attempt(q, argc, &acked, &retry, err, errlen)) == NULL && retry)
		r = attempt(q, argc, &acked, &retry, err, errlen);
	if (r == NULL)
		return ENQUEUE_UNAVAILABLE;
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_INTEGER &&
	    r->element[1]->type == REDIS_REPLY_INTEGER) {
		code = r->element[0]->integer;
		val = r->element[1]->integer;
		if (code == 0 && val == (long long)b->n && q->min_replicas > 0 &&
		    acked < q->min_replicas) {
			st = ENQUEUE_UNREPLICATED;
			snprintf(err, errlen, "redis %s: %ld of %ld replicas acknowledged "
			    "the entries within %ld ms", redisconn_where(q->rc), acked,
			    q->min_replicas, q->replica_timeout_ms);
			/* A master whose replicas left may be one Sentinel has
			 * replaced (it keeps taking writes until Sentinel turns
			 * it into a replica, some seconds later): ask again. */
			redisconn_drop(q->rc);
		} else if (code == 0 && val == (long long)b->n)
			st = ENQUEUE_OK;
		else if (code == 1 || code == 2) {
			st = code == 1 ? ENQUEUE_RATE_IP : ENQUEUE_RATE_KEY;
			*retry_s = val > 0 ? (long)((val + 999) / 1000) : 1;
		} else if (code == 3)
			st = ENQUEUE_BACKLOG;
		else
			snprintf(err, errlen, "redis %s: enqueue: unexpected reply",
			    redisconn_where(q->rc));
	} else
		snprintf(err, errlen, "redis %s: enqueue: %s", redisconn_where(q->rc),
		    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
	freeReplyObject(r);
	return st;
}

static void
count(struct enqueue *q, const char *hash, const char *name, long n)
{
	char num[24], err[ERRBUF_LEN];
	const char *argv[4] = { "HINCRBY", hash, name, num };
	redisReply *r;

	snprintf(num, sizeof(num), "%ld", n);
	if ((r = redisconn_command(q->rc, 4, argv, NULL, err, sizeof(err))) != NULL)
		freeReplyObject(r);
}

void
enqueue_count(struct enqueue *q, const char *name, long n)
{
	count(q, q->metrics, name, n);
}

void
enqueue_count_bot(struct enqueue *q, const char *name, long n)
{
	count(q, q->bots, name, n);
}
