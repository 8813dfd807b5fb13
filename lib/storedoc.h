/*
 * The stored form of a queued event.  Pure: the JSON that event-ingest
 * put in a stream entry's "e" field goes in, a BSON document or a reason
 * comes out; nothing here does I/O.
 *
 * Queue JSON (lib/event.h):
 *   {"id", "type", "metadata"?, "createdAt", "receivedAt", "clientTs"?,
 *    "page"?, "ua"?, "ip"?}, the times as integer ms since the epoch.
 * Stored document, fields in this order:
 *   {_id: id, type, metadata?: {...}, createdAt: Date, receivedAt: Date,
 *    clientTs?: Date, page?: {url?, path?, referrer?, title?}, ua?, ip?}
 *
 * The stream is written by event-ingest, but anyone who can reach Redis
 * can XADD to it, so the JSON is checked again here against the same
 * limits (bounds.h).  metadata is built by walking the parsed JSON, never
 * with bson_new_from_json(), which would read keys such as "$date" or
 * "$oid" as MongoDB extended JSON and store something the client never
 * sent.  Keys that BSON or the store cannot hold ('$' first, a '.', empty)
 * are refused, not rewritten.  An entry refused here is poison: the
 * consumer counts its attempts and in the end dead-letters it.
 *
 * Ownership: nothing is kept; doc is the caller's (bson_init before,
 * bson_destroy after), json is borrowed for the call.
 */
#ifndef EVENTS_STOREDOC_H
#define EVENTS_STOREDOC_H

#include <stddef.h>

#include <bson/bson.h>

/*
 * Convert json[0..len) and append the fields to doc, which the caller has
 * initialised empty (bson_init) and destroys.  Returns 0, or -1 with the
 * reason in err; doc is then empty again.
 */
int	storedoc_from_json(const char *json, size_t len, bson_t *doc,
	    char *err, size_t errlen);

#endif
