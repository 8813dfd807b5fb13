/*
 * The MongoDB-compatible store (MongoDB, or FerretDB: see STORE.md):
 * connection, the indexes the query side needs, and the consumer's
 * unordered bulk insert that reports each document's fate.
 *
 * The connection is a single-threaded mongoc_client_t made from
 * mongo_uri.  Unless the URI says otherwise, server selection gives up
 * after STORE_SELECT_MS (retrying within that time, not once) and a
 * connect after STORE_CONNECT_MS, so an outage is seen within about two
 * seconds instead of libmongoc's 30, and the end of one as soon.
 * Nothing is sent until the first operation; libmongoc reconnects by
 * itself after an outage.
 *
 * Ownership: store_new() copies what it needs from the conf; store_free()
 * frees the client and everything under it.  store_collection() lends
 * the collection handle, valid until store_free().  The documents in
 * store_item stay the caller's.  store_cleanup() releases libmongoc's
 * global state once at process exit, after the last store_free().
 */
#ifndef EVENTS_STORE_H
#define EVENTS_STORE_H

#include <stddef.h>

#include <mongoc/mongoc.h>

#include "conf.h"

#define STORE_SELECT_MS		1500	/* serverSelectionTimeoutMS */
#define STORE_CONNECT_MS	1000	/* connectTimeoutMS */
#define STORE_SOCKET_MS		60000	/* socketTimeoutMS: a slow bulk insert */
#define STORE_WTIMEOUT_MS	10000	/* wtimeout for w > 1 or "majority" */
#define STORE_REASON_LEN	256

enum store_status {
	STORE_OK = 0,
	STORE_OUTAGE,	/* unreachable, timed out, write concern not met,
			 * or an error that says nothing of any document:
			 * nothing is known, retry later */
	STORE_FAILED,	/* a definite refusal (store_ensure_indexes only) */
	STORE_AUTH	/* the store refused our credentials (store_ping
			 * only): a configuration error, not an outage */
};

enum store_result {
	STORE_STORED,		/* inserted and acknowledged */
	STORE_DUPLICATE,	/* _id already there (code 11000): stored before */
	STORE_REJECTED		/* refused for this document alone; see reason */
};

struct store_item {
	const bson_t		*doc;		/* in: borrowed */
	enum store_result	 result;	/* out */
	char			 reason[STORE_REASON_LEN];	/* out, REJECTED */
};

struct store;

/* libmongoc with its messages routed to our log; store_new() calls it,
 * and a program may call it first.  Idempotent. */
void			 store_init(void);

/* A store for the conf's mongo_uri, mongo_db, mongo_collection and
 * write_concern; appname names the program to the server.  NULL with err
 * set when the URI or write concern is unusable (a configuration error:
 * it names the key) or on out of memory. */
struct store		*store_new(const struct conf *c, const char *appname,
			    char *err, size_t errlen);
void			 store_free(struct store *s);
void			 store_cleanup(void);

/* Create the indexes {createdAt: -1, _id: -1} and {type: 1, createdAt: -1}
 * if they are missing (createIndexes is a no-op for an identical index).
 * STORE_OK, STORE_OUTAGE, or STORE_FAILED with err set. */
/* Run "ping", which makes libmongoc connect and authenticate.  STORE_OK,
 * STORE_AUTH (user or password refused), or STORE_OUTAGE; err says why. */
enum store_status	 store_ping(struct store *s, char *err, size_t errlen);

/* 1 if e is libmongoc's "authentication failed". */
int			 store_auth_error(const bson_error_t *e);

enum store_status	 store_ensure_indexes(struct store *s, char *err, size_t errlen);

/*
 * Insert items[0..n) with one unordered bulk write (the server tries every
 * document whatever happens to the others).  STORE_OK: every item's
 * result is set.  STORE_OUTAGE, with err set: retry the whole batch later;
 * documents already stored then come back as STORE_DUPLICATE.
 */
enum store_status	 store_insert(struct store *s, struct store_item *items,
			    size_t n, char *err, size_t errlen);

/* "host:port/db.collection", without credentials, for messages. */
const char		*store_where(const struct store *s);

/* The collection, for readers; borrowed. */
mongoc_collection_t	*store_collection(struct store *s);

#endif
