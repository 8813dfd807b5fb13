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
#include "redisconn.h"
#include "spool.h"
#include "store.h"
#include "timeutil.h"

struct status {
	struct conf		 conf;
	struct redisconn	*rc;
	struct store		*store;		/* NULL until it connects */
};

/* What /health and /metrics report, read fresh for each request. */
struct snapshot {
	int		 redis_up, store_up;
	struct store_server server;	/* when store_up */
	long long	 backlog, dead;
	long long	 oldest_ms;	/* -1: nothing waiting */
	long long	 last_batch_ms;	/* -1: never */
	long long	 last_seen_ms;	/* newest consumer heartbeat, -1: none */
	long long	 spool_bytes;
	redisReply	*metrics, *bots, *consumers;	/* HGETALL replies or NULL */
};

static redisReply *
cmd(struct status *st, const char *a0, const char *a1, const char *a2,
    const char *a3, const char *a4, const char *a5)
{
	const char *argv[6] = { a0, a1, a2, a3, a4, a5 };
	char err[ERRBUF_LEN];
	redisReply *r;
	int argc = 0;

	while (argc < 6 && argv[argc] != NULL)
		argc++;
	r = redisconn_command(st->rc, argc, argv, NULL, err, sizeof(err));
	if (r == NULL)
		log_warn("%s", err);
	else if (r->type == REDIS_REPLY_ERROR) {
		log_warn("redis %s: %s: %s", redisconn_where(st->rc), a0, r->str);
		freeReplyObject(r);
		r = NULL;
	}
	return r;
}

static long long
int_of(redisReply *r)
{
	long long v = -1;

	if (r == NULL)
		return -1;
	if (r->type == REDIS_REPLY_INTEGER)
		v = r->integer;
	else if (r->type == REDIS_REPLY_STRING)
		v = strtoll(r->str, NULL, 10);
	freeReplyObject(r);
	return v;
}

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
	char key[CONF_STR_LEN + 32];
	redisReply *r;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->oldest_ms = s->last_batch_ms = s->last_seen_ms = -1;
	s->spool_bytes = st->conf.spool_path[0] ? (long long)spool_size(st->conf.spool_path) : 0;
	s->store_up = store_up(st, &s->server);
	if ((r = cmd(st, "PING", NULL, NULL, NULL, NULL, NULL)) == NULL)
		return;
	freeReplyObject(r);
	s->redis_up = 1;
	s->backlog = int_of(cmd(st, "XLEN", st->conf.stream, NULL, NULL, NULL, NULL));
	s->dead = int_of(cmd(st, "XLEN", st->conf.dead_stream, NULL, NULL, NULL, NULL));
	/* The consumer deletes what it stored, so the first entry left is
	 * the oldest not yet stored; its id starts with its ms. */
	r = cmd(st, "XRANGE", st->conf.stream, "-", "+", "COUNT", "1");
	if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
	    r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements >= 1 &&
	    r->element[0]->element[0]->type == REDIS_REPLY_STRING)
		s->oldest_ms = strtoll(r->element[0]->element[0]->str, NULL, 10);
	if (r != NULL)
		freeReplyObject(r);
	snprintf(key, sizeof(key), "%s" LAST_BATCH_KEY_SUFFIX, st->conf.stream);
	s->last_batch_ms = int_of(cmd(st, "GET", key, NULL, NULL, NULL, NULL));
	snprintf(key, sizeof(key), "%s" METRICS_KEY_SUFFIX, st->conf.stream);
	s->metrics = cmd(st, "HGETALL", key, NULL, NULL, NULL, NULL);
	snprintf(key, sizeof(key), "%s" BOTS_KEY_SUFFIX, st->conf.stream);
	s->bots = cmd(st, "HGETALL", key, NULL, NULL, NULL, NULL);
	snprintf(key, sizeof(key), "%s" CONSUMERS_KEY_SUFFIX, st->conf.stream);
	s->consumers = cmd(st, "HGETALL", key, NULL, NULL, NULL, NULL);
	if (s->consumers != NULL && s->consumers->type == REDIS_REPLY_ARRAY)
		for (i = 0; i + 1 < s->consumers->elements; i += 2) {
			long long v = strtoll(s->consumers->element[i + 1]->str, NULL, 10);
			if (v > s->last_seen_ms)
				s->last_seen_ms = v;
		}
}

static void
snapshot_free(struct snapshot *s)
{
	if (s->metrics)
		freeReplyObject(s->metrics);
	if (s->bots)
		freeReplyObject(s->bots);
	if (s->consumers)
		freeReplyObject(s->consumers);
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
	json_object *root, *problems, *warnings, *cons, *server = NULL;
	int64_t now = time_now_ms(), lag = st->conf.health_max_lag_s * 1000;
	char msg[160];
	size_t i;

	snapshot(st, &s);
	root = json_object_new_object();
	problems = json_object_new_array();
	warnings = json_object_new_array();
#define PROBLEM(...) do {						\
	snprintf(msg, sizeof(msg), __VA_ARGS__);			\
	json_object_array_add(problems, json_object_new_string(msg));	\
} while (0)
	if (!s.redis_up)
		PROBLEM("redis is unreachable");
	if (!s.store_up)
		PROBLEM("the store is unreachable");
	if (s.oldest_ms >= 0 && now - s.oldest_ms > lag)
		PROBLEM("the oldest queued event waits for %lld s", (long long)(now - s.oldest_ms) / 1000);
	if (s.redis_up && (s.last_seen_ms < 0 || now - s.last_seen_ms > lag))
		PROBLEM("no consumer has run in the last %ld s", st->conf.health_max_lag_s);
	if (s.dead > 0)
		PROBLEM("%lld events in the dead-letter stream %.64s", s.dead, st->conf.dead_stream);
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
	json_object_object_add(root, "backlog", s.redis_up ? json_object_new_int64(s.backlog) : NULL);
	snprintf(msg, sizeof(msg), "%.3f", (double)(now - s.oldest_ms) / 1000.0);
	json_object_object_add(root, "oldestAgeSeconds", s.oldest_ms >= 0 ?
	    json_object_new_double_s((double)(now - s.oldest_ms) / 1000.0, msg) : NULL);
	json_object_object_add(root, "deadLetters", s.redis_up ? json_object_new_int64(s.dead) : NULL);
	json_object_object_add(root, "spoolBytes", json_object_new_int64(s.spool_bytes));
	json_object_object_add(root, "lastBatchAt", time_or_null(s.last_batch_ms));
	cons = json_object_new_object();
	if (s.consumers != NULL && s.consumers->type == REDIS_REPLY_ARRAY)
		for (i = 0; i + 1 < s.consumers->elements; i += 2)
			json_object_object_add(cons, s.consumers->element[i]->str,
			    time_or_null(strtoll(s.consumers->element[i + 1]->str, NULL, 10)));
	json_object_object_add(root, "consumers", cons);
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

static long long
hget(redisReply *h, const char *field)
{
	size_t i;

	if (h == NULL || h->type != REDIS_REPLY_ARRAY)
		return 0;
	for (i = 0; i + 1 < h->elements; i += 2)
		if (strcmp(h->element[i]->str, field) == 0)
			return strtoll(h->element[i + 1]->str, NULL, 10);
	return 0;
}

/* Counters whose field starts with prefix, as name{reason="..."}. */
static void
labelled(struct buf *b, redisReply *h, const char *prefix, const char *name)
{
	char l[256];
	size_t i, n = strlen(prefix);

	if (h == NULL || h->type != REDIS_REPLY_ARRAY)
		return;
	for (i = 0; i + 1 < h->elements; i += 2)
		if (strncmp(h->element[i]->str, prefix, n) == 0) {
			label(l, sizeof(l), h->element[i]->str + n);
			bprintf(b, "%s{reason=\"%s\"} %s\n", name, l, h->element[i + 1]->str);
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
		    hget(s.metrics, counters[i].field));
	bprintf(&b, "# HELP events_rejected_total Requests refused, by reason.\n"
	    "# TYPE events_rejected_total counter\n");
	labelled(&b, s.metrics, METRIC_REJECTED, "events_rejected_total");
	bprintf(&b, "# HELP events_ignored_total Events answered but not kept (Do Not Track, crawlers).\n"
	    "# TYPE events_ignored_total counter\n");
	labelled(&b, s.metrics, METRIC_IGNORED, "events_ignored_total");
	bprintf(&b, "# HELP events_bot_events_total Events from known crawlers, by reason and agent.\n"
	    "# TYPE events_bot_events_total counter\n");
	if (s.bots != NULL && s.bots->type == REDIS_REPLY_ARRAY)
		for (i = 0; i + 1 < s.bots->elements; i += 2) {
			snprintf(l1, sizeof(l1), "%s", s.bots->element[i]->str);
			if ((colon = strchr(l1, ':')) == NULL)
				continue;
			*colon = '\0';
			label(l2, sizeof(l2), colon + 1);
			label(l1, sizeof(l1), l1);
			bprintf(&b, "events_bot_events_total{reason=\"%s\",agent=\"%s\"} %s\n",
			    l1, l2, s.bots->element[i + 1]->str);
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
	    "# TYPE events_backlog gauge\nevents_backlog %lld\n", s.redis_up ? s.backlog : 0);
	bprintf(&b, "# HELP events_oldest_age_seconds Age of the oldest event not yet stored.\n"
	    "# TYPE events_oldest_age_seconds gauge\nevents_oldest_age_seconds %.3f\n",
	    s.oldest_ms >= 0 ? (double)(now - s.oldest_ms) / 1000.0 : 0.0);
	bprintf(&b, "# HELP events_dead_letters Entries in the dead-letter stream.\n"
	    "# TYPE events_dead_letters gauge\nevents_dead_letters %lld\n", s.redis_up ? s.dead : 0);
	bprintf(&b, "# HELP events_spool_bytes Bytes in the disk spool.\n"
	    "# TYPE events_spool_bytes gauge\nevents_spool_bytes %lld\n", s.spool_bytes);
	bprintf(&b, "# HELP events_last_batch_timestamp_seconds When a consumer last stored a batch.\n"
	    "# TYPE events_last_batch_timestamp_seconds gauge\nevents_last_batch_timestamp_seconds %.3f\n",
	    s.last_batch_ms >= 0 ? (double)s.last_batch_ms / 1000.0 : 0.0);
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
	if ((st.rc = redisconn_new(&st.conf)) == NULL) {
		log_error("out of memory");
		http_startup_failed();
		return 1;
	}
	rc = http_serve(handle, &st);
	redisconn_free(st.rc);
	store_free(st.store);
	store_cleanup();
	return rc;
}
