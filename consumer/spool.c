/*
 * The ingest's disk spool (lib/spool.h): batches event-ingest wrote to
 * disk and answered 202 while Redis was unreachable.  Once Redis answers
 * again the consumer queues them on the stream like any POST, and they
 * are stored from there.  A record queued twice (a replay cut short and
 * run again, or two consumers replaying at once) is harmless: the store
 * keeps one document per event id.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "consumer.h"
#include "log.h"
#include "metrics.h"
#include "spool.h"

struct drain {
	struct consumer	*c;
	size_t		 found;
	char		 err[ERRBUF_LEN];
};

static int
emit(void *arg, const struct event_batch *b)
{
	struct drain *d = arg;
	long retry;

	d->found += b->n;
	enqueue_count(d->c->spool_q, METRIC_SPOOLED, (long)b->n);
	/* No limits: these events were accepted already. */
	if (enqueue_batch(d->c->spool_q, b, NULL, &retry, d->err, sizeof(d->err)) != ENQUEUE_OK)
		return -1;
	enqueue_count(d->c->spool_q, METRIC_REPLAYED, (long)b->n);
	return 0;
}

void
spool_drain(struct consumer *c)
{
	/* The last failure, so a lasting one is reported once, not each
	 * second. */
	static char last[ERRBUF_LEN];
	struct drain d = { c, 0, "" };
	size_t queued = 0, skipped = 0;
	char err[ERRBUF_LEN];
	int rc;

	if (c->spool_q == NULL || spool_size(c->conf.spool_path) == 0)
		return;
	rc = spool_replay(c->conf.spool_path, emit, &d, &queued, &skipped, err,
	    sizeof(err));
	if (queued > 0)
		log_info("queued %zu events again from the spool %s", queued,
		    c->conf.spool_path);
	if (skipped > 0)
		log_warn("spool %s: %zu bytes of damaged records skipped; "
		    "the file is kept as %s.replay.*.damaged", c->conf.spool_path,
		    skipped, c->conf.spool_path);
	if (rc == 0) {
		last[0] = '\0';
		return;
	}
	if (d.err[0] != '\0')
		snprintf(err, sizeof(err), "%s", d.err);
	if (strcmp(err, last) != 0)
		log_warn("spool %s: %s; kept for the next try", c->conf.spool_path, err);
	else
		log_debug("spool %s: %s", c->conf.spool_path, err);
	snprintf(last, sizeof(last), "%s", err);
}
