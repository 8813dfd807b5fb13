#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "event.h"
#include "jsonscan.h"
#include "bounds.h"
#include "rules.h"
#include "storedoc.h"
#include "timeutil.h"

static int
fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A string value's bytes and length, or NULL if o is not a string or
 * not one rules_string() allows (BSON strings may hold a NUL, but
 * nothing downstream expects one). */
static const char *
str_of(json_object *o, size_t *len)
{
	const char *s;

	if (!json_object_is_type(o, json_type_string))
		return NULL;
	s = json_object_get_string(o);
	*len = (size_t)json_object_get_string_len(o);
	if (!rules_string(s, *len))
		return NULL;
	return s;
}

/* A bounded string field: 0, or -1 with err set. */
static int
take_str(json_object *o, const char *name, size_t max, const char **s,
    size_t *len, char *err, size_t errlen)
{
	if ((*s = str_of(o, len)) == NULL)
		return fail(err, errlen, "%s: must be a string of UTF-8 without NUL characters", name);
	if (*len > max)
		return fail(err, errlen, "%s: longer than %zu bytes", name, max);
	return 0;
}

/* A time field: whole ms, within the range rules.h gives it (client: a
 * client's time, else the server's). */
static int
take_time(json_object *o, const char *name, int client, int64_t *ms, char *err,
    size_t errlen)
{
	if (!json_object_is_type(o, json_type_int))
		return fail(err, errlen, "%s: must be an integer (ms since the epoch)", name);
	*ms = json_object_get_int64(o);
	if (!(client ? rules_client_time(*ms) : rules_server_time(*ms)) ||
	    (*ms == INT64_MAX && json_object_get_uint64(o) > (uint64_t)INT64_MAX))
		return fail(err, errlen, "%s: out of range", name);
	return 0;
}

static int append_value(bson_t *b, const char *key, size_t keylen,
    json_object *v, int depth, char *err, size_t errlen);

/* Append the members of object o to b (which is a document). */
static int
append_members(bson_t *b, json_object *o, int depth, char *err, size_t errlen)
{
	size_t len;

	json_object_object_foreach(o, key, val) {
		len = strlen(key);
		/* Checked by rules_metadata(); kept as the last word before
		 * a key reaches BSON. */
		if (!event_key_valid(key, len))
			return fail(err, errlen, "metadata: key \"%.*s\" not allowed",
			    LIMIT_QUOTE_LEN, key);
		if (append_value(b, key, len, val, depth, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* Append one metadata value under key; depth is the nesting of the
 * container being filled (the metadata object is 1). */
static int
append_value(bson_t *b, const char *key, size_t keylen, json_object *v,
    int depth, char *err, size_t errlen)
{
	bson_t child;
	const char *s, *ik;
	char ibuf[16];
	size_t i, n, len;
	int64_t iv;
	double d;
	int ok;

	switch (json_object_get_type(v)) {
	case json_type_null:
		ok = bson_append_null(b, key, (int)keylen);
		break;
	case json_type_boolean:
		ok = bson_append_bool(b, key, (int)keylen, json_object_get_boolean(v));
		break;
	case json_type_int:
		/* json-c clamps what it cannot hold to INT64_MIN / INT64_MAX,
		 * and BSON has no unsigned 64-bit type: refuse, do not lie. */
		iv = json_object_get_int64(v);
		if (iv == INT64_MIN || (iv == INT64_MAX &&
		    json_object_get_uint64(v) > (uint64_t)INT64_MAX))
			return fail(err, errlen, "metadata: integer out of range");
		if (iv >= INT32_MIN && iv <= INT32_MAX)
			ok = bson_append_int32(b, key, (int)keylen, (int32_t)iv);
		else
			ok = bson_append_int64(b, key, (int)keylen, iv);
		break;
	case json_type_double:
		d = json_object_get_double(v);
		if (!isfinite(d))
			return fail(err, errlen, "metadata: number out of range");
		ok = bson_append_double(b, key, (int)keylen, d);
		break;
	case json_type_string:
		if ((s = str_of(v, &len)) == NULL)
			return fail(err, errlen, "metadata: a string holds a NUL character");
		ok = bson_append_utf8(b, key, (int)keylen, s, (int)len);
		break;
	case json_type_object:
		if (depth >= LIMIT_METADATA_DEPTH)
			return fail(err, errlen, "metadata: nested deeper than %d levels",
			    LIMIT_METADATA_DEPTH);
		if (!bson_append_document_begin(b, key, (int)keylen, &child))
			return fail(err, errlen, "metadata: document too large");
		if (append_members(&child, v, depth + 1, err, errlen) != 0) {
			bson_append_document_end(b, &child);
			return -1;
		}
		ok = bson_append_document_end(b, &child);
		break;
	case json_type_array:
		if (depth >= LIMIT_METADATA_DEPTH)
			return fail(err, errlen, "metadata: nested deeper than %d levels",
			    LIMIT_METADATA_DEPTH);
		if (!bson_append_array_begin(b, key, (int)keylen, &child))
			return fail(err, errlen, "metadata: document too large");
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			len = bson_uint32_to_string((uint32_t)i, &ik, ibuf, sizeof(ibuf));
			if (append_value(&child, ik, len, json_object_array_get_idx(v, i),
			    depth + 1, err, errlen) != 0) {
				bson_append_array_end(b, &child);
				return -1;
			}
		}
		ok = bson_append_array_end(b, &child);
		break;
	default:
		return fail(err, errlen, "metadata: unexpected JSON value");
	}
	return ok ? 0 : fail(err, errlen, "metadata: document too large");
}

/* The page object: url, path, referrer, title, each a bounded string
 * (rules_page); null members are not stored. */
static int
append_page(bson_t *doc, json_object *page, char *err, size_t errlen)
{
	bson_t child;
	size_t nulls;

	if (rules_page(page, &nulls, err, errlen) != 0)
		return -1;
	bson_append_document_begin(doc, "page", 4, &child);
	json_object_object_foreach(page, key, val)
		if (!json_object_is_type(val, json_type_null))
			bson_append_utf8(&child, key, -1, json_object_get_string(val),
			    json_object_get_string_len(val));
	bson_append_document_end(doc, &child);
	return 0;
}

/* The fields of one queued event, borrowed from the parsed JSON. */
struct qevent {
	json_object	*id, *type, *metadata, *created, *received, *client;
	json_object	*page, *ua, *ip;
};

static int
split(json_object *root, struct qevent *q, char *err, size_t errlen)
{
	static const struct { const char *name; size_t off; } names[] = {
		{ "id", offsetof(struct qevent, id) },
		{ "type", offsetof(struct qevent, type) },
		{ "metadata", offsetof(struct qevent, metadata) },
		{ "createdAt", offsetof(struct qevent, created) },
		{ "receivedAt", offsetof(struct qevent, received) },
		{ "clientTs", offsetof(struct qevent, client) },
		{ "page", offsetof(struct qevent, page) },
		{ "ua", offsetof(struct qevent, ua) },
		{ "ip", offsetof(struct qevent, ip) },
	};
	size_t i;

	memset(q, 0, sizeof(*q));
	if (!json_object_is_type(root, json_type_object))
		return fail(err, errlen, "not a JSON object");
	json_object_object_foreach(root, key, val) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(key, names[i].name) == 0)
				break;
		/* A field this program does not know would be dropped
		 * silently; refuse it so it shows in the dead letters. */
		if (i == sizeof(names) / sizeof(names[0]))
			return fail(err, errlen, "unknown field \"%.*s\"", LIMIT_QUOTE_LEN,
			    key);
		if (json_object_is_type(val, json_type_null))
			continue;
		*(json_object **)(void *)((char *)q + names[i].off) = val;
	}
	return 0;
}

static int
build(bson_t *doc, const struct qevent *q, char *err, size_t errlen)
{
	const char *s;
	size_t len;
	long adjust;
	int64_t created, received, client = 0;

	if (q->id == NULL)
		return fail(err, errlen, "id: missing");
	if ((s = str_of(q->id, &len)) == NULL || !event_id_valid(s, len))
		return fail(err, errlen, "id: must be a string of 1-%d printable ASCII characters",
		    LIMIT_ID_LEN);
	bson_append_utf8(doc, "_id", 3, s, (int)len);

	if (q->type == NULL)
		return fail(err, errlen, "type: missing");
	if ((s = str_of(q->type, &len)) == NULL || !event_type_valid(s, len))
		return fail(err, errlen, "type: must be 1-%d characters of [A-Za-z0-9_.:-]",
		    LIMIT_TYPE_LEN);
	bson_append_utf8(doc, "type", 4, s, (int)len);

	if (q->metadata != NULL) {
		if (rules_metadata(q->metadata, &adjust, err, errlen) != 0 ||
		    (s = json_object_to_json_string_length(q->metadata, RULES_JSON_FLAGS,
		    &len)) == NULL || rules_metadata_size(len, adjust, err, errlen) != 0 ||
		    append_value(doc, "metadata", 8, q->metadata, 0, err, errlen) != 0)
			return -1;
	}

	if (q->created == NULL)
		return fail(err, errlen, "createdAt: missing");
	if (take_time(q->created, "createdAt", 0, &created, err, errlen) != 0)
		return -1;
	if (q->received == NULL)
		return fail(err, errlen, "receivedAt: missing");
	if (take_time(q->received, "receivedAt", 0, &received, err, errlen) != 0)
		return -1;
	if (q->client != NULL &&
	    take_time(q->client, "clientTs", 1, &client, err, errlen) != 0)
		return -1;
	bson_append_date_time(doc, "createdAt", 9, created);
	bson_append_date_time(doc, "receivedAt", 10, received);
	if (q->client != NULL)
		bson_append_date_time(doc, "clientTs", 8, client);

	if (q->page != NULL && append_page(doc, q->page, err, errlen) != 0)
		return -1;
	if (q->ua != NULL) {
		if (take_str(q->ua, "ua", LIMIT_UA_LEN, &s, &len, err, errlen) != 0)
			return -1;
		bson_append_utf8(doc, "ua", 2, s, (int)len);
	}
	if (q->ip != NULL) {
		if (take_str(q->ip, "ip", RULES_IP_LEN, &s, &len, err, errlen) != 0)
			return -1;
		bson_append_utf8(doc, "ip", 2, s, (int)len);
	}
	return 0;
}

int
storedoc_from_json(const char *json, size_t len, bson_t *doc, char *err,
    size_t errlen)
{
	json_tokener *tok;
	json_object *root = NULL;
	struct jsonscan *scan = NULL;
	struct jsonscan_result r;
	enum jsonscan_fault f;
	char where[200];
	struct qevent q;
	enum json_tokener_error je;
	size_t end;
	int rc = -1;

	if (len > LIMIT_ENTRY_BYTES)
		return fail(err, errlen, "event JSON of %zu bytes, at most %d",
		    len, LIMIT_ENTRY_BYTES);
	if (memchr(json, '\0', len) != NULL)
		return fail(err, errlen, "event JSON holds a NUL byte");
	if ((tok = rules_tokener_new(1)) == NULL)
		return fail(err, errlen, "out of memory");
	root = json_tokener_parse_ex(tok, json, (int)len);
	je = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (je != json_tokener_success || root == NULL) {
		fail(err, errlen, "invalid JSON at byte %zu: %s", end,
		    je == json_tokener_continue ? "unexpected end" :
		    json_tokener_error_desc(je));
		goto out;
	}
	for (; end < len; end++)
		if (strchr(" \t\r\n", json[end]) == NULL) {
			fail(err, errlen, "invalid JSON: trailing data at byte %zu", end);
			goto out;
		}
	/* What json-c hides: a NUL or lone surrogate in a key or string,
	 * a key given twice (jsonscan.h). */
	if ((scan = jsonscan_new()) == NULL) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	if ((f = jsonscan_text(scan, json, len, &r)) != JSONSCAN_OK) {
		jsonscan_path(&r, 0, where, sizeof(where));
		fail(err, errlen, "%s%sthe %s %s", where, where[0] ? ": " : "",
		    jsonscan_subject(&r), jsonscan_fault_text(f));
		goto out;
	}
	if (split(root, &q, err, errlen) != 0 || build(doc, &q, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		bson_reinit(doc);
	json_object_put(root);
	json_tokener_free(tok);
	jsonscan_free(scan);
	return rc;
}
