#!/bin/sh
# event-ingest as plain CGI (RFC 3875): the binary run with a CGI
# environment and no web server.  Every answer is checked for its status
# line and its JSON error code.
. "$top_srcdir/tests/services.sh"
svc_init
svc_need redis-server redis-cli

INGEST="$top_builddir/cgi/event-ingest"
OUT="$SVC_DIR/out"

# cgi BODYFILE VAR=VALUE...: run event-ingest with only the given
# variables (plus a closed Redis port unless one is given), under
# $EVENTS_VALGRIND when scripts/test sets it.
cgi() {
	body=$1; shift
	env -i PATH="$PATH" EVENTS_REDIS_PORT="${EVENTS_REDIS_PORT:-1}" \
	    EVENTS_REDIS_TIMEOUT_MS=300 GATEWAY_INTERFACE=CGI/1.1 \
	    REMOTE_ADDR=198.51.100.23 "$@" \
	    timeout 30 ${EVENTS_VALGRIND:-} "$INGEST" <"$body" >"$OUT" 2>"$SVC_DIR/err"
	rc=$?
	# valgrind's own verdict (--error-exitcode=97) fails the test.
	[ "$rc" != 97 ] || fail "valgrind: $(cat "$SVC_DIR/err")"
}

# expect STATUS CODE: the last answer had this status and error code.
expect() {
	status=$(sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$OUT" | tr -d '\r')
	[ "$status" = "$1" ] || fail "want status $1, got '$status': $(cat "$OUT")"
	if [ -n "${2:-}" ]; then
		grep -q "\"code\":\"$2\"" "$OUT" || fail "want code $2: $(cat "$OUT")"
	fi
	grep -q '^Content-Type: application/json' "$OUT" || fail "no JSON content type: $(cat "$OUT")"
}

printf '{"type":"click","metadata":{"x":1}}' >"$SVC_DIR/one"
len=$(wc -c <"$SVC_DIR/one")
: >"$SVC_DIR/empty"

# Allow names what /events takes (RFC 9110, 15.5.6): GET and HEAD too
# when event-query is installed beside event-ingest, as every set-up
# routes them to it then.
allow_all='GET, HEAD, POST, OPTIONS'
[ -x "$top_builddir/cgi/event-query" ] || allow_all='POST, OPTIONS'
cr=$(printf '\r')
cgi "$SVC_DIR/one" REQUEST_METHOD=DELETE
expect 405 method_not_allowed
grep -q "^Allow: $allow_all$cr\$" "$OUT" || fail "405 without Allow: $allow_all: $(cat "$OUT")"
cgi "$SVC_DIR/empty" REQUEST_METHOD=OPTIONS
grep -q "^Allow: $allow_all$cr\$" "$OUT" || fail "OPTIONS without Allow: $allow_all: $(cat "$OUT")"
# A GET or HEAD that reaches event-ingest is one the web server does
# not route to event-query: a 405 for it never lists GET or HEAD.
for m in GET HEAD; do
	cgi "$SVC_DIR/one" REQUEST_METHOD=$m
	expect 405
	grep -q "^Allow: POST, OPTIONS$cr\$" "$OUT" || fail "$m: 405 with GET in Allow: $(cat "$OUT")"
	[ $m = HEAD ] || ! grep -q 'read them with GET' "$OUT" ||
	    fail "$m: 405 says to read with GET: $(cat "$OUT")"
done
# Alone in its folder it takes POST (and OPTIONS) only; so it does
# through a symbolic link in a folder without event-query (the folder a
# web server looks in), beside an event-query it cannot execute, and
# beside a folder named event-query.
mkdir "$SVC_DIR/alone" "$SVC_DIR/linked" "$SVC_DIR/noexec" "$SVC_DIR/dir" &&
    cp "$INGEST" "$SVC_DIR/dir/" && mkdir "$SVC_DIR/dir/event-query" &&
    cp "$INGEST" "$SVC_DIR/alone/" && cp "$INGEST" "$SVC_DIR/noexec/" &&
    cp "$top_builddir/cgi/event-query" "$SVC_DIR/noexec/" &&
    chmod a-x "$SVC_DIR/noexec/event-query" &&
    ln -s "$INGEST" "$SVC_DIR/linked/event-ingest" || fail "cannot set up folders for $INGEST"
for INGEST in "$SVC_DIR/alone/event-ingest" "$SVC_DIR/linked/event-ingest" \
    "$SVC_DIR/noexec/event-ingest" "$SVC_DIR/dir/event-ingest"; do
	cgi "$SVC_DIR/one" REQUEST_METHOD=DELETE
	expect 405 method_not_allowed
	grep -q "^Allow: POST, OPTIONS$cr\$" "$OUT" || fail "$INGEST: 405 without Allow: POST, OPTIONS: $(cat "$OUT")"
	grep -q 'event-query.*not installed' "$OUT" || fail "$INGEST: 405 does not say GET is not served: $(cat "$OUT")"
done
INGEST="$top_builddir/cgi/event-ingest"

cgi "$SVC_DIR/one" REQUEST_METHOD=PUT CONTENT_TYPE=application/json CONTENT_LENGTH=$len
expect 405 method_not_allowed

cgi "$SVC_DIR/one" REQUEST_METHOD=POST CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=$len
expect 415 unsupported_media_type

cgi "$SVC_DIR/one" REQUEST_METHOD=POST CONTENT_LENGTH=$len
expect 415 unsupported_media_type

cgi "$SVC_DIR/one" REQUEST_METHOD=POST CONTENT_TYPE=application/json
expect 411 length_required

cgi "$SVC_DIR/one" REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=12abc
expect 400 bad_content_length
cgi "$SVC_DIR/one" REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=-5
expect 400 bad_content_length

# 413 is decided from CONTENT_LENGTH alone: with no body at all on stdin,
# the answer must come at once rather than a wait for 2 MB (the 30 s
# timeout would cut a wait short and fail the status check).
cgi "$SVC_DIR/empty" REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=2000000
expect 413 body_too_large
cgi "$SVC_DIR/empty" REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=99999999999999999999999
expect 400 bad_content_length

# A body shorter than announced.
cgi "$SVC_DIR/one" REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=$((len + 10))
expect 400 short_body

printf '{"type":' >"$SVC_DIR/trunc"
cgi "$SVC_DIR/trunc" REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=8
expect 400 invalid_json

printf '[{"type":"ok"},{"type":"no spaces"}]' >"$SVC_DIR/bad"
cgi "$SVC_DIR/bad" REQUEST_METHOD=POST CONTENT_TYPE=text/plain CONTENT_LENGTH=$(wc -c <"$SVC_DIR/bad")
expect 400 invalid_event
grep -q 'event 1: type' "$OUT" || fail "message does not name event 1's type: $(cat "$OUT")"

# Content-Encoding under plain CGI: decoded (the events are checked, so
# the invalid one shows), refused when not taken (415 with
# Accept-Encoding), 400 when it does not decode, 413 past max_body_bytes.
python3 - "$SVC_DIR" <<'EOF' || fail "cannot code the bodies"
import gzip, sys, zlib
d = sys.argv[1]
open(d + "/gz", "wb").write(gzip.compress(b'[{"type":"ok"},{"type":"no spaces"}]'))
open(d + "/zl", "wb").write(zlib.compress(b'[{"type":"ok"},{"type":"no spaces"}]'))
open(d + "/bomb", "wb").write(gzip.compress(b"[" + b" " * (8 * 1024 * 1024) + b"]"))
EOF
for f in gz:gzip zl:deflate; do
	cgi "$SVC_DIR/${f%:*}" REQUEST_METHOD=POST CONTENT_TYPE=application/json \
	    CONTENT_LENGTH=$(wc -c <"$SVC_DIR/${f%:*}") HTTP_CONTENT_ENCODING=${f#*:}
	expect 400 invalid_event
	grep -q 'event 1: type' "$OUT" || fail "${f#*:}: not decoded: $(cat "$OUT")"
done
cgi "$SVC_DIR/one" REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=$len \
    HTTP_CONTENT_ENCODING=br
expect 415 unsupported_encoding
grep -q '^Accept-Encoding: gzip, deflate' "$OUT" || fail "415 without Accept-Encoding: $(cat "$OUT")"
cgi "$SVC_DIR/one" REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=$len \
    HTTP_CONTENT_ENCODING=gzip
expect 400 bad_content_encoding
cgi "$SVC_DIR/bomb" REQUEST_METHOD=POST CONTENT_TYPE=application/json \
    CONTENT_LENGTH=$(wc -c <"$SVC_DIR/bomb") HTTP_CONTENT_ENCODING=gzip
expect 413 body_too_large

# Valid, but Redis is not there: 503 with Retry-After, quickly.
start=$(date +%s%N)
cgi "$SVC_DIR/one" REQUEST_METHOD=POST CONTENT_TYPE='application/json; charset=UTF-8' CONTENT_LENGTH=$len
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect 503 queue_unavailable
grep -q '^Retry-After: ' "$OUT" || fail "503 without Retry-After"
# (valgrind's start-up alone takes longer than that)
[ -n "${EVENTS_VALGRIND:-}" ] || [ "$ms" -lt 1000 ] || fail "503 took ${ms} ms"

# A bad configuration stops the program with a message naming the key.
env -i PATH="$PATH" EVENTS_REDIS_PORT=70000 REQUEST_METHOD=POST ${EVENTS_VALGRIND:-} "$INGEST" </dev/null >"$OUT" 2>"$SVC_DIR/err"
case $? in
0) fail "bad config accepted" ;;
97) fail "valgrind: $(cat "$SVC_DIR/err")" ;;
esac
grep -q 'EVENTS_REDIS_PORT.*70000' "$SVC_DIR/err" || fail "bad config message: $(cat "$SVC_DIR/err")"

# A message quoting a client's field cut to its byte count: the error
# body stays valid UTF-8 (the cut fell inside an e-acute).
printf '{"type":"a","zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\\u00e9":1}' >"$SVC_DIR/cut"
cgi "$SVC_DIR/cut" REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=$(wc -c <"$SVC_DIR/cut")
expect 400 invalid_event
sed '1,/^\r*$/d' "$OUT" | python3 -c 'import json, sys; json.loads(sys.stdin.buffer.read().decode("utf-8"))' ||
    fail "error body is not UTF-8 JSON: $(cat "$OUT")"

# And with Redis: 202, the ids, and the entries on the stream.
svc_redis_start
printf '{"type":"a","id":"cgi-1"}\n{"type":"b","id":"cgi-2"}\n' >"$SVC_DIR/nd"
cgi "$SVC_DIR/nd" REQUEST_METHOD=POST CONTENT_TYPE=application/x-ndjson CONTENT_LENGTH=$(wc -c <"$SVC_DIR/nd") \
    HTTP_USER_AGENT="cgi-test/1"
expect 202
grep -q '{"accepted":2,"ids":\["cgi-1","cgi-2"\]}' "$OUT" || fail "202 body: $(cat "$OUT")"
n=$(redis-cli -p "$REDIS_PORT" XLEN events)
[ "$n" = 2 ] || fail "stream holds $n entries, want 2"
redis-cli -p "$REDIS_PORT" XRANGE events - + | grep -q '"ip":"198.51.100.0"' || fail "ip not anonymised on the stream"
# A write key as a server that does not decode the query string hands it
# over: a %XX of the keys' alphabet is decoded, any other (%00 above all)
# stays, so no key ends early and a second one is compared whole.
for q in 'key=pk_cli%00junk' 'key=pk_cli&key=pk_cli%00evil' 'key=pk%5Fcli%2500' 'key=%00'; do
	cgi "$SVC_DIR/one" REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=$len \
	    EVENTS_WRITE_KEYS=pk_cli QUERY_STRING="$q"
	expect 403 bad_key
done
cgi "$SVC_DIR/one" REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=$len \
    EVENTS_WRITE_KEYS=pk_cli QUERY_STRING='key=pk%5fcli&key=pk_cli'
expect 202
echo "cgi-ingest: all checks passed"
