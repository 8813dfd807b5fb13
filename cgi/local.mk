# cgi/: the FastCGI (and plain CGI) programs behind the web server.
libexec_PROGRAMS += cgi/event-ingest
cgi_event_ingest_SOURCES = cgi/ingest.c cgi/ingest.h cgi/ingest_cors.c
cgi_event_ingest_LDADD = $(LIBEVENTS) $(FCGI_LIBS)

# GET /events and /events/stats: reads the store.
libexec_PROGRAMS += cgi/event-query
cgi_event_query_SOURCES = cgi/query.c cgi/query.h cgi/query_json.c \
	cgi/query_events.c cgi/query_stats.c cgi/query_counts.c cgi/query_breakdown.c
cgi_event_query_LDADD = $(LIBEVENTS) $(MONGOC_LIBS) $(FCGI_LIBS)

# GET /health and GET /metrics: for operators and monitoring.
libexec_PROGRAMS += cgi/event-status
cgi_event_status_SOURCES = cgi/status.c cgi/status.h cgi/status_health.c \
	cgi/status_metrics.c cgi/status_snapshot.c cgi/status_redis.c
cgi_event_status_LDADD = $(LIBEVENTS) $(MONGOC_LIBS) $(FCGI_LIBS)
