/*
 * Every bound on untrusted input, in one place.  The ingest and query
 * programs check these before doing any work; the configuration may lower
 * the ones marked "ceiling" but never raise them.
 */
#ifndef EVENTS_BOUNDS_H
#define EVENTS_BOUNDS_H

/* Request body: ceiling for max_body_bytes.  Checked against
 * CONTENT_LENGTH before a byte of the body is read. */
#define LIMIT_BODY_BYTES	(1024 * 1024)

/* Events in one request: ceiling for max_events. */
#define LIMIT_EVENTS		500

/* Event type: 1..64 characters of [A-Za-z0-9_.:-]. */
#define LIMIT_TYPE_LEN		64

/* Client event id (the deduplication key): 1..64 printable ASCII. */
#define LIMIT_ID_LEN		64

/* metadata: a JSON object of at most this many bytes as it is queued and
 * stored: the UTF-8 bytes of its compact JSON, '/' not escaped, exactly
 * what JSON.stringify(metadata) makes (rules.h)... */
#define LIMIT_METADATA_BYTES	8192
/* ...nested at most this many levels (the metadata object is level 1). */
#define LIMIT_METADATA_DEPTH	8
/* ...whose keys are at most this long. */
#define LIMIT_METADATA_KEY_LEN	128

/* Whole-document nesting handed to the JSON tokenizer: the envelope
 * object, its events array, the event, its metadata (8 levels), slack. */
#define LIMIT_JSON_DEPTH	16

/* page.* fields, in UTF-8 bytes. */
#define LIMIT_PAGE_URL_LEN	2048
#define LIMIT_PAGE_PATH_LEN	1024
#define LIMIT_PAGE_REFERRER_LEN	2048
#define LIMIT_PAGE_TITLE_LEN	256

/* A write key as the client sends it (X-Events-Key, or the key query
 * parameter), and as write_keys names it: 1..64 of [A-Za-z0-9_-]. */
#define LIMIT_WRITE_KEY_LEN	64

/* An Origin header (RFC 6454 serialized origin, scheme://host[:port]),
 * as the client sends it and as write_keys lists it, in bytes. */
#define LIMIT_ORIGIN_LEN	256

/* Hops of X-Forwarded-For or Forwarded followed back from the peer
 * through trusted_proxies; a client further away is not looked for. */
#define LIMIT_FORWARDED_HOPS	32

/* User agent kept with each event, in bytes (cut on a UTF-8 boundary). */
#define LIMIT_UA_LEN		256

/* A client time further than this before receivedAt is not trusted:
 * createdAt is then receivedAt, and the client's time clientTs. */
#define LIMIT_CLOCK_SKEW_MS	(24LL * 60 * 60 * 1000)

/* An event cannot happen after it was received: a createdAt more than
 * this after receivedAt (a ts later than sentAt, or a clock ahead) is
 * receivedAt, and the client's time clientTs.  The slack is for clocks
 * a little apart that still agree on the order of things. */
#define LIMIT_CLOCK_AHEAD_MS	1000

/* One stream entry's event JSON as the consumer takes it.  The largest
 * event event-ingest can queue (8 KiB of metadata, the page fields and
 * the user agent with every byte escaped as \u00XX) is about 42 KiB. */
#define LIMIT_ENTRY_BYTES	(64 * 1024)

/* Error messages written into caller buffers. */
#define ERRBUF_LEN		256

/* A client's bytes quoted in an error message (an unknown field or
 * parameter, a metadata key, a media type or coding): at most this many,
 * cut on a character boundary where the text is UTF-8, "..." after a cut
 * where the message says so. */
#define LIMIT_QUOTE_LEN		40

/* A client's text in a log line (log_clip): at most this many bytes, each
 * not printable ASCII shown as '?'. */
#define LIMIT_LOG_CLIP_LEN	80

/* The media type of CONTENT_TYPE, parameters dropped, as compared by
 * event-ingest: a longer one is cut and so matches none accepted. */
#define LIMIT_MEDIA_TYPE_LEN	64

/* Query side (GET /events, GET /events/stats). */

/* QUERY_STRING, in bytes, before any decoding. */
#define LIMIT_QUERY_STRING_LEN	4096

/* Events in one page: the ceiling of limit=. */
#define LIMIT_PAGE_SIZE		500

/* An encoded paging cursor, in characters: base64url of
 * "1:<ms>:<id>", at most 2 + 15 + 1 + LIMIT_ID_LEN = 82 bytes. */
#define LIMIT_CURSOR_LEN	128

/* Buckets in one /events/stats answer (a day of minutes). */
#define LIMIT_STATS_BUCKETS	1440

/* Types shown by name in /events/stats, the busiest first; the rest are
 * added up as "(other)" (not a valid type, so it cannot collide). */
#define LIMIT_STATS_TYPES	20

/* Values listed in one /events/stats?by= answer: the ceiling of its
 * limit=. */
#define LIMIT_BY_VALUES		100

/* (bucket, type) groups, or distinct values of a by= field, read back
 * from the store for one answer; past this the answer says
 * "truncated": true. */
#define LIMIT_STATS_GROUPS	100000
/* Types kept in one minute or hour of the counts cache (lib/store.h);
 * a unit with more is counted from the events each time instead. */
#define LIMIT_COUNTS_TYPES	500

/* Server-side time budget of one store operation (maxTimeMS). */
#define LIMIT_QUERY_MS		10000

/* Nesting followed when a stored document is turned into JSON. */
#define LIMIT_DOC_DEPTH		32

#endif
