/*
 * The store's insides, shared by lib/store_*.c and nothing else.
 *
 * Ownership: struct store owns every libmongoc object it points to;
 * store_free() (store.h) destroys them.
 */
#ifndef EVENTS_STORE_IMPL_H
#define EVENTS_STORE_IMPL_H

#include "store.h"

struct store {
	mongoc_uri_t		*uri;		/* with our time-out defaults */
	mongoc_write_concern_t	*wc;
	mongoc_client_t		*client;	/* NULL: made when next needed */
	mongoc_collection_t	*coll;
	mongoc_collection_t	*counts;	/* the counts cache (store_counts.c) */
	bson_t			*bulk_opts;	/* {ordered: false} */
	bson_t			*insert_opts;	/* {validate: false} */
	char			 db[CONF_STR_LEN];
	char			 coll_name[CONF_STR_LEN];
	char			 counts_name[CONF_STR_LEN + sizeof(STORE_COUNTS_SUFFIX)];
	char			 where[1024];
	int64_t			 read_budget_ms;	/* 0: LIMIT_QUERY_MS */
	int64_t			 read_deadline;	/* of the read in progress, monotonic ms */
	int			 read_late;	/* it passed its deadline */
	int			 read_spent;	/* the last store_cursor_end() ended a
						 * read on its deadline */
	int			 read_held;	/* store_read_begin(): finds share one budget */
	int			 server_known;	/* server is the client's; 0 after a drop */
	struct store_server	 server;
};

/* The collection, the client made first if need be.  NULL (out of
 * memory) with err set. */
mongoc_collection_t	*store_coll(struct store *s, char *err, size_t errlen);

/* The counts cache's collection, the client made first if need be.
 * NULL (out of memory) with err set. */
mongoc_collection_t	*store_counts_coll(struct store *s, char *err, size_t errlen);

/* A read starts (store_read.c): its deadline is set, unless
 * store_read_begin() holds one. */
void			 store_read_starts(struct store *s);

/* Drop the client; the next store_coll() makes a new one. */
void			 store_drop(struct store *s);

#endif
