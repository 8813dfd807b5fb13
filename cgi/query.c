/*
 * event-query: GET /events (a page of stored events) and GET
 * /events/stats (counts per bucket and type).  Runs under FastCGI, one
 * MongoDB client kept across requests, or as plain CGI, the same binary.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "log.h"
#include "query.h"

/* libmongoc's own messages go to our log: its warnings (such as a failed
 * endSessions against FerretDB when a client is dropped) at debug level,
 * its errors as warnings. */
static void
log_from_mongoc(mongoc_log_level_t level, const char *domain, const char *message,
    void *arg)
{
	if (level <= MONGOC_LOG_LEVEL_ERROR)
		log_warn("libmongoc %s: %s", domain, message);
	else
		log_debug("libmongoc %s: %s", domain, message);
}

static void
handle(struct http_req *req, void *arg)
{
	struct query *q = arg;
	struct query_params p;
	enum query_route route;
	enum query_err e;
	const char *method, *qs, *tok;
	char err[ERRBUF_LEN], clip[80];

	method = http_param(req, "REQUEST_METHOD");
	if (method == NULL || (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)) {
		http_send_error(req, 405, "Allow: GET, HEAD\r\n", "method_not_allowed",
		    "read events with GET; send them with POST to /events");
		return;
	}
	/* RFC 6750: a bearer token, when the operator set one. */
	if (q->conf.read_token[0] &&
	    ((tok = access_bearer(http_param(req, "HTTP_AUTHORIZATION"))) == NULL ||
	    !access_token_equal(tok, q->conf.read_token))) {
		http_send_error(req, 401, "WWW-Authenticate: Bearer\r\n", "unauthorized",
		    "a read token is required: Authorization: Bearer TOKEN");
		return;
	}
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
	if (route == QUERY_ROUTE_STATS)
		stats_handle(req, q, &p);
	else
		events_handle(req, q, &p);
}

/* Time-outs the URI leaves unset: a store that is down is reported as a
 * 503 within about a second instead of libmongoc's 30 s default. */
static void
uri_defaults(mongoc_uri_t *uri)
{
	if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 1000);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_CONNECTTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, 1000);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_SOCKETTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS,
		    LIMIT_QUERY_MS + 5000);
	if (!mongoc_uri_has_option(uri, MONGOC_URI_APPNAME))
		mongoc_uri_set_appname(uri, "event-query");
}

static void
usage(void)
{
	fprintf(stderr, "usage: event-query [--config FILE]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct query q;
	const char *path = NULL;
	char err[ERRBUF_LEN];
	bson_error_t e;
	enum log_level lvl;
	int i, rc;

	log_init("event-query", LOG_LEVEL_INFO);
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
	memset(&q, 0, sizeof(q));
	if (conf_load(&q.conf, path, err, sizeof(err)) != 0) {
		log_error("configuration: %s", err);
		return 1;
	}
	if (log_level_parse(q.conf.log_level, &lvl) == 0)
		log_set_level(lvl);
	/* No shared-memory counters (see lib/store.c), and our log first. */
	setenv("MONGOC_DISABLE_SHM", "1", 0);
	mongoc_log_set_handler(log_from_mongoc, NULL);
	mongoc_init();
	if ((q.uri = mongoc_uri_new_with_error(q.conf.mongo_uri, &e)) == NULL) {
		log_error("configuration: mongo_uri: %s", e.message);
		mongoc_cleanup();
		return 1;
	}
	uri_defaults(q.uri);
	rc = http_serve(handle, &q);
	mongoc_collection_destroy(q.coll);
	mongoc_client_destroy(q.client);
	mongoc_uri_destroy(q.uri);
	mongoc_cleanup();
	return rc;
}
