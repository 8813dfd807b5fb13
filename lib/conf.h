/*
 * events.conf: "key = value" lines, '#' comments, blank lines ignored.
 * Every key may be overridden by the environment variable EVENTS_<KEY>
 * (upper case), which is how lighttpd.conf and Apache pass settings.
 *
 * The file is named by --config FILE or EVENTS_CONF; with neither, the
 * built-in defaults apply.  An unknown key or a bad value is an error
 * that names the key, the value and where it came from.
 *
 * Ownership: struct conf is the caller's, filled in place (it holds
 * no pointers, so it is copied as it is and needs no free); conf_load
 * frees what it reads before it returns.  conf_key_name returns a static
 * string.
 */
#ifndef EVENTS_CONF_H
#define EVENTS_CONF_H

#include <stddef.h>

/* A string value, with its NUL. */
#define CONF_STR_LEN	4096
/* A configuration file, in bytes. */
#define CONF_FILE_MAX	(1024 * 1024)
/* write_concern as a number of nodes: 1 to this. */
#define CONF_WC_MAX	50

struct conf {
	/* Redis: TCP (host, port) unless socket is set. */
	char	redis_host[CONF_STR_LEN];
	long	redis_port;
	char	redis_socket[CONF_STR_LEN];
	char	redis_user[CONF_STR_LEN];
	char	redis_password[CONF_STR_LEN];
	long	redis_db;
	long	redis_timeout_ms;

	/* Redis Sentinel: when redis_sentinels is set, the master is the one
	 * the Sentinels call redis_master_name (sentinel.h). */
	char	redis_sentinels[CONF_STR_LEN];
	char	redis_master_name[CONF_STR_LEN];
	char	redis_sentinel_user[CONF_STR_LEN];
	char	redis_sentinel_password[CONF_STR_LEN];

	/* The sharded queue (shard.h): this many streams, on one Redis, on
	 * independent masters (redis_servers, or several Sentinel names),
	 * or on a Redis Cluster whose seeds are redis_servers. */
	long	shards;
	char	redis_servers[CONF_STR_LEN];
	long	redis_cluster;

	/* Copies on replicas before a 202: WAIT for this many, this long. */
	long	redis_min_replicas;
	long	redis_replica_timeout_ms;

	/* Streams and the consumer group. */
	char	stream[CONF_STR_LEN];
	char	group[CONF_STR_LEN];
	char	dead_stream[CONF_STR_LEN];

	/* The store. */
	char	mongo_uri[CONF_STR_LEN];
	char	mongo_db[CONF_STR_LEN];
	char	mongo_collection[CONF_STR_LEN];

	/* Ingest limits (ceilings in bounds.h). */
	long	max_body_bytes;
	long	max_events;

	/* FastCGI: threads per event-ingest process, each serving one
	 * request at a time over its own Redis connection. */
	long	fcgi_threads;
	/* 1: event-ingest runs under Linux's SCHED_BATCH (sched(7)). */
	long	fcgi_sched_batch;

	/* Consumer. */
	char	consumer_name[CONF_STR_LEN];
	long	batch_size;
	long	claim_idle_ms;
	long	max_attempts;
	char	write_concern[CONF_STR_LEN];
	long	backoff_max_ms;
	char	lock_dir[CONF_STR_LEN];
	long	retention_days;		/* 0: keep every event */
	long	counts_fill_days;	/* the counts cache filled back this far;
					 * 0: not filled by the consumer */

	char	log_level[CONF_STR_LEN];

	/* Access (access.h). */
	char	write_keys[CONF_STR_LEN];
	char	read_token[CONF_STR_LEN];

	/* Abuse and overload: events per window; 0 turns a limit off. */
	long	rate_limit_ip;
	long	rate_limit_key;
	long	rate_window_s;
	long	max_backlog;

	/* The disk spool for Redis outages; "" turns it off. */
	char	spool_path[CONF_STR_LEN];
	long	spool_max_bytes;

	/* Privacy (privacy.h). */
	char	ip_mode[CONF_STR_LEN];
	char	ip_hash_secret[CONF_STR_LEN];
	long	honour_dnt;
	long	drop_bots;

	/* Reverse proxies whose client address is taken (proxies.h). */
	char	trusted_proxies[CONF_STR_LEN];
	char	forwarded_header[CONF_STR_LEN];

	/* GET /health: lag past which it answers 503. */
	long	health_max_lag_s;
};

/* Fill c with the built-in defaults (lib/conf.c's table, the only place
 * they are written).  0, or -1 when one does not apply to its own key
 * (logged, naming the key): a fault of the build; the program must not
 * start. */
int	conf_defaults(struct conf *c);

/* The name of key i (0, 1, ...), in the table's order; NULL past the
 * last.  A static string. */
const char *conf_key_name(size_t i);

/* key's value in c as text into buf (cut to len - 1 bytes): a number in
 * decimal, a string as it is (secrets too: not for logs).  0, or -1 for
 * an unknown key. */
int	conf_get(const struct conf *c, const char *key, char *buf, size_t len);

/*
 * Defaults, then the file (path, or EVENTS_CONF when path is NULL; none
 * when both are absent), then EVENTS_<KEY> variables.  Returns 0, or -1
 * with a message in err (a default that does not apply is one too).
 */
int	conf_load(struct conf *c, const char *path, char *err, size_t errlen);

/*
 * write_concern's value: "majority" (*w set to 0) or a number of nodes
 * from 1 to CONF_WC_MAX (w=0 would have the store answer before it has
 * the document).  0, or -1 for anything else.
 */
int	conf_write_concern(const char *v, long *w);

/* Set one key from text; where names the source for messages
 * ("events.conf:12", "environment EVENTS_REDIS_PORT").  0 or -1. */
int	conf_set(struct conf *c, const char *key, const char *value,
	    const char *where, char *err, size_t errlen);

/*
 * For an environment variable name[0..len) that begins "EVENTS_" and is
 * no setting: the setting's variable at most 2 edits away (a letter
 * left out, added or changed) into out (outlen bytes), and 1, so that
 * EVENTS_MAX_EVENT is told "EVENTS_MAX_EVENTS?" and EVENTS_CONFIG
 * "EVENTS_CONF?".  0 for a setting, for EVENTS_CONF and for a name far
 * from all (EVENTS_HTTP_PORT, the scripts' own).  conf_load logs a
 * warning for each such variable, before it reads the file.  (An
 * unknown key in the file is an error, which names the key nearest it
 * the same way.)
 */
int	conf_env_suggest(const char *name, size_t len, char *out, size_t outlen);

/* Parse a whole file's text (for tests and conf_load): "key = value"
 * lines, blank lines and # comments; a UTF-8 byte order mark before the
 * first is skipped.  A key unknown, set twice or given a bad value is
 * an error naming the file and line.  0 or -1 with err. */
int	conf_parse_text(struct conf *c, const char *text, const char *file,
	    char *err, size_t errlen);

#endif
