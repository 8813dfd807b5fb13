/*
 * Poison entries: counting their attempts, the dead-letter stream, and
 * --replay-dead.
 *
 * An attempt is one refusal: the entry could not be converted, or the
 * store refused the document for a reason of its own (not a duplicate,
 * not an outage).  Attempts are counted in a Redis hash, field = entry
 * id, so they survive restarts and are shared by every consumer of the
 * group; a crash or an outage is never counted against an event.
 *
 * A dead-letter entry holds
 *	reason	 why the last attempt failed
 *	attempts how many there were
 *	id	 the entry's id in the stream
 *	consumer the name of the consumer that gave up
 *	stream	 the stream it came from
 *	entry:F	 each field F of the original entry, value unchanged
 *		 (entry:e holds the event JSON)
 * --replay-dead adds the entry:* fields back to the stream as a new entry
 * (a new id, so its attempts start again from zero) and deletes the dead
 * letter, in one script per batch.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumer.h"
#include "log.h"
#include "metrics.h"
#include "timeutil.h"

/*
 * KEYS[1] stream, KEYS[2] attempts hash, KEYS[3] dead-letter stream,
 * KEYS[4] metrics hash; ARGV[1] group, ARGV[2] max attempts, ARGV[3] consumer name, then pairs
 * of entry id and reason.  For each pair: count the attempt; at the
 * limit, copy the entry to the dead-letter stream, acknowledge and delete
 * it, all in the same atomic step.  Returns per pair the attempts so far,
 * negated when the entry was dead-lettered, 0 when it had left the
 * stream already (then it is only acknowledged).
 */
const char deadletter_fail_lua[] =
    "local max = tonumber(ARGV[2])\n"
    "local out = {}\n"
    "for i = 4, #ARGV, 2 do\n"
    "  local id, reason = ARGV[i], ARGV[i + 1]\n"
    "  local e = redis.call('XRANGE', KEYS[1], id, id)\n"
    "  if #e == 0 then\n"
    "    redis.call('XACK', KEYS[1], ARGV[1], id)\n"
    "    redis.call('HDEL', KEYS[2], id)\n"
    "    out[#out + 1] = 0\n"
    "  else\n"
    "    local n = redis.call('HINCRBY', KEYS[2], id, 1)\n"
    "    if n >= max then\n"
    "      local f = {'reason', reason, 'attempts', tostring(n), 'id', id,\n"
    "        'consumer', ARGV[3], 'stream', KEYS[1]}\n"
    "      local kv = e[1][2]\n"
    /* unpack() takes a few thousand values; an entry with more fields
     * than CONSUMER_DEAD_FIELDS keeps its first ones and says so. */
    "      local last = math.min(#kv, 2 * " CONSUMER_STR(CONSUMER_DEAD_FIELDS) ")\n"
    "      for k = 1, last, 2 do\n"
    "        f[#f + 1] = 'entry:' .. kv[k]\n"
    "        f[#f + 1] = kv[k + 1]\n"
    "      end\n"
    "      if last < #kv then\n"
    "        f[#f + 1] = 'truncated'\n"
    "        f[#f + 1] = tostring(#kv / 2)\n"
    "      end\n"
    "      redis.call('XADD', KEYS[3], '*', unpack(f))\n"
    "      redis.call('XACK', KEYS[1], ARGV[1], id)\n"
    "      redis.call('XDEL', KEYS[1], id)\n"
    "      redis.call('HDEL', KEYS[2], id)\n"
    "      redis.call('HINCRBY', KEYS[4], '" METRIC_DEAD "', 1)\n"
    "      n = -n\n"
    "    end\n"
    "    out[#out + 1] = n\n"
    "  end\n"
    "end\n"
    "return out\n";

/*
 * KEYS[1] dead-letter stream, KEYS[2] stream; ARGV[1] first id (inclusive,
 * or "(id" exclusive), ARGV[2] last id, ARGV[3] count.  Moves the dead
 * letters in that range back to the stream.  Returns {moved, left, last
 * id seen}; "left" are dead letters with no entry:* field, kept.
 */
static const char replay_lua[] =
    "local es = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[2], 'COUNT', ARGV[3])\n"
    "local moved, left, last = 0, 0, ''\n"
    "for _, e in ipairs(es) do\n"
    "  last = e[1]\n"
    "  local f, kv = {}, e[2]\n"
    "  for k = 1, #kv, 2 do\n"
    "    if string.sub(kv[k], 1, 6) == 'entry:' then\n"
    "      f[#f + 1] = string.sub(kv[k], 7)\n"
    "      f[#f + 1] = kv[k + 1]\n"
    "    end\n"
    "  end\n"
    "  if #f > 0 then\n"
    "    redis.call('XADD', KEYS[2], '*', unpack(f))\n"
    "    redis.call('XDEL', KEYS[1], e[1])\n"
    "    moved = moved + 1\n"
    "  else\n"
    "    left = left + 1\n"
    "  end\n"
    "end\n"
    "return {moved, left, last}\n";

/* A stream id in a reply ("" allowed). */
static int
is_id(const redisReply *r)
{
	return r != NULL && r->type == REDIS_REPLY_STRING && r->len < STREAM_ID_LEN;
}

int
deadletter_count(struct consumer *c, char *err, size_t errlen)
{
	char max[24];
	redisReply *r;
	size_t i, k, nbad = 0;
	long long n;
	int argc = 3, waiting = 0;

	if (c->fail_script.body == NULL) {
		c->fail_script.name = "dead-letter";
		c->fail_script.body = deadletter_fail_lua;
	}
	snprintf(max, sizeof(max), "%ld", c->conf.max_attempts);
	c->argv[argc] = c->s->stream;
	c->argvlen[argc++] = strlen(c->s->stream);
	c->argv[argc] = c->s->attempts_key;
	c->argvlen[argc++] = strlen(c->s->attempts_key);
	c->argv[argc] = c->s->dead_stream;
	c->argvlen[argc++] = strlen(c->s->dead_stream);
	c->argv[argc] = c->s->metrics_key;
	c->argvlen[argc++] = strlen(c->s->metrics_key);
	c->argv[argc] = c->conf.group;
	c->argvlen[argc++] = strlen(c->conf.group);
	c->argv[argc] = max;
	c->argvlen[argc++] = strlen(max);
	c->argv[argc] = c->conf.consumer_name;
	c->argvlen[argc++] = strlen(c->conf.consumer_name);
	for (i = 0; i < c->b.n; i++) {
		if (c->b.e[i].fate != ENTRY_BAD)
			continue;
		c->argv[argc] = c->b.e[i].id;
		c->argvlen[argc++] = strlen(c->b.e[i].id);
		c->argv[argc] = c->b.e[i].reason;
		c->argvlen[argc++] = strlen(c->b.e[i].reason);
		nbad++;
	}
	if (nbad == 0)
		return 0;
	if ((r = stream_script(c, &c->fail_script, 4, argc, err, errlen)) == NULL)
		return -1;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != nbad) {
		snprintf(err, errlen, "redis %s: dead-letter script: unexpected reply",
		    stream_where(c));
		freeReplyObject(r);
		return -1;
	}
	for (i = 0, k = 0; i < c->b.n; i++) {
		if (c->b.e[i].fate != ENTRY_BAD)
			continue;
		n = r->element[k]->type == REDIS_REPLY_INTEGER ? r->element[k]->integer : 0;
		k++;
		if (n < 0) {
			c->n_dead++;
			log_warn("entry %s moved to %s after %lld attempts: %s",
			    c->b.e[i].id, c->s->dead_stream, -n, c->b.e[i].reason);
		} else if (n > 0) {
			c->n_refused++;
			waiting = 1;
			log_info("entry %s refused (attempt %lld of %ld, next in %d ms): %s",
			    c->b.e[i].id, n, c->conf.max_attempts, CONSUMER_RETRY_MS,
			    c->b.e[i].reason);
		}
	}
	freeReplyObject(r);
	if (waiting && c->s->next_retry == 0)
		c->s->next_retry = time_mono_ms() + CONSUMER_RETRY_MS;
	return 0;
}

/* Replay the dead letters of the shard read now.  0, or -1 with err set. */
static int
replay_shard(struct consumer *c, unsigned long long *moved, unsigned long long *left,
    char *err, size_t errlen)
{
	struct shard_script s = { "replay", replay_lua, "" };
	char count[24], from[STREAM_ID_LEN + 1], last[STREAM_ID_LEN];
	const char *argv[] = { "XREVRANGE", c->s->dead_stream, "+", "-", "COUNT", "1" };
	redisReply *r;
	int argc;

	/* Replay up to the newest dead letter there is now, so entries that
	 * die again while this runs are not replayed in a loop. */
	if ((r = shardmap_command(c->m, c->s->id, 6, argv, NULL, err, errlen)) == NULL)
		return -1;
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "redis %s: XREVRANGE: %s", stream_where(c), r->str);
		freeReplyObject(r);
		return -1;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
		freeReplyObject(r);
		log_info("%s is empty: nothing to replay", c->s->dead_stream);
		return 0;
	}
	if (r->element[0]->type != REDIS_REPLY_ARRAY || r->element[0]->elements < 1 ||
	    !is_id(r->element[0]->element[0])) {
		freeReplyObject(r);
		snprintf(err, errlen, "redis %s: XREVRANGE: unexpected reply", stream_where(c));
		return -1;
	}
	snprintf(last, sizeof(last), "%s", r->element[0]->element[0]->str);
	freeReplyObject(r);

	snprintf(from, sizeof(from), "-");
	snprintf(count, sizeof(count), "%ld", c->conf.batch_size);
	for (;;) {
		argc = 3;
		c->argv[argc] = c->s->dead_stream;
		c->argvlen[argc++] = strlen(c->s->dead_stream);
		c->argv[argc] = c->s->stream;
		c->argvlen[argc++] = strlen(c->s->stream);
		c->argv[argc] = from;
		c->argvlen[argc++] = strlen(from);
		c->argv[argc] = last;
		c->argvlen[argc++] = strlen(last);
		c->argv[argc] = count;
		c->argvlen[argc++] = strlen(count);
		if ((r = stream_script(c, &s, 2, argc, err, errlen)) == NULL)
			return -1;
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
		    r->element[0]->type != REDIS_REPLY_INTEGER ||
		    r->element[1]->type != REDIS_REPLY_INTEGER ||
		    !is_id(r->element[2])) {
			freeReplyObject(r);
			snprintf(err, errlen, "redis %s: replay script: unexpected reply",
			    stream_where(c));
			return -1;
		}
		*moved += (unsigned long long)r->element[0]->integer;
		*left += (unsigned long long)r->element[1]->integer;
		if (r->element[2]->len == 0) {
			freeReplyObject(r);
			break;
		}
		snprintf(from, sizeof(from), "(%s", r->element[2]->str);
		freeReplyObject(r);
		if (strcmp(from + 1, last) == 0)
			break;
	}
	return 0;
}

int
deadletter_replay(struct consumer *c)
{
	char err[ERRBUF_LEN];
	unsigned long long moved, left, total = 0;
	size_t i;

	for (i = 0; i < c->nsh; i++) {
		c->s = &c->sh[i];
		moved = left = 0;
		if (replay_shard(c, &moved, &left, err, sizeof(err)) != 0) {
			log_error("--replay-dead: %s (replayed %llu before that)", err,
			    total + moved);
			return 1;
		}
		total += moved;
		if (moved > 0 || left > 0)
			log_info("replayed %llu dead letters from %s onto %s", moved,
			    c->s->dead_stream, c->s->stream);
		if (left > 0)
			log_warn("%llu entries of %s have no entry:* field and were left there",
			    left, c->s->dead_stream);
	}
	return 0;
}
