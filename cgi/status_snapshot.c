/*
 * What /health and /metrics report, read fresh for each request: the
 * spool's size, whether the store answers and which server it is, and
 * the Redis side (status_redis.c).
 */
#include "config.h"

#include <string.h>

#include "log.h"
#include "spool.h"
#include "status.h"

static int
store_up(struct status *st, struct store_server *sv)
{
	char err[ERRBUF_LEN];

	if (st->store == NULL &&
	    (st->store = store_new(&st->conf, "event-status", STORE_PROBER, err,
	    sizeof(err))) == NULL) {
		log_warn("%s", err);
		return 0;
	}
	/* A failed ping drops the client (lib/store.h), so the next
	 * request asks a new one and /health says "up" as soon as the
	 * store is back. */
	if (store_ping(st->store, err, sizeof(err)) == STORE_OK &&
	    store_server(st->store, sv, err, sizeof(err)) == STORE_OK)
		return 1;
	log_warn("%s", err);
	return 0;
}

void
snapshot_read(struct status *st, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->spool_bytes = st->conf.spool_path[0] ? (long long)spool_size(st->conf.spool_path) : 0;
	s->store_up = store_up(st, &s->server);
	redis_view_read(st->m, &st->conf, &s->r);
	s->redis_up = s->r.shards > 0 && s->r.shards_up == s->r.shards;
}

void
snapshot_free(struct snapshot *s)
{
	redis_view_free(&s->r);
}
