#!/bin/sh
# POST /events over HTTP through lighttpd and the FastCGI event-ingest into
# a real Redis: each body form and content type, every field of the queued
# events read back with XRANGE, each error answer, and a 500-event batch
# that is queued whole or not at all.
. "$(dirname "$0")/services.sh"
svc_init
svc_redis_start
svc_http_start
URL=$BASE_URL/events

now_ms()
{
	date +%s%3N
}

# post CTYPE BODY [CURL-ARGS...]: POST to /events with a fresh stream;
# T0 and T1 bound the server's receivedAt.
post()
{
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" DEL events >/dev/null
	T0=$(now_ms)
	http_post "$URL" "$@"
	T1=$(now_ms)
}

# stream_check WHAT PYTHON: run the Python asserts with evs = the queued
# events (parsed, in stream order), fields = each entry's field names,
# resp = the parsed answer, t0/t1 = bounds of receivedAt.
stream_check()
{
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --json XRANGE events - + \
	    >"$SVC_DIR/stream.json" || fail "$1: XRANGE"
	python3 - "$SVC_DIR/stream.json" "$SVC_DIR/http.body" "$T0" "$T1" "$2" <<'EOF' || fail "$1"
import json, re, sys
entries = json.load(open(sys.argv[1]))
fields = [e[1][0::2] for e in entries]
evs = [json.loads(e[1][1]) for e in entries]
try:
    resp = json.load(open(sys.argv[2]))
except ValueError:
    resp = None
t0, t1 = int(sys.argv[3]), int(sys.argv[4])
UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
def received(e):
    assert isinstance(e["receivedAt"], int), e
    assert t0 <= e["receivedAt"] <= t1, (t0, e["receivedAt"], t1)
exec(sys.argv[5])
EOF
}

queued()
{
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" XLEN events
}

## one event, every field

TS=$(( $(now_ms) - 5000 ))
UA=$(python3 -c 'print("a" * 255 + "\u00e9" + "b" * 40)')	# 'é' straddles byte 256
post application/json '{"type":"click","id":"evt-1","ts":'"$TS"',
  "metadata":{"button":"buy","n":3,"ok":true,"nested":{"list":[1,2.5,"x",null]}},
  "page":{"url":"https://example.com/p?q=1","path":"/p","referrer":"https://ref.example/","title":"Produit \u00e9t\u00e9"}}' \
    -A "$UA"
expect_eq 202 "$HTTP_STATUS" "single event"
expect_eq application/json "$(http_header Content-Type)" "single event: Content-Type"
stream_check "single event" '
assert resp == {"accepted": 1, "ids": ["evt-1"]}, resp
assert fields == [["e"]], fields
e = evs[0]
assert sorted(e) == ["createdAt", "id", "ip", "metadata", "page", "receivedAt", "type", "ua"], sorted(e)
assert e["id"] == "evt-1" and e["type"] == "click", e
assert e["metadata"] == {"button": "buy", "n": 3, "ok": True, "nested": {"list": [1, 2.5, "x", None]}}, e["metadata"]
assert e["createdAt"] == '"$TS"', e["createdAt"]
received(e)
assert e["page"] == {"url": "https://example.com/p?q=1", "path": "/p", "referrer": "https://ref.example/", "title": "Produit \u00e9t\u00e9"}, e["page"]
assert e["ua"] == "a" * 255, ("ua cut on a character boundary", len(e["ua"].encode()), e["ua"][-3:])
assert e["ip"] == "127.0.0.0", e["ip"]
'
ok "single event: every field"

## an array: server ids, RFC 3339 and out-of-range client times

post application/json '[{"type":"view"},
  {"type":"scroll","ts":"2020-01-01T00:00:00Z"},
  {"type":"a.b:c-d_e","ts":"'"$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%S.250Z)"'"}]' \
    -A "curl-test"
expect_eq 202 "$HTTP_STATUS" "array"
stream_check "array" '
assert resp["accepted"] == 3 and [e["id"] for e in evs] == resp["ids"], (resp, evs)
assert [e["type"] for e in evs] == ["view", "scroll", "a.b:c-d_e"], evs
# The ids the server makes sort in the order sent (all in the
# millisecond of receivedAt, or just after), so GET /events lists the
# events of one request, newest first, in reverse of that order.
assert sorted(resp["ids"]) == resp["ids"] and len(set(resp["ids"])) == 3, resp["ids"]
for e in evs:
    assert UUID7.match(e["id"]), e["id"]
    received(e)
    assert e["ua"] == "curl-test" and e["ip"] == "127.0.0.0", e
    assert "metadata" not in e and "page" not in e, e
assert evs[0]["createdAt"] == evs[0]["receivedAt"] and "clientTs" not in evs[0], evs[0]
# more than 24 h off: receivedAt is used, the client time kept
assert evs[1]["createdAt"] == evs[1]["receivedAt"], evs[1]
assert evs[1]["clientTs"] == 1577836800000, evs[1]
c = evs[2]["createdAt"]
assert c % 1000 == 250 and abs(evs[2]["receivedAt"] - 3600000 - c) < 5000 and "clientTs" not in evs[2], evs[2]
'
ok "array: UUIDv7 ids, RFC 3339 ts, clientTs beyond 24 h"

## an envelope with sentAt: the client clock is an hour fast

SENT=$(( $(now_ms) + 3600000 ))
post application/json '{"sentAt":'"$SENT"',"events":[
  {"type":"a","ts":'"$((SENT - 3000))"'},{"type":"b"},{"type":"c","ts":'"$((SENT - 90000000))"'}]}'
expect_eq 202 "$HTTP_STATUS" "envelope"
stream_check "envelope" '
assert resp["accepted"] == 3, resp
for e in evs:
    received(e)
a, b, c = evs
assert a["createdAt"] == a["receivedAt"] - 3000 and "clientTs" not in a, a
assert b["createdAt"] == b["receivedAt"], b
assert c["createdAt"] == c["receivedAt"] and c["clientTs"] == '"$((SENT - 90000000))"', c
'
ok "envelope: createdAt corrected by sentAt"

## clocks: an event cannot happen after it was received

SENT=$(( $(now_ms) + 3600000 ))
post application/json '{"sentAt":'"$SENT"',"events":[{"type":"late","ts":'"$((SENT + 60000))"'}]}'
expect_eq 202 "$HTTP_STATUS" "ts after sentAt"
stream_check "ts after sentAt" '
e = evs[0]
received(e)
assert e["createdAt"] == e["receivedAt"] and e["clientTs"] == '"$((SENT + 60000))"', e
'
FUTURE=$(( $(now_ms) + 3600000 ))
post application/json '{"type":"future","ts":'"$FUTURE"'}'
stream_check "ts ahead, no sentAt" '
e = evs[0]
assert e["createdAt"] == e["receivedAt"] and e["clientTs"] == '"$FUTURE"', e
'
post application/json '{"type":"epoch","ts":"1970-01-01T00:30:00+01:00"}'
expect_eq 202 "$HTTP_STATUS" "ts before the epoch, with an offset"
stream_check "ts before the epoch" '
e = evs[0]
assert e["createdAt"] == e["receivedAt"] and e["clientTs"] == -1800000, e
'
post application/json '{"type":"a","ts":"2026-02-30T00:00:00Z"}'
expect_error 400 invalid_event "ts of a day that does not exist"
case $(json_get 'd["error"]["message"]') in
*"event 0: ts: not an RFC 3339 date-time: day 30 does not exist in February 2026"*) ;;
*) fail "a bad ts: the message does not say what is wrong: $(cat "$SVC_DIR/http.body")" ;;
esac
ok "clocks: createdAt never after receivedAt; the client time kept as clientTs; bad times explained"

## strings json-c would hide: refused, the event and the field named

for body in '{"type":"a","metadata":{"k":"real","k\u0000x":"fake"}}@event 0: metadata.k\u0000x: the key holds a NUL' \
    '{"type\u0000junk":"x"}@event 0: type\u0000junk: the key holds a NUL' \
    '{"type":"a","metadata":{"ok\u0000.$x":1}}@event 0: metadata.ok\u0000.$x: the key holds a NUL' \
    '[{"type":"a"},{"type":"a","metadata":{"s":"x\ud83cy"}}]@event 1: metadata.s: the string holds a lone UTF-16 surrogate' \
    '{"type":"a","metadata":{"k":"real","k":"fake"}}@event 0: metadata.k: the key is given twice'; do
	post application/json "${body%@*}"
	expect_error 400 invalid_event "${body%@*}"
	case $(json_get 'd["error"]["message"]') in
	"${body#*@}"*) ;;
	*) fail "${body%@*}: message $(cat "$SVC_DIR/http.body"), want ${body#*@}" ;;
	esac
	expect_eq 0 "$(queued)" "${body%@*}: queued"
done
ok "a NUL in a key, a lone surrogate, a key given twice: 400 naming the event and the field"

## NDJSON, text/plain (sendBeacon), a charset parameter

post application/x-ndjson '{"type":"n1","id":"n-1"}
{"type":"n2","metadata":{"k":"v"}}
'
expect_eq 202 "$HTTP_STATUS" "NDJSON"
stream_check "NDJSON" '
assert resp["accepted"] == 2 and resp["ids"][0] == "n-1", resp
assert [e["type"] for e in evs] == ["n1", "n2"] and evs[1]["metadata"] == {"k": "v"}, evs
'
ok "NDJSON body"

post text/plain '{"type":"beacon","page":{"path":"/"}}'
expect_eq 202 "$HTTP_STATUS" "text/plain"
stream_check "text/plain" 'assert evs[0]["type"] == "beacon" and evs[0]["page"] == {"path": "/"}, evs'
post 'application/json; charset=UTF-8' '{"type":"cs"}'
expect_eq 202 "$HTTP_STATUS" "charset parameter"
# UTF-8 however it is written is taken; any other charset is 415 and
# nothing is queued: its bytes would be read as other characters.
for ct in 'text/plain;charset=UTF-8' 'application/json;charset="utf-8"' \
    'application/json; charset=utf8' 'application/x-ndjson; foo=bar; CHARSET=Utf-8' \
    'application/json; foo; charset=utf-8;'; do
	post "$ct" '{"type":"cs","metadata":{"s":"\u00e9"}}'
	expect_eq 202 "$HTTP_STATUS" "Content-Type: $ct"
	expect_eq 1 "$(queued)" "Content-Type: $ct: queued"
done
for ct in 'application/json; charset=ISO-8859-1' 'text/plain; charset="windows-1252"' \
    'application/x-ndjson; charset=utf-16le' 'application/json; foo; charset=us-ascii' \
    'application/json ; charset = latin1' 'application/json; charset="latin1' \
    'application/json; charset=latin1 x' 'application/json; charset=utf-8; charset=latin1'; do
	post "$ct" "$(printf '{"type":"cs","metadata":{"s":"\303\251"}}')"
	expect_error 415 unsupported_media_type "Content-Type: $ct"
	case $(json_get 'd["error"]["message"]') in
	*charset*UTF-8*) ;;
	*) fail "Content-Type: $ct: the message does not say UTF-8: $(cat "$SVC_DIR/http.body")" ;;
	esac
	expect_eq 0 "$(queued)" "Content-Type: $ct: queued"
done
ok "text/plain and Content-Type parameters; a charset other than UTF-8 is 415"

## Content-Encoding: gzip and deflate decoded, bounded; others refused

# coded WAY FILE: the events below coded as WAY (gzip, zlib, raw, two
# gzip members, a bomb of spaces, gzip cut short) into FILE.
coded()
{
	python3 - "$1" "$2" <<'EOF' || fail "cannot code a body"
import gzip, sys, zlib
body = b'[{"type":"coded","id":"c-1","metadata":{"u":"https://example.org/a/b"}},{"type":"coded","id":"c-2"}]'
way, out = sys.argv[1], sys.argv[2]
def raw(b):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(b) + c.flush()
data = {
    "gzip": lambda: gzip.compress(body),
    "zlib": lambda: zlib.compress(body),
    "raw": lambda: raw(body),
    "members": lambda: gzip.compress(body[:40]) + gzip.compress(body[40:]),
    "bomb": lambda: gzip.compress(b"[" + b" " * (64 * 1024 * 1024) + b"]"),
    "cut": lambda: gzip.compress(body)[:-9],
}[way]()
open(out, "wb").write(data)
EOF
}

for way in gzip:gzip x-gzip:gzip deflate:zlib deflate:raw gzip:members; do
	coded "${way#*:}" "$SVC_DIR/coded"
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" DEL events >/dev/null
	T0=$(now_ms)
	http_post_file "$URL" application/json "$SVC_DIR/coded" -H "Content-Encoding: ${way%:*}"
	T1=$(now_ms)
	expect_eq 202 "$HTTP_STATUS" "Content-Encoding ${way%:*} (${way#*:}): $(cat "$SVC_DIR/http.body")"
	stream_check "Content-Encoding $way" '
assert [e["id"] for e in evs] == ["c-1", "c-2"], evs
assert evs[0]["metadata"] == {"u": "https://example.org/a/b"}, evs[0]
'
done
post application/json '{"type":"plain","id":"p-1"}' -H 'Content-Encoding: identity'
expect_eq 202 "$HTTP_STATUS" "Content-Encoding: identity"
ok "gzip, x-gzip, deflate (zlib and raw), gzip members and identity: decoded, queued"

for enc in br zstd compress 'gzip, deflate' 'gzip;q=1'; do
	post application/json '{"type":"a"}' -H "Content-Encoding: $enc"
	expect_error 415 unsupported_encoding "Content-Encoding: $enc"
	case $(http_header Accept-Encoding) in
	*gzip*deflate*) ;;
	*) fail "415 for $enc: Accept-Encoding \"$(http_header Accept-Encoding)\"" ;;
	esac
done
post application/json '{"type":"a"}' -H 'Content-Encoding: gzip'
expect_error 400 bad_content_encoding "plain JSON labelled gzip"
coded cut "$SVC_DIR/coded"
http_post_file "$URL" application/json "$SVC_DIR/coded" -H 'Content-Encoding: gzip'
expect_error 400 bad_content_encoding "gzip cut short"
coded gzip "$SVC_DIR/coded"
http_post_file "$URL" application/json "$SVC_DIR/coded" -H 'Content-Encoding: deflate'
expect_error 400 bad_content_encoding "gzip labelled deflate"
coded bomb "$SVC_DIR/coded"
[ "$(wc -c <"$SVC_DIR/coded")" -lt 100000 ] || fail "the bomb is not small"
http_post_file "$URL" application/json "$SVC_DIR/coded" -H 'Content-Encoding: gzip'
expect_error 413 body_too_large "64 MiB in a small gzip body"
expect_eq 0 "$(queued)" "queued after the refused codings"
ok "other codings 415 with Accept-Encoding; undecodable 400; decoded past max_body_bytes 413"

## preconditions (RFC 9110 13.1, 13.2.2): no answer has an entity tag

# If-Match with a tag never holds, If-None-Match: * never holds (the
# resource exists): 412 and nothing queued.  Their other forms hold.
for h in 'If-Match: "v1"' 'If-Match: W/"v1", "v2"' 'If-Match: nonsense' 'If-None-Match: *' \
    'If-None-Match:  * ' 'If-Match: *, "v1"'; do
	post application/json '{"type":"cond"}' -H "$h"
	expect_error 412 precondition_failed "$h"
	expect_eq 0 "$(queued)" "$h: queued"
done
for h in 'If-Match: *' 'If-None-Match: "v1"' 'If-None-Match: W/"v1", "v2"' 'If-Match:' \
    'If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT' 'If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT'; do
	post application/json '{"type":"cond"}' -H "$h"
	expect_eq 202 "$HTTP_STATUS" "$h"
	expect_eq 1 "$(queued)" "$h: queued"
done
# A request refused for itself stays refused so (13.2.1).
post text/html '{"type":"cond"}' -H 'If-Match: "v1"'
expect_error 415 unsupported_media_type "If-Match on a 415"
ok "If-Match with a tag and If-None-Match: * are 412, nothing queued; the rest holds"

## errors: the status, {"error": {"code", "message"}}, nothing queued

post application/json '{"type":'
expect_error 400 invalid_json "truncated JSON"
expect_eq 0 "$(queued)" "truncated JSON: queued"

post application/json '[{"type":"ok"},{"type":"bad type!"}]'
expect_error 400 invalid_event "invalid type"
case $(json_get 'd["error"]["message"]') in
*"event 1"*type*) ;;
*) fail "invalid type: the message names neither the index nor the field: $(cat "$SVC_DIR/http.body")" ;;
esac
expect_eq 0 "$(queued)" "invalid event: queued"

# One id for two events that differ: refused whole, the message names
# the later event, its field and the earlier one (with the quote in the
# id escaped in the JSON answer).
post application/json '[{"type":"a","id":"d\"1"},{"type":"b","id":"d\"1"}]'
expect_error 400 invalid_event "one id for two different events"
expect_eq 'event 1: id: "d"1" is also the id of event 0, which differs: an id names one event' \
    "$(json_get 'd["error"]["message"]')" "one id for two different events: message"
expect_eq 0 "$(queued)" "one id for two different events: queued"

post application/json '[]'
expect_error 400 no_events "empty array"
# A message that quotes what was sent, cut short, is still UTF-8 (the
# answer is JSON): a key of 30 two-byte characters, a raw byte in a header.
post application/json "{\"type\":\"a\",\"$(python3 -c 'print("\u00e9" * 30)')\":1}"
expect_error 400 invalid_event "an unknown field of two-byte characters"
python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$SVC_DIR/http.body" ||
    fail "the answer is not UTF-8: $(cat "$SVC_DIR/http.body")"
post application/json '{"type":"a"}' -H "$(printf 'Content-Encoding: \303\251\377x')"
expect_error 415 unsupported_encoding "a coding of raw bytes"
python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$SVC_DIR/http.body" ||
    fail "the answer is not UTF-8: $(cat "$SVC_DIR/http.body")"
ok "400 invalid_json, invalid_event (index and field named), no_events"

for m in PUT DELETE PATCH; do
	http_request "$m" "$URL" -H 'Content-Type: application/json' --data-binary '{"type":"x"}'
	expect_error 405 method_not_allowed "$m /events"
	case ", $(http_header Allow), " in
	*", POST, "*) ;;
	*) fail "$m /events: Allow \"$(http_header Allow)\" does not list POST" ;;
	esac
done
ok "405 with Allow listing POST"

post application/xml '<event/>'
expect_error 415 unsupported_media_type "application/xml"
post '' '{"type":"x"}'
expect_error 415 unsupported_media_type "no Content-Type"
ok "415"

# No Content-Length and no body: lighttpd answers 411 itself (HTML), before
# the program; event-ingest's own 411 is covered by tests/cgi-ingest.sh.
http_request POST "$URL" -H 'Content-Type: application/json'
expect_eq 411 "$HTTP_STATUS" "POST without Content-Length"
ok "411"

# Just over the program's limit: its 413, decided from Content-Length.
python3 -c 'import sys; sys.stdout.write("[" + " " * (1048577 - 2) + "]")' >"$SVC_DIR/big.json"
T0=$(now_ms)
http_post_file "$URL" application/json "$SVC_DIR/big.json"
expect_error 413 body_too_large "1 MiB + 1 body"
# Far over it: lighttpd's own limit (server.max-request-size) answers.
python3 -c 'import sys; sys.stdout.write(" " * (3 << 20))' >"$SVC_DIR/huge.json"
http_post_file "$URL" application/json "$SVC_DIR/huge.json"
expect_eq 413 "$HTTP_STATUS" "3 MiB body"
ok "413 body too large"

## 500 events: all queued; 501 refused; one bad event among 500, none queued

batch()
{
	python3 -c 'import json, sys
n, bad = int(sys.argv[1]), int(sys.argv[2])
evs = [{"type": "bulk", "id": "b-%d" % i, "metadata": {"i": i}} for i in range(n)]
if bad >= 0:
    evs[bad]["metadata"] = "not an object"
sys.stdout.write(json.dumps(evs))' "$@" >"$SVC_DIR/batch.json"
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" DEL events >/dev/null
	T0=$(now_ms)
	http_post_file "$URL" application/json "$SVC_DIR/batch.json"
	T1=$(now_ms)
}

batch 500 -1
expect_eq 202 "$HTTP_STATUS" "500 events"
expect_eq 500 "$(queued)" "500 events: queued"
stream_check "500 events" '
assert resp["accepted"] == 500 and len(evs) == 500, resp["accepted"]
assert [e["id"] for e in evs] == ["b-%d" % i for i in range(500)]
assert [e["metadata"]["i"] for e in evs] == list(range(500))
'
batch 501 -1
expect_error 413 too_many_events "501 events"
expect_eq 0 "$(queued)" "501 events: queued"
batch 500 499
expect_error 400 invalid_event "500 events, the last invalid"
case $(json_get 'd["error"]["message"]') in
*"event 499"*metadata*) ;;
*) fail "last invalid: message $(cat "$SVC_DIR/http.body")" ;;
esac
expect_eq 0 "$(queued)" "500 events, the last invalid: queued"
ok "500 events all-or-nothing, 501 refused"
