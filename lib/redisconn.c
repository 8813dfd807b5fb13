#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "redisconn.h"
#include "sentinel.h"
#include "timeutil.h"

struct redisconn {
	redisContext	*ctx;
	int64_t		 next_try;	/* monotonic ms: no connect before */
	long		 timeout_ms;
	struct redisaddr addr;		/* fixed, or the last master found */
	struct sentinel	*sentinel;	/* NULL: addr is fixed */
	char		 master[CONF_STR_LEN];	/* Sentinel's name for it */
	char		 user[CONF_STR_LEN];
	char		 password[CONF_STR_LEN];
	long		 db;
	char		 where[CONF_STR_LEN + REDISADDR_HOST_LEN + 32];
};

static struct redisconn *
conn_new(const struct conf *c)
{
	struct redisconn *rc;

	if ((rc = calloc(1, sizeof(*rc))) == NULL)
		return NULL;
	rc->timeout_ms = c->redis_timeout_ms;
	snprintf(rc->user, sizeof(rc->user), "%s", c->redis_user);
	snprintf(rc->password, sizeof(rc->password), "%s", c->redis_password);
	rc->db = c->redis_db;
	return rc;
}

struct redisconn *
redisconn_new_addr(const struct conf *c, const struct redisaddr *a)
{
	struct redisconn *rc;

	if ((rc = conn_new(c)) == NULL)
		return NULL;
	rc->addr = *a;
	redisaddr_str(&rc->addr, rc->where, sizeof(rc->where));
	return rc;
}

struct redisconn *
redisconn_new_like(const struct redisconn *proto, const struct redisaddr *a)
{
	struct redisconn *rc;

	if ((rc = calloc(1, sizeof(*rc))) == NULL)
		return NULL;
	rc->timeout_ms = proto->timeout_ms;
	memcpy(rc->user, proto->user, sizeof(rc->user));
	memcpy(rc->password, proto->password, sizeof(rc->password));
	rc->db = proto->db;
	rc->addr = *a;
	redisaddr_str(&rc->addr, rc->where, sizeof(rc->where));
	return rc;
}

struct redisconn *
redisconn_new_master(const struct conf *c, const char *name)
{
	struct redisconn *rc;
	char err[256];

	if ((rc = conn_new(c)) == NULL)
		return NULL;
	if ((rc->sentinel = sentinel_new(c, err, sizeof(err))) == NULL) {
		free(rc);
		return NULL;
	}
	snprintf(rc->master, sizeof(rc->master), "%s", name);
	snprintf(rc->where, sizeof(rc->where), "%s (by Sentinel)", rc->master);
	return rc;
}

struct redisconn *
redisconn_new(const struct conf *c)
{
	struct redisaddr a;
	const char *p = c->redis_master_name, *w;
	char name[CONF_STR_LEN];
	size_t len;

	if (c->redis_sentinels[0] != '\0') {
		if ((w = redisaddr_word(&p, &len)) == NULL)
			return NULL;
		snprintf(name, sizeof(name), "%.*s", (int)len, w);
		return redisconn_new_master(c, name);
	}
	memset(&a, 0, sizeof(a));
	if (c->redis_socket[0] != '\0')
		snprintf(a.host, sizeof(a.host), "%.255s", c->redis_socket);
	else {
		snprintf(a.host, sizeof(a.host), "%.255s", c->redis_host);
		a.port = (int)c->redis_port;
	}
	return redisconn_new_addr(c, &a);
}

void
redisconn_free(struct redisconn *rc)
{
	if (rc == NULL)
		return;
	if (rc->ctx != NULL)
		redisFree(rc->ctx);
	sentinel_free(rc->sentinel);
	explicit_bzero(rc->password, sizeof(rc->password));
	free(rc);
}

void
redisconn_drop(struct redisconn *rc)
{
	if (rc->ctx != NULL) {
		redisFree(rc->ctx);
		rc->ctx = NULL;
	}
}

int
redisconn_connected(const struct redisconn *rc)
{
	return rc->ctx != NULL;
}

const char *
redisconn_where(const struct redisconn *rc)
{
	return rc->where;
}

int
redisconn_failover(struct redisconn *rc, const redisReply *r)
{
	if (r == NULL || r->type != REDIS_REPLY_ERROR || r->str == NULL)
		return 0;
	if (strstr(r->str, "READONLY") == NULL && strstr(r->str, "MASTERDOWN") == NULL)
		return 0;
	redisconn_drop(rc);
	return 1;
}

static struct timeval
tv_of(long ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	return tv;
}

void
redisconn_timeout(struct redisconn *rc, long extra_ms)
{
	if (rc->ctx != NULL)
		redisSetTimeout(rc->ctx, tv_of(rc->timeout_ms + extra_ms));
}

/* A setup command on a fresh context: 0, or -1 with err set. */
static int
setup_cmd(struct redisconn *rc, const char *what, int argc, const char **argv,
    char *err, size_t errlen)
{
	redisReply *r;

	r = redisCommandArgv(rc->ctx, argc, argv, NULL);
	if (r == NULL) {
		snprintf(err, errlen, "redis %s: %s: %s", rc->where, what, rc->ctx->errstr);
		return -1;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "redis %s: %s: %s", rc->where, what, r->str);
		freeReplyObject(r);
		return -1;
	}
	freeReplyObject(r);
	return 0;
}

/* ROLE's first element is "master" on a master (Redis 2.8.12+). */
static int
check_role(struct redisconn *rc, char *err, size_t errlen)
{
	const char *argv[1] = { "ROLE" };
	redisReply *r;
	int ok;

	if ((r = redisCommandArgv(rc->ctx, 1, argv, NULL)) == NULL) {
		snprintf(err, errlen, "redis %s: ROLE: %s", rc->where, rc->ctx->errstr);
		return -1;
	}
	ok = r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    strcmp(r->element[0]->str, "master") == 0;
	if (!ok)
		snprintf(err, errlen, "redis %s: %s (a failover in progress?)", rc->where,
		    r->type == REDIS_REPLY_ERROR ? r->str : "not a master");
	freeReplyObject(r);
	return ok ? 0 : -1;
}

redisContext *
redisconn_get(struct redisconn *rc, char *err, size_t errlen)
{
	char dbs[24], addr[REDISADDR_HOST_LEN + 16], serr[512];
	const char *argv[3];

	if (rc->ctx != NULL)
		return rc->ctx;
	if (time_mono_ms() < rc->next_try) {
		snprintf(err, errlen, "redis %s: unreachable (retrying shortly)", rc->where);
		return NULL;
	}
	if (rc->sentinel != NULL) {
		if (sentinel_master(rc->sentinel, rc->master, &rc->addr, serr, sizeof(serr)) != 0) {
			snprintf(err, errlen, "redis %s: %s", rc->master, serr);
			goto fail;
		}
		snprintf(rc->where, sizeof(rc->where), "%s (%s by Sentinel)", rc->master,
		    redisaddr_str(&rc->addr, addr, sizeof(addr)));
	}
	if (rc->addr.port == 0)
		rc->ctx = redisConnectUnixWithTimeout(rc->addr.host, tv_of(rc->timeout_ms));
	else
		rc->ctx = redisConnectWithTimeout(rc->addr.host, rc->addr.port,
		    tv_of(rc->timeout_ms));
	if (rc->ctx == NULL) {
		snprintf(err, errlen, "redis %s: out of memory", rc->where);
		goto fail;
	}
	if (rc->ctx->err) {
		snprintf(err, errlen, "redis %s: %s", rc->where, rc->ctx->errstr);
		goto fail;
	}
	if (redisSetTimeout(rc->ctx, tv_of(rc->timeout_ms)) != REDIS_OK) {
		snprintf(err, errlen, "redis %s: cannot set timeout", rc->where);
		goto fail;
	}
	if (rc->password[0]) {
		argv[0] = "AUTH";
		argv[1] = rc->user[0] ? rc->user : rc->password;
		argv[2] = rc->password;
		if (setup_cmd(rc, "AUTH", rc->user[0] ? 3 : 2, argv, err, errlen) != 0)
			goto fail;
	}
	/* Sentinel may name the old master for a moment during a failover
	 * (its client guidelines): ask the server itself. */
	if (rc->sentinel != NULL && check_role(rc, err, errlen) != 0)
		goto fail;
	if (rc->db != 0) {
		snprintf(dbs, sizeof(dbs), "%ld", rc->db);
		argv[0] = "SELECT";
		argv[1] = dbs;
		if (setup_cmd(rc, "SELECT", 2, argv, err, errlen) != 0)
			goto fail;
	}
	return rc->ctx;
fail:
	redisconn_drop(rc);
	rc->next_try = time_mono_ms() + REDISCONN_RETRY_MS;
	return NULL;
}

redisReply *
redisconn_command(struct redisconn *rc, int argc, const char **argv,
    const size_t *argvlen, char *err, size_t errlen)
{
	redisContext *ctx;
	redisReply *r;

	if ((ctx = redisconn_get(rc, err, errlen)) == NULL)
		return NULL;
	if ((r = redisCommandArgv(ctx, argc, argv, argvlen)) == NULL) {
		snprintf(err, errlen, "redis %s: %s", rc->where, ctx->errstr);
		redisconn_drop(rc);
		return NULL;
	}
	redisconn_failover(rc, r);
	return r;
}

int
redisconn_pipeline(struct redisconn *rc, const struct redis_cmd *cmds, size_t n,
    long extra_ms, redisReply **replies, char *err, size_t errlen)
{
	redisContext *ctx;
	void *rep;
	size_t i, got;
	int try, reused, eof;

	for (try = 0; try < 2; try++) {
		reused = rc->ctx != NULL;
		if ((ctx = redisconn_get(rc, err, errlen)) == NULL)
			return -1;
		got = 0;
		for (i = 0; i < n; i++)
			if (redisAppendCommandArgv(ctx, cmds[i].argc, cmds[i].argv,
			    cmds[i].argvlen) != REDIS_OK)
				goto io;
		if (extra_ms > 0)
			redisconn_timeout(rc, extra_ms);
		for (got = 0; got < n; got++) {
			if (redisGetReply(ctx, &rep) != REDIS_OK)
				goto io;
			replies[got] = rep;
		}
		if (extra_ms > 0)
			redisconn_timeout(rc, 0);
		for (i = 0; i < n; i++)
			redisconn_failover(rc, replies[i]);
		return 0;
io:
		eof = ctx->err == REDIS_ERR_EOF ||
		    (ctx->err == REDIS_ERR_IO && (errno == EPIPE || errno == ECONNRESET));
		snprintf(err, errlen, "redis %s: %s", rc->where, ctx->errstr);
		while (got > 0)
			freeReplyObject(replies[--got]);
		redisconn_drop(rc);
		if (!(reused && eof && got == 0))
			break;
	}
	return -1;
}
