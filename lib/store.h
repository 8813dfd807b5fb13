/*
 * The MongoDB-compatible store (MongoDB, or FerretDB: see README.md),
 * one layer for every program: event-query and event-status read
 * through it, event-consumer writes through it.
 *
 * Files, one job each:
 *   store_conn.c    libmongoc set-up and its log, the connection with its
 *                   time-outs and reconnect policy, ping
 *   store_error.c   what a failure means: enum store_status
 *   store_insert.c  the consumer's unordered bulk insert
 *   store_index.c   the indexes the reads need
 *   store_read.c    finds and aggregations for the readers
 *   store_kind.c    which server: MongoDB, our FerretDB, a stock one
 *   store_expire.c  retention: a TTL index, or deletes in batches
 *   store_counts.c  the counts cache behind GET /events/stats on FerretDB
 *   store_fill.c    units of the cache counted from the events and put
 *   store_sweep.c   the consumer's fill of the cache, pass by pass
 *
 * Time-outs.  Defaults for what mongo_uri leaves unset (a URI option
 * wins), the same for every program:
 *   serverSelectionTimeoutMS  STORE_SELECT_MS: how long an operation
 *       waits for a usable server before it fails.  A store that is down
 *       is then seen within about a second (libmongoc's default is 30 s,
 *       longer than any client waits for a 503), and a healthy one
 *       answers its hello in milliseconds, so a loaded machine still
 *       has room.
 *   connectTimeoutMS  STORE_CONNECT_MS: the TCP connect and the first
 *       hello, bounded alike.
 *   socketTimeoutMS  how long one reply may take once sent.  Readers:
 *       STORE_READ_SOCKET_MS, past the maxTimeMS every read carries
 *       (LIMIT_QUERY_MS), so the server's own "time limit exceeded"
 *       arrives first and the socket gives up only on a server that
 *       hangs.  The writer: STORE_WRITE_SOCKET_MS, for a bulk insert of
 *       batch_size documents into a busy store.  The prober (event-status):
 *       STORE_PROBE_SOCKET_MS, for a ping and buildInfo that a healthy
 *       store answers in milliseconds, so that /health says a store that
 *       hangs is down within a few seconds, before a monitor gives up.
 *   wtimeout  STORE_WTIMEOUT_MS, for write_concern above 1: how long the
 *       primary waits for the other members before it says the write
 *       concern was not met (the batch is then retried, not lost).
 *
 * Reconnect policy.  The client is made when first needed.  After a
 * failure that did not come as the server's own answer (unreachable,
 * timed out, connection dropped, credentials refused) the client is
 * dropped and the next operation makes a new one: a single-threaded
 * libmongoc client would otherwise leave a server that failed alone for
 * its 5 s cooldown (Server Selection spec), and a program would report
 * the store down that long after it is back.  A refusal or "not
 * supported" from a server that answered keeps the client.  Within one
 * operation libmongoc retries server selection until STORE_SELECT_MS
 * (serverSelectionTryOnce=false) rather than once.
 *
 * Ownership: store_new() copies what it needs from the conf;
 * store_free() frees the client and everything under it (NULL is a
 * no-op).  The documents
 * in store_item stay the caller's.  A cursor from store_find() or
 * store_aggregate() is the caller's until store_cursor_end().  The
 * counts a store_counts_get() reads into a store_unit are the unit's
 * until store_units_clear().
 * store_cleanup() releases libmongoc's global state once at process
 * exit, after the last store_free().
 */
#ifndef EVENTS_STORE_H
#define EVENTS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <mongoc/mongoc.h>

#include "conf.h"
#include "bounds.h"

#define STORE_SELECT_MS		1000	/* serverSelectionTimeoutMS */
#define STORE_CONNECT_MS	1000	/* connectTimeoutMS */
#define STORE_READ_SOCKET_MS	(LIMIT_QUERY_MS + 5000)	/* socketTimeoutMS, readers */
#define STORE_WRITE_SOCKET_MS	60000	/* socketTimeoutMS, the consumer */
#define STORE_PROBE_SOCKET_MS	2000	/* socketTimeoutMS, /health and /metrics */
#define STORE_WTIMEOUT_MS	10000	/* wtimeout for w > 1 or "majority" */
#define STORE_REASON_LEN	256
#define STORE_READ_BATCH	1000	/* documents a batch, for long reads */
#define STORE_COUNTS_SUFFIX	"_counts"	/* the counts cache: <collection>_counts */

/* Who uses the store: it sets the socket time-out (above). */
enum store_role { STORE_READER, STORE_WRITER, STORE_PROBER };

/*
 * What a failed operation means, one set of names for every program.
 */
enum store_status {
	STORE_OK = 0,
	STORE_TRANSIENT,	/* unreachable, timed out, not primary, shutting
				 * down, write concern not met: nothing is known
				 * of the operation; retry later (HTTP 503) */
	STORE_REFUSED,		/* the store answered no to what was sent;
				 * sending it again will not help */
	STORE_AUTH,		/* the store refused our credentials: a
				 * configuration error, not an outage */
	STORE_UNSUPPORTED	/* the store lacks the command, stage, operator
				 * or option (FerretDB 1.x: NotImplemented) */
};

/* One document's fate in a bulk insert. */
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

/* Which server answers (store_kind.c). */
enum store_kind {
	STORE_KIND_UNKNOWN,		/* buildInfo said neither */
	STORE_KIND_MONGODB,		/* MongoDB: reads use the indexes */
	STORE_KIND_FERRETDB_EVENTS,	/* FerretDB built with our patch
					 * (scripts/ferretdb/): so do they */
	STORE_KIND_FERRETDB		/* a stock FerretDB: every read scans
					 * the collection */
};

struct store_server {
	enum store_kind	 kind;
	char		 version[64];	/* MongoDB's "version", or FerretDB's
					 * "ferretdbVersion"; "" if unknown */
};

struct store;

/* store_conn.c */

/* libmongoc with its messages routed to our log (its errors as
 * warnings, the rest at debug level).  store_new() calls it; a program
 * may call it first.  Idempotent. */
void			 store_init(void);

/* A store for the conf's mongo_uri, mongo_db, mongo_collection and
 * write_concern; appname names the program to the server.  Nothing is
 * sent until the first operation.  NULL with err set when the URI or
 * write concern is unusable (a configuration error: it names the key)
 * or on out of memory. */
struct store		*store_new(const struct conf *c, const char *appname,
			    enum store_role role, char *err, size_t errlen);
void			 store_free(struct store *s);
void			 store_cleanup(void);

/* "host:port/db.collection", without credentials, for messages. */
const char		*store_where(const struct store *s);

/* Run "ping", which makes libmongoc connect and authenticate.  STORE_OK
 * or the failure's status (store_error.c) with err saying why. */
enum store_status	 store_ping(struct store *s, char *err, size_t errlen);

/* store_error.c */

/* What the failure e means; reply (the server's answer, or NULL) may
 * hold an error label or write concern errors that say more. */
enum store_status	 store_classify(const bson_error_t *e, const bson_t *reply);

/* "transient", "refused", "auth", "unsupported" ("ok" for STORE_OK). */
const char		*store_status_name(enum store_status st);

/*
 * The one place a failed operation goes: classify e (and reply), write
 * "store WHERE: WHAT: message" into err, and apply the reconnect policy
 * above.  Returns the status.  Any cursor of the client must be
 * destroyed before (store_cursor_end() does this in the right order).
 */
enum store_status	 store_fail(struct store *s, const bson_error_t *e,
			    const bson_t *reply, const char *what, char *err,
			    size_t errlen);

/* store_insert.c */

/*
 * Insert items[0..n) with one unordered bulk write (the server tries every
 * document whatever happens to the others).  STORE_OK: every item's
 * result is set.  Otherwise, with err set (STORE_TRANSIENT, or another
 * status for a failure of the whole command): retry the batch later;
 * documents already stored then come back as STORE_DUPLICATE.
 */
enum store_status	 store_insert(struct store *s, struct store_item *items,
			    size_t n, char *err, size_t errlen);

/* store_index.c */

/* The indexes' names (MongoDB's default names for their keys). */
#define STORE_INDEX_BY_TIME	"createdAt_-1__id_-1"
#define STORE_INDEX_BY_TYPE	"type_1_createdAt_-1__id_-1"
#define STORE_INDEX_BY_TYPE_OLD	"type_1_createdAt_-1"	/* before this release */
#define STORE_INDEX_TTL		"createdAt_1"	/* MongoDB, retention_days > 0 */

/* Create the indexes {createdAt: -1, _id: -1} and {type: 1, createdAt: -1,
 * _id: -1} if they are missing (createIndexes is a no-op for an identical
 * index), then drop the type index of earlier releases, {type: 1,
 * createdAt: -1}, if it is there.  STORE_OK, or the failure's status
 * with err set. */
enum store_status	 store_ensure_indexes(struct store *s, char *err, size_t errlen);

/* The counts cache's index {t: 1}, by which retention drops its expired
 * units (store_counts.c).  STORE_OK, or the status with err set. */
#define STORE_INDEX_COUNTS	"t_1"
enum store_status	 store_ensure_counts_index(struct store *s, char *err, size_t errlen);

/* store_read.c */

/*
 * find(filter, opts) or aggregate(pipeline, opts) on the events
 * collection.  Read the cursor with store_cursor_next(), then hand it to
 * store_cursor_end(), which destroys it and returns STORE_OK or the
 * failure's status (store_fail()) with err set.  NULL only when no
 * client could be made (out of memory); store_cursor_end(s, NULL, ...)
 * then answers STORE_REFUSED.
 */
mongoc_cursor_t		*store_find(struct store *s, const bson_t *filter,
			    const bson_t *opts);
mongoc_cursor_t		*store_aggregate(struct store *s, const bson_t *pipeline,
			    const bson_t *opts);

/*
 * The createdAt (epoch ms) of the oldest event created at or after
 * from_ms into *first, or INT64_MAX when there is none: one find sorted
 * by createdAt with a limit of 1, which the time index answers.  STORE_OK,
 * or the failure's status with err set.
 */
enum store_status	 store_first_event(struct store *s, int64_t from_ms,
			    int64_t *first, char *err, size_t errlen);

/*
 * mongoc_cursor_next(), within the read's time budget (LIMIT_QUERY_MS
 * from store_find() or store_aggregate()): false once it is spent, and
 * store_cursor_end() then answers STORE_TRANSIENT.  The maxTimeMS a read
 * carries bounds the whole read on MongoDB, but only each batch on
 * FerretDB, where a read of many batches would otherwise run on for
 * minutes.  Checked between documents, so a read ends at most one batch
 * past its budget: readers ask for batches of a bounded size.
 */
bool			 store_cursor_next(struct store *s, mongoc_cursor_t *cur,
			    const bson_t **doc);
enum store_status	 store_cursor_end(struct store *s, mongoc_cursor_t *cur,
			    const char *what, char *err, size_t errlen);

/* The budget of the reads that follow, in ms (0: LIMIT_QUERY_MS); for
 * tests. */
void			 store_read_budget(struct store *s, int64_t ms);

/* One budget for several finds (a request that reads more than once):
 * it starts at store_read_begin(), and the finds until store_read_end()
 * share it instead of each starting its own. */
void			 store_read_begin(struct store *s);
void			 store_read_end(struct store *s);

/* store_kind.c */

/* "mongodb", "ferretdb-events", "ferretdb" or "unknown" (the names
 * GET /health uses), and the same for people ("stock FerretDB"). */
const char		*store_kind_name(enum store_kind k);
const char		*store_kind_text(enum store_kind k);

/* Pure: the server a buildInfo reply describes.  FerretDB adds
 * "ferretdbVersion", which in our patched build holds "-events."
 * (v1.24.2-events.1); MongoDB has only "version". */
void			 store_kind_from_buildinfo(const bson_t *reply,
			    struct store_server *out);

/* Ask the server (buildInfo) once per connection: the answer is kept
 * until the client is dropped, since after an outage another server
 * may answer.  STORE_OK with *out set (STORE_KIND_UNKNOWN when the
 * server refuses buildInfo), or STORE_TRANSIENT / STORE_AUTH with err
 * set. */
enum store_status	 store_server(struct store *s, struct store_server *out,
			    char *err, size_t errlen);

/* store_expire.c */

/* How events older than retention_days go: MongoDB's TTL index, or the
 * consumer's own deletes where there is none (FerretDB, and a server
 * that does not say what it is). */
enum store_expire_way { STORE_EXPIRE_TTL, STORE_EXPIRE_DELETE };

/* What the collection holds under STORE_INDEX_TTL. */
struct store_ttl_index {
	int	 exists;
	int	 ttl;		/* it has expireAfterSeconds */
	int64_t	 seconds;	/* its expireAfterSeconds */
};

/* What to send to make the TTL index match retention_days. */
enum store_ttl_action {
	STORE_TTL_NOTHING,	/* it matches already */
	STORE_TTL_CREATE,	/* createIndexes {createdAt: 1}, expireAfterSeconds */
	STORE_TTL_MODIFY,	/* collMod: another expireAfterSeconds */
	STORE_TTL_DROP,		/* dropIndexes: retention_days went back to 0 */
	STORE_TTL_REPLACE	/* dropIndexes, then createIndexes: an index of
				 * that name without expireAfterSeconds */
};

/* Pure: the way for a server, the action for days (0: keep everything)
 * and what is there, and the command for an action (NULL for
 * STORE_TTL_NOTHING; for STORE_TTL_REPLACE the drop; the caller
 * destroys it).  expireAfterSeconds is days * 86400. */
enum store_expire_way	 store_expire_way(enum store_kind kind);
enum store_ttl_action	 store_ttl_plan(long days, const struct store_ttl_index *cur);
bson_t			*store_ttl_command(enum store_ttl_action a, const char *coll,
			    long days);

/* Read the collection's indexes and send what store_ttl_plan() says;
 * *done is the action taken.  STORE_OK, or the failure's status with
 * err set. */
enum store_status	 store_ttl_apply(struct store *s, long days,
			    enum store_ttl_action *done, char *err, size_t errlen);

/*
 * One batch of the deletes: the ids of at most limit events with
 * createdAt before cutoff_ms (epoch ms), oldest first, then one delete
 * of those ids.  *found is how many the find returned (fewer than limit:
 * none are left), *deleted how many the store deleted (another consumer
 * may have been first).  Each command is bounded by LIMIT_QUERY_MS.
 */
enum store_status	 store_expire_batch(struct store *s, int64_t cutoff_ms,
			    int limit, int64_t *deleted, int *found, char *err,
			    size_t errlen);

/* store_counts.c */

/*
 * The counts cache: events per type in each minute and each hour (UTC,
 * aligned on the epoch), in the collection <mongo_collection>_counts, so
 * that GET /events/stats need not pass every event of its range through
 * a store that reads them one by one in Go (FerretDB).  A cache of the
 * events, never the truth; a unit (a minute or an hour) is a document
 *
 *   {_id: "m:2026-01-01T12:34Z" or "h:2026-01-01T12Z", t: its start (date),
 *    g: generation, o: [consumer names writing into it now],
 *    c: "type n type n ..."	(only while the counts are known)}
 *
 * and {_id: "expire", below: date} says that retention deletes events
 * created before that date.  The rules that keep it exact:
 *
 *  - Every write of events into a unit is bracketed.  Before it,
 *    store_counts_open() marks the unit and its hour (upsert: g + 1, the
 *    writer's name into o, c removed); after it store_counts_close()
 *    (g + 1, the name out of o, c removed).  A writer that dies in
 *    between leaves its name in o until it brackets that unit again or
 *    calls store_counts_release() when it starts.
 *  - A reader (event-query, or the consumer filling the cache between
 *    its batches: store_sweep.c) stores counts only through
 *    store_counts_put(): on a unit it read (g, o empty) before it
 *    counted, with an update that needs g unchanged and o still empty;
 *    on a unit it found no document for,
 *    with an insert that fails if one appeared.  Either succeeds only
 *    if no bracket began on the unit between the read and the put, so
 *    the events it counted are what the unit held; any later write
 *    removes c before it starts.
 *  - Retention: before deleting events created before a cutoff, the
 *    deleter raises "below" to it (store_counts_expire_begin()); readers
 *    neither use nor store a unit that starts before "below"; once the
 *    deletes are done, store_counts_expire_end() drops the units an hour
 *    or more below the cutoff, which nothing reads any more.
 *
 * The cache is kept on every server but MongoDB (store_counts_kept()),
 * where one $group counts on the indexes and a TTL index deletes
 * without telling anyone.  Anything else that writes or deletes events
 * must go through these brackets, or drop <collection>_counts once it is
 * done, which rebuilds itself.
 */
/* Statements in one command to the counts collection: FerretDB 1.24
 * keeps an SQLite connection for each update statement that matched a
 * document until the whole command is done, and has 100 of them, so a
 * command (or commands at once) of 100 such statements waits for a
 * connection forever and the server with it. */
#define STORE_COUNTS_BULK	10
#define STORE_MINUTE_MS		60000LL
#define STORE_HOUR_MS		3600000LL
#define STORE_COUNTS_ID_LEN	24	/* "m:2026-01-01T12:34Z" and its NUL */

/* 1 where the cache is kept (every kind but STORE_KIND_MONGODB). */
int			 store_counts_kept(enum store_kind k);

/* 1 where the consumer fills it in the background (store_sweep.c): our
 * FerretDB, whose finds by createdAt use the index.  A stock FerretDB
 * reads the whole collection for each find, so a pass would end before
 * any of its finds did, at every pass. */
int			 store_counts_fillable(enum store_kind k);

/* Pure: the _id of the unit of width STORE_MINUTE_MS or STORE_HOUR_MS
 * that starts at start_ms (>= 0, aligned), into out
 * (STORE_COUNTS_ID_LEN bytes). */
void			 store_counts_id(int64_t start_ms, int64_t width_ms, char *out);

/*
 * The bracket around a write of events whose createdAt fall in the
 * minutes minutes[0..n) (starts, any order, repeats allowed): open
 * marks each minute and its hour for the writer who (its consumer
 * name), close unmarks them.  Unordered bulk writes of at most
 * STORE_COUNTS_BULK units each.  STORE_OK, or
 * the failure's status with err set: a failed open must stop the write;
 * after a failed close the units stay marked (safe, not cached) until
 * the write is done again.
 */
enum store_status	 store_counts_open(struct store *s, const char *who,
			    const int64_t *minutes, size_t n, char *err, size_t errlen);
enum store_status	 store_counts_close(struct store *s, const char *who,
			    const int64_t *minutes, size_t n, char *err, size_t errlen);

/* At a writer's start: close whatever an earlier run under the same
 * name left open (it died mid-write).  STORE_OK or the status. */
enum store_status	 store_counts_release(struct store *s, const char *who,
			    char *err, size_t errlen);

/* Retention (see above), around deleting the events created before
 * cutoff_ms.  Call _end only once none are left. */
enum store_status	 store_counts_expire_begin(struct store *s, int64_t cutoff_ms,
			    char *err, size_t errlen);
enum store_status	 store_counts_expire_end(struct store *s, int64_t cutoff_ms,
			    char *err, size_t errlen);

/* One type's events in a unit. */
struct store_count {
	char		 type[LIMIT_TYPE_LEN + 1];
	int64_t		 n;
};

/* A unit as a reader found it, and as it is counted. */
struct store_unit {
	int64_t			 start;		/* in: ms, aligned */
	int64_t			 width;		/* in: STORE_MINUTE_MS or STORE_HOUR_MS */
	int			 present;	/* out: it has a document */
	int64_t			 gen;		/* out: its g */
	int			 open;		/* out: a write is marked in it */
	int			 usable;	/* out: counts below are the truth */
	int			 counted;	/* counts hold its events: usable as
						 * read, or counted since */
	int			 over;		/* too many types to keep: its events
						 * went elsewhere (store_counts_count) */
	struct store_count	*counts;	/* out: owned, store_units_clear() */
	size_t			 ncounts, cap;
};

/*
 * Read the units u[0..n) and "below" (0 when none) with finds of at
 * most STORE_COUNTS_IN ids, within the read's budget.  A unit is usable
 * (and counted) when it holds counts, no write is marked in it and it
 * starts at or after "below".  STORE_OK, or the status with err set.
 */
#define STORE_COUNTS_IN		1000
enum store_status	 store_counts_get(struct store *s, struct store_unit *u,
			    size_t n, int64_t *below, char *err, size_t errlen);
void			 store_units_clear(struct store_unit *u, size_t n);

/*
 * Store the counts of the units u[i] (ncounts <= LIMIT_COUNTS_TYPES)
 * that the caller filled from the events after store_counts_get() read
 * them; each put follows the rules above and may not happen (someone
 * wrote in between): that is not a failure.  Unordered bulk writes of
 * at most STORE_COUNTS_BULK units each; *kept (if not NULL) how many
 * the store took.  STORE_OK, or the status
 * with err set.
 */
enum store_status	 store_counts_put(struct store *s, struct store_unit *const *u,
			    size_t n, size_t *kept, char *err, size_t errlen);

/* store_fill.c: counting units from the events, one implementation for
 * event-query and the consumer. */

/* Pure: add n events of type name[0..len) (not NUL-terminated) to u's
 * counts.  0; 1 when the unit cannot keep it (LIMIT_COUNTS_TYPES types
 * already, or a space in the name, which the cache's "c" cannot hold):
 * nothing done; -1 out of memory. */
int			 store_counts_add(struct store_unit *u, const char *name,
			    size_t len, int64_t n);

/* Pure: the counts of h (an hour) made of those of its minutes
 * m[0..n), all counted.  0, or -1 when one is over or h cannot keep
 * their types (h is then over), or out of memory. */
int			 store_counts_sum(struct store_unit *h, const struct store_unit *m,
			    size_t n);

/* Where the events go that no unit keeps (store_counts_count): n events
 * of type name[0..len) (not NUL-terminated) at at_ms.  0, or -1 to stop
 * the count (out of memory). */
typedef int (*store_spill_fn)(void *arg, const char *name, size_t len,
			    int64_t at_ms, int64_t n);

struct store_fill {
	int64_t		 below;		/* in: retention's floor as read with the
					 * units: those starting before it are
					 * not put */
	int32_t		 batch;		/* in: documents a batch (0: STORE_READ_BATCH);
					 * the budget is checked between batches */
	int		 skip_empty;	/* in: units without events are not put
					 * (a reader counts them cheaply) */
	store_spill_fn	 spill;		/* in: NULL drops what no unit keeps */
	void		*arg;
	int64_t		 seen;		/* out: events the find returned */
	size_t		 kept;		/* out: units the put stored */
};

/*
 * Count the events with createdAt in [from, to) by type, from one find
 * that returns only type and createdAt, within the read's budget
 * (store_read_begin() and store_cursor_next()).  u[0..n) are units of
 * one width laid end to end from u[0].start == from to to (n may be 0),
 * read by store_counts_get() and not counted: each event in one is
 * added to its counts (store_counts_add()); when a unit cannot keep
 * one, it is marked over and what it held and its later events go to
 * f->spill, as do events outside the units.  Events without a type of
 * 1..LIMIT_TYPE_LEN bytes or a date are not events this system stored:
 * skipped.  STORE_OK with every unit counted and f->seen set; else the
 * status with err set (STORE_TRANSIENT once the budget is spent,
 * STORE_REFUSED when spill fails or out of memory), the units' counts
 * then partial and not counted.
 */
enum store_status	 store_counts_count(struct store *s, int64_t from, int64_t to,
			    struct store_unit *u, size_t n, struct store_fill *f,
			    char *err, size_t errlen);

/*
 * Put the units of u[0..n) that were counted from the events (counted,
 * not usable as read), not over, not marked open when read, starting at
 * or after f->below and, with f->skip_empty, holding events, with
 * store_counts_put(); f->kept how many it stored.  STORE_OK, or the
 * status with err set.
 */
enum store_status	 store_counts_keep(struct store *s, struct store_unit *u, size_t n,
			    struct store_fill *f, char *err, size_t errlen);

/*
 * Count the units u[0..n) (as for store_counts_count(); n may be 0)
 * from the events, then put them with store_counts_keep(), f->kept how
 * many it stored.  A failed put is logged and is no
 * failure (the counts are right, only not cached).  The status of the
 * count.
 */
enum store_status	 store_counts_fill(struct store *s, struct store_unit *u, size_t n,
			    struct store_fill *f, char *err, size_t errlen);

/* store_sweep.c: the consumer's fill of the cache in the background. */

/* Where a sweep has got to, kept by the caller from pass to pass
 * (zeroed before the first). */
struct store_sweep {
	int64_t		 at;		/* the hours before this (ms) are left
					 * to do; 0: none, a new sweep starts */
	int64_t		 skip;		/* an hour (start) left out of this sweep:
					 * one of its minutes alone outlasted a
					 * pass twice; 0: none */
	int64_t		 stuck;		/* a minute (start) that outlasted a pass
					 * alone once; 0: none */
	int64_t		 minute_us;	/* what counting a minute of events cost
					 * lately, in microseconds (0: not known):
					 * sizes the runs to what a pass has left */
	size_t		 kept;		/* out: units this pass stored */
	int		 done;		/* out: this pass ended the sweep */
};

/*
 * One pass, of about budget_ms: the finds share it, and a write or the
 * last batch of STORE_SWEEP_BATCH events may end past it; a find of one
 * minute alone always has a whole budget_ms, so a pass may take twice
 * that (a minute that does not fit in two passes leaves its hour out
 * of the sweep, sw->skip for the current one).  It fills the closed
 * minutes of the hour of now_ms, then the hours that end at or before
 * it, newest first, back to the one holding from_ms (the horizon),
 * each hour that is not cached and not marked open made of its
 * minutes: those not cached counted from the events in runs sized to
 * what the pass has left (sw->minute_us), put as they are counted, then
 * the hour put from them.  A
 * pass that runs out leaves sw->at at the hour it was in, whose minutes
 * already put are not counted again.  Hours with no events are cached
 * as empty.  Every put is store_counts_put()'s: why a fill stays exact
 * whatever writes, reads or deletes run beside it is in store_sweep.c.
 * STORE_OK (also when the budget ran out), or the status of a failure
 * with err set (the pass ends; sw is kept).
 */
#define STORE_SWEEP_BATCH	100
enum store_status	 store_counts_sweep(struct store *s, int64_t now_ms, int64_t from_ms,
			    int64_t budget_ms, struct store_sweep *sw, char *err,
			    size_t errlen);

#endif
