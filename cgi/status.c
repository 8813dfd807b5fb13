/*
 * event-status: GET /health (status_health.c) and GET /metrics
 * (status_metrics.c), for operators.  This file starts the program and
 * routes each request to its handler.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgi_start.h"
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
	const char *path = http_param(req, "SCRIPT_NAME"), *info = http_param(req, "PATH_INFO");
	char full[512];
	size_t n;

	if (http_check_read_method(req, "use GET") != 0)
		return;
	/* Servers split the path differently (lighttpd, mod_fcgid, mod_cgi):
	 * judge the whole of SCRIPT_NAME and PATH_INFO by its end. */
	snprintf(full, sizeof(full), "%s%s", path ? path : "", info ? info : "");
	n = strlen(full);
	if (n >= 7 && strcmp(full + n - 7, "/health") == 0) {
		health_handle(st, req);
		return;
	}
	if (n >= 8 && strcmp(full + n - 8, "/metrics") == 0) {
		if (http_check_bearer(req, st->conf.read_token) != 0)
			return;
		metrics_handle(st, req);
		return;
	}
	http_send_error(req, 404, NULL, "not_found", "this program serves /health and /metrics");
}

int
main(int argc, char *argv[])
{
	static struct status st;
	char err[ERRBUF_LEN];
	int rc;

	if (cgi_start("event-status", argc, argv, &st.conf) != 0)
		return 1;
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
