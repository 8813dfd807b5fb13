# systemd/: units for hosts with root (the consumer; the FastCGI programs
# for mod_proxy_fcgi), with this build's paths filled in, installed as
# examples under $(pkgdatadir)/systemd.
systemddir = $(pkgdatadir)/systemd
systemd_DATA = systemd/event-consumer.service systemd/event-fcgi.service
EXTRA_DIST += systemd/event-consumer.service.in systemd/event-fcgi.service.in
CLEANFILES += $(systemd_DATA)

# Filled in by make, not by configure, which leaves ${prefix} and the
# like unexpanded (GNU Coding Standards, "Installation Directory
# Variables").
edit_paths = sed -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@libexecdir[@]|$(libexecdir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@pkgdatadir[@]|$(pkgdatadir)|g'
systemd/event-consumer.service: $(srcdir)/systemd/event-consumer.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	$(edit_paths) $(srcdir)/systemd/event-consumer.service.in >$@.tmp && mv $@.tmp $@
systemd/event-fcgi.service: $(srcdir)/systemd/event-fcgi.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	$(edit_paths) $(srcdir)/systemd/event-fcgi.service.in >$@.tmp && mv $@.tmp $@
