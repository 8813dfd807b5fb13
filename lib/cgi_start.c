/* The FastCGI/CGI programs' common start-up (see cgi_start.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "cgi_start.h"
#include "http.h"
#include "log.h"

int
cgi_start(const char *name, int argc, char *argv[], struct conf *c)
{
	const char *path = NULL;
	char err[ERRBUF_LEN];
	enum log_level lvl;
	int i;

	log_init(name, LOG_LEVEL_INFO);
	if (getenv("GATEWAY_INTERFACE") != NULL)
		argc = 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--config FILE]\n", name);
			exit(2);
		}
	}
	if (conf_load(c, path, err, sizeof(err)) != 0) {
		log_error("configuration: %s", err);
		http_startup_failed();
		return -1;
	}
	if (log_level_parse(c->log_level, &lvl) == 0)
		log_set_level(lvl);
	return 0;
}
