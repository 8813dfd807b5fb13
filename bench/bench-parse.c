/*
 * bench-parse: what event-ingest's validation and serialisation cost,
 * without the network: parses FILE (a POST /events body) N times with one
 * kept parser, as a serving thread does, with a browser's user agent and
 * an address.  Run under callgrind twice (N and N + K) by
 * bench/parse-cost.sh: the difference, divided by K times the events in
 * the body, is the instructions an event costs, repeatable on a loaded
 * machine.
 *
 *	bench-parse FILE N [ndjson]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "timeutil.h"

int
main(int argc, char *argv[])
{
	static char body[1024 * 1024];
	struct event_ctx ctx;
	struct event_parser *ep;
	const struct event_batch *b;
	enum event_body fmt = EVENT_BODY_JSON;
	char err[256];
	size_t len, events = 0;
	long i, n;
	FILE *f;

	if (argc < 3 || (n = strtol(argv[2], NULL, 10)) < 0) {
		fprintf(stderr, "usage: bench-parse FILE N [ndjson]\n");
		return 2;
	}
	if (argc > 3 && strcmp(argv[3], "ndjson") == 0)
		fmt = EVENT_BODY_NDJSON;
	if ((f = fopen(argv[1], "rb")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	len = fread(body, 1, sizeof(body), f);
	fclose(f);
	ctx.received_ms = time_now_ms();
	ctx.user_agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
	    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
	ctx.ip = "203.0.113.0";
	ctx.max_events = 500;
	if ((ep = event_parser_new()) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		if (event_parser_parse(ep, body, len, fmt, &ctx, &b, err, sizeof(err)) != EVENT_OK) {
			fprintf(stderr, "bench-parse: %s\n", err);
			return 1;
		}
		events += b->n;
	}
	event_parser_free(ep);
	printf("%zu events\n", events);
	return 0;
}
