/*
 * event-status: GET /health and GET /metrics, for operators.
 *
 * /health answers 200 when all is well and 503 when something needs
 * attention, with the reasons, so `curl -fsS .../health` in a crontab with
 * MAILTO is an alert system.  It says which server the store is, and
 * warns (still 200) of a stock FerretDB, whose reads scan the collection.  /metrics is the Prometheus text format
 * (version 0.0.4) of the counters the programs keep in Redis.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "conf.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "shard.h"
#include "spool.h"
#include "status.h"
#include "store.h"
#include "timeutil.h"

struct status {
	struct conf		 conf;
	struct shardmap		*m;
	struct store		*store;		/* NULL until it connects */
};

/* What /health and /metrics report, read fresh for each request. */
struct snapshot {
	int		 redis_up, store_up;	/* redis_up: every shard answered */
	struct store_server server;	/* when store_up */
	long long	 spool_bytes;
	struct redis_view r;
};

static int
store_up(struct status *st, struct store_server *sv)
{
	char err[ERRBUF_LEN];

	if (st->store == NULL &&
	    (st->store = store_new(&st->conf, "event-status", STORE_READER, err,
	    sizeof(err))) == NULL) {
		log_warn("%s", err);
		return 0;
	}
	/* A failed ping drops the client (lib/store.h), so the next
	 * request asks a new one and /health says "up" as soon as the
	 * store is back. */
	if (store_ping(st->store, err, sizeof(err)) == STORE_OK &&
	    store_server(st->store, sv, err, sizeof(err)) == STORE_OK)
		return 1;
	log_warn("%s", err);
	return 0;
}

static void
snapshot(struct status *st, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->spool_bytes = st->conf.spool_path[0] ? (long long)spool_size(st->conf.spool_path) : 0;
	s->store_up = store_up(st, &s->server);
	redis_view_read(st->m, &st->conf, &s->r);
	s->redis_up = s->r.shards > 0 && s->r.shards_up == s->r.shards;
}

static void
snapshot_free(struct snapshot *s)
{
	redis_view_free(&s->r);
}

static json_object *
time_or_null(long long ms)
{
	char buf[TIME_RFC3339_LEN];

	if (ms < 0)
		return NULL;
	return json_object_new_string(time_format_rfc3339(ms, buf, sizeof(buf)));
}

static void
health(struct status *st, struct http_req *req)
{
	struct snapshot s;
	json_object *root, *problems, *warnings, *cons, *server = NULL, *shards, *one;
	int64_t now = time_now_ms(), lag = st->conf.health_max_lag_s * 1000;
	char msg[160];
	size_t i;
	int any;

	snapshot(st, &s);
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

/* Prometheus label values escape \, " and newline. */
static void
label(char *out, size_t len, const char *s)
{
	size_t o = 0;

	for (; *s && o + 3 < len; s++) {
		if (*s == '\\' || *s == '"')
			out[o++] = '\\';
		if (*s == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
			continue;
		}
		out[o++] = *s;
	}
	out[o] = '\0';
}

struct buf {
	char	*p;
	size_t	 len, cap;
};

static void
bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *np;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		if ((np = realloc(b->p, b->cap * 2 + (size_t)n)) == NULL)
			return;
		b->p = np;
		b->cap = b->cap * 2 + (size_t)n;
	}
}

/* Counters whose name starts with prefix, as name{reason="..."}. */
static void
labelled(struct buf *b, const struct counters *h, const char *prefix, const char *name)
{
	char l[256];
	size_t i, n = strlen(prefix);

	for (i = 0; i < h->n; i++)
		if (strncmp(h->e[i].name, prefix, n) == 0) {
			label(l, sizeof(l), h->e[i].name + n);
			bprintf(b, "%s{reason=\"%s\"} %lld\n", name, l, h->e[i].v);
		}
}

static void
metrics(struct status *st, struct http_req *req)
{
	static const struct { const char *field, *name, *help; } counters[] = {
		{ METRIC_ACCEPTED, "events_accepted_total", "Events queued by POST /events." },
		{ METRIC_STORED, "events_stored_total", "Events inserted into the store." },
		{ METRIC_DUPLICATES, "events_duplicates_total", "Events found already stored (not inserted twice)." },
		{ METRIC_DEAD, "events_dead_lettered_total", "Entries moved to the dead-letter stream." },
		{ METRIC_SPOOLED, "events_spooled_total", "Events found in the disk spool on replay." },
		{ METRIC_REPLAYED, "events_replayed_total", "Spooled events queued again." },
		{ METRIC_EXPIRED, "events_expired_total", "Events the consumer deleted past retention_days (not MongoDB's TTL deletes)." },
	};
	struct snapshot s;
	struct buf b = { NULL, 0, 4096 };
	char l1[128], l2[128], *colon;
	int64_t now = time_now_ms();
	size_t i;

	if ((b.p = malloc(b.cap)) == NULL) {
		http_send_error(req, 500, NULL, "internal", "out of memory");
		return;
	}
	snapshot(st, &s);
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		bprintf(&b, "# HELP %s %s\n# TYPE %s counter\n%s %lld\n", counters[i].name,
		    counters[i].help, counters[i].name, counters[i].name,
		    counters_get(&s.r.metrics, counters[i].field));
	bprintf(&b, "# HELP events_rejected_total Requests refused, by reason.\n"
	    "# TYPE events_rejected_total counter\n");
	labelled(&b, &s.r.metrics, METRIC_REJECTED, "events_rejected_total");
	bprintf(&b, "# HELP events_ignored_total Events answered but not kept (Do Not Track, crawlers).\n"
	    "# TYPE events_ignored_total counter\n");
	labelled(&b, &s.r.metrics, METRIC_IGNORED, "events_ignored_total");
	bprintf(&b, "# HELP events_bot_events_total Events from known crawlers, by reason and agent.\n"
	    "# TYPE events_bot_events_total counter\n");
	for (i = 0; i < s.r.bots.n; i++) {
		snprintf(l1, sizeof(l1), "%s", s.r.bots.e[i].name);
		if ((colon = strchr(l1, ':')) == NULL)
			continue;
		*colon = '\0';
		label(l2, sizeof(l2), colon + 1);
		label(l1, sizeof(l1), l1);
		bprintf(&b, "events_bot_events_total{reason=\"%s\",agent=\"%s\"} %lld\n",
		    l1, l2, s.r.bots.e[i].v);
	}
	bprintf(&b, "# HELP events_up Whether a service answers (1) or not (0).\n"
	    "# TYPE events_up gauge\nevents_up{service=\"redis\"} %d\nevents_up{service=\"store\"} %d\n",
	    s.redis_up, s.store_up);
	bprintf(&b, "# HELP events_store_info The server behind mongo_uri (while it answers).\n"
	    "# TYPE events_store_info gauge\n");
	if (s.store_up) {
		label(l1, sizeof(l1), s.server.version);
		bprintf(&b, "events_store_info{kind=\"%s\",version=\"%s\"} 1\n",
		    store_kind_name(s.server.kind), l1);
	}
	bprintf(&b, "# HELP events_backlog Entries in the stream not yet stored (queued and in flight).\n"
	    "# TYPE events_backlog gauge\nevents_backlog %lld\n", s.r.backlog);
	bprintf(&b, "# HELP events_oldest_age_seconds Age of the oldest event not yet stored.\n"
	    "# TYPE events_oldest_age_seconds gauge\nevents_oldest_age_seconds %.3f\n",
	    s.r.oldest_ms >= 0 ? (double)(now - s.r.oldest_ms) / 1000.0 : 0.0);
	bprintf(&b, "# HELP events_dead_letters Entries in the dead-letter stream.\n"
	    "# TYPE events_dead_letters gauge\nevents_dead_letters %lld\n", s.r.dead);
	bprintf(&b, "# HELP events_spool_bytes Bytes in the disk spool.\n"
	    "# TYPE events_spool_bytes gauge\nevents_spool_bytes %lld\n", s.spool_bytes);
	bprintf(&b, "# HELP events_last_batch_timestamp_seconds When a consumer last stored a batch.\n"
	    "# TYPE events_last_batch_timestamp_seconds gauge\nevents_last_batch_timestamp_seconds %.3f\n",
	    s.r.last_batch_ms >= 0 ? (double)s.r.last_batch_ms / 1000.0 : 0.0);
	if (s.r.shards > 1) {
		bprintf(&b, "# HELP events_shard_up Whether a shard's Redis answers (1) or not (0).\n"
		    "# TYPE events_shard_up gauge\n");
		for (i = 0; i < s.r.shards; i++)
			bprintf(&b, "events_shard_up{shard=\"%zu\"} %d\n", i, s.r.shard[i].up);
		bprintf(&b, "# HELP events_shard_backlog Entries in a shard's stream not yet stored.\n"
		    "# TYPE events_shard_backlog gauge\n");
		for (i = 0; i < s.r.shards; i++)
			if (s.r.shard[i].up)
				bprintf(&b, "events_shard_backlog{shard=\"%zu\"} %lld\n", i,
				    s.r.shard[i].backlog);
	}
	http_send(req, 200, "text/plain; version=0.0.4; charset=utf-8", NULL, b.p, b.len);
	free(b.p);
	snapshot_free(&s);
}

static void
handle(struct http_req *req, void *arg)
{
	struct status *st = arg;
	const char *method = http_param(req, "REQUEST_METHOD");
	const char *path = http_param(req, "SCRIPT_NAME"), *info = http_param(req, "PATH_INFO");
	const char *tok;
	char full[512];
	size_t n;

	if (method == NULL || (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)) {
		http_send_error(req, 405, "Allow: GET, HEAD\r\n", "method_not_allowed",
		    "use GET");
		return;
	}
	/* Servers split the path differently (lighttpd, mod_fcgid, mod_cgi):
	 * judge the whole of SCRIPT_NAME and PATH_INFO by its end. */
	snprintf(full, sizeof(full), "%s%s", path ? path : "", info ? info : "");
	n = strlen(full);
	if (n >= 7 && strcmp(full + n - 7, "/health") == 0) {
		health(st, req);
		return;
	}
	if (n >= 8 && strcmp(full + n - 8, "/metrics") == 0) {
		if (st->conf.read_token[0] &&
		    ((tok = access_bearer(http_param(req, "HTTP_AUTHORIZATION"))) == NULL ||
		    !access_token_equal(tok, st->conf.read_token))) {
			http_send_error(req, 401, "WWW-Authenticate: Bearer\r\n", "unauthorized",
			    "a read token is required: Authorization: Bearer TOKEN");
			return;
		}
		metrics(st, req);
		return;
	}
	http_send_error(req, 404, NULL, "not_found", "this program serves /health and /metrics");
}

int
main(int argc, char *argv[])
{
	static struct status st;
	const char *path = NULL;
	char err[ERRBUF_LEN];
	enum log_level lvl;
	int i, rc;

	log_init("event-status", LOG_LEVEL_INFO);
	/* RFC 3875 4.4: run as a CGI script, the command line holds the
	 * words of a query string without "=" (GET /events?--config+x),
	 * the client's, not the operator's: take no options then. */
	if (getenv("GATEWAY_INTERFACE") != NULL)
		argc = 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else {
			fprintf(stderr, "usage: event-status [--config FILE]\n");
			return 2;
		}
	}
	if (conf_load(&st.conf, path, err, sizeof(err)) != 0) {
		log_error("configuration: %s", err);
		http_startup_failed();
		return 1;
	}
	if (log_level_parse(st.conf.log_level, &lvl) == 0)
		log_set_level(lvl);
	store_init();
	if ((st.m = shardmap_new(&st.conf, err, sizeof(err))) == NULL) {
		log_error("configuration: %s", err);
		http_startup_failed();
		return 1;
	}
	rc = http_serve(handle, &st);
	shardmap_free(st.m);
	store_free(st.store);
	store_cleanup();
	return rc;
}
