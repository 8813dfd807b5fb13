#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "event.h"
#include "jsonscan.h"
#include "rules.h"
#include "timeutil.h"
#include "utf8.h"
#include "uuid7.h"

/*
 * Every piece of JSON this file writes comes from json-c's serialiser,
 * but for numbers and strings of an alphabet that needs no escaping
 * (RFC 8259 section 7): event types and the ids it makes.
 */
#define JSON_FLAGS	RULES_JSON_FLAGS

/* A batch's JSON buffer past this size is not kept for the next request. */
#define KEEP_BYTES	(128 * 1024)

struct event_parser {
	json_tokener		*tok;
	struct jsonscan		*scan;		/* what json-c hides */
	/* A one-element array: json-c serialises a value into the array's
	 * own buffer, which then serves every value of every request
	 * instead of each value allocating one. */
	json_object		*carrier;
	json_object		*str;		/* a string for the carrier */
	struct event_batch	 batch;		/* the last request's */
	size_t			 cap;		/* room in batch.ev */
	struct buf		 out;		/* every event's JSON; batch.buf
						   is out.p once parsed */
	struct buf		 tail;		/* see struct parse */
};

/* What the parser works with while it walks one request. */
struct parse {
	struct event_parser	*ep;
	const struct event_ctx	*ctx;
	int64_t			 sent_at;
	int			 has_sent_at;
	char			*err;
	size_t			 errlen;
	struct event_batch	*b;		/* &ep->batch */
	/* Until finish() each event's json_len holds where its JSON starts
	 * in ep->out.  What every event of the request shares, made once:
	 * ,"receivedAt":N and, in ep->tail, ,"ua":"...","ip":"..."} and a
	 * NUL (not counted in tail.len). */
	char			 received[40];
	size_t			 received_len;
	size_t			 client_ids;	/* events that gave an id */
};

static enum event_err
fail(struct parse *p, enum event_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum event_err
fail(struct parse *p, enum event_err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return e;
}

int
event_err_status(enum event_err e)
{
	switch (e) {
	case EVENT_OK:		return 202;
	case EVENT_ERR_TOO_MANY:	return 413;
	case EVENT_ERR_NOMEM:	return 500;
	default:		return 400;
	}
}

const char *
event_err_code(enum event_err e)
{
	switch (e) {
	case EVENT_OK:		return "ok";
	case EVENT_ERR_JSON:	return "invalid_json";
	case EVENT_ERR_INVALID:	return "invalid_event";
	case EVENT_ERR_EMPTY:	return "no_events";
	case EVENT_ERR_TOO_MANY:	return "too_many_events";
	default:		return "internal";
	}
}

void
event_batch_free(struct event_batch *b)
{
	if (b == NULL)
		return;
	free(b->buf);
	free(b->ev);
	free(b);
}

/* Append s[0..n) to the batch's JSON.  0 or -1. */
static int
out_add(struct parse *p, const char *s, size_t n)
{
	return buf_add(&p->ep->out, s, n);
}

/* v in decimal into buf (24 bytes); returns the length. */
static size_t
fmt_int64(char *buf, int64_t v)
{
	char tmp[24];
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		buf[i++] = '-';
	while (n > 0)
		buf[i++] = tmp[--n];
	return i;
}

/* ",key":v */
static int
out_int(struct parse *p, const char *key, size_t keylen, int64_t v)
{
	char buf[24];

	return out_add(p, key, keylen) == 0 && out_add(p, buf, fmt_int64(buf, v)) == 0 ? 0 : -1;
}

/*
 * json-c's serialisation of o, in the carrier's buffer: valid until the
 * next call.  NULL on out of memory.
 */
static const char *
serialise(struct parse *p, json_object *o, size_t *len)
{
	const char *s;

	if (json_object_array_put_idx(p->ep->carrier, 0, json_object_get(o)) != 0)
		return NULL;
	/* "[" value "]" */
	if ((s = json_object_to_json_string_length(p->ep->carrier, JSON_FLAGS, len)) == NULL ||
	    *len < 2)
		return NULL;
	*len -= 2;
	return s + 1;
}

/* ",key":value, value serialised by json-c. */
static enum event_err
out_value(struct parse *p, const char *key, size_t keylen, json_object *o)
{
	const char *s;
	size_t len;

	if ((s = serialise(p, o, &len)) == NULL || out_add(p, key, keylen) != 0 ||
	    out_add(p, s, len) != 0)
		return fail(p, EVENT_ERR_NOMEM, "out of memory");
	return EVENT_OK;
}

/* A JSON string field: its bytes, or NULL if the value is not a string. */
static const char *
str_of(json_object *o, size_t *len)
{
	*len = 0;
	if (!json_object_is_type(o, json_type_string))
		return NULL;
	*len = (size_t)json_object_get_string_len(o);
	return json_object_get_string(o);
}

int
event_type_valid(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > LIMIT_TYPE_LEN)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == ':' || c == '-'))
			return 0;
	}
	return 1;
}

int
event_key_valid(const char *s, size_t len)
{
	/* Keys become BSON field names: no '$' start (operators), no '.'
	 * (paths), none empty or overlong, no NUL (C strings). */
	return len >= 1 && len <= LIMIT_METADATA_KEY_LEN && s[0] != '$' &&
	    memchr(s, '.', len) == NULL && memchr(s, '\0', len) == NULL;
}

int
event_id_valid(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > LIMIT_ID_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	return 1;
}

/*
 * A time given by a client: an RFC 3339 date-time (any of section 5.6)
 * or a number of ms since the epoch (fractions dropped), in years 0000
 * to 9999.  0, or -1 with why (a buffer of whylen bytes) set.
 */
static int
client_time(json_object *o, int64_t *ms, char *why, size_t whylen)
{
	char detail[160];
	const char *s;
	size_t len;
	double d;

	switch (json_object_get_type(o)) {
	case json_type_string:
		s = str_of(o, &len);
		if (time_rfc3339_parse(s, len, ms, detail, sizeof(detail)) != 0) {
			snprintf(why, whylen, "not an RFC 3339 date-time: %s", detail);
			return -1;
		}
		if (!rules_client_time(*ms)) {
			snprintf(why, whylen, "out of range (years 0000 to 9999 in UTC)");
			return -1;
		}
		return 0;
	case json_type_int:
		*ms = json_object_get_int64(o);
		if (!rules_client_time(*ms) || (*ms == INT64_MAX &&
		    json_object_get_uint64(o) > (uint64_t)INT64_MAX)) {
			snprintf(why, whylen, "out of range (ms from %lld to %lld)",
			    (long long)TIME_MS_MIN, (long long)TIME_MS_MAX);
			return -1;
		}
		return 0;
	case json_type_double:
		d = json_object_get_double(o);
		if (!rules_double_holds(o) || d < (double)TIME_MS_MIN || d > (double)TIME_MS_MAX) {
			snprintf(why, whylen, "out of range (ms from %lld to %lld)",
			    (long long)TIME_MS_MIN, (long long)TIME_MS_MAX);
			return -1;
		}
		*ms = (int64_t)floor(d);
		return 0;
	default:
		snprintf(why, whylen, "must be an RFC 3339 string or epoch milliseconds");
		return -1;
	}
}

/*
 * Check page.* and append ,"page":{...} to the event: the members that
 * are not null.
 */
static enum event_err
take_page(struct parse *p, size_t idx, json_object *page)
{
	json_object *kept;
	size_t nulls;
	enum event_err rc;
	char why[ERRBUF_LEN];

	if (json_object_is_type(page, json_type_null))
		return EVENT_OK;
	if (rules_page(page, &nulls, why, sizeof(why)) != 0)
		return fail(p, EVENT_ERR_INVALID, "event %zu: %s", idx, why);
	if (nulls == 0)
		return out_value(p, ",\"page\":", 8, page);
	if ((kept = json_object_new_object()) == NULL)
		return fail(p, EVENT_ERR_NOMEM, "out of memory");
	json_object_object_foreach(page, k, v)
		if (!json_object_is_type(v, json_type_null))
			json_object_object_add(kept, k, json_object_get(v));
	rc = out_value(p, ",\"page\":", 8, kept);
	json_object_put(kept);
	return rc;
}

/* Room for one more event in the batch. */
static enum event_err
event_slot(struct parse *p)
{
	struct event_parser *ep = p->ep;
	struct event_out *nev;
	size_t cap;

	if (p->b->n < ep->cap)
		return EVENT_OK;
	/* Twice as many, within max_events: a parser that has once seen
	 * a large batch keeps the room. */
	cap = ep->cap ? ep->cap * 2 : 8;
	if (cap > p->ctx->max_events)
		cap = p->ctx->max_events;
	if (cap <= p->b->n ||
	    (nev = reallocarray(p->b->ev, cap, sizeof(*nev))) == NULL)
		return fail(p, EVENT_ERR_NOMEM, "out of memory");
	p->b->ev = nev;
	ep->cap = cap;
	return EVENT_OK;
}

/*
 * Validate event number idx and append its enriched form to the batch's
 * JSON, rule by rule: type, id, metadata, ts, page.
 */
static enum event_err
take_event(struct parse *p, size_t idx, json_object *ev)
{
	json_object *type = NULL, *meta = NULL, *id = NULL, *ts = NULL, *page = NULL;
	struct event_out *eo;
	const char *s;
	char why[ERRBUF_LEN];
	size_t len;
	long adjust;
	int64_t t, created, client = 0;
	int has_client = 0;
	enum event_err rc;

	if (!json_object_is_type(ev, json_type_object))
		return fail(p, EVENT_ERR_INVALID, "event %zu: must be a JSON object", idx);
	json_object_object_foreach(ev, key, val) {
		if (strcmp(key, "type") == 0)
			type = val;
		else if (strcmp(key, "metadata") == 0)
			meta = val;
		else if (strcmp(key, "id") == 0)
			id = val;
		else if (strcmp(key, "ts") == 0)
			ts = val;
		else if (strcmp(key, "page") == 0)
			page = val;
		else {
			return fail(p, EVENT_ERR_INVALID,
			    "event %zu: unknown field \"%.*s\" (allowed: type, metadata, id, ts, page)",
			    idx, (int)utf8_cut(key, strlen(key), LIMIT_QUOTE_LEN), key);
		}
	}
	if (type == NULL)
		return fail(p, EVENT_ERR_INVALID, "event %zu: type: missing", idx);
	if ((s = str_of(type, &len)) == NULL || !event_type_valid(s, len))
		return fail(p, EVENT_ERR_INVALID,
		    "event %zu: type: must be a string of 1-%d characters of [A-Za-z0-9_.:-]",
		    idx, LIMIT_TYPE_LEN);
	if ((rc = event_slot(p)) != EVENT_OK)
		return rc;
	eo = &p->b->ev[p->b->n];
	eo->json = NULL;
	eo->json_len = p->ep->out.len;		/* where it starts, until finish() */

	if (id != NULL && json_object_is_type(id, json_type_null))
		id = NULL;
	if (id != NULL) {
		if ((s = str_of(id, &len)) == NULL || !event_id_valid(s, len))
			return fail(p, EVENT_ERR_INVALID,
			    "event %zu: id: must be a string of 1-%d printable ASCII characters",
			    idx, LIMIT_ID_LEN);
		memcpy(eo->id, s, len);
		eo->id[len] = '\0';
		p->client_ids++;
		if ((rc = out_value(p, "{\"id\":", 6, id)) != EVENT_OK)
			return rc;
	} else {
		if (uuid7_make(p->ctx->received_ms, eo->id) != 0)
			return fail(p, EVENT_ERR_NOMEM, "no randomness for an event id");
		if (out_add(p, "{\"id\":\"", 7) != 0 ||
		    out_add(p, eo->id, UUID7_STRLEN - 1) != 0 || out_add(p, "\"", 1) != 0)
			return fail(p, EVENT_ERR_NOMEM, "out of memory");
	}
	/* The answer's "ids" quote it as queued (cgi/ingest.c). */
	eo->id_json_len = p->ep->out.len - eo->json_len - EVENT_ID_JSON_AT;
	/* The type's alphabet needs no escaping. */
	s = json_object_get_string(type);
	if (out_add(p, ",\"type\":\"", 9) != 0 ||
	    out_add(p, s, (size_t)json_object_get_string_len(type)) != 0 ||
	    out_add(p, "\"", 1) != 0)
		return fail(p, EVENT_ERR_NOMEM, "out of memory");

	if (meta != NULL && json_object_is_type(meta, json_type_null))
		meta = NULL;
	if (meta != NULL) {
		if (rules_metadata(meta, &adjust, why, sizeof(why)) != 0)
			return fail(p, EVENT_ERR_INVALID, "event %zu: %s", idx, why);
		/* Measured as it is queued (serialised once), its numbers as
		 * JSON.stringify writes them. */
		len = p->ep->out.len;
		if ((rc = out_value(p, ",\"metadata\":", 12, meta)) != EVENT_OK)
			return rc;
		if (rules_metadata_size(p->ep->out.len - len - 12, adjust, why, sizeof(why)) != 0)
			return fail(p, EVENT_ERR_INVALID, "event %zu: %s", idx, why);
	}

	/* createdAt, with clock-skew correction.  With sentAt the
	 * client's clock error cancels out: the event happened (sentAt - ts)
	 * before the batch left, so receivedAt minus that.  An event cannot
	 * happen after it was received, nor is a client trusted further
	 * back than LIMIT_CLOCK_SKEW_MS: outside that window createdAt is
	 * receivedAt and the client's time is kept as clientTs. */
	created = p->ctx->received_ms;
	if (ts != NULL && !json_object_is_type(ts, json_type_null)) {
		if (client_time(ts, &t, why, sizeof(why)) != 0)
			return fail(p, EVENT_ERR_INVALID, "event %zu: ts: %s", idx, why);
		created = p->has_sent_at ? p->ctx->received_ms - (p->sent_at - t) : t;
		if (created > p->ctx->received_ms + LIMIT_CLOCK_AHEAD_MS ||
		    created < p->ctx->received_ms - LIMIT_CLOCK_SKEW_MS) {
			created = p->ctx->received_ms;
			client = t;
			has_client = 1;
		}
	}
	if (out_int(p, ",\"createdAt\":", 13, created) != 0 ||
	    out_add(p, p->received, p->received_len) != 0 ||
	    (has_client && out_int(p, ",\"clientTs\":", 12, client) != 0))
		return fail(p, EVENT_ERR_NOMEM, "out of memory");

	if (page != NULL && (rc = take_page(p, idx, page)) != EVENT_OK)
		return rc;
	/* ,"ua":...,"ip":...} and the NUL that ends the event's string */
	if (out_add(p, p->ep->tail.p, p->ep->tail.len + 1) != 0)
		return fail(p, EVENT_ERR_NOMEM, "out of memory");
	p->b->n++;
	return EVENT_OK;
}

static enum event_err
take_array(struct parse *p, json_object *arr)
{
	size_t i, n = json_object_array_length(arr);
	enum event_err rc;

	if (n == 0)
		return fail(p, EVENT_ERR_EMPTY, "no events in the request");
	if (n > p->ctx->max_events)
		return fail(p, EVENT_ERR_TOO_MANY, "%zu events in one request, at most %zu",
		    n, p->ctx->max_events);
	for (i = 0; i < n; i++)
		if ((rc = take_event(p, i, json_object_array_get_idx(arr, i))) != EVENT_OK)
			return rc;
	return EVENT_OK;
}

/* A top-level JSON value: an event, an array, or an envelope. */
static enum event_err
take_document(struct parse *p, json_object *doc)
{
	json_object *events = NULL, *sent = NULL;
	char why[ERRBUF_LEN];

	if (json_object_is_type(doc, json_type_array))
		return take_array(p, doc);
	if (!json_object_is_type(doc, json_type_object))
		return fail(p, EVENT_ERR_INVALID,
		    "body: must be an event object, an array of events, or {\"events\": [...]}");
	if (!json_object_object_get_ex(doc, "events", &events)) {
		/* An envelope without its events (or an event given the
		 * envelope's field): say so, not "unknown field". */
		if (json_object_object_get_ex(doc, "sentAt", &sent))
			return fail(p, EVENT_ERR_INVALID, "body: sentAt goes with \"events\": "
			    "{\"sentAt\": ..., \"events\": [...]}; an event has no sentAt");
		return take_event(p, 0, doc);
	}
	json_object_object_foreach(doc, key, val) {
		if (strcmp(key, "sentAt") == 0)
			sent = val;
		else if (strcmp(key, "events") != 0)
			return fail(p, EVENT_ERR_INVALID,
			    "body: unknown field \"%.*s\" beside \"events\" (allowed: sentAt)",
			    (int)utf8_cut(key, strlen(key), LIMIT_QUOTE_LEN), key);
	}
	if (!json_object_is_type(events, json_type_array))
		return fail(p, EVENT_ERR_INVALID, "body: events: must be an array");
	if (sent != NULL && !json_object_is_type(sent, json_type_null)) {
		if (client_time(sent, &p->sent_at, why, sizeof(why)) != 0)
			return fail(p, EVENT_ERR_INVALID, "body: sentAt: %s", why);
		p->has_sent_at = 1;
	}
	return take_array(p, events);
}

/* "body", or "line N" of an NDJSON body: where an error is. */
static const char *
where(size_t line, char buf[32])
{
	if (line == 0)
		return "body";
	snprintf(buf, 32, "line %zu", line);
	return buf;
}

/*
 * Parse one JSON text that must fill s[0..len) but for white space: the
 * body (line 0), or NDJSON line number line.  EVENT_OK with the value in
 * *out (NULL for JSON null), or the error.
 */
static enum event_err
parse_json(struct parse *p, const char *s, size_t len, size_t line,
    json_object **out)
{
	json_tokener *tok = p->ep->tok;
	json_object *o;
	enum json_tokener_error jerr;
	size_t off, i;
	char w[32];

	*out = NULL;
	if (len > (size_t)INT32_MAX)
		return fail(p, EVENT_ERR_NOMEM, "out of memory");
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, s, (int)len);
	jerr = json_tokener_get_error(tok);
	off = json_tokener_get_parse_end(tok);
	/* A bare number or literal at the very end ("42", "null") is only
	 * complete once the tokenizer sees the end: hand it a terminator. */
	if (jerr == json_tokener_continue) {
		o = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		off = len;
	}
	if (jerr == json_tokener_error_depth) {
		/* Well-formed JSON past a bound of ours: a rule, not malformed
		 * JSON.  Only metadata nests (the envelope and an event are 3
		 * levels), so it is too deep. */
		fail(p, EVENT_ERR_INVALID,
		    "%s: nested deeper than %d levels at byte %zu: metadata may be at most %d levels deep",
		    where(line, w), LIMIT_JSON_DEPTH, off, LIMIT_METADATA_DEPTH);
		json_object_put(o);
		return EVENT_ERR_INVALID;
	}
	if (jerr != json_tokener_success) {
		if (jerr == json_tokener_continue || off >= len)
			fail(p, EVENT_ERR_JSON, "%s: malformed JSON: unexpected end of input",
			    where(line, w));
		else
			fail(p, EVENT_ERR_JSON, "%s: malformed JSON at byte %zu: %s",
			    where(line, w), off, json_tokener_error_desc(jerr));
		json_object_put(o);
		return EVENT_ERR_JSON;
	}
	for (i = off; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
			fail(p, EVENT_ERR_JSON,
			    "%s: malformed JSON: unexpected data at byte %zu after the value (for one event a line, send application/x-ndjson)",
			    where(line, w), i);
			json_object_put(o);
			return EVENT_ERR_JSON;
		}
	*out = o;
	return EVENT_OK;
}

/*
 * What json-c hid in the JSON text s[0..len) it accepted (jsonscan.h):
 * a NUL, a lone surrogate or a raw control character in any string, key
 * or value (the last is invalid_json), and keys given twice.  doc is the parsed text; idx the event's index for an NDJSON
 * line, or (size_t)-1 for a whole body, whose shape says where the events
 * stand.  EVENT_OK, or the error naming the event and the field.
 */
static enum event_err
scan_text(struct parse *p, const char *s, size_t len, json_object *doc, size_t idx)
{
	struct jsonscan_result r;
	json_object *events;
	enum jsonscan_fault f;
	size_t from = 0;
	char field[200], who[48];

	if ((f = jsonscan_text(p->ep->scan, s, len, &r)) == JSONSCAN_OK)
		return EVENT_OK;
	if (f == JSONSCAN_NOMEM)
		return fail(p, EVENT_ERR_NOMEM, "out of memory");
	if (idx != (size_t)-1)
		snprintf(who, sizeof(who), "event %zu", idx);
	else if (json_object_is_type(doc, json_type_array) && r.depth >= 1 &&
	    (r.depth > 1 || !r.in_key)) {
		snprintf(who, sizeof(who), "event %zu", r.path[0].index);
		from = 1;
	} else if (json_object_is_type(doc, json_type_object) &&
	    json_object_object_get_ex(doc, "events", &events) && r.depth >= 2 &&
	    r.path[0].keylen == 6 && memcmp(r.path[0].key, "events", 6) == 0 &&
	    r.path[1].is_index && (r.depth > 2 || !r.in_key)) {
		snprintf(who, sizeof(who), "event %zu", r.path[1].index);
		from = 2;
	} else if (json_object_is_type(doc, json_type_object) &&
	    !json_object_object_get_ex(doc, "events", &events))
		snprintf(who, sizeof(who), "event 0");
	else
		snprintf(who, sizeof(who), "body");
	jsonscan_path(&r, from, field, sizeof(field));
	/* A raw control character or NaN is not JSON (RFC 8259, 6 and 7);
	 * the rest is JSON the store cannot keep as sent. */
	return fail(p, jsonscan_not_json(f) ? EVENT_ERR_JSON : EVENT_ERR_INVALID,
	    "%s: %s%sthe %s %s", who, field,
	    field[0] ? ": " : "", jsonscan_subject(&r), jsonscan_fault_text(f));
}

static enum event_err
take_ndjson(struct parse *p, const char *body, size_t len)
{
	const char *line = body, *end = body + len, *nl;
	size_t lineno = 0, idx = 0;
	json_object *o;
	enum event_err rc;

	for (; line < end; line = nl + 1) {
		lineno++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		while (line < nl && (*line == ' ' || *line == '\t' || *line == '\r'))
			line++;
		if (line == nl)
			continue;
		if (idx == p->ctx->max_events)
			return fail(p, EVENT_ERR_TOO_MANY, "more than %zu events in one request",
			    p->ctx->max_events);
		if ((rc = parse_json(p, line, (size_t)(nl - line), lineno, &o)) != EVENT_OK)
			return rc;
		if ((rc = scan_text(p, line, (size_t)(nl - line), o, idx)) != EVENT_OK) {
			json_object_put(o);
			return rc;
		}
		rc = take_event(p, idx++, o);
		json_object_put(o);
		if (rc != EVENT_OK)
			return rc;
	}
	if (idx == 0)
		return fail(p, EVENT_ERR_EMPTY, "no events in the request");
	return EVENT_OK;
}

struct event_parser *
event_parser_new(void)
{
	struct event_parser *ep;

	if ((ep = calloc(1, sizeof(*ep))) == NULL)
		return NULL;
	/* No json-c UTF-8 check: the whole body has passed utf8_valid(),
	 * which is stricter, before the tokenizer sees it. */
	if ((ep->tok = rules_tokener_new(0)) == NULL ||
	    (ep->scan = jsonscan_new()) == NULL ||
	    (ep->carrier = json_object_new_array_ext(1)) == NULL ||
	    (ep->str = json_object_new_string("")) == NULL) {
		event_parser_free(ep);
		return NULL;
	}
	return ep;
}

void
event_parser_free(struct event_parser *ep)
{
	if (ep == NULL)
		return;
	if (ep->tok != NULL)
		json_tokener_free(ep->tok);
	jsonscan_free(ep->scan);
	json_object_put(ep->carrier);
	json_object_put(ep->str);
	buf_free(&ep->tail);
	buf_free(&ep->out);		/* batch.buf */
	free(ep->batch.ev);
	free(ep);
}

/*
 * What every event of the request shares: ,"receivedAt":N, and what it
 * ends with, into ep->tail: ,"ua":"...","ip":"..."} and a NUL, ua and ip
 * serialised by json-c.  0 or -1.
 */
static int
shared_parts(struct parse *p, const char *ua)
{
	struct event_parser *ep = p->ep;
	const char *ip = p->ctx->ip, *s;
	size_t len;

	memcpy(p->received, ",\"receivedAt\":", 14);
	p->received_len = 14 + fmt_int64(p->received + 14, p->ctx->received_ms);
	buf_reset(&ep->tail);
	if (ua[0] != '\0') {
		if (json_object_set_string(ep->str, ua) != 1 ||
		    (s = serialise(p, ep->str, &len)) == NULL ||
		    buf_add(&ep->tail, ",\"ua\":", 6) != 0 ||
		    buf_add(&ep->tail, s, len) != 0)
			return -1;
	}
	if (ip != NULL && ip[0] != '\0') {
		if (json_object_set_string(ep->str, ip) != 1 ||
		    (s = serialise(p, ep->str, &len)) == NULL ||
		    buf_add(&ep->tail, ",\"ip\":", 6) != 0 ||
		    buf_add(&ep->tail, s, len) != 0)
			return -1;
	}
	if (buf_add(&ep->tail, "}", 2) != 0)
		return -1;
	ep->tail.len--;		/* the NUL is copied, not counted */
	return 0;
}

/* Point each event at its JSON, now that the buffer has stopped moving. */
static void
finish(struct parse *p)
{
	size_t i, start, end;

	p->b->buf = p->ep->out.p;
	for (i = 0; i < p->b->n; i++) {
		start = p->b->ev[i].json_len;
		end = i + 1 < p->b->n ? p->b->ev[i + 1].json_len : p->ep->out.len;
		p->b->ev[i].json = p->b->buf + start;
		p->b->ev[i].json_len = end - start - 1;		/* less the NUL */
	}
}

/* By id, then by place in the request. */
static int
by_id(const void *a, const void *b)
{
	const struct event_out *x = *(const struct event_out *const *)a;
	const struct event_out *y = *(const struct event_out *const *)b;
	int c = strcmp(x->id, y->id);

	return c != 0 ? c : (x > y) - (x < y);
}

/*
 * An id names one event: two events of the request with the same id
 * are one event sent twice, which the store keeps once, unless what
 * they say differs (then one would be lost without a word).  EVENT_OK,
 * or the error naming the first event in the request whose id an
 * earlier, different event has.  After finish().
 */
static enum event_err
same_ids(struct parse *p)
{
	struct event_batch *b = p->b;
	struct event_out **v, *first, *dup = NULL;
	size_t i, g;

	if (p->client_ids < 2)
		return EVENT_OK;
	if ((v = reallocarray(NULL, b->n, sizeof(*v))) == NULL)
		return fail(p, EVENT_ERR_NOMEM, "out of memory");
	for (i = 0; i < b->n; i++)
		v[i] = &b->ev[i];
	qsort(v, b->n, sizeof(*v), by_id);
	for (g = 0; g < b->n; g = i) {
		first = v[g];
		for (i = g + 1; i < b->n && strcmp(v[i]->id, first->id) == 0; i++)
			if ((v[i]->json_len != first->json_len ||
			    memcmp(v[i]->json, first->json, first->json_len) != 0) &&
			    (dup == NULL || v[i] < dup))
				dup = v[i];
	}
	free(v);
	if (dup == NULL)
		return EVENT_OK;
	for (first = b->ev; strcmp(first->id, dup->id) != 0; first++)
		;
	return fail(p, EVENT_ERR_INVALID,
	    "event %zu: id: \"%s\" is also the id of event %zu, which differs: "
	    "an id names one event", (size_t)(dup - b->ev), dup->id, (size_t)(first - b->ev));
}

enum event_err
event_parser_parse(struct event_parser *ep, const char *body, size_t len,
    enum event_body fmt, const struct event_ctx *ctx,
    const struct event_batch **out, char *err, size_t errlen)
{
	struct parse p;
	json_object *doc;
	enum event_err rc;
	char ua[LIMIT_UA_LEN + 1];
	size_t max = ctx->max_events;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.ep = ep;
	p.ctx = ctx;
	p.err = err;
	p.errlen = errlen;
	p.b = &ep->batch;
	p.b->n = 0;
	/* The last request's JSON is done with; a large buffer goes. */
	p.b->buf = NULL;
	if (ep->out.cap > KEEP_BYTES)
		buf_free(&ep->out);
	else
		buf_reset(&ep->out);
	if (max == 0 || max > LIMIT_EVENTS)
		return fail(&p, EVENT_ERR_NOMEM, "max_events out of range");
	/* RFC 8259 allows no raw control character, NUL least of all; json-c
	 * is lenient about them, so refuse NUL here before it reaches C
	 * strings. */
	if (memchr(body, '\0', len) != NULL)
		return fail(&p, EVENT_ERR_JSON, "body: malformed JSON: holds a NUL byte");
	/* json-c's own check lets overlong forms and surrogates through. */
	if (!utf8_valid(body, len))
		return fail(&p, EVENT_ERR_JSON, "body: malformed JSON: not valid UTF-8");
	ua[0] = '\0';
	if (ctx->user_agent != NULL)
		utf8_sanitize(ua, sizeof(ua), ctx->user_agent, LIMIT_UA_LEN);
	if (shared_parts(&p, ua) != 0)
		return fail(&p, EVENT_ERR_NOMEM, "out of memory");
	if (fmt == EVENT_BODY_NDJSON)
		rc = take_ndjson(&p, body, len);
	else if ((rc = parse_json(&p, body, len, 0, &doc)) == EVENT_OK) {
		if ((rc = scan_text(&p, body, len, doc, (size_t)-1)) == EVENT_OK)
			rc = take_document(&p, doc);
		json_object_put(doc);
	}
	/* Let go of the last value serialised. */
	(void)json_object_array_put_idx(ep->carrier, 0, NULL);
	if (rc != EVENT_OK) {
		p.b->n = 0;
		return rc;
	}
	finish(&p);
	if ((rc = same_ids(&p)) != EVENT_OK) {
		p.b->n = 0;
		return rc;
	}
	*out = p.b;
	return EVENT_OK;
}

enum event_err
event_batch_parse(const char *body, size_t len, enum event_body fmt,
    const struct event_ctx *ctx, struct event_batch **out, char *err,
    size_t errlen)
{
	struct event_parser *ep;
	const struct event_batch *kept;
	enum event_err rc;

	*out = NULL;
	if ((ep = event_parser_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return EVENT_ERR_NOMEM;
	}
	rc = event_parser_parse(ep, body, len, fmt, ctx, &kept, err, errlen);
	if (rc == EVENT_OK) {
		/* The caller's now: take it from the parser. */
		if ((*out = malloc(sizeof(**out))) == NULL) {
			snprintf(err, errlen, "out of memory");
			rc = EVENT_ERR_NOMEM;
		} else {
			**out = ep->batch;
			memset(&ep->batch, 0, sizeof(ep->batch));
			memset(&ep->out, 0, sizeof(ep->out));	/* batch.buf */
		}
	}
	event_parser_free(ep);
	return rc;
}
