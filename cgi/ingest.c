/*
 * event-ingest: POST /events.  Validates a batch of events and puts it on
 * the Redis stream in one round trip; answers 202 with the event ids.
 * Runs under FastCGI (one Redis connection kept across requests) or as
 * plain CGI, the same binary.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "ingest.h"
#include "limits.h"
#include "log.h"
#include "metrics.h"
#include "spool.h"
#include "timeutil.h"

/* Read exactly len body bytes into in->body.  0, or -1 if the body ended
 * early or could not be read. */
static int
read_body(struct http_req *req, struct ingest *in, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = http_read(req, in->body + got, len - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	in->body[len] = '\0';
	return 0;
}

static void
send_accepted(struct http_req *req, const char *cors, const struct event_batch *b,
    const char *ignored)
{
	json_object *root, *ids;
	size_t i;

	root = json_object_new_object();
	ids = json_object_new_array_ext((int)b->n);
	if (root == NULL || ids == NULL) {
		json_object_put(root);
		json_object_put(ids);
		/* The events are queued: say so even without the id list. */
		http_send(req, 202, "application/json", cors, "{}", 2);
		return;
	}
	json_object_object_add(root, "accepted", json_object_new_int64(ignored ? 0 : (int64_t)b->n));
	for (i = 0; ignored == NULL && i < b->n; i++)
		json_object_array_add(ids, json_object_new_string(b->ev[i].id));
	json_object_object_add(root, "ids", ids);
	if (ignored != NULL)
		json_object_object_add(root, "ignored", json_object_new_string(ignored));
	http_send_json(req, 202, cors, root);
	json_object_put(root);
}

/* Answer an error and count it under its code. */
static void
reject(struct ingest *in, struct http_req *req, int status, const char *headers,
    const char *code, const char *msg)
{
	char name[64];

	snprintf(name, sizeof(name), METRIC_REJECTED "%s", code);
	enqueue_count(in->q, name, 1);
	http_send_error(req, status, headers, code, msg);
}

/* Events the operator asked not to keep: answered, counted, dropped. */
static const char *
ignored_reason(struct ingest *in, struct http_req *req, const struct event_batch *b)
{
	const char *ua = http_param(req, "HTTP_USER_AGENT"), *name, *reason;
	char field[128];

	if (in->conf.honour_dnt &&
	    privacy_opted_out(http_param(req, "HTTP_DNT"), http_param(req, "HTTP_SEC_GPC"))) {
		enqueue_count(in->q, METRIC_IGNORED "dnt", (long)b->n);
		return "dnt";
	}
	if (in->conf.drop_bots && privacy_bot(ua, &name, &reason)) {
		enqueue_count(in->q, METRIC_IGNORED "bot", (long)b->n);
		snprintf(field, sizeof(field), "%s:%s", reason, name);
		enqueue_count_bot(in->q, field, (long)b->n);
		return "bot";
	}
	return NULL;
}

/* Queue b, or spool it when Redis is out and a spool is configured. */
static void
queue(struct ingest *in, struct http_req *req, const struct ingest_access *a,
    const struct event_batch *b, const char *addr)
{
	struct enqueue_limits lim;
	enum enqueue_status st;
	char err[ERRBUF_LEN], hdr[ACCESS_ORIGIN_LEN + 320], hashed[PRIVACY_IP_LEN];
	long retry;

	memset(&lim, 0, sizeof(lim));
	/* The per-address counter lives in Redis for one window, named by
	 * a hash of the address keyed by ip_hash_secret (which conf_load
	 * requires with rate_limit_ip), never by the address. */
	if (addr != NULL && in->conf.rate_limit_ip > 0) {
		privacy_ip(IP_HASH, in->conf.ip_hash_secret, time_now_ms(), addr, hashed);
		addr = hashed;
	} else
		addr = NULL;
	lim.ip = addr;
	lim.ip_max = in->conf.rate_limit_ip;
	lim.key = a->key;
	lim.key_max = in->conf.rate_limit_key;
	lim.window_s = in->conf.rate_window_s;
	lim.max_backlog = in->conf.max_backlog;
	st = enqueue_batch(in->q, b, &lim, &retry, err, sizeof(err));
	if (st != ENQUEUE_UNAVAILABLE && in->redis_down) {
		log_info("redis is reachable again");
		in->redis_down = 0;
	}
	switch (st) {
	case ENQUEUE_OK:
		send_accepted(req, a->headers, b, NULL);
		return;
	case ENQUEUE_RATE_IP:
	case ENQUEUE_RATE_KEY:
		snprintf(hdr, sizeof(hdr), "%sRetry-After: %ld\r\n", a->headers, retry);
		http_send_error(req, 429, hdr, "rate_limited",
		    st == ENQUEUE_RATE_IP ? "too many events from this address; retry later" :
		    "too many events under this write key; retry later");
		return;
	case ENQUEUE_BACKLOG:
		snprintf(hdr, sizeof(hdr), "%sRetry-After: 5\r\n", a->headers);
		http_send_error(req, 503, hdr, "backlog_full",
		    "the queue is full while the store catches up; retry later");
		return;
	case ENQUEUE_UNAVAILABLE:
	case ENQUEUE_UNREPLICATED:
		break;
	}
	if (!in->redis_down) {
		log_warn("%s%s", err, in->conf.spool_path[0] ? "; spooling to disk" : "");
		in->redis_down = 1;
	}
	/* Not on enough replicas is as good as not queued: the spool keeps
	 * a copy (one queued twice is stored once, by its id). */
	if (in->conf.spool_path[0] &&
	    spool_append(in->conf.spool_path, (off_t)in->conf.spool_max_bytes, b,
	    err, sizeof(err)) == 0) {
		send_accepted(req, a->headers, b, NULL);
		return;
	}
	if (in->conf.spool_path[0])
		log_error("%s", err);
	snprintf(hdr, sizeof(hdr), "%sRetry-After: 1\r\n", a->headers);
	if (st == ENQUEUE_UNREPLICATED)
		http_send_error(req, 503, hdr, "queue_unreplicated",
		    "the event queue could not copy the events to enough replicas; "
		    "send them again with the same ids");
	else
		http_send_error(req, 503, hdr, "queue_unavailable",
		    "the event queue is unreachable; retry later");
}

static void
handle(struct http_req *req, void *arg)
{
	struct ingest *in = arg;
	struct ingest_access a;
	struct event_batch *b = NULL;
	struct event_ctx ctx;
	enum event_body fmt;
	enum event_err e;
	const char *method, *clen, *addr, *why;
	char mt[64], err[ERRBUF_LEN], clip[80], ip[PRIVACY_IP_LEN], *end;
	char client[PROXIES_ADDR_LEN];
	char hdr[sizeof(a.headers) + 32];
	unsigned long long len;

	method = http_param(req, "REQUEST_METHOD");
	if (method != NULL && strcmp(method, "OPTIONS") == 0) {
		ingest_preflight(in, req);
		return;
	}
	if (method == NULL || strcmp(method, "POST") != 0) {
		http_send_error(req, 405, "Allow: POST, OPTIONS\r\n", "method_not_allowed",
		    "POST events to this URL; read them with GET on the query endpoint");
		return;
	}
	if (ingest_access(in, req, &a) != 0)
		return;
	http_media_type(http_param(req, "CONTENT_TYPE"), mt, sizeof(mt));
	if (strcmp(mt, "application/json") == 0 || strcmp(mt, "text/plain") == 0)
		fmt = EVENT_BODY_JSON;
	else if (strcmp(mt, "application/x-ndjson") == 0)
		fmt = EVENT_BODY_NDJSON;
	else {
		snprintf(err, sizeof(err),
		    "Content-Type \"%.40s\" not accepted: use application/json, text/plain or application/x-ndjson",
		    log_clip(clip, sizeof(clip), mt, strlen(mt)));
		reject(in, req, 415, a.headers, "unsupported_media_type", err);
		return;
	}
	/* RFC 3875 4.1.2: CONTENT_LENGTH is set when there is a body.  Decide
	 * on the size before reading a byte of it. */
	clen = http_param(req, "CONTENT_LENGTH");
	if (clen == NULL || *clen == '\0') {
		reject(in, req, 411, a.headers, "length_required",
		    "a Content-Length header is required");
		return;
	}
	errno = 0;
	len = strtoull(clen, &end, 10);
	if (errno != 0 || *end != '\0' || end == clen || clen[0] == '-') {
		reject(in, req, 400, a.headers, "bad_content_length",
		    "Content-Length is not a number");
		return;
	}
	if (len > (unsigned long long)in->conf.max_body_bytes) {
		snprintf(err, sizeof(err), "body of %llu bytes, at most %ld", len,
		    in->conf.max_body_bytes);
		/* The unread body follows: ask the server not to reuse the
		 * connection rather than read it. */
		snprintf(hdr, sizeof(hdr), "%sConnection: close\r\n", a.headers);
		reject(in, req, 413, hdr, "body_too_large", err);
		return;
	}
	if (read_body(req, in, (size_t)len) != 0) {
		reject(in, req, 400, a.headers, "short_body",
		    "the body ended before Content-Length bytes");
		return;
	}

	ctx.received_ms = time_now_ms();
	/* The client's address, behind trusted proxies too: what is kept
	 * of it and what the rate limit counts. */
	addr = http_param(req, "REMOTE_ADDR");
	proxies_client(&in->proxies, addr, http_param(req,
	    in->proxies.header == PROXIES_FORWARDED ? "HTTP_FORWARDED" :
	    "HTTP_X_FORWARDED_FOR"), client);
	addr = addr != NULL ? client : NULL;
	privacy_ip(in->ip_mode, in->conf.ip_hash_secret, ctx.received_ms, addr, ip);
	ctx.ip = ip;
	ctx.user_agent = http_param(req, "HTTP_USER_AGENT");
	ctx.max_events = (size_t)in->conf.max_events;
	e = event_batch_parse(in->body, (size_t)len, fmt, &ctx, &b, err, sizeof(err));
	if (e != EVENT_OK) {
		log_info("rejected %s: %s", event_err_code(e),
		    log_clip(clip, sizeof(clip), err, strlen(err)));
		reject(in, req, event_err_status(e), a.headers, event_err_code(e), err);
		return;
	}
	if ((why = ignored_reason(in, req, b)) != NULL)
		send_accepted(req, a.headers, b, why);
	else
		queue(in, req, &a, b, addr);
	event_batch_free(b);
}

static void
usage(void)
{
	fprintf(stderr, "usage: event-ingest [--config FILE]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct ingest in;
	const char *path = NULL;
	char err[ERRBUF_LEN];
	enum log_level lvl;
	int i, rc;

	log_init("event-ingest", LOG_LEVEL_INFO);
	/* RFC 3875 4.4: run as a CGI script, the command line holds the
	 * words of a query string without "=" (GET /events?--config+x),
	 * the client's, not the operator's: take no options then. */
	if (getenv("GATEWAY_INTERFACE") != NULL)
		argc = 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else
			usage();
	}
	memset(&in, 0, sizeof(in));
	if (conf_load(&in.conf, path, err, sizeof(err)) != 0) {
		log_error("configuration: %s", err);
		http_startup_failed();
		return 1;
	}
	if (log_level_parse(in.conf.log_level, &lvl) == 0)
		log_set_level(lvl);
	/* Both were checked by conf_load: these cannot fail. */
	(void)access_parse(&in.access, in.conf.write_keys, err, sizeof(err));
	(void)privacy_ip_mode(in.conf.ip_mode, &in.ip_mode);
	(void)proxies_parse(&in.proxies, in.conf.trusted_proxies, err, sizeof(err));
	(void)proxies_header_parse(in.conf.forwarded_header, &in.proxies.header);
	if ((in.q = enqueue_new(&in.conf)) == NULL ||
	    (in.body = malloc((size_t)in.conf.max_body_bytes + 1)) == NULL) {
		log_error("out of memory");
		http_startup_failed();
		return 1;
	}
	rc = http_serve(handle, &in);
	enqueue_free(in.q);
	free(in.body);
	return rc;
}
