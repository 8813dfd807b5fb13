#!/bin/sh
# The store stopped: GET /events and /events/stats answer 503 with
# Retry-After within about a second, and the same FastCGI processes
# answer 200 again once the store is back, with no restart.
. "$(dirname "$0")/services.sh"
svc_init
svc_store_start
EVENTS_FCGI_PROCS=1 svc_lighttpd_start
[ -x "$top_builddir/cgi/event-query" ] || fail "cgi/event-query not built"
"$top_builddir/bench/bench-load" --count 10 || fail "bench-load"

http_request GET "$BASE_URL/events?limit=3"
expect_eq 200 "$HTTP_STATUS" "GET /events with the store up"
expect_eq 3 "$(json_get 'len(d["events"])')" "three events"

svc_store_stop
for path in "/events?limit=3" "/events/stats" "/events?format=csv"; do
	http_request GET "$BASE_URL$path"
	expect_error 503 store_unavailable "GET $path with the store down"
	expect_eq 1 "$(http_header Retry-After)" "Retry-After"
	python3 -c 'import sys; sys.exit(float(sys.argv[1]) > 2.5)' "$HTTP_TIME" ||
	    fail "GET $path took ${HTTP_TIME}s with the store down"
done
ok "503 with Retry-After within $HTTP_TIME s while the store is down"

svc_store_start
_i=0
until http_request GET "$BASE_URL/events?limit=3" && [ "$HTTP_STATUS" = 200 ]; do
	_i=$((_i + 1))
	[ $_i -lt 50 ] || fail "no recovery after the store came back: $HTTP_STATUS"
	sleep 0.2
done
expect_eq 3 "$(json_get 'len(d["events"])')" "the events again"
http_request GET "$BASE_URL/events/stats"
expect_eq 200 "$HTTP_STATUS" "stats after the store came back"
ok "recovered by itself after $_i retries"

# No program died on the way (lighttpd logs a signalled child).
if grep -q "signalled" "$SVC_DIR/log/lighttpd-error.log"; then
	grep "signalled" "$SVC_DIR/log/lighttpd-error.log" >&2
	fail "a FastCGI program died during the outage"
fi
ok "no FastCGI program died"
