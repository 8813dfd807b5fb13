/*
 * The query string of GET /events and GET /events/stats (see
 * query_params.h).  Pure.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "event.h"
#include "log.h"
#include "query_cursor.h"
#include "query_params.h"
#include "timeutil.h"
#include "utf8.h"

const char *
query_err_code(enum query_err e)
{
	switch (e) {
	case QUERY_OK:			return "ok";
	case QUERY_ERR_TOO_LONG:	return "query_too_long";
	case QUERY_ERR_ENCODING:	return "bad_encoding";
	case QUERY_ERR_UNKNOWN:		return "unknown_parameter";
	case QUERY_ERR_DUPLICATE:	return "duplicate_parameter";
	case QUERY_ERR_VALUE:		return "bad_parameter";
	}
	return "bad_parameter";
}

int64_t
query_bucket_ms(enum query_bucket b)
{
	switch (b) {
	case QUERY_BUCKET_MINUTE:	return 60LL * 1000;
	case QUERY_BUCKET_HOUR:		return 60LL * 60 * 1000;
	case QUERY_BUCKET_DAY:		return 24LL * 60 * 60 * 1000;
	}
	return 60LL * 1000;
}

const char *
query_bucket_name(enum query_bucket b)
{
	switch (b) {
	case QUERY_BUCKET_MINUTE:	return "minute";
	case QUERY_BUCKET_HOUR:		return "hour";
	case QUERY_BUCKET_DAY:		return "day";
	}
	return "minute";
}

const char *
query_by_field(const struct query_params *p, char *out, size_t outlen)
{
	switch (p->by) {
	case QUERY_BY_TYPE:	snprintf(out, outlen, "type"); break;
	case QUERY_BY_PATH:	snprintf(out, outlen, "page.path"); break;
	case QUERY_BY_REFERRER:	snprintf(out, outlen, "page.referrer"); break;
	case QUERY_BY_METADATA:	snprintf(out, outlen, "metadata.%s", p->by_key); break;
	default:		snprintf(out, outlen, "%s", ""); break;
	}
	return out;
}

const char *
query_by_name(const struct query_params *p, char *out, size_t outlen)
{
	switch (p->by) {
	case QUERY_BY_PATH:	snprintf(out, outlen, "path"); return out;
	case QUERY_BY_REFERRER:	snprintf(out, outlen, "referrer"); return out;
	default:		return query_by_field(p, out, outlen);
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
query_unescape(const char *s, size_t len, char *out, size_t outlen,
    size_t *outn)
{
	size_t i, n = 0;
	int hi, lo;
	char c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '%') {
			if (len - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0' || n + 1 >= outlen)
			return -1;
		out[n++] = c;
	}
	if (outlen == 0)
		return -1;
	out[n] = '\0';
	if (outn != NULL)
		*outn = n;
	return 0;
}

/* One parameter name: its bit in the seen mask and the routes taking it. */
enum param_name { P_LIMIT, P_CURSOR, P_TYPE, P_SINCE, P_UNTIL, P_FORMAT, P_BUCKET,
	P_BY };

static const struct {
	const char	*name;
	int		 events, stats;
} params[] = {
	[P_LIMIT]  = { "limit",  1, 1 },	/* stats: with by only */
	[P_CURSOR] = { "cursor", 1, 0 },
	[P_TYPE]   = { "type",   1, 1 },
	[P_SINCE]  = { "since",  1, 1 },
	[P_UNTIL]  = { "until",  1, 1 },
	[P_FORMAT] = { "format", 1, 0 },
	[P_BUCKET] = { "bucket", 0, 1 },
	[P_BY]     = { "by",     0, 1 },
};

static enum query_err
set_value(struct query_params *p, enum param_name which, const char *v,
    size_t len, char *err, size_t errlen)
{
	char why[160];
	size_t i;
	int n;

	switch (which) {
	case P_LIMIT:
		/* Checked against its bounds once all is read: they depend
		 * on the route and on by.  -1: not a whole number. */
		n = 0;
		for (i = 0; i < len; i++) {
			if (v[i] < '0' || v[i] > '9' || i >= 3) {
				n = -1;
				break;
			}
			n = n * 10 + (v[i] - '0');
		}
		p->limit = n;
		return QUERY_OK;
	case P_CURSOR:
		if (query_cursor_decode(v, len, &p->cursor_ms, p->cursor_id,
		    sizeof(p->cursor_id)) != 0) {
			snprintf(err, errlen,
			    "cursor is not one this server handed out; pass the \"next\" value of the previous page unchanged");
			return QUERY_ERR_VALUE;
		}
		p->has_cursor = 1;
		return QUERY_OK;
	case P_TYPE:
		if (!event_type_valid(v, len)) {
			snprintf(err, errlen,
			    "type must be 1 to %d characters of A-Z a-z 0-9 _ . : -",
			    LIMIT_TYPE_LEN);
			return QUERY_ERR_VALUE;
		}
		memcpy(p->type, v, len);
		p->type[len] = '\0';
		return QUERY_OK;
	case P_SINCE:
	case P_UNTIL:
		if (time_rfc3339_parse(v, len, which == P_SINCE ? &p->since_ms :
		    &p->until_ms, why, sizeof(why)) != 0) {
			snprintf(err, errlen,
			    "%s must be an RFC 3339 date-time such as 2026-02-11T15:47:39Z: %s",
			    params[which].name, why);
			return QUERY_ERR_VALUE;
		}
		if (which == P_SINCE)
			p->has_since = 1;
		else
			p->has_until = 1;
		return QUERY_OK;
	case P_FORMAT:
		if (len == 4 && memcmp(v, "json", 4) == 0)
			p->format = QUERY_FORMAT_JSON;
		else if (len == 6 && memcmp(v, "ndjson", 6) == 0)
			p->format = QUERY_FORMAT_NDJSON;
		else if (len == 3 && memcmp(v, "csv", 3) == 0)
			p->format = QUERY_FORMAT_CSV;
		else {
			snprintf(err, errlen, "format must be json, ndjson or csv");
			return QUERY_ERR_VALUE;
		}
		return QUERY_OK;
	case P_BUCKET:
		if (len == 6 && memcmp(v, "minute", 6) == 0)
			p->bucket = QUERY_BUCKET_MINUTE;
		else if (len == 4 && memcmp(v, "hour", 4) == 0)
			p->bucket = QUERY_BUCKET_HOUR;
		else if (len == 3 && memcmp(v, "day", 3) == 0)
			p->bucket = QUERY_BUCKET_DAY;
		else {
			snprintf(err, errlen, "bucket must be minute, hour or day");
			return QUERY_ERR_VALUE;
		}
		return QUERY_OK;
	case P_BY:
		if (len == 4 && memcmp(v, "type", 4) == 0)
			p->by = QUERY_BY_TYPE;
		else if (len == 4 && memcmp(v, "path", 4) == 0)
			p->by = QUERY_BY_PATH;
		else if (len == 8 && memcmp(v, "referrer", 8) == 0)
			p->by = QUERY_BY_REFERRER;
		else if (len > 9 && memcmp(v, "metadata.", 9) == 0 &&
		    event_key_valid(v + 9, len - 9) && utf8_valid(v + 9, len - 9)) {
			/* A key as events may hold it: a field name that can
			 * be neither an operator nor a path. */
			p->by = QUERY_BY_METADATA;
			memcpy(p->by_key, v + 9, len - 9);
			p->by_key[len - 9] = '\0';
		} else {
			snprintf(err, errlen,
			    "by must be type, path, referrer or metadata.KEY (KEY: 1-%d bytes, not starting with $, without .)",
			    LIMIT_METADATA_KEY_LEN);
			return QUERY_ERR_VALUE;
		}
		return QUERY_OK;
	}
	return QUERY_ERR_VALUE;
}

enum query_err
query_params_parse(enum query_route route, const char *qs, size_t len,
    struct query_params *p, char *err, size_t errlen)
{
	char name[LIMIT_QUERY_STRING_LEN + 1], val[LIMIT_QUERY_STRING_LEN + 1];
	char show[LIMIT_QUOTE_LEN + 1];
	const char *pair, *eq, *amp;
	size_t off, plen, nlen, vlen, i;
	int max;
	unsigned seen = 0;
	enum query_err e;

	memset(p, 0, sizeof(*p));
	p->limit = QUERY_LIMIT_DEFAULT;
	p->format = QUERY_FORMAT_JSON;
	p->bucket = QUERY_BUCKET_MINUTE;
	if (qs == NULL)
		len = 0;
	if (len > LIMIT_QUERY_STRING_LEN) {
		snprintf(err, errlen, "query string of %zu bytes, at most %d",
		    len, LIMIT_QUERY_STRING_LEN);
		return QUERY_ERR_TOO_LONG;
	}
	for (off = 0; off < len; off += plen + 1) {
		pair = qs + off;
		amp = memchr(pair, '&', len - off);
		plen = amp != NULL ? (size_t)(amp - pair) : len - off;
		if (plen == 0)		/* "a=1&&b=2", a trailing '&' */
			continue;
		eq = memchr(pair, '=', plen);
		nlen = eq != NULL ? (size_t)(eq - pair) : plen;
		if (query_unescape(pair, nlen, name, sizeof(name), &nlen) != 0) {
			snprintf(err, errlen, "bad percent-encoding in a parameter name");
			return QUERY_ERR_ENCODING;
		}
		for (i = 0; i < sizeof(params) / sizeof(params[0]); i++)
			if (strcmp(name, params[i].name) == 0 &&
			    (route == QUERY_ROUTE_STATS ? params[i].stats : params[i].events))
				break;
		if (i == sizeof(params) / sizeof(params[0])) {
			snprintf(err, errlen, "unknown parameter \"%s\"; %s",
			    log_clip(show, sizeof(show), name, nlen),
			    route == QUERY_ROUTE_STATS ?
			    "accepted: since, until, bucket, type, by, limit" :
			    "accepted: limit, cursor, type, since, until, format");
			return QUERY_ERR_UNKNOWN;
		}
		if (seen & 1u << i) {
			snprintf(err, errlen, "parameter %s given more than once",
			    params[i].name);
			return QUERY_ERR_DUPLICATE;
		}
		seen |= 1u << i;
		if (eq == NULL || eq + 1 == pair + plen) {
			snprintf(err, errlen, "parameter %s has an empty value",
			    params[i].name);
			return QUERY_ERR_VALUE;
		}
		if (query_unescape(eq + 1, (size_t)(pair + plen - eq - 1), val,
		    sizeof(val), &vlen) != 0) {
			snprintf(err, errlen, "parameter %s: bad percent-encoding",
			    params[i].name);
			return QUERY_ERR_ENCODING;
		}
		if ((e = set_value(p, (enum param_name)i, val, vlen, err, errlen)) != QUERY_OK)
			return e;
	}
	if (route == QUERY_ROUTE_STATS && p->by == QUERY_BY_NONE && (seen & 1u << P_LIMIT)) {
		snprintf(err, errlen, "limit goes with by (the values listed); "
		    "without by the statistics have buckets");
		return QUERY_ERR_VALUE;
	}
	max = route == QUERY_ROUTE_STATS ? LIMIT_BY_VALUES : LIMIT_PAGE_SIZE;
	if (!(seen & 1u << P_LIMIT))
		p->limit = p->by != QUERY_BY_NONE ? QUERY_BY_LIMIT_DEFAULT : QUERY_LIMIT_DEFAULT;
	else if (p->limit < 1 || p->limit > max) {
		snprintf(err, errlen, "limit must be a whole number from 1 to %d", max);
		return QUERY_ERR_VALUE;
	}
	if (p->by != QUERY_BY_NONE && (seen & 1u << P_BUCKET)) {
		snprintf(err, errlen, "by and bucket do not go together: by counts values over the whole range");
		return QUERY_ERR_VALUE;
	}
	if (p->has_since && p->has_until && p->since_ms >= p->until_ms) {
		snprintf(err, errlen, "since must be earlier than until");
		return QUERY_ERR_VALUE;
	}
	return QUERY_OK;
}

int
query_stats_range(const struct query_params *p, int64_t now_ms, int64_t *from,
    int64_t *to, size_t *nbuckets, char *err, size_t errlen)
{
	int64_t w = query_bucket_ms(p->bucket), n;

	*to = p->has_until ? p->until_ms : now_ms;
	if (*to <= 0) {
		snprintf(err, errlen, "until must be after 1970-01-01T00:00:00Z: no event is older");
		return -1;
	}
	/* By default the bucket that holds the last ms before until and the
	 * ones before it: QUERY_STATS_DEFAULT_BUCKETS in all. */
	*from = p->has_since ? p->since_ms :
	    (*to - 1) - (*to - 1) % w - (QUERY_STATS_DEFAULT_BUCKETS - 1) * w;
	if (*from < 0)
		*from = 0;
	*from -= *from % w;
	if (*to <= *from) {
		snprintf(err, errlen, "since must be earlier than until");
		return -1;
	}
	n = (*to - *from + w - 1) / w;
	if (n > LIMIT_STATS_BUCKETS) {
		snprintf(err, errlen,
		    "%lld %s buckets asked for, at most %d: narrow since/until or use a larger bucket",
		    (long long)n, query_bucket_name(p->bucket), LIMIT_STATS_BUCKETS);
		return -1;
	}
	*nbuckets = (size_t)n;
	return 0;
}
