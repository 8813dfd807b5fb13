/*
 * The shards this consumer reads (shard.h): all of them, or those
 * --shard names ("0", "0,2", "4-7"), each with its key names.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumer.h"
#include "metrics.h"

int
shards_parse(const char *list, unsigned nshards, unsigned char *want, char *err,
    size_t errlen)
{
	const char *p = list;
	char *end;
	unsigned long lo, hi, i;
	int any = 0;

	memset(want, 0, nshards);
	for (;;) {
		errno = 0;
		if (*p < '0' || *p > '9')
			goto bad;
		lo = hi = strtoul(p, &end, 10);
		if (errno != 0)
			goto bad;
		p = end;
		if (*p == '-') {
			p++;
			if (*p < '0' || *p > '9')
				goto bad;
			hi = strtoul(p, &end, 10);
			if (errno != 0 || hi < lo)
				goto bad;
			p = end;
		}
		if (hi >= nshards) {
			snprintf(err, errlen, "--shard: \"%.32s\": shard %lu, but shards is %u "
			    "(numbered from 0)", list, hi, nshards);
			return -1;
		}
		for (i = lo; i <= hi; i++)
			want[i] = 1;
		any = 1;
		if (*p == '\0')
			return any ? 0 : -1;
		if (*p++ != ',')
			goto bad;
	}
bad:
	snprintf(err, errlen, "--shard: bad value \"%.32s\" (shard numbers and ranges: 0,2,4-7)",
	    list);
	return -1;
}

static char *
key(struct consumer *c, unsigned shard, const char *base, const char *suffix)
{
	char buf[CONF_STR_LEN * 2 + SHARD_TAG_LEN + 64];

	shardmap_key(c->m, shard, base, suffix, buf, sizeof(buf));
	return strdup(buf);
}

int
shards_init(struct consumer *c, const unsigned char *want)
{
	char attempts[CONF_STR_LEN + 16];
	struct cshard *s;
	unsigned i, n = shardmap_count(c->m);

	if ((c->sh = calloc(n, sizeof(*c->sh))) == NULL)
		return -1;
	snprintf(attempts, sizeof(attempts), ":%s:attempts", c->conf.group);
	for (i = 0; i < n; i++) {
		if (want != NULL && !want[i])
			continue;
		s = &c->sh[c->nsh++];
		s->id = i;
		s->stream = key(c, i, c->conf.stream, "");
		s->dead_stream = key(c, i, c->conf.dead_stream, "");
		s->attempts_key = key(c, i, c->conf.stream, attempts);
		s->metrics_key = key(c, i, c->conf.stream, METRICS_KEY_SUFFIX);
		s->consumers_key = key(c, i, c->conf.stream, CONSUMERS_KEY_SUFFIX);
		s->last_batch_key = key(c, i, c->conf.stream, LAST_BATCH_KEY_SUFFIX);
		if (s->stream == NULL || s->dead_stream == NULL || s->attempts_key == NULL ||
		    s->metrics_key == NULL || s->consumers_key == NULL || s->last_batch_key == NULL)
			return -1;
		s->need_group = 1;
		s->backoff = CONSUMER_BACKOFF_MS;
	}
	c->s = &c->sh[0];
	c->cur = 0;
	return 0;
}

void
shards_free(struct consumer *c)
{
	size_t i;

	for (i = 0; c->sh != NULL && i < c->nsh; i++) {
		free(c->sh[i].stream);
		free(c->sh[i].dead_stream);
		free(c->sh[i].attempts_key);
		free(c->sh[i].metrics_key);
		free(c->sh[i].consumers_key);
		free(c->sh[i].last_batch_key);
	}
	free(c->sh);
	c->sh = NULL;
	c->nsh = 0;
}
