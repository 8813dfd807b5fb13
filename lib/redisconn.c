#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "redisconn.h"
#include "timeutil.h"

struct redisconn {
	redisContext	*ctx;
	int64_t		 next_try;	/* monotonic ms: no connect before */
	struct timeval	 timeout;
	char		 host[CONF_STR_LEN];
	int		 port;
	char		 socket[CONF_STR_LEN];
	char		 user[CONF_STR_LEN];
	char		 password[CONF_STR_LEN];
	long		 db;
	char		 where[CONF_STR_LEN + 16];
};

struct redisconn *
redisconn_new(const struct conf *c)
{
	struct redisconn *rc;

	if ((rc = calloc(1, sizeof(*rc))) == NULL)
		return NULL;
	rc->timeout.tv_sec = c->redis_timeout_ms / 1000;
	rc->timeout.tv_usec = (c->redis_timeout_ms % 1000) * 1000;
	snprintf(rc->host, sizeof(rc->host), "%s", c->redis_host);
	rc->port = (int)c->redis_port;
	snprintf(rc->socket, sizeof(rc->socket), "%s", c->redis_socket);
	snprintf(rc->user, sizeof(rc->user), "%s", c->redis_user);
	snprintf(rc->password, sizeof(rc->password), "%s", c->redis_password);
	rc->db = c->redis_db;
	if (rc->socket[0])
		snprintf(rc->where, sizeof(rc->where), "%s", rc->socket);
	else
		snprintf(rc->where, sizeof(rc->where), "%s:%d", rc->host, rc->port);
	return rc;
}

void
redisconn_free(struct redisconn *rc)
{
	if (rc == NULL)
		return;
	if (rc->ctx != NULL)
		redisFree(rc->ctx);
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

const char *
redisconn_where(const struct redisconn *rc)
{
	return rc->where;
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

redisContext *
redisconn_get(struct redisconn *rc, char *err, size_t errlen)
{
	char dbs[24];
	const char *argv[3];

	if (rc->ctx != NULL)
		return rc->ctx;
	if (time_mono_ms() < rc->next_try) {
		snprintf(err, errlen, "redis %s: unreachable (retrying shortly)", rc->where);
		return NULL;
	}
	if (rc->socket[0])
		rc->ctx = redisConnectUnixWithTimeout(rc->socket, rc->timeout);
	else
		rc->ctx = redisConnectWithTimeout(rc->host, rc->port, rc->timeout);
	if (rc->ctx == NULL) {
		snprintf(err, errlen, "redis %s: out of memory", rc->where);
		goto fail;
	}
	if (rc->ctx->err) {
		snprintf(err, errlen, "redis %s: %s", rc->where, rc->ctx->errstr);
		goto fail;
	}
	if (redisSetTimeout(rc->ctx, rc->timeout) != REDIS_OK) {
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
	}
	return r;
}

int
redisconn_script_load(struct redisconn *rc, const char *script, char sha[41],
    char *err, size_t errlen)
{
	const char *argv[3] = { "SCRIPT", "LOAD", script };
	redisReply *r;
	int ret = -1;

	if ((r = redisconn_command(rc, 3, argv, NULL, err, errlen)) == NULL)
		return -1;
	if (r->type == REDIS_REPLY_STRING && r->len == 40) {
		memcpy(sha, r->str, 41);
		ret = 0;
	} else
		snprintf(err, errlen, "redis %s: SCRIPT LOAD: %s", rc->where,
		    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
	freeReplyObject(r);
	return ret;
}
