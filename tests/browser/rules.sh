#!/bin/sh
# The tracker's rules against the server's: the cases of rules-cases.js
# through track.js in Chromium and through event-ingest as plain CGI
# (with a real Redis to queue what it accepts); see rules.js.
. "$top_srcdir/tests/services.sh"
svc_init
. "$top_srcdir/tests/browser/browser.sh"
browser_init
[ -x "$top_builddir/cgi/event-ingest" ] || fail "cgi/event-ingest not built"
svc_redis_start
INGEST=$top_builddir/cgi/event-ingest REDIS_PORT=$REDIS_PORT browser_run rules.js ||
    fail "the tracker and event-ingest disagree"
