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

run event-status REQUEST_METHOD=GET SCRIPT_NAME=/health
expect_eq 503 "$STATUS" "/health before any consumer ran"
body | grep -q '"no consumer has run' || fail "/health problems: $(cat "$OUT")"

# Three events in the store (event-ingest as CGI, then the consumer
# drains the stream once), so the reads below format real rows.
printf '[{"type":"click","id":"r-1","metadata":{"x":1}},{"type":"view","id":"r-2"},{"type":"click","id":"r-3","metadata":{"s":"=1+2"}}]' >"$SVC_DIR/batch"
env -i PATH="$PATH" EVENTS_REDIS_PORT="$EVENTS_REDIS_PORT" GATEWAY_INTERFACE=CGI/1.1 \
    REQUEST_METHOD=POST SCRIPT_NAME=/events CONTENT_TYPE=application/json \
    CONTENT_LENGTH="$(wc -c <"$SVC_DIR/batch")" REMOTE_ADDR=198.51.100.23 \
    timeout 60 "$top_builddir/cgi/event-ingest" <"$SVC_DIR/batch" >"$OUT" 2>"$SVC_DIR/err"
expect_eq 202 "$(sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$OUT" | tr -d '\r')" "POST /events"
env -i PATH="$PATH" EVENTS_REDIS_PORT="$EVENTS_REDIS_PORT" EVENTS_MONGO_URI="$EVENTS_MONGO_URI" \
    EVENTS_LOCK_DIR="$SVC_DIR" timeout 60 "$top_builddir/consumer/event-consumer" --once \
    --max-seconds 20 >"$SVC_DIR/consumer.err" 2>&1 ||
    fail "event-consumer --once: $(cat "$SVC_DIR/consumer.err")"

run event-query REQUEST_METHOD=GET SCRIPT_NAME=/events QUERY_STRING=limit=5
expect_eq 200 "$STATUS" "GET /events"
body | grep -q '"events":\[' || fail "GET /events body: $(cat "$OUT")"
for id in r-1 r-2 r-3; do
	body | grep -q "\"$id\"" || fail "GET /events lacks $id: $(cat "$OUT")"
done
run event-query REQUEST_METHOD=GET SCRIPT_NAME=/events QUERY_STRING='limit=1&type=click'
expect_eq 200 "$STATUS" "GET /events, a page of one"
body | grep -q '"next"' || fail "GET /events?limit=1: no cursor: $(cat "$OUT")"

run event-query REQUEST_METHOD=GET SCRIPT_NAME=/events QUERY_STRING='limit=0'
expect_eq 400 "$STATUS" "limit=0"

run event-query REQUEST_METHOD=GET SCRIPT_NAME=/events QUERY_STRING='format=csv'
expect_eq 200 "$STATUS" "csv"
[ "$(body | grep -c 'r-[123]')" = 3 ] || fail "csv rows: $(cat "$OUT")"

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
expect_eq 200 "$STATUS" "/health after the consumer ran: $(cat "$OUT")"

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

# A configuration that cannot be used: under plain CGI each of the three
# programs answers the waiting client 500 misconfigured as JSON, without
# the details (they go to the error log, naming the key).
# misconfigured PROGRAM WHAT KEY VAR=VALUE...
misconfigured() {
	prog=$1 what=$2 key=$3
	shift 3
	run "$prog" REQUEST_METHOD=GET SCRIPT_NAME=/events "$@"
	expect_eq 500 "$STATUS" "$prog, $what: status"
	grep -qi '^Content-Type: application/json' "$OUT" ||
	    fail "$prog, $what: not JSON: $(cat "$OUT")"
	[ "$(body | python3 -c 'import json, sys; print(json.load(sys.stdin)["error"]["code"])')" = misconfigured ] ||
	    fail "$prog, $what: body $(cat "$OUT")"
	grep -q "$key" "$OUT" && fail "$prog, $what: the answer tells the client the details: $(cat "$OUT")"
	grep -q "configuration: .*$key" "$SVC_DIR/err" ||
	    fail "$prog, $what: the log does not name $key: $(cat "$SVC_DIR/err")"
}
for prog in event-ingest event-query event-status; do
	misconfigured $prog "a bad value" log_level EVENTS_LOG_LEVEL=loud
	misconfigured $prog "a missing file" /nonexistent/events.conf EVENTS_CONF=/nonexistent/events.conf
	misconfigured $prog "rate_limit_ip without a secret" ip_hash_secret EVENTS_RATE_LIMIT_IP=5
	misconfigured $prog "a bad trusted_proxies" trusted_proxies EVENTS_TRUSTED_PROXIES=10.1.0.0/8
	# HEAD gets the status and headers alone (RFC 9110 9.3.2).
	run $prog REQUEST_METHOD=HEAD SCRIPT_NAME=/events EVENTS_LOG_LEVEL=loud
	expect_eq 500 "$STATUS" "$prog, HEAD: status"
	[ -z "$(body)" ] || fail "$prog, HEAD: a body: $(cat "$OUT")"
done
misconfigured event-query "a store URI libmongoc refuses" mongo_uri \
    EVENTS_MONGO_URI=mongodb://h:1/?readPreference=nonsense
ok "a bad configuration: 500 misconfigured as JSON from each program under plain CGI"
