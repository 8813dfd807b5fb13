/*
 * A connection to one Redis master that re-establishes itself.  The
 * master is a fixed address (TCP or unix socket), or the one Redis
 * Sentinel names (sentinel.h): then each connect asks the Sentinels
 * first, and checks with ROLE that the server it reached is the master.
 * It connects with the configured timeout, authenticates (password, or
 * ACL user and password) and selects the database.
 *
 * After an I/O error, or a reply that shows the server is no longer a
 * writable master (READONLY, MASTERDOWN: a failover happened), the
 * context is dropped and the next redisconn_get() connects again, asking
 * Sentinel anew; after a failed connect it waits REDISCONN_RETRY_MS before
 * the next try, so an outage costs each request nothing.
 *
 * Ownership: redisconn_new*() copy what they need from the conf;
 * redisconn_free() frees the connection and the hiredis context (NULL is
 * a no-op).  Replies are the caller's to freeReplyObject().  No globals:
 * a thread that owns a connection shares nothing with others.
 */
#ifndef EVENTS_REDISCONN_H
#define EVENTS_REDISCONN_H

#include <stddef.h>

#include <hiredis/hiredis.h>

#include "conf.h"
#include "redisaddr.h"

#define REDISCONN_RETRY_MS 200

struct redisconn;

/* The first master of c: through Sentinel when redis_sentinels is set
 * (the first name of redis_master_name), else redis_socket or
 * redis_host:redis_port.  NULL on out of memory. */
struct redisconn	*redisconn_new(const struct conf *c);

/* A fixed address, with c's credentials, database and timeout. */
struct redisconn	*redisconn_new_addr(const struct conf *c, const struct redisaddr *a);

/* Another address with the credentials, database and timeout of rc. */
struct redisconn	*redisconn_new_like(const struct redisconn *rc, const struct redisaddr *a);

/* The master Sentinel calls name (c->redis_sentinels must be set). */
struct redisconn	*redisconn_new_master(const struct conf *c, const char *name);

void			 redisconn_free(struct redisconn *rc);

/* The live context, connecting first if needed; NULL with err set. */
redisContext		*redisconn_get(struct redisconn *rc, char *err, size_t errlen);

/* 1 while a context is open (the next command reuses it). */
int			 redisconn_connected(const struct redisconn *rc);

/* Drop the context after an I/O error (the next get reconnects). */
void			 redisconn_drop(struct redisconn *rc);

/*
 * Look at a reply: an error that shows this server stopped being a
 * writable master (READONLY, MASTERDOWN, anywhere in the message, as a
 * script reports it too) drops the context, so the next command finds
 * the master again.  Returns 1 then, else 0.  NULL is fine.
 */
int			 redisconn_failover(struct redisconn *rc, const redisReply *r);

/* Socket timeout for the next commands: the configured one plus extra_ms
 * (a blocking XREADGROUP, a WAIT); 0 restores it. */
void			 redisconn_timeout(struct redisconn *rc, long extra_ms);

/* Run a command (argv form).  Returns the reply, or NULL with err set
 * and the connection dropped when Redis could not be reached.  A Redis
 * error reply is returned as a reply of type REDIS_REPLY_ERROR (after
 * redisconn_failover() has seen it). */
redisReply		*redisconn_command(struct redisconn *rc, int argc,
			    const char **argv, const size_t *argvlen,
			    char *err, size_t errlen);

/* One command of a pipeline (argv form; argvlen NULL: strlen each). */
struct redis_cmd {
	int		 argc;
	const char	**argv;
	const size_t	*argvlen;
};

/* Commands in one pipeline, at most. */
#define REDISCONN_PIPELINE_MAX	4

/*
 * Send n commands (1..REDISCONN_PIPELINE_MAX) in one write and read their
 * n replies into replies[] (the caller frees each): one round trip.  The
 * socket waits extra_ms longer than the configured timeout (a BLOCK, a
 * WAIT).  A connection the server had closed while it idled (EOF or reset
 * on a reused connection: nothing ran) is opened again and the commands
 * sent once more.  Returns 0, or -1 with err set, no replies, and the
 * connection dropped.  Error replies are returned as replies, after
 * redisconn_failover() has seen them.
 */
int			 redisconn_pipeline(struct redisconn *rc,
			    const struct redis_cmd *cmds, size_t n, long extra_ms,
			    redisReply **replies, char *err, size_t errlen);

/* Where it connects, for messages ("127.0.0.1:6379", "/run/redis.sock",
 * "events (10.0.0.3:6379 by Sentinel)"). */
const char		*redisconn_where(const struct redisconn *rc);

#endif
