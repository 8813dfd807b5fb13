/*
 * libFuzzer target: the GET /events and /events/stats query-string
 * parser, and the cursor decoder.  Whatever a query string says, a value
 * that comes out is within its limits.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query_cursor.h"
#include "query_params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query_params p;
	char err[256], id[LIMIT_ID_LEN + 1], out[256];
	int64_t ms;

	if (size < 1)
		return 0;
	memset(&p, 0, sizeof(p));
	if (query_params_parse((data[0] & 1) ? QUERY_ROUTE_STATS : QUERY_ROUTE_EVENTS,
	    (const char *)data + 1, size - 1, &p, err, sizeof(err)) == QUERY_OK) {
		if (p.limit < 1 || p.limit > LIMIT_PAGE_SIZE)
			abort();
		if (strlen(p.type) > LIMIT_TYPE_LEN || strlen(p.cursor_id) > LIMIT_ID_LEN)
			abort();
		if (p.has_cursor &&
		    (query_cursor_encode(p.cursor_ms, p.cursor_id, out, sizeof(out)) != 0 ||
		    query_cursor_decode(out, strlen(out), &ms, id, sizeof(id)) != 0 ||
		    ms != p.cursor_ms || strcmp(id, p.cursor_id) != 0))
			abort();
	}
	(void)query_cursor_decode((const char *)data + 1, size - 1, &ms, id, sizeof(id));
	return 0;
}
