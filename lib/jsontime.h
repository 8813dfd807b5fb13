/*
 * Times in JSON answers: the RFC 3339 text (section 5.6) the API gives
 * for every instant, as time_format_rfc3339 writes it.
 *
 * Ownership: json_time returns a new json-c string the caller owns (put
 * it into an object or array, which takes it, or json_object_put it).
 */
#ifndef EVENTS_JSONTIME_H
#define EVENTS_JSONTIME_H

#include <stdint.h>

#include <json-c/json.h>

/* ms since the epoch (any int64; outside years 0000-9999 clamped as
 * time_format_rfc3339 does) as "2026-02-11T15:47:39.000Z".  NULL only
 * when out of memory. */
json_object	*json_time(int64_t ms);

#endif
