/*
 * GET /health: 200 when all is well and 503 when something needs
 * attention, with the reasons, so `curl -fsS .../health` in a crontab
 * with MAILTO is an alert system.  It says which server the store is,
 * and warns (still 200) of a stock FerretDB, whose reads scan the
 * collection.
 */
#include "config.h"

#include <stdio.h>

#include "jsontime.h"
#include "status.h"
#include "timeutil.h"

/* A time the snapshot may not have (-1): JSON null then. */
static json_object *
time_or_null(long long ms)
{
	return ms < 0 ? NULL : json_time(ms);
}

void
health_handle(struct status *st, struct http_req *req)
{
	struct snapshot s;
	json_object *root, *problems, *warnings, *cons, *server = NULL, *shards, *one;
	int64_t now = time_now_ms(), lag = st->conf.health_max_lag_s * 1000;
	char msg[160];
	size_t i;
	int any;

	snapshot_read(st, &s);
	root = json_object_new_object();
	problems = json_object_new_array();
	warnings = json_object_new_array();
#define PROBLEM(...) do {						\
	snprintf(msg, sizeof(msg), __VA_ARGS__);			\
	json_object_array_add(problems, json_object_new_string(msg));	\
} while (0)
	any = s.r.shards_up > 0;
	if (!any)
		PROBLEM("redis is unreachable");
	else
		for (i = 0; i < s.r.shards; i++)
			if (!s.r.shard[i].up)
				PROBLEM("redis shard %zu is unreachable", i);
	if (!s.store_up)
		PROBLEM("the store is unreachable");
	if (s.r.oldest_ms >= 0 && now - s.r.oldest_ms > lag)
		PROBLEM("the oldest queued event waits for %lld s", (long long)(now - s.r.oldest_ms) / 1000);
	if (any && (s.r.last_seen_ms < 0 || now - s.r.last_seen_ms > lag))
		PROBLEM("no consumer has run in the last %ld s", st->conf.health_max_lag_s);
	if (s.r.dead > 0)
		PROBLEM("%lld events in the dead-letter stream %.64s", s.r.dead, st->conf.dead_stream);
	if (s.spool_bytes > 0)
		PROBLEM("%lld bytes spooled on disk wait for Redis", s.spool_bytes);
	/* Worth knowing, not worth a 503. */
	if (s.store_up && s.server.kind == STORE_KIND_FERRETDB)
		json_object_array_add(warnings, json_object_new_string(
		    "the store is a stock FerretDB: GET /events and /events/stats read the "
		    "whole collection, so they slow down as it grows; use the FerretDB "
		    "scripts/start builds, or MongoDB"));
	if (s.store_up) {
		server = json_object_new_object();
		json_object_object_add(server, "kind",
		    json_object_new_string(store_kind_name(s.server.kind)));
		json_object_object_add(server, "version", s.server.version[0] ?
		    json_object_new_string(s.server.version) : NULL);
	}
	json_object_object_add(root, "status", json_object_new_string(
	    json_object_array_length(problems) ? "attention" : "ok"));
	json_object_object_add(root, "problems", problems);
	json_object_object_add(root, "warnings", warnings);
	json_object_object_add(root, "redis", json_object_new_boolean(s.redis_up));
	json_object_object_add(root, "store", json_object_new_boolean(s.store_up));
	json_object_object_add(root, "storeServer", server);
	/* The sums: null unless every shard answered. */
	json_object_object_add(root, "backlog", s.redis_up ? json_object_new_int64(s.r.backlog) : NULL);
	snprintf(msg, sizeof(msg), "%.3f", (double)(now - s.r.oldest_ms) / 1000.0);
	json_object_object_add(root, "oldestAgeSeconds", s.r.oldest_ms >= 0 ?
	    json_object_new_double_s((double)(now - s.r.oldest_ms) / 1000.0, msg) : NULL);
	json_object_object_add(root, "deadLetters", s.redis_up ? json_object_new_int64(s.r.dead) : NULL);
	json_object_object_add(root, "spoolBytes", json_object_new_int64(s.spool_bytes));
	json_object_object_add(root, "lastBatchAt", time_or_null(s.r.last_batch_ms));
	cons = json_object_new_object();
	for (i = 0; i < s.r.consumers.n; i++)
		json_object_object_add(cons, s.r.consumers.e[i].name,
		    time_or_null(s.r.consumers.e[i].v));
	json_object_object_add(root, "consumers", cons);
	shards = json_object_new_array();
	for (i = 0; i < s.r.shards; i++) {
		one = json_object_new_object();
		json_object_object_add(one, "shard", json_object_new_int64((int64_t)i));
		json_object_object_add(one, "up", json_object_new_boolean(s.r.shard[i].up));
		json_object_object_add(one, "backlog", s.r.shard[i].up ?
		    json_object_new_int64(s.r.shard[i].backlog) : NULL);
		json_object_object_add(one, "deadLetters", s.r.shard[i].up ?
		    json_object_new_int64(s.r.shard[i].dead) : NULL);
		json_object_array_add(shards, one);
	}
	json_object_object_add(root, "shards", shards);
	http_send_json(req, json_object_array_length(problems) ? 503 : 200, NULL, root);
	json_object_put(root);
	snapshot_free(&s);
}
