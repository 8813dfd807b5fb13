/*
 * The rules of an event's fields, one set for both ends of the queue:
 * event-ingest checks a request with them (lib/event.c) and the consumer
 * checks each stream entry again with them before it is stored
 * (lib/storedoc.c), since anyone who can reach Redis can write to the
 * stream.  An event the ingest answers 202 is one the consumer stores.
 * Pure: parsed JSON (json-c) in, a verdict and a message out.
 *
 * The bounds are in bounds.h; the type, id and metadata key alphabets in
 * event.h (event_type_valid, event_id_valid, event_key_valid).
 *
 * Ownership: nothing is allocated; the json-c objects are borrowed
 * (their reference counts are not touched) and why is the caller's.
 */
#ifndef EVENTS_RULES_H
#define EVENTS_RULES_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "privacy.h"

/*
 * The one serialisation of stored JSON: compact, '/' not escaped, other
 * escapes as JSON.stringify writes them (json-c writes \b \f \n \r \t \"
 * \\ and \u00xx for the other control characters, U+007F and all else
 * as it is).  The metadata size is measured on it: the UTF-8 bytes of
 * JSON.stringify(metadata), as the tracker measures them.
 */
#define RULES_JSON_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/*
 * The one tokenizer set-up for event JSON (RFC 8259), whichever end
 * parses it: at most LIMIT_JSON_DEPTH levels of nesting, strict
 * (JSON_TOKENER_STRICT: no comments, no single quotes, no trailing
 * commas), and with check_utf8 json-c's UTF-8 check too; a caller that
 * has run utf8_valid() on the whole text, which is stricter, passes 0.
 * NULL when out of memory; the caller frees it with json_tokener_free().
 */
json_tokener	*rules_tokener_new(int check_utf8);

/* 1 if s[0..len) may be stored as a string: valid UTF-8 (so no lone
 * surrogate) and no NUL. */
int	rules_string(const char *s, size_t len);

/*
 * metadata: an object; at most LIMIT_METADATA_DEPTH levels (it is level
 * 1); keys event_key_valid(); no array directly inside an array (FerretDB
 * cannot store one); strings rules_string(); integers that fit int64
 * (json-c clamps the rest); finite numbers.  0, or -1 with a message
 * naming the field ("metadata.a.b: ...") in why.  *adjust is set to
 * what JSON.stringify's length of meta differs from its RULES_JSON_FLAGS
 * form by, in bytes: json-c writes a number as the client wrote it
 * ("1.0", "1E2"), ECMAScript as lib/jsnumber.h says ("1", "100"); 0 when
 * every number is written so, as the tracker's are.
 */
int	rules_metadata(json_object *meta, long *adjust, char *why, size_t whylen);

/* The metadata's size, JSON.stringify's: bytes (of its RULES_JSON_FLAGS
 * form) + adjust (from rules_metadata).  0 if within LIMIT_METADATA_BYTES,
 * else -1 with why. */
int	rules_metadata_size(size_t bytes, long adjust, char *why, size_t whylen);

/*
 * page: an object of url, path, referrer, title, each null or a string
 * (rules_string) of at most LIMIT_PAGE_*_LEN UTF-8 bytes.  0, or -1 with
 * why ("page.url: longer than 2048 bytes").  *nulls counts the null
 * members (which are not kept).
 */
int	rules_page(json_object *page, size_t *nulls, char *why, size_t whylen);

/* 1 if ms may be stored, else 0: createdAt and receivedAt, ms from 1970
 * to 9999; clientTs, any time a client may name: years 0000 to 9999
 * (TIME_MS_MIN..TIME_MS_MAX). */
int	rules_server_time(int64_t ms);
int	rules_client_time(int64_t ms);

/* 1 if the JSON number o (a double as json-c parsed it) is the number
 * sent: finite, and not 0 unless written as 0 (json-c makes 1e-400 0 and
 * 1e400 infinity).  Else 0. */
int	rules_double_holds(json_object *o);

/* ua and ip as kept: rules_string() of at most LIMIT_UA_LEN and
 * RULES_IP_LEN bytes. */
#define RULES_IP_LEN	(PRIVACY_IP_LEN - 1)

#endif
