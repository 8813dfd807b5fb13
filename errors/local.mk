# errors/: the web server's own error answers under /events, /health and
# /metrics, in the programs' JSON shape (lighttpd.conf, apache/).  They
# are served from the page's folder as events-errors/status.<NNN>.html:
# the name lighttpd's server.errorfile-prefix makes (JSON despite the
# suffix; each server is told their type).
ERROR_DOCS = errors/status.400.html errors/status.401.html \
	errors/status.403.html errors/status.404.html errors/status.405.html \
	errors/status.408.html errors/status.411.html errors/status.413.html \
	errors/status.414.html errors/status.415.html errors/status.416.html \
	errors/status.417.html errors/status.431.html errors/status.500.html \
	errors/status.501.html errors/status.502.html errors/status.503.html \
	errors/status.504.html errors/status.505.html
EXTRA_DIST += $(ERROR_DOCS)
errorsdir = $(datadir)/events/www/events-errors
nodist_errors_DATA = htdocs/events-errors/status.400.html \
	htdocs/events-errors/status.401.html htdocs/events-errors/status.403.html \
	htdocs/events-errors/status.404.html htdocs/events-errors/status.405.html \
	htdocs/events-errors/status.408.html htdocs/events-errors/status.411.html \
	htdocs/events-errors/status.413.html htdocs/events-errors/status.414.html \
	htdocs/events-errors/status.415.html htdocs/events-errors/status.416.html \
	htdocs/events-errors/status.417.html htdocs/events-errors/status.431.html \
	htdocs/events-errors/status.500.html htdocs/events-errors/status.501.html \
	htdocs/events-errors/status.502.html htdocs/events-errors/status.503.html \
	htdocs/events-errors/status.504.html htdocs/events-errors/status.505.html
CLEANFILES += $(nodist_errors_DATA)
$(nodist_errors_DATA): $(ERROR_DOCS)
	$(AM_V_GEN)$(MKDIR_P) htdocs/events-errors && \
	cp $(srcdir)/errors/$(@F) $@
