#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "sentinel.h"

struct sentinel {
	struct redisaddr	 addr[REDISADDR_MAX];
	size_t			 n;
	struct timeval		 timeout;
	char			 user[CONF_STR_LEN];
	char			 password[CONF_STR_LEN];
};

struct sentinel *
sentinel_new(const struct conf *c, char *err, size_t errlen)
{
	struct sentinel *s;
	char why[200];
	int n;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n = redisaddr_list(c->redis_sentinels, REDISADDR_SENTINEL_PORT, s->addr, REDISADDR_MAX, why, sizeof(why));
	if (n <= 0) {
		snprintf(err, errlen, "redis_sentinels: %s", n == 0 ? "empty" : why);
		free(s);
		return NULL;
	}
	s->n = (size_t)n;
	s->timeout.tv_sec = c->redis_timeout_ms / 1000;
	s->timeout.tv_usec = (c->redis_timeout_ms % 1000) * 1000;
	snprintf(s->user, sizeof(s->user), "%s", c->redis_sentinel_user);
	snprintf(s->password, sizeof(s->password), "%s", c->redis_sentinel_password);
	return s;
}

void
sentinel_free(struct sentinel *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s->password, sizeof(s->password));
	free(s);
}

/* Ask one Sentinel.  0 and *master, or -1 with why. */
static int
ask(struct sentinel *s, const struct redisaddr *at, const char *name,
    struct redisaddr *master, char *why, size_t whylen)
{
	redisContext *ctx;
	redisReply *r = NULL;
	const char *argv[3];
	int rc = -1;

	if (at->port == 0)
		ctx = redisConnectUnixWithTimeout(at->host, s->timeout);
	else
		ctx = redisConnectWithTimeout(at->host, at->port, s->timeout);
	if (ctx == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (ctx->err) {
		snprintf(why, whylen, "%s", ctx->errstr);
		goto out;
	}
	redisSetTimeout(ctx, s->timeout);
	if (s->password[0]) {
		argv[0] = "AUTH";
		argv[1] = s->user[0] ? s->user : s->password;
		argv[2] = s->password;
		r = redisCommandArgv(ctx, s->user[0] ? 3 : 2, argv, NULL);
		if (r == NULL || r->type == REDIS_REPLY_ERROR) {
			snprintf(why, whylen, "AUTH: %s", r ? r->str : ctx->errstr);
			goto out;
		}
		freeReplyObject(r);
	}
	argv[0] = "SENTINEL";
	argv[1] = "GET-MASTER-ADDR-BY-NAME";
	argv[2] = name;
	if ((r = redisCommandArgv(ctx, 3, argv, NULL)) == NULL) {
		snprintf(why, whylen, "%s", ctx->errstr);
		goto out;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(why, whylen, "%s", r->str);
		goto out;
	}
	if (r->type == REDIS_REPLY_NIL) {
		snprintf(why, whylen, "no master named \"%s\"", name);
		goto out;
	}
	/* [ip, port] */
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_STRING ||
	    r->element[0]->len >= sizeof(master->host) || r->element[0]->len == 0) {
		snprintf(why, whylen, "unexpected reply");
		goto out;
	}
	memset(master, 0, sizeof(*master));
	memcpy(master->host, r->element[0]->str, r->element[0]->len);
	master->port = atoi(r->element[1]->str);
	if (master->port < 1 || master->port > 65535) {
		snprintf(why, whylen, "port \"%.16s\"", r->element[1]->str);
		goto out;
	}
	rc = 0;
out:
	if (r != NULL)
		freeReplyObject(r);
	redisFree(ctx);
	return rc;
}

int
sentinel_master(struct sentinel *s, const char *name, struct redisaddr *master,
    char *err, size_t errlen)
{
	struct redisaddr first;
	char why[200], where[REDISADDR_HOST_LEN + 16];
	size_t i, used = 0;
	int n;

	snprintf(err, errlen, "sentinel: master \"%s\":", name);
	for (i = 0; i < s->n; i++) {
		if (ask(s, &s->addr[i], name, master, why, sizeof(why)) == 0) {
			/* The one that answered is asked first next time. */
			if (i > 0) {
				first = s->addr[i];
				memmove(&s->addr[1], &s->addr[0], i * sizeof(s->addr[0]));
				s->addr[0] = first;
			}
			return 0;
		}
		used = strlen(err);
		if (used + 2 < errlen) {
			n = snprintf(err + used, errlen - used, "%s %s: %s", i ? ";" : "",
			    redisaddr_str(&s->addr[i], where, sizeof(where)), why);
			(void)n;
		}
	}
	return -1;
}
