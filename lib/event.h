/*
 * The event model: parsing, validation and enrichment of a POST /events
 * body.  Pure: bytes and request facts in, serialized events or an error
 * out.  Nothing here knows of FastCGI, Redis or MongoDB.
 *
 * Accepted bodies (format EVENT_BODY_JSON):
 *   - one event object:              {"type": "click", ...}
 *   - an array of events:            [{...}, {...}]
 *   - an envelope:                   {"sentAt": <time>, "events": [...]}
 * and with EVENT_BODY_NDJSON one event object a line.
 *
 * An event: type (required), metadata, id, ts, page; see bounds.h.
 *
 * Ownership: a parser (event_parser_new) is freed with
 * event_parser_free; the batch event_parser_parse hands back belongs to
 * the parser.  A batch from event_batch_parse is the caller's, freed with
 * event_batch_free: its events point into its own buffer.  Both frees
 * take NULL.  The body and the ctx strings are borrowed for the call.
 */
#ifndef EVENTS_EVENT_H
#define EVENTS_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "bounds.h"

enum event_body { EVENT_BODY_JSON, EVENT_BODY_NDJSON };

/* What the request adds to every event.  Strings are borrowed. */
struct event_ctx {
	int64_t		 received_ms;
	const char	*user_agent;	/* HTTP_USER_AGENT, may be NULL */
	const char	*ip;		/* the client address as it is to be
					   kept (privacy.h), NULL or "": none */
	size_t		 max_events;	/* at most LIMIT_EVENTS */
};

enum event_err {
	EVENT_OK = 0,
	EVENT_ERR_JSON,		/* 400 invalid_json */
	EVENT_ERR_INVALID,	/* 400 invalid_event */
	EVENT_ERR_EMPTY,	/* 400 no_events */
	EVENT_ERR_TOO_MANY,	/* 413 too_many_events */
	EVENT_ERR_NOMEM		/* 500 internal */
};

/* One enriched event, serialized as the JSON that goes on the queue:
 * {"id","type","metadata"?,"createdAt","receivedAt","clientTs"?,"page"?,
 *  "ua"?,"ip"?} with the times as integer ms since the epoch. */
struct event_out {
	char	*json;			/* NUL-ended, in the batch's buffer */
	size_t	 json_len;
	char	 id[LIMIT_ID_LEN + 1];
	/* The id as a JSON string, quoted and escaped: json + 6 (after
	 * {"id":), id_json_len bytes.  Set by the parser. */
	size_t	 id_json_len;
};

/* Where an event's id starts in its JSON, {"id": being first. */
#define EVENT_ID_JSON_AT	6

struct event_batch {
	size_t		  n;
	struct event_out *ev;
	char		 *buf;		/* every event's JSON, one after another */
};

/*
 * A parser kept from request to request (one per thread: it is not
 * shared): it holds the JSON tokenizer, so that a request does not make
 * and free one.  event_batch_parse() makes one for the call.
 */
struct event_parser;

/* NULL on out of memory. */
struct event_parser *event_parser_new(void);
/* NULL is a no-op. */
void		event_parser_free(struct event_parser *ep);

/* event_batch_parse() with a kept parser.  *out belongs to ep: it stays
 * valid until the next call with ep or event_parser_free(ep). */
enum event_err	event_parser_parse(struct event_parser *ep, const char *body,
		    size_t len, enum event_body fmt, const struct event_ctx *ctx,
		    const struct event_batch **out, char *err, size_t errlen);

/*
 * Parse body[0..len) into *out (freed with event_batch_free).  On error
 * returns the kind and writes a message naming the event's index and the
 * field into err; *out is then NULL.
 */
enum event_err	event_batch_parse(const char *body, size_t len,
		    enum event_body fmt, const struct event_ctx *ctx,
		    struct event_batch **out, char *err, size_t errlen);

/* Free a batch and everything it holds.  NULL is a no-op. */
void		event_batch_free(struct event_batch *b);

/* 1 if s[0..len) is a valid event type: 1-64 of [A-Za-z0-9_.:-]. */
int		event_type_valid(const char *s, size_t len);

/* 1 if s[0..len) may be a metadata key: 1-128 bytes, not starting with
 * '$' (an operator), holding no '.' (a path) and no NUL. */
int		event_key_valid(const char *s, size_t len);

/* 1 if s[0..len) is a valid event id: 1-64 printable ASCII characters. */
int		event_id_valid(const char *s, size_t len);

/* HTTP status and error code for an error kind. */
int		event_err_status(enum event_err e);
const char	*event_err_code(enum event_err e);

#endif
