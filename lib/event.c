#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "event.h"
#include "timeutil.h"
#include "utf8.h"
#include "uuid7.h"

/* What the parser works with while it walks one request. */
struct parse {
	const struct event_ctx	*ctx;
	int64_t			 sent_at;	/* -1: no sentAt */
	char			 ua[LIMIT_UA_LEN + 1];
	char			*err;
	size_t			 errlen;
	struct event_batch	*b;
	size_t			 cap;		/* room in b->ev */
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
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		free(b->ev[i].json);
	free(b->ev);
	free(b);
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
 * A time given by a client: an RFC 3339 string or a number of ms since
 * the epoch (fractions dropped).  0, or -1 with why set.
 */
static int
client_time(json_object *o, int64_t *ms, const char **why)
{
	const char *s;
	size_t len;
	double d;

	switch (json_object_get_type(o)) {
	case json_type_string:
		s = str_of(o, &len);
		if (time_parse_rfc3339(s, len, ms) != 0) {
			*why = "not an RFC 3339 date-time";
			return -1;
		}
		return 0;
	case json_type_int:
		if (json_object_get_int64(o) < 0 ||
		    json_object_get_uint64(o) > (uint64_t)TIME_MS_MAX) {
			*why = "out of range";
			return -1;
		}
		*ms = json_object_get_int64(o);
		return 0;
	case json_type_double:
		d = json_object_get_double(o);
		if (!isfinite(d) || d < 0 || d > (double)TIME_MS_MAX) {
			*why = "out of range";
			return -1;
		}
		*ms = (int64_t)d;
		return 0;
	default:
		*why = "must be an RFC 3339 string or epoch milliseconds";
		return -1;
	}
}

/* Check a metadata value: depth, keys, numbers, strings.  0 or -1. */
static int
check_meta(struct parse *p, size_t idx, json_object *o, int depth)
{
	size_t len, i, n;
	const char *s;
	int64_t v;

	switch (json_object_get_type(o)) {
	case json_type_object:
	case json_type_array:
		if (depth > LIMIT_METADATA_DEPTH) {
			fail(p, EVENT_ERR_INVALID, "event %zu: metadata: nested deeper than %d levels",
			    idx, LIMIT_METADATA_DEPTH);
			return -1;
		}
		if (json_object_is_type(o, json_type_array)) {
			n = json_object_array_length(o);
			for (i = 0; i < n; i++) {
				json_object *el = json_object_array_get_idx(o, i);
				/* MongoDB stores [[1]], FerretDB 1.x refuses it: refuse
				 * it here, so that a 202 is storable on both. */
				if (json_object_is_type(el, json_type_array)) {
					fail(p, EVENT_ERR_INVALID,
					    "event %zu: metadata: an array inside an array is not supported (wrap it in an object)",
					    idx);
					return -1;
				}
				if (check_meta(p, idx, el, depth + 1) != 0)
					return -1;
			}
			return 0;
		}
		{
			json_object_object_foreach(o, key, val) {
				if (!event_key_valid(key, strlen(key))) {
					char clip[40];
					snprintf(clip, sizeof(clip), "%s", key);
					fail(p, EVENT_ERR_INVALID,
					    "event %zu: metadata: key \"%s\" must be 1-%d bytes, not start with '$' nor contain '.'",
					    idx, clip, LIMIT_METADATA_KEY_LEN);
					return -1;
				}
				if (check_meta(p, idx, val, depth + 1) != 0)
					return -1;
			}
		}
		return 0;
	case json_type_string:
		s = str_of(o, &len);
		if (memchr(s, '\0', len) != NULL) {
			fail(p, EVENT_ERR_INVALID, "event %zu: metadata: a string holds a NUL character", idx);
			return -1;
		}
		return 0;
	case json_type_int:
		/* json-c clamps integers it cannot hold; BSON has no unsigned
		 * 64-bit type.  Refuse both ends rather than store a lie. */
		v = json_object_get_int64(o);
		if (v == INT64_MIN || (v == INT64_MAX &&
		    json_object_get_uint64(o) > (uint64_t)INT64_MAX)) {
			fail(p, EVENT_ERR_INVALID, "event %zu: metadata: integer out of range", idx);
			return -1;
		}
		return 0;
	case json_type_double:
		if (!isfinite(json_object_get_double(o))) {
			fail(p, EVENT_ERR_INVALID, "event %zu: metadata: number out of range", idx);
			return -1;
		}
		return 0;
	default:
		return 0;
	}
}

/* Add page.* to the output event, checked. */
static enum event_err
take_page(struct parse *p, size_t idx, json_object *page, json_object *out)
{
	static const struct { const char *name; size_t max; } fields[] = {
		{ "url", LIMIT_PAGE_URL_LEN },
		{ "path", LIMIT_PAGE_PATH_LEN },
		{ "referrer", LIMIT_PAGE_REFERRER_LEN },
		{ "title", LIMIT_PAGE_TITLE_LEN },
	};
	json_object *po;
	size_t i, len;
	const char *s;

	if (json_object_is_type(page, json_type_null))
		return EVENT_OK;
	if (!json_object_is_type(page, json_type_object))
		return fail(p, EVENT_ERR_INVALID, "event %zu: page: must be an object", idx);
	if ((po = json_object_new_object()) == NULL)
		return fail(p, EVENT_ERR_NOMEM, "out of memory");
	json_object_object_add(out, "page", po);
	json_object_object_foreach(page, key, val) {
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcmp(key, fields[i].name) == 0)
				break;
		if (i == sizeof(fields) / sizeof(fields[0]))
			return fail(p, EVENT_ERR_INVALID,
			    "event %zu: page: unknown field (allowed: url, path, referrer, title)", idx);
		if (json_object_is_type(val, json_type_null))
			continue;
		if ((s = str_of(val, &len)) == NULL)
			return fail(p, EVENT_ERR_INVALID, "event %zu: page.%s: must be a string",
			    idx, fields[i].name);
		if (len > fields[i].max)
			return fail(p, EVENT_ERR_INVALID, "event %zu: page.%s: longer than %zu bytes",
			    idx, fields[i].name, fields[i].max);
		if (memchr(s, '\0', len) != NULL)
			return fail(p, EVENT_ERR_INVALID, "event %zu: page.%s: holds a NUL character",
			    idx, fields[i].name);
		json_object_object_add(po, fields[i].name, json_object_get(val));
	}
	return EVENT_OK;
}

/* Validate event number idx and append its enriched form to the batch. */
static enum event_err
take_event(struct parse *p, size_t idx, json_object *ev)
{
	json_object *type = NULL, *meta = NULL, *id = NULL, *ts = NULL, *page = NULL;
	json_object *out = NULL;
	struct event_out *eo;
	const char *s, *why, *json;
	size_t len;
	int64_t t, created, client = -1;
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
			char clip[40];
			snprintf(clip, sizeof(clip), "%s", key);
			return fail(p, EVENT_ERR_INVALID,
			    "event %zu: unknown field \"%s\" (allowed: type, metadata, id, ts, page)",
			    idx, clip);
		}
	}
	if (type == NULL)
		return fail(p, EVENT_ERR_INVALID, "event %zu: type: missing", idx);
	if ((s = str_of(type, &len)) == NULL || !event_type_valid(s, len))
		return fail(p, EVENT_ERR_INVALID,
		    "event %zu: type: must be a string of 1-%d characters of [A-Za-z0-9_.:-]",
		    idx, LIMIT_TYPE_LEN);

	if (p->b->n == p->cap) {
		/* Room for this one and as many again: an array reserves its
		 * length up front, so only NDJSON bodies grow here. */
		size_t cap = p->cap ? p->cap * 2 : 1;
		struct event_out *nev;

		if (cap > p->ctx->max_events)
			cap = p->ctx->max_events;
		if ((nev = reallocarray(p->b->ev, cap, sizeof(*nev))) == NULL)
			return fail(p, EVENT_ERR_NOMEM, "out of memory");
		p->b->ev = nev;
		p->cap = cap;
	}
	eo = &p->b->ev[p->b->n];
	eo->json = NULL;
	if (id != NULL && !json_object_is_type(id, json_type_null)) {
		if ((s = str_of(id, &len)) == NULL || !event_id_valid(s, len))
			return fail(p, EVENT_ERR_INVALID,
			    "event %zu: id: must be a string of 1-%d printable ASCII characters",
			    idx, LIMIT_ID_LEN);
		memcpy(eo->id, s, len);
		eo->id[len] = '\0';
	} else if (uuid7_make(p->ctx->received_ms, eo->id) != 0)
		return fail(p, EVENT_ERR_NOMEM, "no randomness for an event id");

	if (meta != NULL && json_object_is_type(meta, json_type_null))
		meta = NULL;
	if (meta != NULL) {
		if (!json_object_is_type(meta, json_type_object))
			return fail(p, EVENT_ERR_INVALID, "event %zu: metadata: must be an object", idx);
		if (check_meta(p, idx, meta, 1) != 0)
			return EVENT_ERR_INVALID;
		json_object_to_json_string_length(meta, JSON_C_TO_STRING_PLAIN, &len);
		if (len > LIMIT_METADATA_BYTES)
			return fail(p, EVENT_ERR_INVALID,
			    "event %zu: metadata: %zu bytes serialized, at most %d",
			    idx, len, LIMIT_METADATA_BYTES);
	}

	/* createdAt, with clock-skew correction.  With
	 * sentAt the client's clock error cancels out: the event happened
	 * (sentAt - ts) before the batch left, so receivedAt minus that. */
	created = p->ctx->received_ms;
	if (ts != NULL && !json_object_is_type(ts, json_type_null)) {
		if (client_time(ts, &t, &why) != 0)
			return fail(p, EVENT_ERR_INVALID, "event %zu: ts: %s", idx, why);
		created = p->sent_at >= 0 ? p->ctx->received_ms - (p->sent_at - t) : t;
		if (created > p->ctx->received_ms + LIMIT_CLOCK_SKEW_MS ||
		    created < p->ctx->received_ms - LIMIT_CLOCK_SKEW_MS) {
			created = p->ctx->received_ms;
			client = t;
		}
	}

	if ((out = json_object_new_object()) == NULL)
		return fail(p, EVENT_ERR_NOMEM, "out of memory");
	json_object_object_add(out, "id", json_object_new_string(eo->id));
	json_object_object_add(out, "type", json_object_get(type));
	if (meta != NULL)
		json_object_object_add(out, "metadata", json_object_get(meta));
	json_object_object_add(out, "createdAt", json_object_new_int64(created));
	json_object_object_add(out, "receivedAt", json_object_new_int64(p->ctx->received_ms));
	if (client >= 0)
		json_object_object_add(out, "clientTs", json_object_new_int64(client));
	if (page != NULL && (rc = take_page(p, idx, page, out)) != EVENT_OK)
		goto err;
	if (p->ua[0] != '\0')
		json_object_object_add(out, "ua", json_object_new_string(p->ua));
	if (p->ctx->ip != NULL && p->ctx->ip[0] != '\0')
		json_object_object_add(out, "ip", json_object_new_string(p->ctx->ip));

	json = json_object_to_json_string_length(out,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (json == NULL || (eo->json = malloc(len + 1)) == NULL) {
		rc = fail(p, EVENT_ERR_NOMEM, "out of memory");
		goto err;
	}
	memcpy(eo->json, json, len + 1);
	eo->json_len = len;
	p->b->n++;
	json_object_put(out);
	return EVENT_OK;
err:
	json_object_put(out);
	return rc;
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
	if ((p->b->ev = calloc(n, sizeof(*p->b->ev))) == NULL)
		return fail(p, EVENT_ERR_NOMEM, "out of memory");
	p->cap = n;
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
	const char *why;

	if (json_object_is_type(doc, json_type_array))
		return take_array(p, doc);
	if (!json_object_is_type(doc, json_type_object))
		return fail(p, EVENT_ERR_INVALID,
		    "body: must be an event object, an array of events, or {\"events\": [...]}");
	if (!json_object_object_get_ex(doc, "events", &events))
		return take_event(p, 0, doc);
	json_object_object_foreach(doc, key, val) {
		if (strcmp(key, "sentAt") == 0)
			sent = val;
		else if (strcmp(key, "events") != 0)
			return fail(p, EVENT_ERR_INVALID,
			    "body: unknown field beside \"events\" (allowed: sentAt)");
	}
	if (!json_object_is_type(events, json_type_array))
		return fail(p, EVENT_ERR_INVALID, "body: events: must be an array");
	if (sent != NULL && !json_object_is_type(sent, json_type_null) &&
	    client_time(sent, &p->sent_at, &why) != 0)
		return fail(p, EVENT_ERR_INVALID, "body: sentAt: %s", why);
	return take_array(p, events);
}

/*
 * Parse one JSON text that must fill s[0..len) but for white space.
 * EVENT_OK with the value in *out (NULL for JSON null), or the error.
 */
static enum event_err
parse_json(struct parse *p, const char *s, size_t len, const char *what,
    json_object **out)
{
	json_tokener *tok;
	json_object *o;
	enum json_tokener_error jerr;
	size_t off, i;

	*out = NULL;
	if (len > (size_t)INT32_MAX ||
	    (tok = json_tokener_new_ex(LIMIT_JSON_DEPTH)) == NULL) {
		return fail(p, EVENT_ERR_NOMEM, "out of memory");
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
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
	json_tokener_free(tok);
	if (jerr != json_tokener_success) {
		if (jerr == json_tokener_continue || off >= len)
			fail(p, EVENT_ERR_JSON, "%s: malformed JSON: unexpected end of input", what);
		else
			fail(p, EVENT_ERR_JSON, "%s: malformed JSON at byte %zu: %s",
			    what, off, json_tokener_error_desc(jerr));
		json_object_put(o);
		return EVENT_ERR_JSON;
	}
	for (i = off; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
			fail(p, EVENT_ERR_JSON,
			    "%s: malformed JSON: unexpected data at byte %zu after the value (for one event a line, send application/x-ndjson)",
			    what, i);
			json_object_put(o);
			return EVENT_ERR_JSON;
		}
	*out = o;
	return EVENT_OK;
}

static enum event_err
take_ndjson(struct parse *p, const char *body, size_t len)
{
	const char *line = body, *end = body + len, *nl;
	char what[48];
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
		snprintf(what, sizeof(what), "line %zu", lineno);
		if ((rc = parse_json(p, line, (size_t)(nl - line), what, &o)) != EVENT_OK)
			return rc;
		rc = take_event(p, idx++, o);
		json_object_put(o);
		if (rc != EVENT_OK)
			return rc;
	}
	if (idx == 0)
		return fail(p, EVENT_ERR_EMPTY, "no events in the request");
	return EVENT_OK;
}

enum event_err
event_batch_parse(const char *body, size_t len, enum event_body fmt,
    const struct event_ctx *ctx, struct event_batch **out, char *err,
    size_t errlen)
{
	struct parse p;
	json_object *doc;
	enum event_err rc;
	size_t max = ctx->max_events;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.ctx = ctx;
	p.sent_at = -1;
	p.err = err;
	p.errlen = errlen;
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
	if (ctx->user_agent != NULL)
		utf8_sanitize(p.ua, sizeof(p.ua), ctx->user_agent, LIMIT_UA_LEN);
	if ((p.b = calloc(1, sizeof(*p.b))) == NULL)
		return fail(&p, EVENT_ERR_NOMEM, "out of memory");
	if (fmt == EVENT_BODY_NDJSON)
		rc = take_ndjson(&p, body, len);
	else if ((rc = parse_json(&p, body, len, "body", &doc)) == EVENT_OK) {
		rc = take_document(&p, doc);
		json_object_put(doc);
	}
	if (rc != EVENT_OK) {
		event_batch_free(p.b);
		return rc;
	}
	*out = p.b;
	return EVENT_OK;
}
