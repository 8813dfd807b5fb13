/*
 * Finding a Redis master through Redis Sentinel, as the Sentinel client
 * guidelines ask (redis.io, "Sentinel client spec"): ask the Sentinels in
 * turn "SENTINEL GET-MASTER-ADDR-BY-NAME name"; the first that answers
 * moves to the front of the list, so the next look-up asks it first.  A
 * Sentinel may still name the old master for a moment during a failover,
 * so the caller connects and checks ROLE (redisconn.c does).
 *
 * Each look-up opens a short connection to a Sentinel and closes it:
 * look-ups happen at start-up and after a failover only.
 *
 * Ownership: sentinel_new() copies what it needs from the conf;
 * sentinel_free() frees it (NULL is a no-op).  No globals: one per
 * connection, so threads that each own a connection share nothing.
 */
#ifndef EVENTS_SENTINEL_H
#define EVENTS_SENTINEL_H

#include <stddef.h>

#include "conf.h"
#include "redisaddr.h"

struct sentinel;

/* The Sentinels of c->redis_sentinels.  NULL with err set when the list is
 * empty or bad (conf_load has checked it) or on out of memory. */
struct sentinel	*sentinel_new(const struct conf *c, char *err, size_t errlen);
void		 sentinel_free(struct sentinel *s);

/*
 * The address of the master the Sentinels call name.  0, or -1 with err
 * saying what each Sentinel answered (unreachable, no such master).
 */
int		 sentinel_master(struct sentinel *s, const char *name,
		    struct redisaddr *master, char *err, size_t errlen);

#endif
