# cgi/: the FastCGI (and plain CGI) programs behind the web server.
libexec_PROGRAMS += cgi/event-ingest
cgi_event_ingest_SOURCES = cgi/ingest.c
cgi_event_ingest_LDADD = $(LIBEVENTS) $(FCGI_LIBS)
