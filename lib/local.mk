# lib/: the convenience library every program links.
noinst_LIBRARIES += lib/libevents.a
lib_libevents_a_SOURCES = \
	lib/access.c lib/access.h \
	lib/buf.c lib/buf.h \
	lib/cgi_start.c lib/cgi_start.h \
	lib/coding.c lib/coding.h \
	lib/conf.c lib/conf.h lib/conf_impl.h \
	lib/csv.c lib/csv.h \
	lib/enqueue.c lib/enqueue.h \
	lib/event.c lib/event.h \
	lib/http.c lib/http.h \
	lib/ipanon.c lib/ipanon.h \
	lib/jsnumber.c lib/jsnumber.h \
	lib/jsonscan.c lib/jsonscan.h \
	lib/mediatype.c lib/mediatype.h \
	lib/jsontime.c lib/jsontime.h \
	lib/bounds.h \
	lib/log.c lib/log.h \
	lib/metrics.h \
	lib/privacy.c lib/privacy.h \
	lib/prometheus.c lib/prometheus.h \
	lib/proxies.c lib/proxies.h \
	lib/cluster.c lib/cluster.h \
	lib/redisaddr.c lib/redisaddr.h \
	lib/rules.c lib/rules.h \
	lib/redisconn.c lib/redisconn.h \
	lib/sentinel.c lib/sentinel.h \
	lib/shard.c lib/shard.h \
	lib/spool.c lib/spool.h \
	lib/timeutil.c lib/timeutil.h \
	lib/utf8.c lib/utf8.h \
	lib/uuid7.c lib/uuid7.h

LIBEVENTS = lib/libevents.a $(JSONC_LIBS) $(HIREDIS_LIBS) $(ZLIB_LIBS) $(CRYPTO_LIBS) -lm

# The query side: its route, its parameters (GET /events,
# /events/stats), the paging cursor, the counting behind /events/stats.
lib_libevents_a_SOURCES += lib/query_route.c lib/query_route.h \
	lib/query_params.c lib/query_params.h \
	lib/query_cursor.c lib/query_cursor.h \
	lib/stats_tally.c lib/stats_tally.h \
	lib/stats_fold.c lib/stats_fold.h

# The store, one layer for every program (store.h lists its files): the
# connection, error classes, bulk insert, indexes and reads; and the
# queue JSON to BSON conversion (storedoc.c).  Programs that use them
# link $(MONGOC_LIBS) too.
lib_libevents_a_SOURCES += lib/store.h lib/store_impl.h lib/store_conn.c \
	lib/store_error.c lib/store_insert.c lib/store_index.c lib/store_read.c \
	lib/store_counts.c lib/store_fill.c lib/store_sweep.c \
	lib/store_kind.c lib/store_expire.c \
	lib/storedoc.c lib/storedoc.h
