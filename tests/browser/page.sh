#!/bin/sh
# The page and the tracker in headless Chromium (Debian's chromium driven
# by playwright-core from npm) against the whole stack: Redis, the store,
# lighttpd with event-ingest and event-query, and the consumer following
# the stream.  The checks are in page.js; screenshots are left in
# $top_builddir/tests/browser/artefacts/.
. "$top_srcdir/tests/services.sh"
svc_init
svc_need node npm chromium
CHROMIUM=${CHROMIUM:-$(command -v chromium)}

# playwright-core, pinned by package-lock.json, installed beside the build
# (never in the source tree) the first time.
NODE_DIR=$top_builddir/tests/browser
mkdir -p "$NODE_DIR/artefacts"
if [ ! -f "$NODE_DIR/node_modules/playwright-core/package.json" ]; then
	cp "$top_srcdir/tests/browser/package.json" \
	    "$top_srcdir/tests/browser/package-lock.json" "$NODE_DIR/" &&
	chmod u+w "$NODE_DIR/package.json" "$NODE_DIR/package-lock.json" &&
	(cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error) ||
	    fail "npm ci of playwright-core in $NODE_DIR"
fi

[ -x "$top_builddir/consumer/event-consumer" ] || fail "consumer/event-consumer not built"
[ -x "$top_builddir/cgi/event-query" ] || fail "cgi/event-query not built"
svc_redis_start
svc_store_start
svc_lighttpd_start
EVENTS_LOCK_DIR=$SVC_DIR/run
export EVENTS_LOCK_DIR
svc_spawn consumer "$SVC_DIR/log/consumer.log" "$top_builddir/consumer/event-consumer"

BASE_URL=$BASE_URL CHROMIUM=$CHROMIUM ARTEFACTS=$NODE_DIR/artefacts \
    NODE_PATH=$NODE_DIR/node_modules node "$top_srcdir/tests/browser/page.js" ||
    fail "browser checks"
ok "page and tracker in Chromium (screenshots in $NODE_DIR/artefacts)"
