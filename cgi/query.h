/*
 * event-query: GET /events and GET /events/stats.  The program's own
 * header: its state and the prototypes of its files, grouped by file.
 */
#ifndef EVENTS_CGI_QUERY_H
#define EVENTS_CGI_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <mongoc/mongoc.h>

#include "conf.h"
#include "http.h"
#include "limits.h"
#include "query_params.h"

/* How /events/stats asks the store: one $group over the whole range
 * (MongoDB), or one small aggregation per bucket where the store lacks
 * date arithmetic in $group (FerretDB 1.x).  Decided by the first try
 * and kept for the life of the process. */
enum stats_mode { STATS_MODE_UNKNOWN, STATS_MODE_GROUP, STATS_MODE_SCAN };

struct query {
	struct conf		 conf;
	mongoc_uri_t		*uri;		/* parsed once at start-up */
	mongoc_client_t		*client;	/* NULL until needed, dropped on error */
	mongoc_collection_t	*coll;
	enum stats_mode		 stats_mode;
};

/* What a failed store operation means for the client. */
enum store_fail {
	STORE_UNAVAILABLE,	/* 503: unreachable, timed out, not primary */
	STORE_NOT_SUPPORTED,	/* the store lacks an operator or stage */
	STORE_ERROR		/* 500: anything else */
};

/* query_store.c */
int		 store_open(struct query *q, char *err, size_t errlen);
enum store_fail	 store_failed(struct query *q, const bson_error_t *e,
		    const char *what);
json_object	*doc_to_json(const bson_iter_t *it, int depth);
json_object	*time_to_json(int64_t ms);
void		 store_send_error(struct http_req *req, enum store_fail f);

/* query_events.c */
void		 events_handle(struct http_req *req, struct query *q,
		    const struct query_params *p);

/* query_stats.c */
void		 stats_handle(struct http_req *req, struct query *q,
		    const struct query_params *p);

/* query_csv.c: a growing output buffer and RFC 4180 fields. */
struct buf {
	char	*p;
	size_t	 len, cap;
	int	 failed;	/* an allocation failed: the contents are short */
};
void		 buf_add(struct buf *b, const char *s, size_t n);
void		 buf_adds(struct buf *b, const char *s);
void		 buf_free(struct buf *b);
void		 csv_field(struct buf *b, const char *s, size_t n, int last);

#endif
