/*
 * event-query: GET /events (a page of stored events) and GET
 * /events/stats (counts per bucket and type).  Runs under FastCGI, one
 * store client kept across requests (lib/store.h), or as plain CGI, the
 * same binary.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgi_start.h"
#include "log.h"
#include "query.h"

void
query_store_failed(struct http_req *req, enum store_status st, const char *err)
{
	switch (st) {
	case STORE_AUTH:
		log_error("%s; the store refused our credentials: check the user and password in mongo_uri",
		    err);
		break;
	case STORE_TRANSIENT:
		log_warn("%s", err);
		break;
	default:
		log_error("%s (%s)", err, store_status_name(st));
		break;
	}
	if (st == STORE_TRANSIENT || st == STORE_AUTH)
		http_send_error(req, 503, "Retry-After: 1\r\n", "store_unavailable",
		    "the event store is unreachable or too slow; retry later");
	else
		http_send_error(req, 500, NULL, "store_error",
		    "the event store failed to answer; see the server log");
}

/* Learn which server answers (once per connection), say so in the log
 * when it is new, and choose the stats mode by it.  STORE_OK, or the
 * failure's status with err set: the store is unreachable. */
static enum store_status
query_server(struct http_req *req, struct query *q, char *err, size_t errlen)
{
	struct store_server sv;
	enum store_status st;

	if ((st = store_server(q->store, &sv, err, errlen)) != STORE_OK)
		return st;
	if (q->server_known && sv.kind == q->server.kind &&
	    strcmp(sv.version, q->server.version) == 0)
		return STORE_OK;
	q->server = sv;
	q->server_known = 1;
	/* Under plain CGI every request is a new process: say it only
	 * with log_level debug there. */
	if (sv.kind == STORE_KIND_FERRETDB)
		(req->fcgi != NULL ? log_warn : log_debug)("store %s is %s %s: "
		    "GET /events and /events/stats scan the whole collection, so they slow "
		    "down as it grows (use the FerretDB scripts/start builds, or MongoDB)",
		    store_where(q->store), store_kind_text(sv.kind), sv.version);
	else
		(req->fcgi != NULL ? log_info : log_debug)("store %s is %s %s",
		    store_where(q->store), store_kind_text(sv.kind), sv.version);
	/* FerretDB 1.x has no date arithmetic in $group: count from one
	 * find at once.  Another server is tried with $group first. */
	switch (sv.kind) {
	case STORE_KIND_MONGODB:
		q->stats_mode = STATS_MODE_GROUP;
		break;
	case STORE_KIND_FERRETDB:
	case STORE_KIND_FERRETDB_EVENTS:
		q->stats_mode = STATS_MODE_SCAN;
		break;
	default:
		q->stats_mode = STATS_MODE_UNKNOWN;
		break;
	}
	return STORE_OK;
}

static void
handle(struct http_req *req, void *arg)
{
	struct query *q = arg;
	struct query_params p;
	enum query_route route;
	enum query_err e;
	enum store_status st;
	const char *qs;
	char err[ERRBUF_LEN], clip[LIMIT_LOG_CLIP_LEN];

	if (http_check_read_method(req, "read events with GET; send them with POST to /events") != 0)
		return;
	/* RFC 6750: a bearer token, when the operator set one. */
	if (http_check_bearer(req, q->conf.read_token) != 0)
		return;
	route = query_route(http_param(req, "PATH_INFO"),
	    http_param(req, "SCRIPT_NAME"), http_param(req, "REQUEST_URI"));
	if (route == QUERY_ROUTE_NONE) {
		http_send_error(req, 404, NULL, "not_found",
		    "no such resource: use /events or /events/stats");
		return;
	}
	qs = http_param(req, "QUERY_STRING");
	e = query_params_parse(route, qs, qs != NULL ? strlen(qs) : 0, &p, err,
	    sizeof(err));
	if (e != QUERY_OK) {
		log_info("rejected %s: %s", query_err_code(e),
		    log_clip(clip, sizeof(clip), err, strlen(err)));
		http_send_error(req, 400, NULL, query_err_code(e), err);
		return;
	}
	if ((st = query_server(req, q, err, sizeof(err))) != STORE_OK) {
		query_store_failed(req, st, err);
		return;
	}
	if (route == QUERY_ROUTE_STATS && p.by != QUERY_BY_NONE)
		breakdown_handle(req, q, &p);
	else if (route == QUERY_ROUTE_STATS)
		stats_handle(req, q, &p);
	else
		events_handle(req, q, &p);
}

int
main(int argc, char *argv[])
{
	struct query q;
	char err[ERRBUF_LEN];
	int rc;

	memset(&q, 0, sizeof(q));
	if (cgi_start("event-query", argc, argv, &q.conf) != 0)
		return 1;
	if ((q.store = store_new(&q.conf, "event-query", STORE_READER, err,
	    sizeof(err))) == NULL) {
		log_error("configuration: %s", err);
		http_startup_failed();
		store_cleanup();
		return 1;
	}
	rc = http_serve(handle, &q);
	store_free(q.store);
	store_cleanup();
	return rc;
}
