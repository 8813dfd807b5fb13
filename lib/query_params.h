/*
 * The query side's untrusted input: the query string of GET /events and
 * GET /events/stats (the route is query_route.h's, the paging cursor
 * query_cursor.h's).  Pure: strings in, a filled struct or an error
 * message out.  Nothing here knows of FastCGI or libmongoc.
 *
 * Every value ends up as a string, an integer or a time, never as a
 * query operator: a parameter name such as "type[$ne]" is simply unknown
 * (400), and a value such as {"$gt": ""} is a type that fails the event
 * type alphabet (400).
 *
 * Ownership: nothing is allocated; struct query_params and every out
 * buffer are the caller's, and the functions that fill a buffer return
 * it.
 */
#ifndef EVENTS_QUERY_PARAMS_H
#define EVENTS_QUERY_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "query_route.h"

/* Page size when the client gives no limit. */
#define QUERY_LIMIT_DEFAULT	50
/* Buckets in /events/stats when the client gives no since. */
#define QUERY_STATS_DEFAULT_BUCKETS	60
/* Values listed by /events/stats?by= when the client gives no limit. */
#define QUERY_BY_LIMIT_DEFAULT	10

enum query_format { QUERY_FORMAT_JSON, QUERY_FORMAT_NDJSON, QUERY_FORMAT_CSV };
enum query_bucket { QUERY_BUCKET_MINUTE, QUERY_BUCKET_HOUR, QUERY_BUCKET_DAY };

/* /events/stats?by=: the field whose values are counted. */
enum query_by {
	QUERY_BY_NONE,		/* no by: events per bucket and type */
	QUERY_BY_TYPE,		/* by=type */
	QUERY_BY_PATH,		/* by=path: page.path */
	QUERY_BY_REFERRER,	/* by=referrer: page.referrer */
	QUERY_BY_METADATA	/* by=metadata.KEY: a top-level metadata key */
};

enum query_err {
	QUERY_OK = 0,
	QUERY_ERR_TOO_LONG,	/* query_too_long: the query string is over its limit */
	QUERY_ERR_ENCODING,	/* bad_encoding: a bad %XX escape or a NUL byte */
	QUERY_ERR_UNKNOWN,	/* unknown_parameter */
	QUERY_ERR_DUPLICATE,	/* duplicate_parameter */
	QUERY_ERR_VALUE		/* bad_parameter: a value out of range or malformed */
};

struct query_params {
	int		 limit;				/* 1..LIMIT_PAGE_SIZE */
	int		 has_cursor;
	int64_t		 cursor_ms;			/* createdAt of the last event seen */
	char		 cursor_id[LIMIT_ID_LEN + 1];	/* and its id */
	char		 type[LIMIT_TYPE_LEN + 1];	/* "" for all types */
	int		 has_since, has_until;
	int64_t		 since_ms;			/* inclusive */
	int64_t		 until_ms;			/* exclusive */
	enum query_format format;
	enum query_bucket bucket;
	enum query_by	 by;
	char		 by_key[LIMIT_METADATA_KEY_LEN + 1];	/* QUERY_BY_METADATA */
};

/*
 * Parse QUERY_STRING (qs[0..len), NULL for none) for route into p.
 * Parameters are name=value pairs split on '&', both percent-decoded
 * (RFC 3986 2.1; '+' is taken literally, so "+01:00" needs no escape).
 * Accepted names: for the list limit, cursor, type, since, until,
 * format; for the statistics since, until, bucket, type, and by with
 * limit (1..LIMIT_BY_VALUES, default QUERY_BY_LIMIT_DEFAULT) instead of
 * bucket.  Each at most once, never empty.  Returns QUERY_OK or the kind
 * of error with a message naming the parameter in err.
 */
enum query_err	query_params_parse(enum query_route route, const char *qs,
		    size_t len, struct query_params *p, char *err, size_t errlen);

/* The error code for the JSON error body ("bad_parameter", ...). */
const char	*query_err_code(enum query_err e);

/* The stored field a by= counts ("type", "page.path", "metadata.KEY")
 * and the name the answer echoes ("type", "path", "metadata.KEY"),
 * written into out (outlen bytes; LIMIT_METADATA_KEY_LEN + 16 is
 * enough).  Both "" for QUERY_BY_NONE. */
const char	*query_by_field(const struct query_params *p, char *out, size_t outlen);
const char	*query_by_name(const struct query_params *p, char *out, size_t outlen);

/* Bucket width in ms and name ("minute", ...). */
int64_t		 query_bucket_ms(enum query_bucket b);
const char	*query_bucket_name(enum query_bucket b);

/*
 * The statistics range: [*from, *to) with *from rounded down to a
 * bucket boundary (UTC; buckets are aligned on the epoch), cut into
 * *nbuckets buckets.  Defaults: until = now, since such that there are
 * QUERY_STATS_DEFAULT_BUCKETS buckets, the last one holding until's
 * last ms (and so cut short unless until is on a boundary).  0, or -1
 * with a message when the range would hold more than
 * LIMIT_STATS_BUCKETS buckets or ends before the epoch.
 */
int		 query_stats_range(const struct query_params *p, int64_t now_ms,
		    int64_t *from, int64_t *to, size_t *nbuckets, char *err,
		    size_t errlen);

/* Percent-decode s[0..len) into out (outlen bytes, NUL-terminated).
 * 0, or -1 on a malformed escape, a decoded NUL or lack of room. */
int		 query_unescape(const char *s, size_t len, char *out,
		    size_t outlen, size_t *outn);

#endif
