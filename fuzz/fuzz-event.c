/*
 * libFuzzer target: the POST /events body parser, the real one.  The
 * first byte picks JSON or NDJSON and the event limit; the rest is the
 * body.  For every batch that parses, each event's queued JSON:
 *   - parses back to itself: json-c reads it and writes the very same
 *     bytes (what was validated is what is stored);
 *   - hides nothing json-c would (jsonscan.h: no NUL or lone surrogate
 *     in a string, no key given twice);
 *   - is a document the consumer stores (storedoc.c, the one set of
 *     rules), with no key that holds a NUL, starts with '$' or holds
 *     a '.', at any depth.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bson/bson.h>
#include <json-c/json.h>

#include "event.h"
#include "jsonscan.h"
#include "rules.h"
#include "storedoc.h"
#include "../tests/bson-keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jsonscan *scan;
	struct jsonscan_result r;
	struct event_ctx ctx;
	struct event_batch *b = NULL;
	char err[256];
	json_object *o;
	const char *back;
	size_t i, blen;
	bson_t doc;

	if (size < 1)
		return 0;
	if (scan == NULL && (scan = jsonscan_new()) == NULL)
		abort();
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
		back = json_object_to_json_string_length(o, RULES_JSON_FLAGS, &blen);
		if (back == NULL || blen != b->ev[i].json_len ||
		    memcmp(back, b->ev[i].json, blen) != 0)
			abort();
		json_object_put(o);
		if (jsonscan_text(scan, b->ev[i].json, b->ev[i].json_len, &r) != JSONSCAN_OK)
			abort();
		bson_init(&doc);
		if (storedoc_from_json(b->ev[i].json, b->ev[i].json_len, &doc, err,
		    sizeof(err)) != 0 || !bson_keys_ok(&doc))
			abort();
		bson_destroy(&doc);
	}
	event_batch_free(b);
	return 0;
}
