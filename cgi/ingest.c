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

#include "conf.h"
#include "enqueue.h"
#include "event.h"
#include "http.h"
#include "limits.h"
#include "log.h"
#include "timeutil.h"

struct ingest {
	struct conf	 conf;
	struct enqueue	*q;
	char		*body;		/* conf.max_body_bytes + 1 */
};

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
send_accepted(struct http_req *req, const struct event_batch *b)
{
	json_object *root, *ids;
	size_t i;

	root = json_object_new_object();
	ids = json_object_new_array_ext((int)b->n);
	if (root == NULL || ids == NULL) {
		json_object_put(root);
		json_object_put(ids);
		/* The events are queued: say so even without the id list. */
		http_send(req, 202, "application/json", NULL, "{}", 2);
		return;
	}
	json_object_object_add(root, "accepted", json_object_new_int64((int64_t)b->n));
	for (i = 0; i < b->n; i++)
		json_object_array_add(ids, json_object_new_string(b->ev[i].id));
	json_object_object_add(root, "ids", ids);
	http_send_json(req, 202, NULL, root);
	json_object_put(root);
}

static void
handle(struct http_req *req, void *arg)
{
	struct ingest *in = arg;
	struct event_batch *b = NULL;
	struct event_ctx ctx;
	enum event_body fmt;
	enum event_err e;
	const char *method, *clen;
	char mt[64], err[ERRBUF_LEN], clip[80], *end;
	unsigned long long len;

	method = http_param(req, "REQUEST_METHOD");
	if (method == NULL || strcmp(method, "POST") != 0) {
		http_send_error(req, 405, "Allow: POST\r\n", "method_not_allowed",
		    "POST events to this URL; read them with GET on the query endpoint");
		return;
	}
	http_media_type(http_param(req, "CONTENT_TYPE"), mt, sizeof(mt));
	if (strcmp(mt, "application/json") == 0 || strcmp(mt, "text/plain") == 0)
		fmt = EVENT_BODY_JSON;
	else if (strcmp(mt, "application/x-ndjson") == 0)
		fmt = EVENT_BODY_NDJSON;
	else {
		snprintf(err, sizeof(err),
		    "Content-Type \"%.40s\" not accepted: use application/json, text/plain or application/x-ndjson",
		    log_clip(clip, sizeof(clip), mt, strlen(mt)));
		http_send_error(req, 415, NULL, "unsupported_media_type", err);
		return;
	}
	/* RFC 3875 4.1.2: CONTENT_LENGTH is set when there is a body.  Decide
	 * on the size before reading a byte of it. */
	clen = http_param(req, "CONTENT_LENGTH");
	if (clen == NULL || *clen == '\0') {
		http_send_error(req, 411, NULL, "length_required",
		    "a Content-Length header is required");
		return;
	}
	errno = 0;
	len = strtoull(clen, &end, 10);
	if (errno != 0 || *end != '\0' || end == clen || clen[0] == '-') {
		http_send_error(req, 400, NULL, "bad_content_length",
		    "Content-Length is not a number");
		return;
	}
	if (len > (unsigned long long)in->conf.max_body_bytes) {
		snprintf(err, sizeof(err), "body of %llu bytes, at most %ld", len,
		    in->conf.max_body_bytes);
		http_send_error(req, 413, "Connection: close\r\n", "body_too_large", err);
		return;
	}
	if (read_body(req, in, (size_t)len) != 0) {
		http_send_error(req, 400, NULL, "short_body",
		    "the body ended before Content-Length bytes");
		return;
	}

	ctx.received_ms = time_now_ms();
	ctx.user_agent = http_param(req, "HTTP_USER_AGENT");
	ctx.remote_addr = http_param(req, "REMOTE_ADDR");
	ctx.max_events = (size_t)in->conf.max_events;
	e = event_batch_parse(in->body, (size_t)len, fmt, &ctx, &b, err, sizeof(err));
	if (e != EVENT_OK) {
		log_info("rejected %s: %s", event_err_code(e),
		    log_clip(clip, sizeof(clip), err, strlen(err)));
		http_send_error(req, event_err_status(e), NULL, event_err_code(e), err);
		return;
	}
	if (enqueue_batch(in->q, b, err, sizeof(err)) != 0) {
		log_warn("%s", err);
		http_send_error(req, 503, "Retry-After: 1\r\n", "queue_unavailable",
		    "the event queue is unreachable; retry later");
		event_batch_free(b);
		return;
	}
	send_accepted(req, b);
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
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else
			usage();
	}
	memset(&in, 0, sizeof(in));
	if (conf_load(&in.conf, path, err, sizeof(err)) != 0) {
		log_error("configuration: %s", err);
		/* Under plain CGI the client is waiting: answer, without the
		 * details, which are for the operator's log only. */
		if (FCGX_IsCGI())
			printf("Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n\r\n"
			    "{\"error\":{\"code\":\"misconfigured\",\"message\":\"the server's configuration is invalid; see its error log\"}}");
		return 1;
	}
	if (log_level_parse(in.conf.log_level, &lvl) == 0)
		log_set_level(lvl);
	if ((in.q = enqueue_new(&in.conf)) == NULL ||
	    (in.body = malloc((size_t)in.conf.max_body_bytes + 1)) == NULL) {
		log_error("out of memory");
		return 1;
	}
	rc = http_serve(handle, &in);
	enqueue_free(in.q);
	free(in.body);
	return rc;
}
