/*
 * libFuzzer target: the spool file reader.  Whatever is on disk, replay
 * reads within the buffer and hands out only whole lines of good records.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct span {
	const char *lo, *hi;
};

static int
emit(void *arg, const struct event_batch *b)
{
	const struct span *s = arg;
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->ev[i].json < s->lo || b->ev[i].json + b->ev[i].json_len > s->hi ||
		    memchr(b->ev[i].json, '\n', b->ev[i].json_len) != NULL)
			abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct span s = { (const char *)data, (const char *)data + size };
	size_t events = 0, skipped = 0;

	(void)spool_parse((const char *)data, size, emit, &s, &events, &skipped);
	if (skipped > size)
		abort();
	return 0;
}
