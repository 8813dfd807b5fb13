/*
 * Retention (retention_days > 0): events older than that leave the
 * store.
 *
 * Set up once per run, when the store is first reached: on MongoDB the
 * TTL index on createdAt is made to match the setting (created, changed
 * or dropped; lib/store_expire.c) and MongoDB deletes by itself.  On
 * FerretDB, which has no TTL indexes, this consumer deletes: at most one
 * pass a minute among all consumers (a Redis key set NX for a minute
 * says who runs it), between batches, each pass a few bounded batches
 * for at most CONSUMER_EXPIRE_PASS_MS, so the events waiting in Redis
 * are held up by that much at worst.  What it deletes is counted in the
 * metrics hash ("expired"), shown by GET /metrics.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "consumer.h"
#include "log.h"
#include "metrics.h"
#include "timeutil.h"

static const char *
ttl_done(enum store_ttl_action a)
{
	switch (a) {
	case STORE_TTL_CREATE:	return "created";
	case STORE_TTL_MODIFY:	return "changed (collMod)";
	case STORE_TTL_DROP:	return "dropped";
	case STORE_TTL_REPLACE:	return "made again with expireAfterSeconds";
	case STORE_TTL_NOTHING:	break;
	}
	return "already in place";
}

void
expire_setup(struct consumer *c)
{
	enum store_ttl_action done;
	enum store_status st;
	char err[ERRBUF_LEN];
	long days = c->conf.retention_days;

	if (c->expire_ready || !c->server_logged)
		return;
	c->expire_way = store_expire_way(c->server.kind);
	if (c->expire_way == STORE_EXPIRE_TTL) {
		st = store_ttl_apply(c->store, days, &done, err, sizeof(err));
		if (st == STORE_TRANSIENT) {
			log_debug("retention: %s", err);
			return;		/* again before the next insert */
		}
		if (st == STORE_UNSUPPORTED && days > 0) {
			log_warn("%s; retention by the consumer's deletes instead", err);
			c->expire_way = STORE_EXPIRE_DELETE;
		} else if (st != STORE_OK)
			log_warn("%s; retention_days = %ld is not applied", err, days);
		else if (days > 0 || done != STORE_TTL_NOTHING)
			log_info("retention_days = %ld: the TTL index %s on createdAt is %s",
			    days, STORE_INDEX_TTL, ttl_done(done));
	}
	if (c->expire_way == STORE_EXPIRE_DELETE && days > 0)
		log_info("retention_days = %ld: the store has no TTL index, so this consumer "
		    "deletes older events itself (at most one pass a minute)", days);
	c->expire_ready = 1;
	c->next_expire = 0;
}

void
expire_maybe(struct consumer *c)
{
	char err[ERRBUF_LEN], when[TIME_RFC3339_LEN];
	int64_t now = time_mono_ms(), cutoff, deleted, total = 0;
	enum store_status st = STORE_OK;
	int found = CONSUMER_EXPIRE_BATCH;

	if (!c->expire_ready || c->expire_way != STORE_EXPIRE_DELETE ||
	    c->conf.retention_days <= 0 || now < c->next_expire ||
	    c->store_down_since != 0 || c->s->down_since != 0)
		return;
	c->next_expire = now + CONSUMER_EXPIRE_EVERY_MS;
	if (!turn_take(c, c->expire_key, CONSUMER_EXPIRE_EVERY_MS, "retention"))
		return;
	cutoff = time_now_ms() - c->conf.retention_days * 86400000LL;
	/* The counts cache stops trusting what the deletes will change
	 * before they start (counts.c). */
	if (counts_expire_begin(c, cutoff, err, sizeof(err)) != 0) {
		log_warn("retention: %s (next pass in a minute)", err);
		return;
	}
	while (found == CONSUMER_EXPIRE_BATCH &&
	    time_mono_ms() - now < CONSUMER_EXPIRE_PASS_MS && !consumer_stopping()) {
		st = store_expire_batch(c->store, cutoff, CONSUMER_EXPIRE_BATCH, &deleted,
		    &found, err, sizeof(err));
		if (st != STORE_OK)
			break;
		total += deleted;
	}
	if (st == STORE_OK && found < CONSUMER_EXPIRE_BATCH)
		counts_expire_end(c, cutoff);
	if (total > 0) {
		turn_count(c, METRIC_EXPIRED, (long long)total, "retention");
		c->n_expired += (uint64_t)total;
	}
	time_format_rfc3339(cutoff, when, sizeof(when));
	if (st != STORE_OK)
		log_warn("retention: %s (%lld deleted before it; next pass in a minute)",
		    err, (long long)total);
	else if (total > 0)
		log_info("retention: deleted %lld events created before %s%s", (long long)total,
		    when, found == CONSUMER_EXPIRE_BATCH ? "; more next minute" : "");
	else
		log_debug("retention: no events created before %s", when);
}
