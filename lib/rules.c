#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "bounds.h"
#include "jsnumber.h"
#include "rules.h"
#include "timeutil.h"
#include "utf8.h"

static int
fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

int
rules_string(const char *s, size_t len)
{
	return memchr(s, '\0', len) == NULL && utf8_valid(s, len);
}

/* Append s[0..n) to out (outlen bytes, NUL-ended) at *at, cut as
 * snprintf would cut it.  The paths are built for every value, and this
 * is a tenth of what snprintf costs. */
static void
path_add(char *out, size_t outlen, size_t *at, const char *s, size_t n)
{
	if (*at + 1 >= outlen)
		return;
	if (n > outlen - 1 - *at)
		n = outlen - 1 - *at;
	memcpy(out + *at, s, n);
	*at += n;
	out[*at] = '\0';
}

/* The path to a member: path + "." + key (cut). */
static void
path_key(char *out, size_t outlen, const char *path, const char *key, size_t keylen)
{
	size_t n = utf8_cut(key, keylen, LIMIT_QUOTE_LEN), at = 0;

	out[0] = '\0';
	path_add(out, outlen, &at, path, strlen(path));
	path_add(out, outlen, &at, ".", 1);
	path_add(out, outlen, &at, key, n);
	if (n < keylen)
		path_add(out, outlen, &at, "...", 3);
}

/* The path to an element: path + "[i]". */
static void
path_index(char *out, size_t outlen, const char *path, size_t i)
{
	char num[24];
	size_t n = sizeof(num), at = 0;

	do {
		num[--n] = (char)('0' + i % 10);
		i /= 10;
	} while (i != 0);
	out[0] = '\0';
	path_add(out, outlen, &at, path, strlen(path));
	path_add(out, outlen, &at, "[", 1);
	path_add(out, outlen, &at, num + n, sizeof(num) - n);
	path_add(out, outlen, &at, "]", 1);
}

/* 1 if the number written as s has a digit other than 0 before its
 * exponent: a number that is not 0, whatever json-c made of it. */
static int
nonzero_text(const char *s)
{
	for (; s != NULL && *s != '\0' && *s != 'e' && *s != 'E'; s++)
		if (*s >= '1' && *s <= '9')
			return 1;
	return 0;
}

/* d, parsed by json-c from text, is the number the text says. */
static int
holds(double d, const char *text)
{
	return isfinite(d) && !(d == 0 && nonzero_text(text));
}

int
rules_double_holds(json_object *o)
{
	return holds(json_object_get_double(o), json_object_get_string(o));
}

/* Largest magnitude below which every integer is a binary64 one, 2^53:
 * ECMAScript writes those as their digits, as json-c does. */
#define EXACT_INTEGER	9007199254740992LL

/*
 * What ECMAScript's writing of d adds to json-c's, written bytes long:
 * json-c writes a double as the client wrote it ("1.0", "1E2", "-0.0")
 * and an integer in all its digits; JSON.stringify as Number::toString
 * ("1", "100", "0"; 99999999999999999 is 100000000000000000).
 */
static long
js_adjust(double d, size_t written)
{
	return (long)jsnumber_len(d) - (long)written;
}

static int
check_value(json_object *o, const char *path, int depth, long *adjust, char *why, size_t whylen)
{
	char sub[160];
	const char *s;
	size_t i, n, len;
	int64_t v;

	switch (json_object_get_type(o)) {
	case json_type_object:
	case json_type_array:
		if (depth > LIMIT_METADATA_DEPTH)
			return fail(why, whylen, "%s: nested deeper than %d levels", path,
			    LIMIT_METADATA_DEPTH);
		if (json_object_is_type(o, json_type_array)) {
			n = json_object_array_length(o);
			for (i = 0; i < n; i++) {
				json_object *el = json_object_array_get_idx(o, i);
				path_index(sub, sizeof(sub), path, i);
				/* MongoDB stores [[1]], FerretDB 1.x refuses it:
				 * refuse it on both, so a 202 is storable. */
				if (json_object_is_type(el, json_type_array))
					return fail(why, whylen,
					    "%s: an array inside an array is not supported (wrap it in an object)",
					    sub);
				if (check_value(el, sub, depth + 1, adjust, why, whylen) != 0)
					return -1;
			}
			return 0;
		}
		{
			json_object_object_foreach(o, key, val) {
				len = strlen(key);
				if (!event_key_valid(key, len) || !rules_string(key, len))
					return fail(why, whylen,
					    "%s: key \"%.*s\" must be 1-%d bytes of UTF-8, not start with '$' nor contain '.'",
					    path, (int)utf8_cut(key, len, LIMIT_QUOTE_LEN), key, LIMIT_METADATA_KEY_LEN);
				path_key(sub, sizeof(sub), path, key, len);
				if (check_value(val, sub, depth + 1, adjust, why, whylen) != 0)
					return -1;
			}
		}
		return 0;
	case json_type_string:
		s = json_object_get_string(o);
		len = (size_t)json_object_get_string_len(o);
		if (memchr(s, '\0', len) != NULL)
			return fail(why, whylen, "%s: a string holds a NUL character", path);
		if (!utf8_valid(s, len))
			return fail(why, whylen, "%s: a string is not valid UTF-8", path);
		return 0;
	case json_type_int:
		/* json-c clamps integers it cannot hold; BSON has no unsigned
		 * 64-bit type.  Refuse both ends rather than store a lie. */
		v = json_object_get_int64(o);
		if (v == INT64_MIN || (v == INT64_MAX &&
		    json_object_get_uint64(o) > (uint64_t)INT64_MAX))
			return fail(why, whylen, "%s: integer out of range", path);
		if (v > EXACT_INTEGER || v < -EXACT_INTEGER)
			*adjust += js_adjust((double)v, strlen(json_object_get_string(o)));
		return 0;
	case json_type_double:
		/* Past a 64-bit float's range json-c makes infinity, and
		 * below it 0 (1e-400): refuse both rather than store a
		 * number other than was sent. */
		/* The text json-c keeps, serialised once for both. */
		s = json_object_get_string(o);
		if (!holds(json_object_get_double(o), s))
			return fail(why, whylen, "%s: number out of range", path);
		*adjust += js_adjust(json_object_get_double(o), strlen(s));
		return 0;
	default:
		return 0;
	}
}

int
rules_metadata(json_object *meta, long *adjust, char *why, size_t whylen)
{
	*adjust = 0;
	if (!json_object_is_type(meta, json_type_object))
		return fail(why, whylen, "metadata: must be an object");
	return check_value(meta, "metadata", 1, adjust, why, whylen);
}

int
rules_metadata_size(size_t bytes, long adjust, char *why, size_t whylen)
{
	size_t size = adjust < 0 && (size_t)-adjust > bytes ? 0 : bytes + (size_t)adjust;

	if (size <= LIMIT_METADATA_BYTES)
		return 0;
	return fail(why, whylen, "metadata: %zu bytes as JSON.stringify writes it, at most %d",
	    size, LIMIT_METADATA_BYTES);
}

int
rules_page(json_object *page, size_t *nulls, char *why, size_t whylen)
{
	static const struct { const char *name; size_t max; } fields[] = {
		{ "url", LIMIT_PAGE_URL_LEN },
		{ "path", LIMIT_PAGE_PATH_LEN },
		{ "referrer", LIMIT_PAGE_REFERRER_LEN },
		{ "title", LIMIT_PAGE_TITLE_LEN },
	};
	const char *s;
	size_t i, len;

	*nulls = 0;
	if (!json_object_is_type(page, json_type_object))
		return fail(why, whylen, "page: must be an object");
	json_object_object_foreach(page, key, val) {
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcmp(key, fields[i].name) == 0)
				break;
		if (i == sizeof(fields) / sizeof(fields[0]))
			return fail(why, whylen,
			    "page: unknown field \"%.*s\" (allowed: url, path, referrer, title)",
			    (int)utf8_cut(key, strlen(key), LIMIT_QUOTE_LEN), key);
		if (json_object_is_type(val, json_type_null)) {
			(*nulls)++;
			continue;
		}
		if (!json_object_is_type(val, json_type_string))
			return fail(why, whylen, "page.%s: must be a string", fields[i].name);
		s = json_object_get_string(val);
		len = (size_t)json_object_get_string_len(val);
		if (len > fields[i].max)
			return fail(why, whylen, "page.%s: longer than %zu bytes (UTF-8)",
			    fields[i].name, fields[i].max);
		if (memchr(s, '\0', len) != NULL)
			return fail(why, whylen, "page.%s: holds a NUL character", fields[i].name);
		if (!utf8_valid(s, len))
			return fail(why, whylen, "page.%s: not valid UTF-8", fields[i].name);
	}
	return 0;
}

int
rules_server_time(int64_t ms)
{
	return ms >= 0 && ms <= TIME_MS_MAX;
}

int
rules_client_time(int64_t ms)
{
	return ms >= TIME_MS_MIN && ms <= TIME_MS_MAX;
}

json_tokener *
rules_tokener_new(int check_utf8)
{
	json_tokener *tok;

	if ((tok = json_tokener_new_ex(LIMIT_JSON_DEPTH)) == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    (check_utf8 ? JSON_TOKENER_VALIDATE_UTF8 : 0));
	return tok;
}
