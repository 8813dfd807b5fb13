/*
 * A Redis connection that re-establishes itself.  Connects by TCP or unix
 * socket with the configured timeout, authenticates (password, or ACL
 * user and password), selects the database.  After an I/O error the
 * context is dropped and the next redisconn_get() connects again; after a
 * failed connect it waits REDISCONN_RETRY_MS before the next try, so an
 * outage costs each request nothing.
 *
 * Ownership: redisconn_new() copies what it needs from the conf;
 * redisconn_free() frees the connection and the hiredis context.  Replies
 * from redisconn_command() are the caller's to freeReplyObject().
 */
#ifndef EVENTS_REDISCONN_H
#define EVENTS_REDISCONN_H

#include <stddef.h>

#include <hiredis/hiredis.h>

#include "conf.h"

#define REDISCONN_RETRY_MS 200

struct redisconn;

struct redisconn	*redisconn_new(const struct conf *c);
void			 redisconn_free(struct redisconn *rc);

/* The live context, connecting first if needed; NULL with err set. */
redisContext		*redisconn_get(struct redisconn *rc, char *err, size_t errlen);

/* Drop the context after an I/O error (the next get reconnects). */
void			 redisconn_drop(struct redisconn *rc);

/* Run a command (argv form).  Returns the reply, or NULL with err set
 * and the connection dropped when Redis could not be reached.  A Redis
 * error reply is returned as a reply of type REDIS_REPLY_ERROR. */
redisReply		*redisconn_command(struct redisconn *rc, int argc,
			    const char **argv, const size_t *argvlen,
			    char *err, size_t errlen);

/* Where it connects, for messages ("127.0.0.1:6379", "/run/redis.sock"). */
const char		*redisconn_where(const struct redisconn *rc);

/* Load a Lua script; on success sha (41 bytes) holds its SHA1. 0 or -1. */
int			 redisconn_script_load(struct redisconn *rc, const char *script,
			    char sha[41], char *err, size_t errlen);

#endif
