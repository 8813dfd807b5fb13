#!/bin/sh
# What a web server set-up must get right around the programs, through
# whichever server svc_http_start starts (lighttpd, or the Apache set-up
# EVENTS_TEST_SERVER names; tests/apache-*.sh): the page and the tracker
# with their types; every route reaching its program, with the settings
# from the environment (a lower max_events, a read token); the
# Authorization header passed on (Apache keeps it from programs unless
# told); the CORS preflight answered by event-ingest; HEAD; a 404 for
# anything else; a query string never taken for command-line options;
# and the programs' log lines landing in a log.
. "$(dirname "$0")/services.sh"
svc_init
svc_redis_start
svc_store_start
TOKEN=read-token-0123456789
EVENTS_READ_TOKEN=$TOKEN
EVENTS_MAX_EVENTS=3
export EVENTS_READ_TOKEN EVENTS_MAX_EVENTS
svc_http_start
echo "server: ${EVENTS_TEST_SERVER:-lighttpd}"
AUTH="Authorization: Bearer $TOKEN"

# body_has TEXT WHAT: the last answer's body holds TEXT.
body_has()
{
	grep -qF -- "$1" "$SVC_DIR/http.body" ||
	    fail "$2: no \"$1\" in the body: $(head -c 300 "$SVC_DIR/http.body")"
}

## the page and the tracker

http_request GET "$BASE_URL/"
expect_eq 200 "$HTTP_STATUS" "GET /"
case $(http_header Content-Type) in
text/html*) ;;
*) fail "GET /: Content-Type $(http_header Content-Type)" ;;
esac
body_has '<title>Events</title>' "GET /"
for f in track.js app.js; do
	http_request GET "$BASE_URL/$f"
	expect_eq 200 "$HTTP_STATUS" "GET /$f"
	case $(http_header Content-Type) in
	text/javascript*|application/javascript*) ;;
	*) fail "GET /$f: Content-Type $(http_header Content-Type)" ;;
	esac
	cmp -s "$SVC_DIR/http.body" "$EVENTS_WWW/$f" || fail "GET /$f: not the file"
done
http_request GET "$BASE_URL/style.css"
case $(http_header Content-Type) in
text/css*) ;;
*) fail "GET /style.css: Content-Type $(http_header Content-Type)" ;;
esac
# Served like a site: compressed when asked (and the same bytes once
# decoded), validators that answer 304, cache headers, and a
# Content-Security-Policy that allows no inline script.
for f in "" app.js style.css track.js; do
	want=$EVENTS_WWW/${f:-index.html}
	http_request GET "$BASE_URL/$f" -H 'Accept-Encoding: gzip'
	expect_eq gzip "$(http_header Content-Encoding)" "GET /$f: Content-Encoding"
	case $(http_header Vary) in
	*Accept-Encoding*) ;;
	*) fail "GET /$f: Vary \"$(http_header Vary)\"" ;;
	esac
	gzip -dc <"$SVC_DIR/http.body" | cmp -s - "$want" || fail "GET /$f: gzip body is not the file"
	etag=$(http_header ETag)
	lm=$(http_header Last-Modified)
	[ -n "$etag" ] && [ -n "$lm" ] || fail "GET /$f: ETag \"$etag\", Last-Modified \"$lm\""
	http_request GET "$BASE_URL/$f" -H 'Accept-Encoding: gzip' -H "If-None-Match: $etag"
	expect_eq 304 "$HTTP_STATUS" "GET /$f with If-None-Match"
	http_request GET "$BASE_URL/$f" -H "If-Modified-Since: $lm"
	expect_eq 304 "$HTTP_STATUS" "GET /$f with If-Modified-Since"
	http_request GET "$BASE_URL/$f"
	[ -z "$(http_header Content-Encoding)" ] || fail "GET /$f: compressed without Accept-Encoding"
	# Served compressed to some clients, so every answer says it varies
	# (RFC 9110 12.5.5): a cache keeps this one from gzip's clients too.
	case $(http_header Vary) in
	*Accept-Encoding*) ;;
	*) fail "GET /$f without Accept-Encoding: Vary \"$(http_header Vary)\"" ;;
	esac
	# q=0 refuses a coding (RFC 9110 12.4.2): never sent then.
	# Read leniently: more zeros than RFC 9110 allows, and parameters
	# around q, still mean a refusal.
	for ae in 'gzip;q=0' 'GZIP ; Q=0.000' 'gzip;q=0, deflate;q=0, br;q=0' '*;q=0' \
	    'br;q=0, gzip;q=0' 'x-gzip;q=0,gzip;q=0' 'br;q=0.0000, gzip;q=0.00000, deflate;q=0.0' \
	    'gzip;x=1;q=0, br ; level=9 ; q=0 , deflate;q=0;x=2'; do
		http_request GET "$BASE_URL/$f" -H "Accept-Encoding: $ae"
		[ -z "$(http_header Content-Encoding)" ] ||
		    fail "GET /$f, Accept-Encoding: $ae: Content-Encoding $(http_header Content-Encoding)"
		cmp -s "$SVC_DIR/http.body" "$want" || fail "GET /$f, Accept-Encoding: $ae: not the file"
		case $(http_header Vary) in
		*Accept-Encoding*) ;;
		*) fail "GET /$f, Accept-Encoding: $ae: Vary \"$(http_header Vary)\"" ;;
		esac
	done
	# A coding refused leaves the others: gzip where it is taken.
	for ae in 'br;q=0, gzip;q=0.5' 'gzip, *;q=0' 'br;q=0, gzip, identity;q=0' \
	    'deflate;q=0,gzip' 'br;q=0.0000, gzip;q=0.05' 'br;x=1;q=0, gzip;q=0.5;x=0' \
	    'deflate;q=0, br;q=0, gzip;x=0'; do
		http_request GET "$BASE_URL/$f" -H "Accept-Encoding: $ae"
		expect_eq gzip "$(http_header Content-Encoding)" "GET /$f, Accept-Encoding: $ae"
	done
	http_request GET "$BASE_URL/$f" -H 'Accept-Encoding: gzip;q=0, deflate'
	case $(http_header Content-Encoding) in
	deflate|"") ;;	# Apache's mod_deflate has gzip only
	*) fail "GET /$f, Accept-Encoding: gzip;q=0, deflate: Content-Encoding $(http_header Content-Encoding)" ;;
	esac
	case $f in
	track.js) expect_eq "public, max-age=3600" "$(http_header Cache-Control)" "GET /$f: Cache-Control" ;;
	*)	expect_eq no-cache "$(http_header Cache-Control)" "GET /$f: Cache-Control" ;;
	esac
	expect_eq nosniff "$(http_header X-Content-Type-Options)" "GET /$f: X-Content-Type-Options"
done
http_request GET "$BASE_URL/"
csp=$(http_header Content-Security-Policy)
case $csp in
*"script-src 'self'"*"frame-ancestors 'none'"*) ;;
*) fail "GET /: Content-Security-Policy \"$csp\"" ;;
esac
case $csp in
*unsafe*) fail "GET /: the CSP allows unsafe sources: $csp" ;;
esac
# What the CSP would refuse: inline script, event handler and style
# attributes in the page.
! grep -Eiq '<script>|<script[^>]*>[^<]|[[:space:]]on[a-z]+=|[[:space:]]style=' "$EVENTS_WWW/index.html" ||
    fail "index.html holds inline script or style"
# The programs' answers: compressed too, and still never stored.
http_request GET "$BASE_URL/events/stats?bucket=minute" -H "$AUTH" -H 'Accept-Encoding: gzip'
expect_eq 200 "$HTTP_STATUS" "GET /events/stats, gzip"
expect_eq gzip "$(http_header Content-Encoding)" "GET /events/stats: Content-Encoding"
expect_eq no-store "$(http_header Cache-Control)" "GET /events/stats: Cache-Control"
gzip -dc <"$SVC_DIR/http.body" | python3 -c 'import json, sys; json.load(sys.stdin)' ||
    fail "GET /events/stats: the gzip body is not JSON"
http_request GET "$BASE_URL/events?format=csv" -H "$AUTH" -H 'Accept-Encoding: gzip'
expect_eq 200 "$HTTP_STATUS" "GET /events?format=csv, gzip"
case $(http_header Content-Encoding) in
gzip|"") ;;	# a body this short may be sent as it is
*) fail "GET /events?format=csv: Content-Encoding $(http_header Content-Encoding)" ;;
esac
ok "compression, validators, cache headers and the Content-Security-Policy"

for p in /nothing-here /events/nothing /event-ingest /events/stats/more; do
	http_request GET "$BASE_URL$p" -H "$AUTH"
	expect_eq 404 "$HTTP_STATUS" "GET $p"
done
ok "the page, the tracker and their types; 404 elsewhere"

## POST /events and the preflight: event-ingest, with its settings

http_post "$BASE_URL/events" application/json '[{"type":"a"},{"type":"b"},{"type":"c"}]'
expect_eq 202 "$HTTP_STATUS" "three events"
expect_eq 3 "$(json_get 'd["accepted"]')" "three events: accepted"
http_post "$BASE_URL/events" application/json '[{"type":"a"},{"type":"b"},{"type":"c"},{"type":"d"}]'
expect_error 413 too_many_events "four events with max_events = 3"
http_post "$BASE_URL/events" application/json '{"type":"bad type"}'
expect_error 400 invalid_event "an invalid event"
# A query string without "=" is a server's cue (RFC 3875 4.4) to pass its
# words as command-line arguments to a CGI program (Apache's mod_cgi
# does): they must not become options, or a client could name the
# configuration file; here the body would be read as the configuration.
http_post "$BASE_URL/events?--config+/dev/stdin" application/json 'log_level = debug'
expect_error 400 invalid_json "POST /events?--config+/dev/stdin"
http_request GET "$BASE_URL/events?--config+/dev/null" -H "$AUTH"
expect_error 400 unknown_parameter "GET /events?--config+/dev/null"
http_request OPTIONS "$BASE_URL/events" -H 'Origin: https://site.example' \
    -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type'
expect_eq 204 "$HTTP_STATUS" "OPTIONS /events"
expect_eq '*' "$(http_header Access-Control-Allow-Origin)" "preflight: Allow-Origin"
case $(http_header Access-Control-Allow-Methods) in
*POST*) ;;
*) fail "preflight: Allow-Methods \"$(http_header Access-Control-Allow-Methods)\"" ;;
esac
# RFC 9110 8.6 and 15.3.5: a 204 has no content, so neither a
# Content-Length nor a Content-Type, whichever web server passes it on.
[ -z "$(http_header Content-Length)" ] || fail "preflight: a 204 with Content-Length"
[ -z "$(http_header Content-Type)" ] || fail "preflight: a 204 with Content-Type $(http_header Content-Type)"
[ ! -s "$SVC_DIR/http.body" ] || fail "preflight: a 204 with a body"
ok "POST /events and OPTIONS reach event-ingest with its settings (max_events = 3)"

## GET and HEAD /events, /events/stats: event-query, with the token

http_request GET "$BASE_URL/events"
expect_error 401 unauthorized "GET /events without the token"
expect_eq Bearer "$(http_header WWW-Authenticate)" "401: WWW-Authenticate"
http_request GET "$BASE_URL/events?limit=5" -H "$AUTH"
expect_eq 200 "$HTTP_STATUS" "GET /events with the token"
expect_eq '[]' "$(json_get 'd["events"]')" "GET /events: nothing stored yet"
http_request GET "$BASE_URL/events/stats?bucket=hour" -H "$AUTH"
expect_eq 200 "$HTTP_STATUS" "GET /events/stats with the token"
expect_eq hour "$(json_get 'd["bucket"]')" "GET /events/stats: the stats route"
http_request GET "$BASE_URL/events/stats" -H 'Authorization: Bearer wrong-token-0123456789'
expect_error 401 unauthorized "GET /events/stats with a wrong token"
# (curl -X HEAD would wait for the body the headers announce.)
head=$(python3 - "$BASE_URL" "$TOKEN" <<'EOF'
import http.client, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
c.request("HEAD", "/events?format=csv", headers={"Authorization": "Bearer " + sys.argv[2]})
r = c.getresponse()
print(r.status, r.getheader("Content-Type", ""), len(r.read()))
EOF
) || fail "HEAD /events: no answer"
case $head in
"200 text/csv"*" 0") ;;
*) fail "HEAD /events?format=csv: status, type, body length: $head" ;;
esac
http_request DELETE "$BASE_URL/events/stats" -H "$AUTH"
expect_error 405 method_not_allowed "DELETE /events/stats"
ok "GET and HEAD /events and /events/stats reach event-query with the Authorization header"

## /health and /metrics: event-status

http_request GET "$BASE_URL/health"
case $HTTP_STATUS in
200|503) ;;
*) fail "GET /health: status $HTTP_STATUS" ;;
esac
expect_eq true "$(json_get 'd["redis"]')" "GET /health: redis"
http_request GET "$BASE_URL/metrics"
expect_error 401 unauthorized "GET /metrics without the token"
http_request GET "$BASE_URL/metrics" -H "$AUTH"
expect_eq 200 "$HTTP_STATUS" "GET /metrics with the token"
body_has 'events_accepted_total 3' "GET /metrics"
ok "/health and /metrics reach event-status, the token too"

## Range: the programs' answers are whole (JSON, CSV, the metrics are
## made afresh for each request, so a byte range of one is no part of
## another); the web server must not cut them (lighttpd and Apache do
## for any 200 with a length, unless told "Accept-Ranges: none").

for u in "/events?limit=2" "/events?format=csv" "/events/stats" "/health" "/metrics"; do
	http_request GET "$BASE_URL$u" -H "$AUTH" -H 'Range: bytes=0-3'
	case $HTTP_STATUS in
	200|503) ;;
	*) fail "GET $u with Range: bytes=0-3: status $HTTP_STATUS: $(head -c 200 "$SVC_DIR/http.body")" ;;
	esac
	expect_eq none "$(http_header Accept-Ranges)" "GET $u: Accept-Ranges"
	[ -z "$(http_header Content-Range)" ] || fail "GET $u: Content-Range $(http_header Content-Range)"
done
http_request POST "$BASE_URL/events" -H 'Content-Type: application/json' -H 'Range: bytes=0-3' \
    --data-binary '{"type":"ranged"}'
expect_eq 202 "$HTTP_STATUS" "POST /events with Range"
expect_eq none "$(http_header Accept-Ranges)" "POST /events: Accept-Ranges"
ok "a Range header is ignored: every answer whole, Accept-Ranges: none"

## the programs' log lines

grep -l 'event-ingest\[[0-9]*\]: info: rejected invalid_event' "$SVC_DIR"/log/* >/dev/null 2>&1 ||
    fail "event-ingest's log line about the invalid event is in no log of $SVC_DIR/log"
ok "the programs log to $(grep -l 'event-ingest\[' "$SVC_DIR"/log/* | sed 's|.*/||' | head -n 1)"
