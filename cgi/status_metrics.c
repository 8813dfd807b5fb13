/*
 * GET /metrics: the counters the programs keep in Redis (metrics.h) and
 * the gauges of a fresh snapshot, in the Prometheus text format
 * (lib/prometheus.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "prometheus.h"
#include "status.h"
#include "timeutil.h"

/* Counters whose name starts with prefix, as name{reason="..."}. */
static void
by_reason(struct buf *b, const struct counters *h, const char *prefix,
    const char *name)
{
	struct prom_label l = { "reason", NULL };
	size_t i, n = strlen(prefix);

	for (i = 0; i < h->n; i++)
		if (strncmp(h->e[i].name, prefix, n) == 0) {
			l.value = h->e[i].name + n;
			prom_sample(b, name, &l, 1, h->e[i].v);
		}
}

/* "<reason>:<agent>" counters, as name{reason="...",agent="..."}. */
static void
by_reason_and_agent(struct buf *b, const struct counters *h, const char *name)
{
	struct prom_label l[2] = { { "reason", NULL }, { "agent", NULL } };
	char reason[128], *colon;
	size_t i;

	for (i = 0; i < h->n; i++) {
		snprintf(reason, sizeof(reason), "%s", h->e[i].name);
		if ((colon = strchr(reason, ':')) == NULL)
			continue;
		*colon = '\0';
		l[0].value = reason;
		l[1].value = colon + 1;
		prom_sample(b, name, l, 2, h->e[i].v);
	}
}

void
metrics_handle(struct status *st, struct http_req *req)
{
	static const struct { const char *field, *name, *help; } counters[] = {
		{ METRIC_ACCEPTED, "events_accepted_total", "Events queued by POST /events." },
		{ METRIC_STORED, "events_stored_total", "Events inserted into the store." },
		{ METRIC_DUPLICATES, "events_duplicates_total", "Events found already stored (not inserted twice)." },
		{ METRIC_DEAD, "events_dead_lettered_total", "Entries moved to the dead-letter stream." },
		{ METRIC_SPOOLED, "events_spooled_total", "Events found in the disk spool on replay." },
		{ METRIC_REPLAYED, "events_replayed_total", "Spooled events queued again." },
		{ METRIC_EXPIRED, "events_expired_total", "Events the consumer deleted past retention_days (not MongoDB's TTL deletes)." },
		{ METRIC_COUNTS_FILLED, "events_counts_filled_total", "Minutes and hours of the /events/stats counts cache the consumer filled in the background (FerretDB)." },
	};
	struct snapshot s;
	struct buf b = BUF_INIT;
	struct prom_label l[2];
	char shard[24];
	int64_t now = time_now_ms();
	size_t i;

	snapshot_read(st, &s);
	/* What Redis holds is unknown while it (or a shard) does not
	 * answer: those series are left out rather than given as 0, which
	 * Prometheus would take for a counter reset and an empty queue.
	 * Their families stay; events_up says why. */
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		prom_family(&b, counters[i].name, "counter", counters[i].help);
		if (s.redis_up)
			prom_sample(&b, counters[i].name, NULL, 0,
			    counters_get(&s.r.metrics, counters[i].field));
	}
	prom_family(&b, "events_rejected_total", "counter", "Requests refused, by reason.");
	if (s.redis_up)
		by_reason(&b, &s.r.metrics, METRIC_REJECTED, "events_rejected_total");
	prom_family(&b, "events_ignored_total", "counter",
	    "Events answered but not kept (Do Not Track, crawlers).");
	if (s.redis_up)
		by_reason(&b, &s.r.metrics, METRIC_IGNORED, "events_ignored_total");
	prom_family(&b, "events_bot_events_total", "counter",
	    "Events from known crawlers, by reason and agent.");
	if (s.redis_up)
		by_reason_and_agent(&b, &s.r.bots, "events_bot_events_total");

	prom_family(&b, "events_up", "gauge", "Whether a service answers (1) or not (0).");
	l[0].name = "service";
	l[0].value = "redis";
	prom_sample(&b, "events_up", l, 1, s.redis_up);
	l[0].value = "store";
	prom_sample(&b, "events_up", l, 1, s.store_up);
	prom_family(&b, "events_store_info", "gauge",
	    "The server behind mongo_uri (while it answers).");
	if (s.store_up) {
		l[0].name = "kind";
		l[0].value = store_kind_name(s.server.kind);
		l[1].name = "version";
		l[1].value = s.server.version;
		prom_sample(&b, "events_store_info", l, 2, 1);
	}
	prom_family(&b, "events_backlog", "gauge",
	    "Entries in the stream not yet stored (queued and in flight).");
	if (s.redis_up)
		prom_sample(&b, "events_backlog", NULL, 0, s.r.backlog);
	prom_family(&b, "events_oldest_age_seconds", "gauge",
	    "Age of the oldest event not yet stored.");
	if (s.redis_up)
		prom_sample_real(&b, "events_oldest_age_seconds", NULL, 0,
		    s.r.oldest_ms >= 0 ? (double)(now - s.r.oldest_ms) / 1000.0 : 0.0);
	prom_family(&b, "events_dead_letters", "gauge", "Entries in the dead-letter stream.");
	if (s.redis_up)
		prom_sample(&b, "events_dead_letters", NULL, 0, s.r.dead);
	prom_family(&b, "events_spool_bytes", "gauge", "Bytes in the disk spool.");
	prom_sample(&b, "events_spool_bytes", NULL, 0, s.spool_bytes);
	prom_family(&b, "events_last_batch_timestamp_seconds", "gauge",
	    "When a consumer last stored a batch.");
	if (s.redis_up)
		prom_sample_real(&b, "events_last_batch_timestamp_seconds", NULL, 0,
		    s.r.last_batch_ms >= 0 ? (double)s.r.last_batch_ms / 1000.0 : 0.0);
	if (s.r.shards > 1) {
		l[0].name = "shard";
		l[0].value = shard;
		prom_family(&b, "events_shard_up", "gauge",
		    "Whether a shard's Redis answers (1) or not (0).");
		for (i = 0; i < s.r.shards; i++) {
			snprintf(shard, sizeof(shard), "%zu", i);
			prom_sample(&b, "events_shard_up", l, 1, s.r.shard[i].up);
		}
		prom_family(&b, "events_shard_backlog", "gauge",
		    "Entries in a shard's stream not yet stored.");
		for (i = 0; i < s.r.shards; i++)
			if (s.r.shard[i].up) {
				snprintf(shard, sizeof(shard), "%zu", i);
				prom_sample(&b, "events_shard_backlog", l, 1,
				    s.r.shard[i].backlog);
			}
	}
	if (b.failed)
		http_send_error(req, 500, NULL, "internal", "out of memory");
	else
		http_send(req, 200, PROM_CONTENT_TYPE, NULL, b.p, b.len);
	buf_free(&b);
	snapshot_free(&s);
}
