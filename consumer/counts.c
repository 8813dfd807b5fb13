/*
 * The consumer's part in the counts cache (lib/store.h, store_counts.c):
 * every insert of a batch is bracketed by marks on the minutes (and
 * hours) its events' createdAt fall in, duplicates included, so that no
 * count cached by a reader outlives a change of what it counted:
 *
 *   counts_open    before the insert: the units marked with this
 *                  consumer's name, their cached counts removed
 *   store_insert   (loop.c)
 *   counts_close   after it, before XACK: the name removed
 *
 * A failed open or close is an outage of the store like a failed insert:
 * the batch is not acknowledged and comes back.  A consumer killed
 * between open and close leaves its name in those units, which readers
 * then count from the events each time, until the batch comes back
 * (PHASE_OWN, or another consumer's claim; its close removes only its
 * own name) or counts_setup() at its next start releases them.
 *
 * Retention (expire.c) raises the cache's "below" before deleting and
 * drops the expired units after.  None of this is done on MongoDB,
 * whose readers count with $group and whose TTL index deletes alone.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "consumer.h"
#include "log.h"

/* Is the cache kept on this store?  Until the server is known, yes:
 * marks are harmless where nobody reads them. */
static int
kept(const struct consumer *c)
{
	return !c->server_logged || store_counts_kept(c->server.kind);
}

void
counts_setup(struct consumer *c)
{
	char err[ERRBUF_LEN];
	enum store_status st;

	if (c->counts_ready || !c->server_logged)
		return;
	if (!kept(c)) {
		c->counts_ready = 1;
		return;
	}
	if ((st = store_counts_release(c->store, c->conf.consumer_name, err,
	    sizeof(err))) == STORE_TRANSIENT) {
		log_debug("counts: %s", err);
		return;		/* again before the next insert */
	}
	if (st != STORE_OK)
		log_warn("counts: %s", err);
	if (store_ensure_counts_index(c->store, err, sizeof(err)) != STORE_OK)
		log_warn("counts: %s; retention will scan the counts to drop expired ones",
		    err);
	c->counts_ready = 1;
}

/* The minutes of the batch's documents into b->minutes: how many. */
static size_t
batch_minutes(struct batch *b)
{
	bson_iter_t it;
	size_t i, n = 0;

	for (i = 0; i < b->nitems; i++)
		if (bson_iter_init_find(&it, b->items[i].doc, "createdAt") &&
		    BSON_ITER_HOLDS_DATE_TIME(&it) && bson_iter_date_time(&it) >= 0)
			b->minutes[n++] = bson_iter_date_time(&it);
	return n;
}

int
counts_open(struct consumer *c, char *err, size_t errlen)
{
	if (!kept(c))
		return 0;
	return store_counts_open(c->store, c->conf.consumer_name, c->b.minutes,
	    batch_minutes(&c->b), err, errlen) == STORE_OK ? 0 : -1;
}

int
counts_close(struct consumer *c, char *err, size_t errlen)
{
	if (!kept(c))
		return 0;
	return store_counts_close(c->store, c->conf.consumer_name, c->b.minutes,
	    batch_minutes(&c->b), err, errlen) == STORE_OK ? 0 : -1;
}

int
counts_expire_begin(struct consumer *c, int64_t cutoff, char *err, size_t errlen)
{
	if (!kept(c))
		return 0;
	return store_counts_expire_begin(c->store, cutoff, err, errlen) == STORE_OK ? 0 : -1;
}

void
counts_expire_end(struct consumer *c, int64_t cutoff)
{
	char err[ERRBUF_LEN];

	if (kept(c) && store_counts_expire_end(c->store, cutoff, err, sizeof(err)) != STORE_OK)
		log_warn("retention: %s (dropped at the next pass)", err);
}
