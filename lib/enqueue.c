#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enqueue.h"
#include "limits.h"
#include "redisconn.h"

/* KEYS[1]: the stream; ARGV: one event JSON each.  Returns the count. */
static const char enqueue_lua[] =
    "for i = 1, #ARGV do\n"
    "  redis.call('XADD', KEYS[1], '*', '" ENQUEUE_FIELD "', ARGV[i])\n"
    "end\n"
    "return #ARGV\n";

struct enqueue {
	struct redisconn	*rc;
	char			 stream[CONF_STR_LEN];
	char			 sha[41];	/* "" until loaded */
	const char		*argv[LIMIT_EVENTS + 4];
	size_t			 argvlen[LIMIT_EVENTS + 4];
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
 * One attempt.  Returns 0 done, -1 failed, 1 failed in a way that shows
 * the command never ran (a connection Redis had closed while we idled),
 * so one retry on a fresh connection cannot store anything twice.
 */
static int
attempt(struct enqueue *q, const struct event_batch *b, char *err, size_t errlen)
{
	redisContext *ctx;
	redisReply *r;
	int reused = 1, eof, ret = -1, argc = (int)b->n + 4;

	if ((ctx = redisconn_get(q->rc, err, errlen)) == NULL)
		return -1;
	if (q->sha[0] == '\0') {
		reused = 0;
		if (redisconn_script_load(q->rc, enqueue_lua, q->sha, err, errlen) != 0)
			return -1;
	}
	q->argv[0] = "EVALSHA";
	q->argvlen[0] = 7;
	q->argv[1] = q->sha;
	q->argvlen[1] = 40;
	r = redisCommandArgv(ctx, argc, q->argv, q->argvlen);
	if (r != NULL && r->type == REDIS_REPLY_ERROR &&
	    strncmp(r->str, "NOSCRIPT", 8) == 0) {
		/* The script cache was flushed under us: send the body. */
		freeReplyObject(r);
		q->sha[0] = '\0';
		q->argv[0] = "EVAL";
		q->argvlen[0] = 4;
		q->argv[1] = enqueue_lua;
		q->argvlen[1] = sizeof(enqueue_lua) - 1;
		r = redisCommandArgv(ctx, argc, q->argv, q->argvlen);
	}
	if (r == NULL) {
		eof = ctx->err == REDIS_ERR_EOF ||
		    (ctx->err == REDIS_ERR_IO && (errno == EPIPE || errno == ECONNRESET));
		snprintf(err, errlen, "redis %s: %s", redisconn_where(q->rc), ctx->errstr);
		redisconn_drop(q->rc);
		q->sha[0] = '\0';	/* a restarted Redis has no scripts */
		return (eof && reused) ? 1 : -1;
	}
	if (r->type == REDIS_REPLY_INTEGER && r->integer == (long long)b->n)
		ret = 0;
	else
		snprintf(err, errlen, "redis %s: enqueue: %s", redisconn_where(q->rc),
		    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
	freeReplyObject(r);
	return ret;
}

int
enqueue_batch(struct enqueue *q, const struct event_batch *b, char *err,
    size_t errlen)
{
	size_t i;
	int rc;

	if (b->n == 0 || b->n > LIMIT_EVENTS) {
		snprintf(err, errlen, "enqueue: batch of %zu events", b->n);
		return -1;
	}
	q->argv[2] = "1";
	q->argvlen[2] = 1;
	q->argv[3] = q->stream;
	q->argvlen[3] = strlen(q->stream);
	for (i = 0; i < b->n; i++) {
		q->argv[4 + i] = b->ev[i].json;
		q->argvlen[4 + i] = b->ev[i].json_len;
	}
	if ((rc = attempt(q, b, err, errlen)) == 1)
		rc = attempt(q, b, err, errlen);
	return rc == 0 ? 0 : -1;
}
