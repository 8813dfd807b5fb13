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

#include "buf.h"
#include "conf.h"
#include "http.h"
#include "bounds.h"
#include "query_params.h"
#include "store.h"

/* How /events/stats asks the store: one $group over the whole range
 * (MongoDB), or one find over the range counted here where the store
 * lacks date arithmetic in $group (FerretDB 1.x).  Decided by the first
 * try and kept for the life of the process. */
enum stats_mode { STATS_MODE_UNKNOWN, STATS_MODE_GROUP, STATS_MODE_SCAN };

struct query {
	struct conf		 conf;
	struct store		*store;		/* one client, kept across requests */
	int			 server_known;	/* server holds the last one logged */
	struct store_server	 server;
	enum stats_mode		 stats_mode;
};

/* query.c */

/* Log a failed store operation (err says what and why) and answer it:
 * 503 with Retry-After for STORE_TRANSIENT and STORE_AUTH (to a client
 * the store is simply not there; the log says to check mongo_uri), 500
 * store_error for the rest. */
void		 query_store_failed(struct http_req *req, enum store_status st,
		    const char *err);

/* query_json.c */
json_object	*doc_to_json(const bson_iter_t *it, int depth);

/* query_events.c */
void		 events_handle(struct http_req *req, struct query *q,
		    const struct query_params *p);

/* query_stats.c */
void		 stats_handle(struct http_req *req, struct query *q,
		    const struct query_params *p);

/* query_counts.c: the events of [from, to) by type into f, in buckets w
 * ms wide, from the counts cache and the events it lacks.  STORE_OK,
 * or the failure's status with err set. */
struct stats_fold;
enum store_status stats_count_cached(struct query *q, const struct query_params *p,
		    struct stats_fold *f, int64_t from, int64_t to, int64_t w,
		    char *err, size_t errlen);

/* query_breakdown.c: GET /events/stats?by= */
void		 breakdown_handle(struct http_req *req, struct query *q,
		    const struct query_params *p);

#endif
