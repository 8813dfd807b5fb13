#!/bin/sh
# The page in Chromium against the whole stack: Redis, the store,
# lighttpd with event-ingest and event-query, and the consumer following
# the stream (page.js); then again with a read token set.  Screenshots
# are left in $top_builddir/tests/browser/artefacts/.
. "$top_srcdir/tests/services.sh"
svc_init
. "$top_srcdir/tests/browser/browser.sh"
browser_init
[ -x "$top_builddir/consumer/event-consumer" ] || fail "consumer/event-consumer not built"
[ -x "$top_builddir/cgi/event-query" ] || fail "cgi/event-query not built"
svc_redis_start
svc_store_start
svc_lighttpd_start
EVENTS_LOCK_DIR=$SVC_DIR/run
export EVENTS_LOCK_DIR
svc_spawn consumer "$SVC_DIR/log/consumer.log" "$top_builddir/consumer/event-consumer"

BASE_URL=$BASE_URL browser_run page.js main || fail "the page in Chromium"
svc_lighttpd_stop
EVENTS_READ_TOKEN=read-token-0123456789
export EVENTS_READ_TOKEN
svc_lighttpd_start
BASE_URL=$BASE_URL READ_TOKEN=$EVENTS_READ_TOKEN browser_run page.js token ||
    fail "the page with a read token"
ok "the page in Chromium (screenshots in $ARTEFACTS)"
