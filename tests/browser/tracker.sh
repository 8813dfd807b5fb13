#!/bin/sh
# track.js in Chromium against the real event-ingest behind lighttpd and
# Redis (tracker.js): first with the server's default limits, then with
# max_body_bytes = 6000 and max_events = 3.  The write key pk_site is
# required, as a site would set it.
. "$top_srcdir/tests/services.sh"
svc_init
. "$top_srcdir/tests/browser/browser.sh"
browser_init
svc_need redis-cli
svc_redis_start
EVENTS_WRITE_KEYS=pk_site
export EVENTS_WRITE_KEYS
svc_lighttpd_start
BASE_URL=$BASE_URL REDIS_PORT=$REDIS_PORT browser_run tracker.js defaults ||
    fail "the tracker in Chromium, default limits"
svc_lighttpd_stop
EVENTS_MAX_BODY_BYTES=6000 EVENTS_MAX_EVENTS=3
export EVENTS_MAX_BODY_BYTES EVENTS_MAX_EVENTS
svc_lighttpd_start
BASE_URL=$BASE_URL REDIS_PORT=$REDIS_PORT browser_run tracker.js small ||
    fail "the tracker in Chromium, small limits"
