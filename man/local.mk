# man/: the manual pages (mdoc), checked by tests/man-lint.sh.
dist_man5_MANS = man/events.conf.5
dist_man8_MANS = man/event-consumer.8 man/event-ingest.8 man/event-query.8 \
	man/event-status.8
