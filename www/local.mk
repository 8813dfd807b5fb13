# www/: the page and the tracker.  The tracker's source is track.js.in;
# www/track-rules writes the server's event rules into it (track.js).
# The page as a web server serves it is htdocs/ in the build tree
# (tests and scripts/start serve it from there), installed under
# $(datadir)/events/www.
noinst_PROGRAMS += www/track-rules
www_track_rules_SOURCES = www/track-rules.c
www_track_rules_LDADD = $(LIBEVENTS)

wwwdir = $(datadir)/events/www
nodist_www_DATA = htdocs/index.html htdocs/app.js htdocs/style.css htdocs/favicon.svg \
	htdocs/track.js
EXTRA_DIST += www/index.html www/app.js www/style.css www/favicon.svg www/track.js.in \
	docs/page.png
CLEANFILES += $(nodist_www_DATA)

htdocs/track.js: www/track.js.in www/track-rules$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) htdocs && \
	www/track-rules$(EXEEXT) $(srcdir)/www/track.js.in >$@.tmp && mv $@.tmp $@
htdocs/index.html: www/index.html
	$(AM_V_GEN)$(MKDIR_P) htdocs && cp $(srcdir)/www/index.html $@
htdocs/app.js: www/app.js
	$(AM_V_GEN)$(MKDIR_P) htdocs && cp $(srcdir)/www/app.js $@
htdocs/style.css: www/style.css
	$(AM_V_GEN)$(MKDIR_P) htdocs && cp $(srcdir)/www/style.css $@
htdocs/favicon.svg: www/favicon.svg
	$(AM_V_GEN)$(MKDIR_P) htdocs && cp $(srcdir)/www/favicon.svg $@
