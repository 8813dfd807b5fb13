/*
 * Stored values as JSON, for GET /events.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsnumber.h"
#include "jsontime.h"
#include "query.h"

/*
 * d as JSON in the fewest significant digits that read back as d (1.1,
 * not json-c's 1.1000000000000001), written out in full for exponents
 * -4 to 15 (100.0, 0.0001) and with one outside them (1e+21, 1e-05), as
 * Python's repr() does; ".0" where it would otherwise read as an
 * integer.  d is finite.  NULL on out of memory.
 */
static json_object *
new_double(double d)
{
	char buf[64], digits[20];
	int k, exp10, i, at = 0;

	/* Written from the shortest digits themselves: printf's own
	 * rounding at that precision is not always they (2^-24). */
	k = jsnumber_digits(d, digits, &exp10);
	if (signbit(d))
		buf[at++] = '-';
	if (exp10 >= -4 && exp10 < 16) {
		if (exp10 < 0) {
			buf[at++] = '0';
			buf[at++] = '.';
			for (i = -1; i > exp10; i--)
				buf[at++] = '0';
			for (i = 0; i < k; i++)
				buf[at++] = digits[i];
		} else {
			for (i = 0; i <= exp10; i++)
				buf[at++] = i < k ? digits[i] : '0';
			buf[at++] = '.';
			if (k <= exp10 + 1)
				buf[at++] = '0';	/* 100.0 */
			for (i = exp10 + 1; i < k; i++)
				buf[at++] = digits[i];
		}
		buf[at] = '\0';
	} else {
		/* "1e+21", "1.5e-07": no point after a lone digit */
		buf[at++] = digits[0];
		if (k > 1) {
			buf[at++] = '.';
			for (i = 1; i < k; i++)
				buf[at++] = digits[i];
		}
		snprintf(buf + at, sizeof(buf) - (size_t)at, "e%c%02d", exp10 < 0 ? '-' : '+',
		    exp10 < 0 ? -exp10 : exp10);
	}
	return json_object_new_double_s(d, buf);
}

/*
 * The value at it as JSON.  Documents written by the consumer hold only
 * what came from JSON plus dates; anything else is shown as its text or
 * null rather than dropped silently.  Recursion stops at LIMIT_DOC_DEPTH.
 */
json_object *
doc_to_json(const bson_iter_t *it, int depth)
{
	json_object *o;
	bson_iter_t child;
	char oid[25];
	double d;
	uint32_t len;
	const char *s;

	switch (bson_iter_type(it)) {
	case BSON_TYPE_UTF8:
		s = bson_iter_utf8(it, &len);
		return json_object_new_string_len(s, (int)len);
	case BSON_TYPE_INT32:
		return json_object_new_int64(bson_iter_int32(it));
	case BSON_TYPE_INT64:
		return json_object_new_int64(bson_iter_int64(it));
	case BSON_TYPE_DOUBLE:
		d = bson_iter_double(it);
		return isfinite(d) ? new_double(d) : NULL;
	case BSON_TYPE_BOOL:
		return json_object_new_boolean(bson_iter_bool(it));
	case BSON_TYPE_DATE_TIME:
		return json_time(bson_iter_date_time(it));
	case BSON_TYPE_OID:
		bson_oid_to_string(bson_iter_oid(it), oid);
		return json_object_new_string(oid);
	case BSON_TYPE_DOCUMENT:
	case BSON_TYPE_ARRAY:
		if (depth >= LIMIT_DOC_DEPTH || !bson_iter_recurse(it, &child))
			return NULL;
		if (bson_iter_type(it) == BSON_TYPE_ARRAY) {
			o = json_object_new_array();
			while (o != NULL && bson_iter_next(&child))
				json_object_array_add(o, doc_to_json(&child, depth + 1));
		} else {
			o = json_object_new_object();
			while (o != NULL && bson_iter_next(&child))
				json_object_object_add(o, bson_iter_key(&child),
				    doc_to_json(&child, depth + 1));
		}
		return o;
	default:
		return NULL;
	}
}
