/*
 * The consumer's cycle: fetch a batch, store it, acknowledge it; outages
 * waited out with a capped exponential backoff, each reported once when
 * it begins and once when it ends.
 *
 * Where a batch comes from:
 *   PHASE_OWN    entries already delivered to this name and never
 *                acknowledged: a previous run killed mid-batch, a batch
 *                caught by an outage, entries the store refused that wait
 *                for their next attempt.  XREADGROUP with an id instead
 *                of ">" returns them, from a cursor.
 *   PHASE_CLAIM  XAUTOCLAIM: entries idle for claim_idle_ms under any
 *                consumer (one that died, or this one), made ours.
 *   PHASE_NEW    XREADGROUP ">": entries never delivered.
 * At start: OWN, then CLAIM, then NEW; CLAIM again every claim_idle_ms/2,
 * OWN again when a refused entry is due.
 *
 * With several shards each has its own phase and cursors, and the cycle
 * takes them in turn, a batch each; an outage of a shard's master makes
 * only that shard wait.  A blocking read waits on one shard for a share
 * of CONSUMER_BLOCK_MS, and only once a whole round found nothing new.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "consumer.h"
#include "log.h"
#include "timeutil.h"

enum outcome { DONE_OK, STORE_DOWN, REDIS_DOWN };

static int64_t
claim_interval(const struct consumer *c)
{
	return c->conf.claim_idle_ms / 2;
}

static void
to_own(struct cshard *s)
{
	s->phase = PHASE_OWN;
	snprintf(s->own_cursor, sizeof(s->own_cursor), "0");
}

static void
to_claim(struct cshard *s)
{
	s->phase = PHASE_CLAIM;
	snprintf(s->claim_cursor, sizeof(s->claim_cursor), "0-0");
}

/* Sleep the backoff (no further than the deadline), then double it. */
static void
backoff(struct consumer *c)
{
	int64_t ms = consumer_clamp_ms(c, c->backoff);

	if (ms > 0)
		consumer_sleep(ms);
	c->backoff *= 2;
	if (c->backoff > c->conf.backoff_max_ms)
		c->backoff = c->conf.backoff_max_ms;
}

/* The shard read now cannot be reached: it waits its backoff (the
 * others go on), which then doubles. */
static void
redis_trouble(struct consumer *c, const char *err)
{
	struct cshard *s = c->s;
	int64_t now = time_mono_ms();

	if (s->down_since == 0) {
		s->down_since = now;
		log_warn("%s; retrying (backoff up to %ld ms)", err,
		    c->conf.backoff_max_ms);
	} else
		log_debug("%s", err);
	s->next_try = now + s->backoff;
	s->backoff *= 2;
	if (s->backoff > c->conf.backoff_max_ms)
		s->backoff = c->conf.backoff_max_ms;
	to_own(s);
}

static void
redis_fine(struct consumer *c)
{
	struct cshard *s = c->s;

	if (s->down_since != 0) {
		log_info("redis %s reachable again after %.1f s; resuming",
		    stream_where(c), (double)(time_mono_ms() - s->down_since) / 1000);
		s->down_since = 0;
	}
	s->backoff = CONSUMER_BACKOFF_MS;
}

static void
store_trouble(struct consumer *c, const char *err)
{
	if (c->store_down_since == 0) {
		c->store_down_since = time_mono_ms();
		log_warn("%s; events stay in Redis, retrying (backoff up to %ld ms)",
		    err, c->conf.backoff_max_ms);
	} else
		log_debug("%s", err);
	backoff(c);
	to_own(c->s);
}

/* Say once which server the store is (README: the store behind the
 * programs): at start, or at the first contact after a start in an
 * outage. */
static void
log_server(struct consumer *c)
{
	struct store_server sv;
	char err[ERRBUF_LEN];

	if (c->server_logged)
		return;
	if (store_server(c->store, &sv, err, sizeof(err)) != STORE_OK) {
		log_debug("%s", err);
		return;
	}
	c->server = sv;
	c->server_logged = 1;
	if (sv.kind == STORE_KIND_FERRETDB)
		log_warn("store %s is %s %s: its reads scan the whole collection, so GET /events "
		    "slows down as the collection grows (use the FerretDB scripts/start builds, or MongoDB)",
		    store_where(c->store), store_kind_text(sv.kind), sv.version);
	else
		log_info("store %s is %s %s", store_where(c->store),
		    store_kind_text(sv.kind), sv.version);
}

static void
store_fine(struct consumer *c)
{
	if (c->store_down_since != 0) {
		log_info("store %s reachable again after %.1f s; resuming",
		    store_where(c->store),
		    (double)(time_mono_ms() - c->store_down_since) / 1000);
		c->store_down_since = 0;
	}
	c->backoff = CONSUMER_BACKOFF_MS;
	log_server(c);
}

/* Indexes: at start, and again before an insert while an outage kept
 * them from being made.  Anything but a transient failure (FerretDB
 * lacking an option, a user without the createIndex privilege) is
 * reported once and not retried:
 * the events matter more than the indexes.  So is a failure that looks
 * like an outage while inserts go through (a server that drops the
 * connection on createIndexes). */
static void
ensure_indexes(struct consumer *c, char *err, size_t errlen)
{
	enum store_status st;

	if (!c->need_indexes) {
		expire_setup(c);
		return;
	}
	log_server(c);
	st = store_ensure_indexes(c->store, err, errlen);
	if (st == STORE_TRANSIENT) {
		c->index_outage = 1;
		snprintf(c->index_err, sizeof(c->index_err), "%s", err);
		log_debug("indexes: %s", err);
		return;
	}
	if (st != STORE_OK)
		log_warn("%s; going on without them", err);
	else
		log_debug("indexes on %s are in place", store_where(c->store));
	c->need_indexes = 0;
	c->index_outage = 0;
	expire_setup(c);
}

/* Convert, insert, acknowledge, count refusals. */
static enum outcome
process(struct consumer *c, char *err, size_t errlen)
{
	struct batch *b = &c->b;
	struct entry *e;
	struct store_item *it;
	size_t i;

	if (batch_convert(b) > 0) {
		ensure_indexes(c, err, errlen);
		counts_setup(c);
		/* The counts cache: the minutes written marked around the
		 * insert (counts.c). */
		if (counts_open(c, err, errlen) != 0 ||
		    store_insert(c->store, b->items, b->nitems, err, errlen) != STORE_OK ||
		    counts_close(c, err, errlen) != 0)
			return STORE_DOWN;
		store_fine(c);
		if (c->index_outage) {
			log_warn("%s; the store takes inserts, so going on without the indexes",
			    c->index_err);
			c->need_indexes = 0;
			c->index_outage = 0;
		}
	}
	for (i = 0; i < b->n; i++) {
		e = &b->e[i];
		if (e->fate != ENTRY_STORE)
			continue;
		it = &b->items[e->item];
		if (it->result == STORE_STORED)
			c->n_stored++;
		else if (it->result == STORE_DUPLICATE)
			c->n_dup++;
		else {
			e->fate = ENTRY_BAD;
			memcpy(e->reason, it->reason, sizeof(e->reason));
		}
	}
	/* Only now, with the store's answer in hand. */
	if (stream_ack(c, err, errlen) != 0 || deadletter_count(c, err, errlen) != 0)
		return REDIS_DOWN;
	log_debug("batch of %zu: %zu to the store", b->n, b->nitems);
	return DONE_OK;
}

/* Fetch the next batch for the phase: the entry count, or -1. */
static int
fetch(struct consumer *c, char *err, size_t errlen)
{
	struct cshard *s = c->s;
	int64_t block = 0, left;
	int n;

	switch (s->phase) {
	case PHASE_OWN:
		if ((n = stream_read(c, s->own_cursor, 0, err, errlen)) > 0)
			snprintf(s->own_cursor, sizeof(s->own_cursor), "%s",
			    c->b.e[c->b.n - 1].id);
		return n;
	case PHASE_CLAIM:
		return stream_claim(c, err, errlen);
	default:
		/* --once drains what is there and stops; the daemon waits
		 * for more, a second at a time so it notices SIGTERM, its
		 * deadline and its timers; with several shards, a share of
		 * that on each, once none had anything new. */
		if (!c->once && (c->nsh == 1 || c->idle >= c->nsh)) {
			block = CONSUMER_BLOCK_MS / (int64_t)c->nsh;
			if (block < CONSUMER_BLOCK_MIN_MS)
				block = CONSUMER_BLOCK_MIN_MS;
			if ((left = consumer_clamp_ms(c, block)) < block)
				block = left > 1 ? left : 1;
		}
		return stream_read(c, ">", block, err, errlen);
	}
}

/*
 * After a batch (n entries, maybe 0): choose the next phase.  Returns 1
 * when --once has nothing left to do.
 */
static int
next_phase(struct consumer *c, int n)
{
	struct cshard *s = c->s;
	int64_t now = time_mono_ms();

	if (s->phase == PHASE_NEW && n == 0)
		c->idle++;
	else if (n > 0)
		c->idle = 0;
	switch (s->phase) {
	case PHASE_OWN:
		if (n > 0)
			return 0;	/* go on from the cursor */
		if (now >= s->next_claim)
			to_claim(s);
		else
			s->phase = PHASE_NEW;
		return 0;
	case PHASE_CLAIM:
		if (strcmp(s->claim_cursor, "0-0") == 0) {
			s->next_claim = now + claim_interval(c);
			s->phase = PHASE_NEW;
		}
		return 0;
	default:
		if (s->next_retry != 0 && now >= s->next_retry) {
			s->next_retry = 0;
			to_own(s);
		} else if (now >= s->next_claim)
			to_claim(s);
		else if (n == 0 && c->once) {
			if (s->next_retry == 0)
				return 1;
			/* Refused entries wait: --once sees them through
			 * to stored or dead-lettered (or its deadline). */
			consumer_sleep(s->next_retry - now);
		}
		return 0;
	}
}

/*
 * The next shard to read, after the current one in turn: one that --once
 * has not drained and that is not waiting out an outage.  When every
 * shard waits, sleep until the first may be tried (no further than the
 * deadline).  0 when --once has drained every shard, or the run is over.
 */
static int
pick_shard(struct consumer *c)
{
	struct cshard *s;
	int64_t now, first, ms;
	size_t k, i;
	int left;

	for (;;) {
		now = time_mono_ms();
		first = 0;
		left = 0;
		for (k = 1; k <= c->nsh; k++) {
			i = (c->cur + k) % c->nsh;
			s = &c->sh[i];
			if (s->done)
				continue;
			left = 1;
			if (s->next_try <= now) {
				c->cur = i;
				c->s = s;
				return 1;
			}
			if (first == 0 || s->next_try < first)
				first = s->next_try;
		}
		if (!left)
			return 0;
		ms = consumer_clamp_ms(c, first - now);
		if (ms > 0 && consumer_sleep(ms))
			return 0;
		if (consumer_time_up(c))
			return 0;
	}
}

/* Once a second while Redis answers: say this consumer is alive, and
 * queue what the ingest spooled to disk while Redis was away. */
static void
housekeeping(struct consumer *c)
{
	int64_t now = time_mono_ms();

	size_t i, up = 0;

	for (i = 0; i < c->nsh; i++)
		up += c->sh[i].down_since == 0;
	if (now < c->next_house || up == 0)
		return;
	c->next_house = now + CONSUMER_HOUSE_MS;
	stream_heartbeat(c);
	spool_drain(c);
}

int
consumer_run(struct consumer *c)
{
	char err[ERRBUF_LEN];
	enum outcome o;
	int n;

	size_t i;

	c->need_indexes = 1;
	c->backoff = CONSUMER_BACKOFF_MS;
	for (i = 0; i < c->nsh; i++) {
		c->sh[i].need_group = 1;
		c->sh[i].backoff = CONSUMER_BACKOFF_MS;
		c->sh[i].next_claim = 0;
		to_own(&c->sh[i]);
	}
	c->cur = c->nsh - 1;	/* the first pick is shard sh[0] */
	/* Credentials the store refuses are a configuration error: say so
	 * and stop, rather than wait for them as for an outage.  (A store
	 * that is down is waited for, below.) */
	switch (store_ping(c->store, err, sizeof(err))) {
	case STORE_AUTH:
		log_error("%s: check the user and password in mongo_uri", err);
		return 1;
	case STORE_OK:
		log_server(c);
		break;
	default:
		/* Down, or refusing even a ping: waited for like an outage. */
		store_trouble(c, err);
		break;
	}
	ensure_indexes(c, err, sizeof(err));

	while (!consumer_stopping() && !consumer_time_up(c)) {
		if (!pick_shard(c))
			break;
		if (c->s->need_group) {
			if (stream_ensure_group(c, err, sizeof(err)) != 0) {
				redis_trouble(c, err);
				continue;
			}
			redis_fine(c);
		}
		housekeeping(c);
		expire_maybe(c);
		n = fetch(c, err, sizeof(err));
		if (n < 0) {
			batch_clear(&c->b);
			redis_trouble(c, err);
			continue;
		}
		redis_fine(c);
		if (n > 0) {
			o = process(c, err, sizeof(err));
			batch_clear(&c->b);
			if (o == STORE_DOWN) {
				store_trouble(c, err);
				continue;
			}
			if (o == REDIS_DOWN) {
				redis_trouble(c, err);
				continue;
			}
		} else
			batch_clear(&c->b);
		/* Caught up with the stream (nothing new, or less than a
		 * batch): a bounded pass of the counts cache's fill. */
		if (c->s->phase == PHASE_NEW && n < c->conf.batch_size)
			fill_maybe(c);
		if (next_phase(c, n))
			c->s->done = 1;		/* --once: drained */
	}
	return 0;
}
