/*
 * event-consumer: moves events from the Redis stream to the store, each
 * exactly once.
 *
 *   read a batch (XREADGROUP; own pending entries first, then entries
 *   idle too long under other consumers by XAUTOCLAIM, then new ones)
 *   -> convert (storedoc.c) -> one unordered bulk insert with _id = event
 *   id -> XACK + XDEL of what the store acknowledged, in one script
 *
 * An entry leaves the stream only after the store has it, and a second
 * insert of an event already stored is a duplicate-key error that counts
 * as success: at-least-once delivery plus an idempotent write.
 *
 * With shards (shard.h) the consumer reads every shard, or those given
 * by --shard, in turn: each has its own group, cursors, attempts and
 * dead letters, and an outage of one shard's master holds up only that
 * shard.
 *
 * Files: main.c (options, start-up), loop.c (the cycle above), stop.c
 * (stop signals, waits, the --max-seconds deadline), batch.c (what a
 * batch owns: entries, reply, documents), stream.c (Redis commands and
 * scripts), deadletter.c (attempts, the dead-letter stream,
 * --replay-dead), spool.c (the ingest's disk spool, queued again),
 * expire.c (retention_days), counts.c (the counts cache around each
 * insert), fill.c (the counts cache filled while idle), lock.c (one copy
 * per name).
 */
#ifndef EVENTS_CONSUMER_H
#define EVENTS_CONSUMER_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "conf.h"
#include "enqueue.h"
#include "bounds.h"
#include "shard.h"
#include "store.h"

/* A stream entry id: two 64-bit decimals and a dash. */
#define STREAM_ID_LEN		48

/* Longest wait in one blocking XREADGROUP: bounds how late a SIGTERM or
 * the --max-seconds deadline is noticed while the stream is idle. */
#define CONSUMER_BLOCK_MS	1000

/* The shortest blocking read, when CONSUMER_BLOCK_MS is shared by shards. */
#define CONSUMER_BLOCK_MIN_MS	50

/* Pause before an entry the store refused is tried again. */
#define CONSUMER_RETRY_MS	1000

/* First pause after an outage; it doubles up to backoff_max_ms. */
#define CONSUMER_BACKOFF_MS	100

/* Heartbeat and spool check, at most this often. */
#define CONSUMER_HOUSE_MS	1000

/* Retention passes (expire.c): at most one a minute among all
 * consumers; in each, batches of this many events while the pass has
 * taken less than this long.  A batch is one find and one delete, each
 * bounded by LIMIT_QUERY_MS. */
#define CONSUMER_EXPIRE_EVERY_MS	60000
#define CONSUMER_EXPIRE_BATCH		1000
#define CONSUMER_EXPIRE_PASS_MS		2000

/* The counts cache's fill (fill.c): a pass of at most about
 * CONSUMER_FILL_PASS_MS once the consumer has caught up with the
 * stream, at most one every CONSUMER_FILL_EVERY_MS among all consumers
 * while a sweep has hours left, and a new sweep (the hours closed since,
 * those late events touched) CONSUMER_FILL_SWEEP_MS after the last one
 * ended. */
#define CONSUMER_FILL_PASS_MS		250
#define CONSUMER_FILL_EVERY_MS		1000
#define CONSUMER_FILL_SWEEP_MS		60000

/* Ids handed to one XACK/XDEL inside the scripts (Lua's unpack() takes
 * a few thousand values at most).  A plain number: the scripts' text is
 * built with it (CONSUMER_STR). */
#define CONSUMER_ARGS_CHUNK	500

/* Fields of a poison entry copied into its dead letter (the same
 * unpack() limit, two values a field); past this many the dead letter
 * keeps the first ones and says "truncated".  A plain number. */
#define CONSUMER_DEAD_FIELDS	3000

/* A number macro as a string literal, for the Lua scripts' text. */
#define CONSUMER_STR(n)		CONSUMER_STR_(n)
#define CONSUMER_STR_(n)	#n


/* What became of an entry of the batch. */
enum entry_fate {
	ENTRY_STORE,	/* converted; items[] says the rest */
	ENTRY_GONE,	/* deleted from the stream while pending: ack only */
	ENTRY_BAD	/* poison candidate; reason set */
};

struct entry {
	char		 id[STREAM_ID_LEN];
	const char	*json;		/* borrowed from the batch's reply */
	size_t		 len;
	enum entry_fate	 fate;
	size_t		 item;		/* index in items[] when ENTRY_STORE */
	char		 reason[STORE_REASON_LEN];
};

/* One batch (batch.c owns what it holds), its arrays sized cap
 * (batch_size); reused batch after batch. */
struct batch {
	redisReply		*reply;		/* holds the entries' bytes */
	struct entry		*e;
	size_t			 n, cap;
	bson_t			*docs;
	struct store_item	*items;
	size_t			 nitems;
	int64_t			*minutes;	/* of the docs' createdAt (counts.c) */
};

/* Where the next batch comes from. */
enum phase {
	PHASE_OWN,	/* this name's pending entries, from a cursor */
	PHASE_CLAIM,	/* XAUTOCLAIM sweep of entries idle too long */
	PHASE_NEW	/* entries never delivered: ">" */
};

/* One shard as this consumer reads it: its keys (shard.h) and where
 * reading it has got to. */
struct cshard {
	unsigned		 id;
	char			*stream;
	char			*dead_stream;
	char			*attempts_key;		/* <stream>:<group>:attempts */
	char			*metrics_key;		/* metrics.h */
	char			*consumers_key;
	char			*last_batch_key;

	enum phase		 phase;
	char			 own_cursor[STREAM_ID_LEN];
	char			 claim_cursor[STREAM_ID_LEN];
	int64_t			 next_claim;	/* monotonic ms */
	int64_t			 next_retry;	/* 0: no refused entry waits */
	int			 need_group;
	int			 done;		/* --once: nothing left here */

	/* An outage of this shard's master: reported once when it starts,
	 * once when it ends; the shard is not read before next_try. */
	int64_t			 down_since;	/* 0: up */
	int64_t			 backoff;
	int64_t			 next_try;
};

struct consumer {
	struct conf		 conf;
	struct shardmap		*m;
	struct store		*store;
	struct cshard		*sh;		/* the shards read */
	size_t			 nsh;
	struct cshard		*s;		/* the one read now */
	size_t			 cur;		/* its index in sh[] */
	size_t			 idle;		/* shards in a row with nothing new */
	char			 where[CONF_STR_LEN + 64];	/* stream_where() */
	/* Retention's turn and count (expire.c): in shard 0, whichever
	 * shards this consumer reads, so all consumers share one turn. */
	char			 expire_key[CONF_STR_LEN + SHARD_TAG_LEN + 32];	/* metrics.h */
	char			 expire_metrics_key[CONF_STR_LEN + SHARD_TAG_LEN + 32];
	/* The counts cache's fill (fill.c): its turn, also in shard 0. */
	char			 fill_key[CONF_STR_LEN + SHARD_TAG_LEN + 32];
	struct store_sweep	 sweep;
	int64_t			 next_fill;	/* monotonic ms */
	int64_t			 sweep_kept;	/* units the sweep filled so far */
	struct enqueue		*spool_q;	/* spool replay; NULL: no spool */
	int64_t			 next_house;	/* monotonic ms */
	int			 once;
	int64_t			 deadline;	/* monotonic ms; 0: none */
	int64_t			 started;

	int			 need_indexes;
	int			 index_outage;	/* the last try looked like one */
	int			 server_logged;	/* which server it is, said once */
	struct store_server	 server;	/* valid once server_logged */
	int			 counts_ready;	/* counts cache set up (counts.c) */
	int			 expire_ready;	/* retention set up for this run */
	enum store_expire_way	 expire_way;
	int64_t			 next_expire;	/* monotonic ms */
	char			 index_err[ERRBUF_LEN];

	struct batch		 b;
	const char		**argv;		/* script arguments */
	size_t			*argvlen;
	struct shard_script	 ack_script, fail_script;

	/* Store outages: reported once when they start, once when they end. */
	int64_t			 store_down_since;	/* 0: up */
	int64_t			 backoff;

	/* Counters for the closing log line. */
	uint64_t		 n_stored, n_dup, n_dead, n_refused, n_expired, n_filled;
};

/* stop.c */

/* Block SIGTERM and SIGINT (collected by the calls below, never
 * delivered) and ignore SIGPIPE, for the whole run. */
void		 stop_init(void);
/* 1 once a stop signal has come (it is logged once), else 0. */
int		 consumer_stopping(void);
/* Wait ms (monotonic), or less if a stop signal comes.  Returns
 * consumer_stopping(). */
int		 consumer_sleep(int64_t ms);
/* 1 when --max-seconds has run out, else 0. */
int		 consumer_time_up(const struct consumer *c);
/* ms, or what is left before the deadline when that is less (0 or
 * negative once it has passed).  ms as given without --max-seconds. */
int64_t		 consumer_clamp_ms(const struct consumer *c, int64_t ms);

/* batch.c */

/* Arrays for cap entries.  0, or -1 out of memory (b then empty). */
int		 batch_init(struct batch *b, size_t cap);
/* The batch holds r (the entries' bytes) until batch_clear. */
void		 batch_take_reply(struct batch *b, redisReply *r);
/* Add the [id, [field, value]] elements of entries, up to cap; an
 * element that is no entry is skipped, one that is not one field "e"
 * is ENTRY_BAD with its reason.  Returns the batch's entry count. */
size_t		 batch_add_entries(struct batch *b, const redisReply *entries);
/* Make the store document of each ENTRY_STORE entry (storedoc.c); one
 * it refuses becomes ENTRY_BAD with the reason.  Returns nitems. */
size_t		 batch_convert(struct batch *b);
/* Give back the reply and documents; the arrays stay for the next. */
void		 batch_clear(struct batch *b);
/* batch_clear, and the arrays too. */
void		 batch_free(struct batch *b);

/* loop.c */
int		 consumer_run(struct consumer *c);

/* stream.c */
int		 stream_ensure_group(struct consumer *c, char *err, size_t errlen);
int		 stream_read(struct consumer *c, const char *from, int64_t block_ms,
		    char *err, size_t errlen);
int		 stream_claim(struct consumer *c, char *err, size_t errlen);
int		 stream_ack(struct consumer *c, char *err, size_t errlen);
void		 stream_heartbeat(struct consumer *c);
redisReply	*stream_script(struct consumer *c, struct shard_script *s, int nkeys,
		    int argc, char *err, size_t errlen);
const char	*stream_where(struct consumer *c);

/* deadletter.c */
extern const char deadletter_fail_lua[];
int		 deadletter_count(struct consumer *c, char *err, size_t errlen);
int		 deadletter_replay(struct consumer *c);

/* shards.c */
int		 shards_parse(const char *list, unsigned nshards, unsigned char *want,
		    char *err, size_t errlen);
int		 shards_init(struct consumer *c, const unsigned char *want);
void		 shards_free(struct consumer *c);

/* spool.c */
void		 spool_drain(struct consumer *c);

/* expire.c */
void		 expire_setup(struct consumer *c);
void		 expire_maybe(struct consumer *c);

/* counts.c */
void		 counts_setup(struct consumer *c);
int		 counts_open(struct consumer *c, char *err, size_t errlen);
int		 counts_close(struct consumer *c, char *err, size_t errlen);
int		 counts_expire_begin(struct consumer *c, int64_t cutoff, char *err,
		    size_t errlen);
void		 counts_expire_end(struct consumer *c, int64_t cutoff);

/* fill.c */
void		 fill_maybe(struct consumer *c);

/*
 * turn.c: turn_take() says whether this consumer runs the pass now: SET
 * key NX with an expiry of every_ms (1 or more), so that one consumer
 * among all runs it, at most once in every_ms; 0 when another has it or
 * Redis fails (logged at debug, naming what).  turn_count() adds n to
 * field of the metrics hash (GET /metrics); a failure is logged.
 */
int		 turn_take(struct consumer *c, const char *key, int every_ms,
		    const char *what);
void		 turn_count(struct consumer *c, const char *field, long long n,
		    const char *what);

/* lock.c */
int		 lock_take(const char *dir, const char *name, char *msg, size_t msglen);

#endif
