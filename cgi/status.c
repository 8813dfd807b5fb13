/*
 * event-status: GET /health (status_health.c) and GET /metrics
 * (status_metrics.c), for operators.  This file starts the program and
 * routes each request to its handler.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "conf.h"
#include "http.h"
#include "log.h"
#include "shard.h"
#include "status.h"
#include "store.h"

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
		health_handle(st, req);
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
		metrics_handle(st, req);
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
