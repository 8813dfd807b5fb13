/*
 * The passes some consumer runs now and then, whoever it is (retention's
 * deletes, expire.c; the counts cache's fill, fill.c): whose turn a pass
 * is, and what it did, counted in the metrics hash.  Both on the first
 * shard's Redis, which every consumer reaches.
 */
#include "config.h"

#include <stdio.h>

#include "consumer.h"
#include "log.h"

int
turn_take(struct consumer *c, const char *key, int every_ms, const char *what)
{
	char err[ERRBUF_LEN], ms[24];
	const char *argv[6] = { "SET", key, c->conf.consumer_name, "NX", "PX", ms };
	redisReply *r;
	int mine;

	snprintf(ms, sizeof(ms), "%d", every_ms);
	if ((r = shardmap_command(c->m, 0, 6, argv, NULL, err, sizeof(err))) == NULL) {
		log_debug("%s: %s", what, err);
		return 0;
	}
	mine = r->type == REDIS_REPLY_STATUS;	/* OK; nil when taken */
	freeReplyObject(r);
	return mine;
}

void
turn_count(struct consumer *c, const char *field, long long n, const char *what)
{
	char num[24], err[ERRBUF_LEN];
	const char *argv[4] = { "HINCRBY", c->expire_metrics_key, field, num };
	redisReply *r;

	snprintf(num, sizeof(num), "%lld", n);
	if ((r = shardmap_command(c->m, 0, 4, argv, NULL, err, sizeof(err))) == NULL)
		log_warn("%s: %s (%lld not counted in %s)", what, err, n, field);
	else
		freeReplyObject(r);
}
