/*
 * Putting a validated batch on the Redis stream: one stream entry per
 * event, field "e" holding the event's JSON, all-or-nothing in one round
 * trip (a Lua script runs atomically: Redis runs no other command while
 * it runs).  No MAXLEN: the consumer trims what it has stored.
 */
#ifndef EVENTS_ENQUEUE_H
#define EVENTS_ENQUEUE_H

#include <stddef.h>

#include "conf.h"
#include "event.h"

struct enqueue;

/* Owns a redisconn made from c.  NULL on out of memory. */
struct enqueue	*enqueue_new(const struct conf *c);
void		 enqueue_free(struct enqueue *q);

/* 0 when every event is on the stream; -1 when none is (Redis
 * unreachable or refusing), with err set. */
int		 enqueue_batch(struct enqueue *q, const struct event_batch *b,
		    char *err, size_t errlen);

/* The stream entry field that holds an event's JSON. */
#define ENQUEUE_FIELD "e"

#endif
