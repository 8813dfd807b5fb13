/*
 * event-ingest: POST /events.  Validates a batch of events and puts it on
 * the Redis stream in one round trip; answers 202 with the event ids.
 * Runs under FastCGI (one Redis connection kept across requests) or as
 * plain CGI, the same binary.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgi_start.h"
#include "coding.h"
#include "event.h"
#include "ingest.h"
#include "bounds.h"
#include "log.h"
#include "mediatype.h"
#include "metrics.h"
#include "spool.h"
#include "timeutil.h"

/* The Allow values of /events, without and with event-query. */
#define ALLOW_POST	"POST, OPTIONS"
#define ALLOW_ALL	"GET, HEAD, POST, OPTIONS"

/* Read exactly len body bytes into body.  0, or -1 if the body ended
 * early or could not be read. */
static int
read_body(struct http_req *req, char *body, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = http_read(req, body + got, len - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	body[len] = '\0';
	return 0;
}

/*
 * 202 {"accepted": n, "ids": [...]}, or {"accepted": 0, "ids": [],
 * "ignored": why}.  The ids are quoted as the parser serialised them for
 * the queue (json-c), so they are not serialised again.
 */
static void
send_accepted(struct http_req *req, const char *cors, const struct event_batch *b,
    const char *ignored)
{
	char *buf, num[24];
	size_t i, len = 64, at;
	int n;

	for (i = 0; ignored == NULL && i < b->n; i++)
		len += b->ev[i].id_json_len + 1;
	if ((buf = malloc(len)) == NULL) {
		/* The events are queued: say so even without the id list. */
		http_send(req, 202, "application/json", cors, "{}", 2);
		return;
	}
	n = snprintf(num, sizeof(num), "%zu", ignored != NULL ? (size_t)0 : b->n);
	at = 0;
	memcpy(buf + at, "{\"accepted\":", 12);
	at += 12;
	memcpy(buf + at, num, (size_t)n);
	at += (size_t)n;
	memcpy(buf + at, ",\"ids\":[", 8);
	at += 8;
	for (i = 0; ignored == NULL && i < b->n; i++) {
		if (i > 0)
			buf[at++] = ',';
		memcpy(buf + at, b->ev[i].json + EVENT_ID_JSON_AT, b->ev[i].id_json_len);
		at += b->ev[i].id_json_len;
	}
	buf[at++] = ']';
	if (ignored != NULL)	/* "dnt" or "bot": nothing to escape */
		at += (size_t)snprintf(buf + at, len - at, ",\"ignored\":\"%s\"", ignored);
	buf[at++] = '}';
	http_send(req, 202, "application/json", cors, buf, at);
	free(buf);
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

	if (in->set->conf.honour_dnt &&
	    privacy_opted_out(http_param(req, "HTTP_DNT"), http_param(req, "HTTP_SEC_GPC"))) {
		enqueue_count(in->q, METRIC_IGNORED "dnt", (long)b->n);
		return "dnt";
	}
	if (in->set->conf.drop_bots && privacy_bot(ua, &name, &reason)) {
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
	char err[ERRBUF_LEN], hdr[LIMIT_ORIGIN_LEN + 320], hashed[PRIVACY_IP_LEN];
	const char *name;
	long retry, most;

	memset(&lim, 0, sizeof(lim));
	/* The per-address counter lives in Redis for one window, named by
	 * a hash of the address keyed by ip_hash_secret (which conf_load
	 * requires with rate_limit_ip), never by the address. */
	if (addr != NULL && in->set->conf.rate_limit_ip > 0) {
		if (privacy_ip(IP_HASH, in->set->conf.ip_hash_secret, time_now_ms(), addr,
		    hashed) != 0) {
			http_send_error(req, 500, a->headers, "internal", "out of memory");
			return;
		}
		addr = hashed;
	} else
		addr = NULL;
	lim.ip = addr;
	lim.ip_max = in->set->conf.rate_limit_ip;
	lim.key = a->key;
	lim.key_max = in->set->conf.rate_limit_key;
	lim.window_s = in->set->conf.rate_window_s;
	lim.max_backlog = in->set->conf.max_backlog;
	/* More events in one request than a limit lets through at all can
	 * never be taken, however long the client waits: a final answer
	 * (413, as for max_events), not a 429 or 503 to retry for ever. */
	if ((most = enqueue_most(in->q, &lim, &name)) > 0 && b->n > (size_t)most) {
		snprintf(err, sizeof(err), "%zu events in one request, more than %s (%ld, as "
		    "this server applies it) could ever take: send at most %ld a request",
		    b->n, name, most, most);
		reject(in, req, 413, a->headers, "too_many_events", err);
		return;
	}
	st = enqueue_batch(in->q, b, &lim, &retry, err, sizeof(err));
	/* Each thread has its own connection; the process logs an outage
	 * once, whichever thread sees it first. */
	if (st != ENQUEUE_UNAVAILABLE && atomic_load(&in->set->redis_down) &&
	    atomic_exchange(&in->set->redis_down, 0))
		log_info("redis is reachable again");
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
	if (!atomic_exchange(&in->set->redis_down, 1))
		log_warn("%s%s", err, in->set->conf.spool_path[0] ? "; spooling to disk" : "");
	/* Not on enough replicas is as good as not queued: the spool keeps
	 * a copy (one queued twice is stored once, by its id). */
	if (in->set->conf.spool_path[0] &&
	    spool_append(in->set->conf.spool_path, (off_t)in->set->conf.spool_max_bytes, b,
	    err, sizeof(err)) == 0) {
		send_accepted(req, a->headers, b, NULL);
		return;
	}
	if (in->set->conf.spool_path[0])
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

/* Parse a read body, then queue its events or answer why not. */
static void
take_body(struct ingest *in, struct http_req *req, const struct ingest_access *a,
    const char *body, size_t len, enum event_body fmt)
{
	const struct event_batch *b;
	struct event_ctx ctx;
	enum event_err e;
	const char *addr, *why;
	char err[ERRBUF_LEN], clip[LIMIT_LOG_CLIP_LEN], ip[PRIVACY_IP_LEN], client[PROXIES_ADDR_LEN];

	ctx.received_ms = time_now_ms();
	/* The client's address, behind trusted proxies too: what is kept
	 * of it and what the rate limit counts. */
	addr = http_param(req, "REMOTE_ADDR");
	proxies_client(&in->set->proxies, addr, http_param(req,
	    in->set->proxies.header == PROXIES_FORWARDED ? "HTTP_FORWARDED" :
	    "HTTP_X_FORWARDED_FOR"), client);
	addr = addr != NULL ? client : NULL;
	if (privacy_ip(in->set->ip_mode, in->set->conf.ip_hash_secret, ctx.received_ms,
	    addr, ip) != 0) {
		http_send_error(req, 500, a->headers, "internal", "out of memory");
		return;
	}
	ctx.ip = ip;
	ctx.user_agent = http_param(req, "HTTP_USER_AGENT");
	ctx.max_events = (size_t)in->set->conf.max_events;
	e = event_parser_parse(in->parser, body, len, fmt, &ctx, &b, err, sizeof(err));
	if (e != EVENT_OK) {
		log_info("rejected %s: %s", event_err_code(e),
		    log_clip(clip, sizeof(clip), err, strlen(err)));
		reject(in, req, event_err_status(e), a->headers, event_err_code(e), err);
		return;
	}
	if ((why = ignored_reason(in, req, b)) != NULL)
		send_accepted(req, a->headers, b, why);
	else
		queue(in, req, a, b, addr);
}

/* (*buf, *size) with room for n bytes; 0, or -1 out of memory. */
static int
room(char **buf, size_t *size, size_t n)
{
	if (*size >= n)
		return 0;
	free(*buf);
	*size = 0;
	if ((*buf = malloc(n)) == NULL)
		return -1;
	*size = n;
	return 0;
}

/* A body sent with a Content-Encoding other than identity: decoded into
 * in->decoded, the decoded bytes counting against max_body_bytes (413
 * past it, decided without decoding further); 400 if it does not decode
 * as labelled.  Then taken like any body. */
static void
take_coded(struct ingest *in, struct http_req *req, const struct ingest_access *a,
    enum coding c, size_t len, enum event_body fmt)
{
	size_t max = (size_t)in->set->conf.max_body_bytes, dlen;
	char err[ERRBUF_LEN], msg[ERRBUF_LEN + 64];

	if (room(&in->decoded, &in->decoded_size, max + 1) != 0) {
		http_send_error(req, 500, a->headers, "internal", "out of memory");
		return;
	}
	err[0] = '\0';
	switch (coding_decode(c, in->body, len, in->decoded, max, &dlen, err, sizeof(err))) {
	case CODING_OK:
		in->decoded[dlen] = '\0';
		take_body(in, req, a, in->decoded, dlen, fmt);
		break;
	case CODING_TOO_LARGE:
		snprintf(msg, sizeof(msg), "the body decoded from %s is over %zu bytes",
		    coding_name(c), max);
		reject(in, req, 413, a->headers, "body_too_large", msg);
		break;
	case CODING_BAD:
		snprintf(msg, sizeof(msg), "the body is labelled Content-Encoding: %s but is not: %s",
		    coding_name(c), err);
		reject(in, req, 400, a->headers, "bad_content_encoding", msg);
		break;
	case CODING_NOMEM:
		http_send_error(req, 500, a->headers, "internal", "out of memory");
		break;
	}
	if (in->decoded_size > INGEST_BODY_KEEP) {
		free(in->decoded);
		in->decoded = NULL;
		in->decoded_size = 0;
	}
}

static void
handle(struct http_req *req, void *arg)
{
	struct ingest *in = arg;
	struct ingest_access a;
	enum event_body fmt;
	enum coding coding;
	const char *method, *clen, *allow, *ctype;
	char mt[LIMIT_MEDIA_TYPE_LEN], err[ERRBUF_LEN], clip[LIMIT_LOG_CLIP_LEN], *end;
	char hdr[sizeof(a.headers) + 64];
	unsigned long long len;
	int reading;

	method = http_param(req, "REQUEST_METHOD");
	if (method != NULL && strcmp(method, "OPTIONS") == 0) {
		ingest_preflight(in, req);
		return;
	}
	if (method == NULL || strcmp(method, "POST") != 0) {
		/* A GET or HEAD that reached this program is one the web
		 * server does not route to event-query: this URL does not
		 * take it, whatever is installed (RFC 9110, 15.5.6). */
		reading = method != NULL && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
		allow = reading ? ALLOW_POST : in->set->allow;
		ingest_cors(in, req, a.headers, sizeof(a.headers));
		snprintf(hdr, sizeof(hdr), "%sAllow: %s\r\n", a.headers, allow);
		http_send_error(req, 405, hdr, "method_not_allowed",
		    !in->set->query_beside ?
		    "POST events to this URL (event-query, which answers GET, is not installed)" :
		    reading ?
		    "POST events to this URL (the web server does not route GET here to event-query)" :
		    "POST events to this URL, or read them with GET");
		return;
	}
	if (ingest_access(in, req, &a) != 0)
		return;
	ctype = http_param(req, "CONTENT_TYPE");
	mediatype_type(ctype, mt, sizeof(mt));
	if (strcmp(mt, "application/json") == 0 || strcmp(mt, "text/plain") == 0)
		fmt = EVENT_BODY_JSON;
	else if (strcmp(mt, "application/x-ndjson") == 0)
		fmt = EVENT_BODY_NDJSON;
	else {
		snprintf(err, sizeof(err),
		    "Content-Type \"%.*s\" not accepted: use application/json, text/plain or application/x-ndjson",
		    LIMIT_QUOTE_LEN, log_clip(clip, sizeof(clip), mt, strlen(mt)));
		reject(in, req, 415, a.headers, "unsupported_media_type", err);
		return;
	}
	/* Events are UTF-8 (RFC 8259 8.1); a body said to be in another
	 * charset would be read as other characters than were meant. */
	if (mediatype_charset(ctype, mt, sizeof(mt)) != 0) {
		reject(in, req, 415, a.headers, "unsupported_media_type",
		    "the charset parameter cannot be read (charset=utf-8, once, no space around '='): send UTF-8");
		return;
	}
	if (mt[0] != '\0' && strcmp(mt, "utf-8") != 0) {
		snprintf(err, sizeof(err),
		    "charset \"%.*s\" not accepted: send UTF-8 (charset=utf-8, or no charset)",
		    LIMIT_QUOTE_LEN, log_clip(clip, sizeof(clip), mt, strlen(mt)));
		reject(in, req, 415, a.headers, "unsupported_media_type", err);
		return;
	}
	/* RFC 9110 8.4 and 15.5.16: a coding not taken is 415, with
	 * Accept-Encoding naming those taken (12.5.3). */
	if (coding_parse(http_param(req, "HTTP_CONTENT_ENCODING"), &coding, err,
	    sizeof(err)) != 0) {
		snprintf(hdr, sizeof(hdr), "%sAccept-Encoding: " CODING_ACCEPTED "\r\n",
		    a.headers);
		reject(in, req, 415, hdr, "unsupported_encoding", err);
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
	if (len > (unsigned long long)in->set->conf.max_body_bytes) {
		snprintf(err, sizeof(err), "body of %llu bytes, at most %ld", len,
		    in->set->conf.max_body_bytes);
		/* The unread body follows: ask the server not to reuse the
		 * connection rather than read it. */
		snprintf(hdr, sizeof(hdr), "%sConnection: close\r\n", a.headers);
		reject(in, req, 413, hdr, "body_too_large", err);
		return;
	}
	/* RFC 9110 13.2.2: the preconditions, once the request is one
	 * that would otherwise be read, and before anything is queued. */
	if (http_precondition(req) != 0) {
		snprintf(hdr, sizeof(hdr), "%sConnection: close\r\n", a.headers);
		reject(in, req, 412, hdr, "precondition_failed", HTTP_PRECONDITION_FAILED);
		return;
	}
	if (room(&in->body, &in->body_size, (size_t)len + 1) != 0) {
		http_send_error(req, 500, a.headers, "internal", "out of memory");
		return;
	}
	if (read_body(req, in->body, (size_t)len) != 0)
		reject(in, req, 400, a.headers, "short_body",
		    "the body ended before Content-Length bytes");
	else if (coding != CODING_IDENTITY)
		take_coded(in, req, &a, coding, (size_t)len, fmt);
	else
		take_body(in, req, &a, in->body, (size_t)len, fmt);
	/* A large body's buffer goes back (see main). */
	if (in->body_size > INGEST_BODY_KEEP) {
		free(in->body);
		in->body = NULL;
		in->body_size = 0;
	}
}

/*
 * With on set, and under FastCGI (a CGI process answers one request and
 * has no threads to wake), run this thread, and the threads it starts
 * after (they inherit it, pthread_attr_setinheritsched(3)), under
 * SCHED_BATCH (sched(7), Linux 2.6.16 and later): a thread that wakes
 * does not preempt the one running.  An answer from Redis wakes every thread
 * whose event shared its fsync at once; under SCHED_OTHER they preempt
 * the web server and Redis, the two stages every request passes one at
 * a time, and each preemption delays all the requests in flight.
 * Measured on 2 cores (README, Performance): p99 of a single POST at
 * appendfsync always 12.2-14.5 ms under SCHED_OTHER, 10.3-10.9 ms under
 * SCHED_BATCH.  No privilege is needed.  A failure (a process started
 * under SCHED_IDLE by a user without RLIMIT_NICE) is logged and the
 * program goes on under the policy it has; with on clear it keeps the
 * policy it was started with.
 */
static void
sched_batch(long on)
{
#ifdef SCHED_BATCH
	struct sched_param sp = { .sched_priority = 0 };

	if (on && !FCGX_IsCGI() && sched_setscheduler(0, SCHED_BATCH, &sp) != 0)
		log_warn("fcgi_sched_batch = 1: cannot run under SCHED_BATCH: %s "
		    "(fcgi_sched_batch = 0 keeps the policy the program was started with)",
		    strerror(errno));
#else
	(void)on;
#endif
}

/*
 * Is an executable event-query beside this program?  Beside it is the
 * folder of argv0, the path the web server ran (where lighttpd.conf and
 * apache/ look for event-query, a symbolic link left as it is), when
 * that path has a '/'; else the folder of the program's own file
 * (/proc/self/exe).  A regular file: not a folder of that name.  1 or 0.
 */
static int
query_beside(const char *argv0)
{
	static const char query[] = "event-query";
	char path[PATH_MAX];
	struct stat st;
	ssize_t n;
	char *slash;

	if (argv0 != NULL && strchr(argv0, '/') != NULL) {
		n = (ssize_t)strlen(argv0);
		if ((size_t)n >= sizeof(path) - sizeof(query))
			return 0;
		memcpy(path, argv0, (size_t)n);
	} else
		n = readlink("/proc/self/exe", path, sizeof(path) - sizeof(query));
	if (n <= 0 || (size_t)n >= sizeof(path) - sizeof(query))
		return 0;
	path[n] = '\0';
	if ((slash = strrchr(path, '/')) == NULL)
		return 0;
	memcpy(slash + 1, query, sizeof(query));
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int
main(int argc, char *argv[])
{
	/* Large (the configuration's strings): not on the stack. */
	static struct ingest_settings set;
	struct ingest *in[HTTP_MAX_THREADS];
	void *args[HTTP_MAX_THREADS];
	char err[ERRBUF_LEN];
	long ncpu;
	int i, n, rc;

	if (cgi_start("event-ingest", argc, argv, &set.conf) != 0)
		return 1;
	/* Both were checked by conf_load: these cannot fail. */
	(void)access_parse(&set.access, set.conf.write_keys, err, sizeof(err));
	(void)privacy_ip_mode(set.conf.ip_mode, &set.ip_mode);
	(void)proxies_parse(&set.proxies, set.conf.trusted_proxies, err, sizeof(err));
	(void)proxies_header_parse(set.conf.forwarded_header, &set.proxies.header);
	/* A block over 128 KiB (a large body, a large batch's JSON) gets
	 * its own mapping, returned at free(3).  Fixed, so that glibc does
	 * not raise the threshold after the first such block and keep them
	 * in each thread's heap from then on. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	/* glibc gives each thread a heap (an arena) of its own, up to 8 a
	 * CPU, and each keeps what a batch's JSON tree took after it is
	 * freed: 16 threads held 12 MiB a process after 100-event batches.
	 * A tree lives only while its request is parsed, which is CPU work,
	 * so as many arenas as CPUs serve the threads as well. */
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	mallopt(M_ARENA_MAX, ncpu > 0 && ncpu < 64 ? (int)ncpu : 2);
	sched_batch(set.conf.fcgi_sched_batch);
	set.query_beside = query_beside(argv[0]);
	set.allow = set.query_beside ? ALLOW_ALL : ALLOW_POST;
	/* One request at a time under plain CGI; under FastCGI each thread
	 * its own Redis connection (made on its first request). */
	n = FCGX_IsCGI() ? 1 : (int)set.conf.fcgi_threads;
	for (i = 0; i < n; i++) {
		if ((in[i] = calloc(1, sizeof(*in[i]))) == NULL ||
		    (in[i]->q = enqueue_new(&set.conf)) == NULL ||
		    (in[i]->parser = event_parser_new()) == NULL) {
			log_error("out of memory");
			http_startup_failed();
			return 1;
		}
		in[i]->set = &set;
		args[i] = in[i];
	}
	rc = http_serve_threads(handle, args, n);
	/* Under FastCGI other threads may still be answering as the process
	 * ends: their state goes with it. */
	if (n == 1) {
		enqueue_free(in[0]->q);
		event_parser_free(in[0]->parser);
		free(in[0]->body);
		free(in[0]->decoded);
		free(in[0]);
	}
	return rc;
}
