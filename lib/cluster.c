#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "bounds.h"
#include "timeutil.h"

struct node {
	struct redisaddr	 addr;
	struct redisconn	*rc;
};

struct cluster {
	struct node		 node[CLUSTER_NODES_MAX];
	size_t			 nnodes;
	short			 slot[CLUSTER_SLOTS];	/* node index, -1 unknown */
	int			 stale;		/* read the map before the next command */
	int64_t			 next_refresh;	/* monotonic ms */
	char			 where[REDISADDR_HOST_LEN + 16];
};

/* CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, as the
 * cluster specification's reference code. */
static unsigned
crc16(const char *buf, size_t len)
{
	unsigned crc = 0;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= (unsigned)(unsigned char)buf[i] << 8;
		for (b = 0; b < 8; b++)
			crc = (crc & 0x8000) ? ((crc << 1) ^ 0x1021) & 0xffff :
			    (crc << 1) & 0xffff;
	}
	return crc;
}

unsigned
cluster_keyslot(const char *key, size_t len)
{
	size_t s, e;

	for (s = 0; s < len && key[s] != '{'; s++)
		;
	if (s < len) {
		for (e = s + 1; e < len && key[e] != '}'; e++)
			;
		if (e < len && e > s + 1)
			return crc16(key + s + 1, e - s - 1) & (CLUSTER_SLOTS - 1);
	}
	return crc16(key, len) & (CLUSTER_SLOTS - 1);
}

const char *
cluster_shard_tag(unsigned i, char *buf, size_t len)
{
	unsigned want = 0, k, b;
	int n;

	/* The place of shard i: its 10 low bits reversed, the top 10 bits
	 * of a slot.  Shards 0, 1, 2, 3 go to 0, 1/2, 1/4, 3/4 of the slot
	 * space, and so on. */
	for (b = 0; b < 10; b++)
		if (i & (1u << b))
			want |= 1u << (9 - b);
	for (k = 0;; k++) {
		n = snprintf(buf, len, "%u.%u", i, k);
		if (n > 0 && (size_t)n < len && cluster_keyslot(buf, (size_t)n) >> 4 == want)
			return buf;
	}
}

enum cluster_redirect
cluster_redirect(const char *err, unsigned *slot, struct redisaddr *to)
{
	enum cluster_redirect kind;
	const char *p, *a;
	char *end, why[64];
	unsigned long s;

	if (strncmp(err, "MOVED ", 6) == 0)
		kind = CLUSTER_MOVED, p = err + 6;
	else if (strncmp(err, "ASK ", 4) == 0)
		kind = CLUSTER_ASK, p = err + 4;
	else
		return CLUSTER_NO_REDIRECT;
	s = strtoul(p, &end, 10);
	if (end == p || *end != ' ' || s >= CLUSTER_SLOTS)
		return CLUSTER_NO_REDIRECT;
	a = end + 1;
	if (redisaddr_parse(a, strlen(a), 0, to, why, sizeof(why)) != 0 || to->port == 0)
		return CLUSTER_NO_REDIRECT;
	*slot = (unsigned)s;
	return kind;
}

struct cluster *
cluster_new(const struct conf *c, const struct redisaddr *seeds, size_t n)
{
	struct cluster *cl;
	size_t i;

	if (n == 0 || (cl = calloc(1, sizeof(*cl))) == NULL)
		return NULL;
	for (i = 0; i < CLUSTER_SLOTS; i++)
		cl->slot[i] = -1;
	for (i = 0; i < n && i < CLUSTER_NODES_MAX; i++) {
		cl->node[i].addr = seeds[i];
		if ((cl->node[i].rc = redisconn_new_addr(c, &seeds[i])) == NULL) {
			cl->nnodes = i;
			cluster_free(cl);
			return NULL;
		}
	}
	cl->nnodes = i;
	cl->stale = 1;
	return cl;
}

void
cluster_free(struct cluster *cl)
{
	size_t i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->nnodes; i++)
		redisconn_free(cl->node[i].rc);
	free(cl);
}

/* The node at a, added when new; -1 when the table is full. */
static int
node_at(struct cluster *cl, const struct redisaddr *a)
{
	size_t i;

	for (i = 0; i < cl->nnodes; i++)
		if (cl->node[i].addr.port == a->port && strcmp(cl->node[i].addr.host, a->host) == 0)
			return (int)i;
	if (cl->nnodes == CLUSTER_NODES_MAX)
		return -1;
	/* New nodes take the first one's credentials and timeout. */
	if ((cl->node[i].rc = redisconn_new_like(cl->node[0].rc, a)) == NULL)
		return -1;
	cl->node[i].addr = *a;
	cl->nnodes++;
	return (int)i;
}

/* A CLUSTER SLOTS reply into the map.  0, or -1 if it made no sense. */
static int
take_slots(struct cluster *cl, const redisReply *r, const struct redisaddr *asked)
{
	const redisReply *e, *m;
	struct redisaddr a;
	long long lo, hi, s;
	size_t i;
	int n, any = 0;

	if (r->type != REDIS_REPLY_ARRAY)
		return -1;
	for (i = 0; i < CLUSTER_SLOTS; i++)
		cl->slot[i] = -1;
	for (i = 0; i < r->elements; i++) {
		/* [start, end, [ip, port, id, ...], replicas...] */
		e = r->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 3 ||
		    e->element[0]->type != REDIS_REPLY_INTEGER ||
		    e->element[1]->type != REDIS_REPLY_INTEGER)
			continue;
		m = e->element[2];
		if (m->type != REDIS_REPLY_ARRAY || m->elements < 2 ||
		    m->element[0]->type != REDIS_REPLY_STRING ||
		    m->element[1]->type != REDIS_REPLY_INTEGER)
			continue;
		lo = e->element[0]->integer;
		hi = e->element[1]->integer;
		if (lo < 0 || hi >= CLUSTER_SLOTS || lo > hi)
			continue;
		memset(&a, 0, sizeof(a));
		/* An empty or "?" endpoint: the node we asked (the spec). */
		if (m->element[0]->len == 0 || strcmp(m->element[0]->str, "?") == 0)
			snprintf(a.host, sizeof(a.host), "%s", asked->host);
		else if (m->element[0]->len < sizeof(a.host))
			memcpy(a.host, m->element[0]->str, m->element[0]->len);
		else
			continue;
		a.port = (int)m->element[1]->integer;
		if (a.port < 1 || a.port > 65535 || (n = node_at(cl, &a)) < 0)
			continue;
		for (s = lo; s <= hi; s++)
			cl->slot[s] = (short)n;
		any = 1;
	}
	return any ? 0 : -1;
}

/* Read the map from the first node that answers; at most once every
 * CLUSTER_REFRESH_MS. */
static void
refresh(struct cluster *cl)
{
	static const char *argv[2] = { "CLUSTER", "SLOTS" };
	redisReply *r;
	char err[ERRBUF_LEN];
	size_t i, n;

	if (time_mono_ms() < cl->next_refresh)
		return;
	cl->next_refresh = time_mono_ms() + CLUSTER_REFRESH_MS;
	n = cl->nnodes;		/* take_slots may add nodes */
	for (i = 0; i < n; i++) {
		if ((r = redisconn_command(cl->node[i].rc, 2, argv, NULL, err, sizeof(err))) == NULL)
			continue;
		if (take_slots(cl, r, &cl->node[i].addr) == 0) {
			freeReplyObject(r);
			cl->stale = 0;
			return;
		}
		freeReplyObject(r);
	}
}

int
cluster_node_of(struct cluster *cl, unsigned slot)
{
	if (cl->stale)
		refresh(cl);
	return cl->slot[slot & (CLUSTER_SLOTS - 1)];
}

const char *
cluster_where(struct cluster *cl, unsigned slot)
{
	int n = cl->slot[slot & (CLUSTER_SLOTS - 1)];

	if (n < 0)
		snprintf(cl->where, sizeof(cl->where), "cluster slot %u", slot);
	else
		redisaddr_str(&cl->node[n].addr, cl->where, sizeof(cl->where));
	return cl->where;
}

int
cluster_run(struct cluster *cl, unsigned slot, const struct redis_cmd *cmds,
    size_t n, long extra_ms, redisReply **replies, char *err, size_t errlen)
{
	static const char *asking[1] = { "ASKING" };
	struct redis_cmd c[REDISCONN_PIPELINE_MAX];
	redisReply *rep[REDISCONN_PIPELINE_MAX];
	struct redisaddr to;
	struct timespec ts = { 0, 50 * 1000000L };
	unsigned s;
	size_t i, off;
	enum cluster_redirect r;
	int node, ask = -1, hop, again;
	const redisReply *first;

	if (n == 0 || n >= REDISCONN_PIPELINE_MAX) {
		snprintf(err, errlen, "cluster: %zu commands in a pipeline", n);
		return -1;
	}
	slot &= CLUSTER_SLOTS - 1;
	for (hop = 0; hop < CLUSTER_HOPS; hop++) {
		off = 0;
		if (ask >= 0) {
			node = ask;
			c[0].argc = 1;
			c[0].argv = asking;
			c[0].argvlen = NULL;
			off = 1;
		} else if ((node = cluster_node_of(cl, slot)) < 0) {
			snprintf(err, errlen, "redis cluster: no node is known to serve slot %u", slot);
			cl->stale = 1;
			return -1;
		}
		for (i = 0; i < n; i++)
			c[off + i] = cmds[i];
		if (redisconn_pipeline(cl->node[node].rc, c, n + off, extra_ms, rep,
		    err, errlen) != 0) {
			/* A master that died: its replica may be promoted. */
			cl->stale = 1;
			return -1;
		}
		ask = -1;
		first = rep[off];
		again = 0;	/* 1: send the commands again, after the reply said where or when */
		if (first->type == REDIS_REPLY_ERROR) {
			if ((r = cluster_redirect(first->str, &s, &to)) == CLUSTER_MOVED) {
				cl->stale = 1;
				cl->next_refresh = 0;
				if ((node = node_at(cl, &to)) >= 0)
					cl->slot[slot] = (short)node;
				again = 1;
			} else if (r == CLUSTER_ASK) {
				again = (ask = node_at(cl, &to)) >= 0;
			} else if (strncmp(first->str, "TRYAGAIN", 8) == 0) {
				again = 1;
				nanosleep(&ts, NULL);
			} else if (strncmp(first->str, "CLUSTERDOWN", 11) == 0)
				cl->stale = 1;
		}
		if (!again) {
			for (i = 0; i < off; i++)
				freeReplyObject(rep[i]);
			for (i = 0; i < n; i++)
				replies[i] = rep[off + i];
			return 0;
		}
		for (i = 0; i < n + off; i++)
			freeReplyObject(rep[i]);
	}
	snprintf(err, errlen, "redis cluster: slot %u: still redirected after %d hops",
	    slot, CLUSTER_HOPS);
	return -1;
}
