/*
 * The Redis side of the consumer: the group, reading and claiming
 * batches, acknowledging them.  Command semantics from the Redis command
 * pages (XGROUP CREATE, XREADGROUP, XAUTOCLAIM, XACK, XDEL), Redis 6.2+.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "consumer.h"
#include "log.h"
#include "metrics.h"
#include "timeutil.h"

/*
 * KEYS[1] the stream, KEYS[2] the attempts hash, KEYS[3] the metrics
 * hash, KEYS[4] the last-batch time (metrics.h); ARGV[1] the group,
 * ARGV[2] and ARGV[3] how many of the entries were inserted and how many
 * were already stored, ARGV[4] the time (epoch ms), ARGV[5..] the ids of
 * entries the store has.  Acknowledge and delete them in one step: Redis
 * runs nothing else while a script runs, so no entry is ever deleted
 * unacknowledged, nor left in the stream acknowledged (where it would
 * only take memory: the group never delivers it again).  Returns how many
 * were still pending.
 */
static const char ack_lua[] =
    "local hdel = redis.call('EXISTS', KEYS[2]) == 1\n"
    "local n = 0\n"
    "for i = 5, #ARGV, " CONSUMER_STR(CONSUMER_ARGS_CHUNK) " do\n"
    "  local j = math.min(i + " CONSUMER_STR(CONSUMER_ARGS_CHUNK) " - 1, #ARGV)\n"
    "  n = n + redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, i, j))\n"
    "  redis.call('XDEL', KEYS[1], unpack(ARGV, i, j))\n"
    "  if hdel then redis.call('HDEL', KEYS[2], unpack(ARGV, i, j)) end\n"
    "end\n"
    "if ARGV[2] ~= '0' then\n"
    "  redis.call('HINCRBY', KEYS[3], '" METRIC_STORED "', ARGV[2])\n"
    "end\n"
    "if ARGV[3] ~= '0' then\n"
    "  redis.call('HINCRBY', KEYS[3], '" METRIC_DUPLICATES "', ARGV[3])\n"
    "end\n"
    "if ARGV[2] ~= '0' or ARGV[3] ~= '0' then\n"
    "  redis.call('SET', KEYS[4], ARGV[4])\n"
    "end\n"
    "return n\n";

static int
is_str(const redisReply *r)
{
	return r != NULL && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS);
}

/* Where the shard read now lives, for messages: "host:port", with
 * " shard N" when there are several. */
const char *
stream_where(struct consumer *c)
{
	if (shardmap_count(c->m) == 1)
		return shardmap_where(c->m, c->s->id);
	snprintf(c->where, sizeof(c->where), "%s shard %u", shardmap_where(c->m, c->s->id),
	    c->s->id);
	return c->where;
}

/* One command on the shard read now. */
static redisReply *
command(struct consumer *c, int argc, const char **argv, char *err, size_t errlen)
{
	return shardmap_command(c->m, c->s->id, argc, argv, NULL, err, errlen);
}

/* A reply error as a message; NOGROUP means the group must be made. */
static int
reply_error(struct consumer *c, const char *what, redisReply *r, char *err,
    size_t errlen)
{
	if (strncmp(r->str, "NOGROUP", 7) == 0)
		c->s->need_group = 1;
	snprintf(err, errlen, "redis %s: %s: %s", stream_where(c), what, r->str);
	freeReplyObject(r);
	return -1;
}

int
stream_ensure_group(struct consumer *c, char *err, size_t errlen)
{
	/* ID 0, not $: entries queued before the group existed (the ingest
	 * side may run first) are delivered too.  MKSTREAM: the stream
	 * may not exist yet. */
	const char *argv[] = { "XGROUP", "CREATE", c->s->stream, c->conf.group,
	    "0", "MKSTREAM" };
	redisReply *r;

	if ((r = command(c, 6, argv, err, errlen)) == NULL)
		return -1;
	if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0) {
		snprintf(err, errlen, "redis %s: XGROUP CREATE: %s", stream_where(c), r->str);
		freeReplyObject(r);
		return -1;
	}
	if (r->type != REDIS_REPLY_ERROR)
		log_info("created consumer group %s on stream %s", c->conf.group,
		    c->s->stream);
	freeReplyObject(r);
	c->s->need_group = 0;
	return 0;
}

int
stream_read(struct consumer *c, const char *from, int64_t block_ms, char *err,
    size_t errlen)
{
	char count[24], block[24];
	const char *argv[12];
	struct redis_cmd cmd;
	redisReply *r, *entries;
	int argc = 0;

	snprintf(count, sizeof(count), "%ld", c->conf.batch_size);
	argv[argc++] = "XREADGROUP";
	argv[argc++] = "GROUP";
	argv[argc++] = c->conf.group;
	argv[argc++] = c->conf.consumer_name;
	argv[argc++] = "COUNT";
	argv[argc++] = count;
	if (block_ms > 0) {
		snprintf(block, sizeof(block), "%lld", (long long)block_ms);
		argv[argc++] = "BLOCK";
		argv[argc++] = block;
	}
	argv[argc++] = "STREAMS";
	argv[argc++] = c->s->stream;
	argv[argc++] = from;

	/* The socket must wait longer than the server blocks. */
	cmd.argc = argc;
	cmd.argv = argv;
	cmd.argvlen = NULL;
	if (shardmap_run(c->m, c->s->id, &cmd, 1, (long)block_ms, &r, err, errlen) != 0)
		return -1;
	if (r->type == REDIS_REPLY_ERROR)
		return reply_error(c, "XREADGROUP", r, err, errlen);
	batch_take_reply(&c->b, r);
	/* Nil: nothing new.  Else [[stream, [entry, ...]]]. */
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 1)
		return 0;
	if (r->element[0]->type != REDIS_REPLY_ARRAY || r->element[0]->elements != 2 ||
	    r->element[0]->element[1]->type != REDIS_REPLY_ARRAY)
		return 0;
	entries = r->element[0]->element[1];
	return (int)batch_add_entries(&c->b, entries);
}

int
stream_claim(struct consumer *c, char *err, size_t errlen)
{
	char idle[24], count[24];
	const char *argv[9];
	redisReply *r, *entries;

	snprintf(idle, sizeof(idle), "%ld", c->conf.claim_idle_ms);
	snprintf(count, sizeof(count), "%ld", c->conf.batch_size);
	argv[0] = "XAUTOCLAIM";
	argv[1] = c->s->stream;
	argv[2] = c->conf.group;
	argv[3] = c->conf.consumer_name;
	argv[4] = idle;
	argv[5] = c->s->claim_cursor;
	argv[6] = "COUNT";
	argv[7] = count;
	if ((r = command(c, 8, argv, err, errlen)) == NULL)
		return -1;
	if (r->type == REDIS_REPLY_ERROR)
		return reply_error(c, "XAUTOCLAIM", r, err, errlen);
	batch_take_reply(&c->b, r);
	/* [next cursor, [entry, ...]] and, from Redis 7.0, [deleted ids]:
	 * entries that were pending but no longer in the stream, which
	 * XAUTOCLAIM has already taken out of the pending list. */
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 2 || !is_str(r->element[0]) ||
	    r->element[0]->len >= STREAM_ID_LEN ||
	    r->element[1]->type != REDIS_REPLY_ARRAY) {
		snprintf(err, errlen, "redis %s: XAUTOCLAIM: unexpected reply", stream_where(c));
		return -1;
	}
	memcpy(c->s->claim_cursor, r->element[0]->str, r->element[0]->len);
	c->s->claim_cursor[r->element[0]->len] = '\0';
	entries = r->element[1];
	if (batch_add_entries(&c->b, entries) > 0)
		log_info("claimed %zu entries idle for more than %ld ms", c->b.n,
		    c->conf.claim_idle_ms);
	return (int)c->b.n;
}

redisReply *
stream_script(struct consumer *c, struct shard_script *s, int nkeys, int argc,
    char *err, size_t errlen)
{
	char nk[16];
	redisReply *r;
	long acked;

	snprintf(nk, sizeof(nk), "%d", nkeys);
	c->argv[2] = nk;
	c->argvlen[2] = strlen(nk);
	if ((r = shardmap_eval(c->m, c->s->id, s, argc, c->argv, c->argvlen, 0, &acked,
	    err, errlen)) == NULL)
		return NULL;
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "redis %s: %s script: %s", stream_where(c), s->name, r->str);
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

int
stream_ack(struct consumer *c, char *err, size_t errlen)
{
	char stored[24], dups[24], now[24];
	redisReply *r;
	size_t i, ns = 0, nd = 0;
	int argc = 3;

	if (c->ack_script.body == NULL) {
		c->ack_script.name = "ack";
		c->ack_script.body = ack_lua;
	}
	c->argv[argc] = c->s->stream;
	c->argvlen[argc++] = strlen(c->s->stream);
	c->argv[argc] = c->s->attempts_key;
	c->argvlen[argc++] = strlen(c->s->attempts_key);
	c->argv[argc] = c->s->metrics_key;
	c->argvlen[argc++] = strlen(c->s->metrics_key);
	c->argv[argc] = c->s->last_batch_key;
	c->argvlen[argc++] = strlen(c->s->last_batch_key);
	c->argv[argc] = c->conf.group;
	c->argvlen[argc++] = strlen(c->conf.group);
	c->argv[argc] = stored;
	c->argvlen[argc++] = 0;
	c->argv[argc] = dups;
	c->argvlen[argc++] = 0;
	c->argv[argc] = now;
	c->argvlen[argc++] = 0;
	for (i = 0; i < c->b.n; i++) {
		if (c->b.e[i].fate == ENTRY_BAD)
			continue;
		if (c->b.e[i].fate == ENTRY_STORE) {
			if (c->b.items[c->b.e[i].item].result == STORE_STORED)
				ns++;
			else
				nd++;
		}
		c->argv[argc] = c->b.e[i].id;
		c->argvlen[argc++] = strlen(c->b.e[i].id);
	}
	if (argc == 11)
		return 0;
	c->argvlen[8] = (size_t)snprintf(stored, sizeof(stored), "%zu", ns);
	c->argvlen[9] = (size_t)snprintf(dups, sizeof(dups), "%zu", nd);
	c->argvlen[10] = (size_t)snprintf(now, sizeof(now), "%lld",
	    (long long)time_now_ms());
	if ((r = stream_script(c, &c->ack_script, 4, argc, err, errlen)) == NULL)
		return -1;
	freeReplyObject(r);
	return 0;
}

/* "<stream>:consumers" name -> epoch ms: this consumer is alive (metrics.h),
 * in every shard it reads.  Best effort: a failure shows in the next
 * command. */
void
stream_heartbeat(struct consumer *c)
{
	char now[24], err[ERRBUF_LEN];
	const char *argv[4] = { "HSET", NULL, c->conf.consumer_name, now };
	redisReply *r;
	size_t i;

	snprintf(now, sizeof(now), "%lld", (long long)time_now_ms());
	for (i = 0; i < c->nsh; i++) {
		if (c->sh[i].down_since != 0)
			continue;
		argv[1] = c->sh[i].consumers_key;
		if ((r = shardmap_command(c->m, c->sh[i].id, 4, argv, NULL, err,
		    sizeof(err))) != NULL)
			freeReplyObject(r);
	}
}
