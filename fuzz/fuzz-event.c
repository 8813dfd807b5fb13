/*
 * libFuzzer target: the POST /events body parser, the real one.  The
 * first byte picks JSON or NDJSON and the event limit; the rest is the
 * body.  Every batch that parses must serialize to JSON that parses back.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event_ctx ctx;
	struct event_batch *b = NULL;
	char err[256];
	json_object *o;
	size_t i;

	if (size < 1)
		return 0;
	ctx.received_ms = 1764000000000LL;
	ctx.user_agent = "fuzz/1.0";
	ctx.ip = "192.0.2.0";
	ctx.max_events = (data[0] >> 1) % 500 + 1;
	if (event_batch_parse((const char *)data + 1, size - 1,
	    (data[0] & 1) ? EVENT_BODY_NDJSON : EVENT_BODY_JSON, &ctx, &b,
	    err, sizeof(err)) != EVENT_OK) {
		if (b != NULL || err[0] == '\0')
			abort();
		return 0;
	}
	if (b->n == 0 || b->n > ctx.max_events)
		abort();
	for (i = 0; i < b->n; i++) {
		if ((o = json_tokener_parse(b->ev[i].json)) == NULL)
			abort();
		json_object_put(o);
	}
	event_batch_free(b);
	return 0;
}
