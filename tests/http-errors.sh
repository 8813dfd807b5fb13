#!/bin/sh
# The web server's own answers under /events, /health and /metrics are
# the programs' JSON error shape too, through whichever server
# svc_http_start starts (lighttpd, or the Apache set-up
# EVENTS_TEST_SERVER names; tests/apache-*.sh): bad bytes in the URL
# (escaped and raw), a URI and header fields over the server's limits, a
# body over the server's cap, unknown paths under /events/, /health/ and
# /metrics/, and the programs down.  Each answer: the status, Content-Type
# application/json and {"error": {"code", "message"}}, and under Apache
# the CORS headers; HEAD the same without a body.
. "$(dirname "$0")/services.sh"
svc_init
svc_redis_start
svc_store_start
# Copies of the programs, which the last part replaces with ones that
# fail.
mkdir -p "$SVC_DIR/libexec"
for p in event-ingest event-query event-status; do
	cp "$top_builddir/cgi/$p" "$SVC_DIR/libexec/" || fail "cannot copy $p"
done
chmod -R a+rX "$SVC_DIR/libexec"
EVENTS_LIBEXEC=$SVC_DIR/libexec
export EVENTS_LIBEXEC
svc_http_start
SERVER=${EVENTS_TEST_SERVER:-lighttpd}
echo "server: $SERVER"

# expect_json_error STATUSES WHAT: the last answer's status is one of
# STATUSES (a |-separated list) and it is a JSON error.
expect_json_error()
{
	case "|$1|" in
	*"|$HTTP_STATUS|"*) ;;
	*) fail "$2: status $HTTP_STATUS, expected $1: $(head -c 300 "$SVC_DIR/http.body")" ;;
	esac
	[ "$HTTP_STATUS" != 200 ] || return 0	# where 200 is allowed: not an error
	case $(http_header Content-Type) in
	application/json*) ;;
	*) fail "$2: Content-Type \"$(http_header Content-Type)\": $(head -c 300 "$SVC_DIR/http.body")" ;;
	esac
	python3 - "$SVC_DIR/http.body" <<'EOF' || fail "$2: not the JSON error shape: $(head -c 300 "$SVC_DIR/http.body")"
import json, sys
raw = open(sys.argv[1], "rb").read()
try:
    import zlib
    raw = zlib.decompress(raw, 47)  # a compressed answer
except Exception:
    pass
d = json.loads(raw)
e = d["error"]
assert set(d) == {"error"} and set(e) == {"code", "message"}, d
assert isinstance(e["code"], str) and e["code"] and isinstance(e["message"], str) and e["message"], d
EOF
}

# expect_server_error STATUSES WHAT: as expect_json_error, for an error
# Apache finds before it reads any per-folder configuration (a request
# line or header it cannot parse, or too long): under the htaccess
# set-up the host's own configuration answers those, and only the status
# is checked.
expect_server_error()
{
	if [ "$SERVER" = htaccess ]; then
		case "|$1|" in
		*"|$HTTP_STATUS|"*) return 0 ;;
		*) fail "$2: status $HTTP_STATUS, expected $1" ;;
		esac
	fi
	expect_json_error "$@"
}

# cors WHAT: Apache's own errors carry the CORS headers, so that a page
# can read them (lighttpd cannot add headers to its own errors).
cors()
{
	[ "$SERVER" != lighttpd ] || return 0
	expect_eq '*' "$(http_header Access-Control-Allow-Origin)" "$1: Access-Control-Allow-Origin"
	expect_eq Retry-After "$(http_header Access-Control-Expose-Headers)" \
	    "$1: Access-Control-Expose-Headers"
}

# raw WHAT STATUSES PRINTF-FORMAT...: send the bytes printf makes, as they
# are, and expect a JSON error (or the host's, see expect_server_error).
raw()
{
	_what=$1 _st=$2
	shift 2
	# shellcheck disable=SC2059
	printf "$@" >"$SVC_DIR/raw.request"
	HTTP_STATUS=$(python3 "$top_srcdir/tests/raw-request.py" "$BASE_URL" \
	    "$SVC_DIR/raw.request" "$SVC_DIR/http.body" "$SVC_DIR/http.headers") ||
	    fail "$_what: no answer"
	expect_server_error "$_st" "$_what"
}

## bad bytes in the URL

http_request GET "$BASE_URL/events?cursor=%00%ff"
expect_json_error 400 "GET /events?cursor=%00%ff"
http_request GET "$BASE_URL/events?limit=5&type=%ff%fe"
expect_json_error 400 "GET /events?type=%ff%fe"
http_request GET "$BASE_URL/events/stats?since=%00"
expect_json_error 400 "GET /events/stats?since=%00"
raw "a raw byte 0xff in the query" 400 'GET /events?cursor=\377\376 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
raw "a raw control byte in the path" '400|404' 'GET /events/\001 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
raw "a raw NUL in the query" 400 'GET /events?a=\000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
raw "a malformed escape in the path" '400|404' 'GET /events/%%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
raw "a header line without a colon" 400 'GET /events HTTP/1.1\r\nHost: x\r\nNo colon here\r\nConnection: close\r\n\r\n'
# (Apache takes HTTP/9.9 for a version it speaks: an answer, not an
# error.)
raw "an unknown HTTP version" '400|505|200' 'GET /events/stats HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n'
# RFC 9110 10.1.1: a server may answer 417 to an expectation other than
# 100-continue (Apache does) or ignore it (lighttpd does).
expect='POST /events HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Type: application/json\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{"type":"a"}'
if [ "$SERVER" = lighttpd ]; then
	printf "$expect" >"$SVC_DIR/raw.request"
	expect_eq 202 "$(python3 "$top_srcdir/tests/raw-request.py" "$BASE_URL" \
	    "$SVC_DIR/raw.request" "$SVC_DIR/http.body" "$SVC_DIR/http.headers")" \
	    "an Expect other than 100-continue, ignored"
else
	raw "an Expect other than 100-continue" 417 "$expect"
fi
ok "bad bytes and malformed requests: a JSON 400, 417 or 505"

## past the server's limits

long=$(head -c 100000 /dev/zero | tr '\0' a)
http_request GET "$BASE_URL/events?cursor=$long"
expect_server_error '414|431|400' "a 100,000-byte URI"
http_request GET "$BASE_URL/health" -H "X-Big: $long"
expect_server_error '431|400|413' "a 100,000-byte header field"
# A body over the server's cap (2 MiB), refused from Content-Length.
raw "a body over the server's cap" 413 'POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3000000\r\nConnection: close\r\n\r\n{"type":"a"}'
expect_json_error 413 "a body over the server's cap"
ok "a URI, header fields and a body over the server's limits: a JSON 414/431/413"

## paths that lead nowhere

# An encoded slash is refused by the server itself, wherever it is in
# the path: lighttpd with 400 (server.http-parseopts url-path-2f-reject),
# Apache with 404 (AllowEncodedSlashes Off).  Decoded, "/x%2F..%2Fevents"
# would be "/events" once its dot segment is removed.
case $SERVER in
lighttpd) slash=400 ;;
*) slash=404 ;;
esac
for p in /events/nothing /events/stats/more /events/ /events%2Fstats /events%2fstats/ /health/x /metrics/x /events.json \
    /events%2F..%2Fhealth /x%2F..%2Fevents /x%2f..%2fevents /events%2F..%2Fevents /x%2F..%2Findex.html; do
	http_request GET "$BASE_URL$p" --path-as-is
	case $p in
	/events.json)	# not under the API: the page's own 404
		expect_eq 404 "$HTTP_STATUS" "GET $p"
		continue ;;
	*%2[Ff]*)
		expect_server_error $slash "GET $p"
		[ "$SERVER" = htaccess ] || cors "GET $p"
		http_request POST "$BASE_URL$p" --path-as-is -H 'Content-Type: application/json' --data-binary '{"type":"slash"}'
		expect_server_error $slash "POST $p"
		continue ;;
	esac
	expect_json_error 404 "GET $p"
	cors "GET $p"
	http_request POST "$BASE_URL$p" -H 'Content-Type: application/json' --data-binary '{}'
	expect_json_error '404|405' "POST $p"
done
ok "unknown paths under /events/, /health/ and /metrics/: a JSON 404"

## HEAD: the same status and type, no body

python3 - "$BASE_URL" >"$SVC_DIR/head.out" <<'EOF' || fail "HEAD /events/nothing: no answer"
import http.client, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
c.request("HEAD", "/events/nothing")
r = c.getresponse()
print(r.status, r.getheader("Content-Type", ""), len(r.read()))
EOF
case $(cat "$SVC_DIR/head.out") in
"404 application/json"*" 0") ;;
*) fail "HEAD /events/nothing: $(cat "$SVC_DIR/head.out")" ;;
esac
ok "HEAD: the JSON type, no body"

## the programs down

# programs_down: every program replaced with one that fails at once
# (where the set-up starts them: lighttpd on its own, mod_fcgid on
# demand, plain CGI per request), the running ones killed; for
# proxy_fcgi, the processes apache/spawn-fcgi.sh runs are stopped.
programs_down()
{
	for f in "$SVC_DIR"/libexec/event-* "$SVC_DIR"/apache/libexec/event-* \
	    "$SVC_DIR"/apache/htdocs/events-cgi/event-*; do
		[ -f "$f" ] || continue
		rm -f "$f"
		printf '#!/bin/sh\nexit 1\n' >"$f"
		chmod 755 "$f"
	done
	if [ "$SERVER" = proxy_fcgi ]; then
		svc_kill fcgi
		return
	fi
	for pid in $(svc_http_programs); do
		case $(ps -o args= -p "$pid" 2>/dev/null) in
		*event-*) kill -KILL "$pid" 2>/dev/null || : ;;
		esac
	done
}
programs_down
for p in /events /events/stats /health /metrics; do
	http_request GET "$BASE_URL$p"
	expect_json_error '500|502|503|504' "GET $p with the programs down"
	cors "GET $p with the programs down"
done
http_request POST "$BASE_URL/events" -H 'Content-Type: application/json' --data-binary '{"type":"a"}'
expect_json_error '500|502|503|504' "POST /events with the programs down"
ok "the programs down: a JSON 5xx"
