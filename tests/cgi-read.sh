#!/bin/sh
# event-query and event-status as plain CGI (RFC 3875), no web server:
# the same binaries a shared host runs from mod_cgi.  Under scripts/test's
# valgrind pass ($EVENTS_VALGRIND) this is also their leak check.
. "$top_srcdir/tests/services.sh"
svc_init
svc_need redis-server redis-cli
svc_redis_start
svc_store_start

OUT="$SVC_DIR/out"

# run PROGRAM VAR=VALUE...: one CGI request; sets STATUS.
run() {
	prog=$1; shift
	env -i PATH="$PATH" EVENTS_REDIS_PORT="$EVENTS_REDIS_PORT" \
	    EVENTS_MONGO_URI="$EVENTS_MONGO_URI" GATEWAY_INTERFACE=CGI/1.1 "$@" \
	    timeout 60 ${EVENTS_VALGRIND:-} "$top_builddir/cgi/$prog" </dev/null >"$OUT" 2>"$SVC_DIR/err"
	rc=$?
	[ "$rc" != 97 ] || fail "valgrind: $prog: $(cat "$SVC_DIR/err")"
	STATUS=$(sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$OUT" | tr -d '\r')
}

body() {
	sed '1,/^\r*$/d' "$OUT"
}

run event-query REQUEST_METHOD=GET SCRIPT_NAME=/events QUERY_STRING=limit=5
expect_eq 200 "$STATUS" "GET /events"
body | grep -q '"events":\[' || fail "GET /events body: $(cat "$OUT")"

run event-query REQUEST_METHOD=GET SCRIPT_NAME=/events QUERY_STRING='limit=0'
expect_eq 400 "$STATUS" "limit=0"

run event-query REQUEST_METHOD=GET SCRIPT_NAME=/events QUERY_STRING='format=csv'
expect_eq 200 "$STATUS" "csv"

run event-query REQUEST_METHOD=GET SCRIPT_NAME=/events/stats QUERY_STRING='bucket=hour'
expect_eq 200 "$STATUS" "stats"

run event-query REQUEST_METHOD=DELETE SCRIPT_NAME=/events
expect_eq 405 "$STATUS" "DELETE"

run event-query REQUEST_METHOD=GET SCRIPT_NAME=/events EVENTS_READ_TOKEN=0123456789abcdef-token
expect_eq 401 "$STATUS" "no token"
run event-query REQUEST_METHOD=GET SCRIPT_NAME=/events EVENTS_READ_TOKEN=0123456789abcdef-token \
    HTTP_AUTHORIZATION='Bearer 0123456789abcdef-token'
expect_eq 200 "$STATUS" "right token"

run event-status REQUEST_METHOD=GET SCRIPT_NAME=/health
expect_eq 503 "$STATUS" "/health before any consumer ran"
body | grep -q '"no consumer has run' || fail "/health problems: $(cat "$OUT")"

run event-status REQUEST_METHOD=GET SCRIPT_NAME=/metrics
expect_eq 200 "$STATUS" "/metrics"
body | grep -q '^events_up{service="redis"} 1' || fail "/metrics: $(cat "$OUT")"
body | grep -q '^events_up{service="store"} 1' || fail "/metrics store: $(cat "$OUT")"

run event-status REQUEST_METHOD=GET SCRIPT_NAME=/nothing
expect_eq 404 "$STATUS" "unknown path"

# The store gone: the query program answers 503, the status program says so.
svc_store_stop
run event-query REQUEST_METHOD=GET SCRIPT_NAME=/events
expect_eq 503 "$STATUS" "store down"
run event-status REQUEST_METHOD=GET SCRIPT_NAME=/health
expect_eq 503 "$STATUS" "health with the store down"
body | grep -q '"store":false' || fail "health body: $(cat "$OUT")"
ok "event-query and event-status as plain CGI"
