#!/bin/sh
# Who may write and read, through lighttpd and the real programs: write
# keys (?key= and X-Events-Key) and their origins, the CORS preflight and
# the CORS headers of every POST answer, the read token on GET /events,
# /events/stats and /metrics (with /health left open), and the open mode
# of the local stack.
. "$(dirname "$0")/protect-lib.sh"
protect_init store

SHOP=https://shop.example
MSHOP=https://m.shop.example
EVIL=https://evil.example
TOKEN=rt_0123456789abcdefXYZ

# preflight ORIGIN [URL-SUFFIX]: the browser's OPTIONS before a JSON POST.
preflight()
{
	req OPTIONS "$URL${2:-}" -H "Origin: $1" \
	    -H 'Access-Control-Request-Method: POST' \
	    -H 'Access-Control-Request-Headers: content-type'
}

# expect_list HEADER ITEM WHAT: a comma-separated header value holds ITEM
# (case-insensitively, as header names and methods compare).
expect_list()
{
	_v=$(http_header "$1")
	printf '%s' "$_v" | tr 'A-Z' 'a-z' | tr -d ' ' | tr ',' '\n' |
	    grep -qx "$(printf '%s' "$2" | tr 'A-Z' 'a-z')" ||
	    fail "$3: $1 \"$_v\" does not list $2"
}

## closed: two sites' keys and a read token

EVENTS_WRITE_KEYS="pk_shop=$SHOP,$MSHOP pk_cli"
EVENTS_READ_TOKEN=$TOKEN
export EVENTS_WRITE_KEYS EVENTS_READ_TOKEN
http_restart

# The preflight of an application/json POST from an allowed origin.
preflight "$SHOP" "?key=pk_shop"
expect_eq 204 "$HTTP_STATUS" "preflight from $SHOP"
expect_header Access-Control-Allow-Origin "$SHOP" "preflight"
expect_list Access-Control-Allow-Methods POST "preflight"
expect_list Access-Control-Allow-Headers Content-Type "preflight"
expect_list Access-Control-Allow-Headers X-Events-Key "preflight"
expect_list Access-Control-Expose-Headers Retry-After "preflight"
expect_list Vary Origin "preflight"
[ -n "$(http_header Access-Control-Max-Age)" ] || fail "preflight: no Access-Control-Max-Age"
[ ! -s "$SVC_DIR/http.body" ] || fail "preflight: a 204 with a body"
# RFC 9110 8.6 and 15.3.5: no Content-Length on a 204, nor a Content-Type
# for content it does not have.
! grep -qi '^Content-Length:' "$SVC_DIR/http.headers" || fail "preflight: a 204 with Content-Length"
! grep -qi '^Content-Type:' "$SVC_DIR/http.headers" || fail "preflight: a 204 with Content-Type"
preflight "$MSHOP"
expect_eq 204 "$HTTP_STATUS" "preflight from $MSHOP, key in a header to come"
expect_header Access-Control-Allow-Origin "$MSHOP" "preflight from $MSHOP"
ok "preflight from an allowed origin: 204 with Allow-Origin, -Methods, -Headers"

# An origin the key in the URL does not list, which another key (pk_cli,
# every origin) takes: the preflight passes, and the POST says what is
# wrong, readable by the page.
preflight "$EVIL" "?key=pk_shop"
expect_eq 204 "$HTTP_STATUS" "preflight from $EVIL for pk_shop, pk_cli taking any origin"
expect_header Access-Control-Allow-Origin '*' "preflight for any origin"
preflight "$EVIL"
expect_eq 204 "$HTTP_STATUS" "preflight from $EVIL with a key that takes any origin"
expect_header Access-Control-Allow-Origin '*' "preflight for any origin"
ok "preflight from an origin some key takes: 204, the POST decides"

# Write keys on POST.
post_json '{"type":"k"}'
expect_error 401 no_key "POST without a key"
# A 401 carries a challenge (RFC 9110 15.5.2): the write key's scheme.
expect_header WWW-Authenticate 'Key realm="events"' "POST without a key"
post_json '{"type":"k"}' -H "Origin: $SHOP"
expect_error 401 no_key "POST from a page without a key"
expect_header WWW-Authenticate 'Key realm="events"' "POST from a page without a key"
http_post "$URL?key=pk_nope" application/json '{"type":"k"}' --max-time 10
expect_error 403 bad_key "an unknown key in the URL"
post_json '{"type":"k"}' -H 'X-Events-Key: pk_nope'
expect_error 403 bad_key "an unknown key in X-Events-Key"
# A header given twice arrives joined by ", ": two different keys.
post_json '{"type":"k"}' -H 'X-Events-Key: pk_shop' -H 'X-Events-Key: pk_cli'
expect_error 403 bad_key "X-Events-Key twice"
case $(json_get 'd["error"]["message"]') in
*"two different write keys"*) ;;
*) fail "X-Events-Key twice: message $(cat "$SVC_DIR/http.body")" ;;
esac
http_post "$URL?key=pk_shop" application/json '{"type":"k"}' --max-time 10 -H "Origin: $EVIL"
expect_error 403 origin_not_allowed "pk_shop from $EVIL"
post_json '{"type":"k"}' -H 'X-Events-Key: pk_shop' -H "Origin: $EVIL"
expect_error 403 origin_not_allowed "pk_shop in a header from $EVIL"
post_json '{"type":"k"}' -H 'X-Events-Key: pk_shop' -H "Origin: $SHOP.evil.example"
expect_error 403 origin_not_allowed "an origin that only starts like an allowed one"
# Two different keys: which one would be a guess, so neither.
for two in "?key=pk_cli&key=pk_nope" "?key=pk_nope&key=pk_cli" "?key=pk_cli&key=pk_shop"; do
	http_post "$URL$two" application/json '{"type":"k"}' --max-time 10
	expect_error 403 bad_key "two keys: $two"
	case $(json_get 'd["error"]["message"]') in
	*"two different write keys"*) ;;
	*) fail "two keys: $two: message $(cat "$SVC_DIR/http.body")" ;;
	esac
done
http_post "$URL?key=pk_cli" application/json '{"type":"k"}' --max-time 10 -H 'X-Events-Key: pk_shop'
expect_error 403 bad_key "one key in the URL, another in X-Events-Key"
expect_eq 0 "$(queued)" "queued after the refusals"
ok "401 no_key, 403 bad_key, 403 origin_not_allowed; nothing queued"

# A key of any length that was given but is not configured is 403
# bad_key, never 401 no_key.
long=$(head -c 8000 /dev/zero | tr '\0' k)
http_post "$URL?key=$long" application/json '{"type":"k"}' --max-time 10
expect_error 403 bad_key "an 8,000-character key in the URL"
post_json '{"type":"k"}' -H "X-Events-Key: $long"
expect_error 403 bad_key "an 8,000-character key in X-Events-Key"
http_post "$URL?key=$(head -c 65 /dev/zero | tr '\0' k)" application/json '{"type":"k"}' --max-time 10
expect_error 403 bad_key "a key one character too long"
http_post "$URL?key=" application/json '{"type":"k"}' --max-time 10
expect_error 401 no_key "an empty key"
ok "a key given but not configured is 403 bad_key, whatever its length"

# Every answer to a request from an origin some key takes carries the
# CORS headers, refusals included, so the page reads why.
cors_check()	# STATUS CODE ORIGIN WANT-ALLOW-ORIGIN WHAT
{
	expect_error "$1" "$2" "$5"
	expect_header Access-Control-Allow-Origin "$4" "$5"
	expect_list Access-Control-Expose-Headers Retry-After "$5"
	expect_list Vary Origin "$5"
}
post_json '{"type":"k"}' -H "Origin: $SHOP"
cors_check 401 no_key "$SHOP" "$SHOP" "401 no_key from $SHOP"
http_post "$URL?key=pk_nope" application/json '{"type":"k"}' --max-time 10 -H "Origin: $MSHOP"
cors_check 403 bad_key "$MSHOP" "$MSHOP" "403 bad_key from $MSHOP"
http_post "$URL?key=pk_shop" application/json '{"type":"k"}' --max-time 10 -H "Origin: $EVIL"
cors_check 403 origin_not_allowed "$EVIL" '*' "403 origin_not_allowed from $EVIL (pk_cli takes it)"
req PUT "$URL?key=pk_shop" -H "Origin: $SHOP" -H 'Content-Type: application/json' --data-binary '{}'
cors_check 405 method_not_allowed "$SHOP" "$SHOP" "405 from $SHOP"
expect_list Allow POST "405 from $SHOP"
http_post "$URL?key=pk_shop" application/json '{"type":' --max-time 10 -H "Origin: $SHOP"
cors_check 400 invalid_json "$SHOP" "$SHOP" "400 from $SHOP"
http_post "$URL?key=pk_shop" application/xml '<e/>' --max-time 10 -H "Origin: $SHOP"
cors_check 415 unsupported_media_type "$SHOP" "$SHOP" "415 from $SHOP"
http_post "$URL?key=pk_shop" application/json '{"type":"k"}' --max-time 10 -H "Origin: $SHOP" \
    -H 'Content-Encoding: br'
cors_check 415 unsupported_encoding "$SHOP" "$SHOP" "415 (coding) from $SHOP"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$SVC_DIR/big.json"
http_post_file "$URL?key=pk_shop" application/json "$SVC_DIR/big.json" --max-time 10 -H "Origin: $SHOP"
cors_check 413 body_too_large "$SHOP" "$SHOP" "413 from $SHOP"
expect_eq 0 "$(queued)" "queued after the refusals"
ok "401, 403, 405, 400, 413, 415 to an allowed origin carry Access-Control-Allow-Origin"

http_post "$URL?key=pk_shop" application/json '{"type":"k","id":"k-url"}' --max-time 10 \
    -H "Origin: $SHOP"
expect_eq 202 "$HTTP_STATUS" "pk_shop in the URL from $SHOP"
expect_header Access-Control-Allow-Origin "$SHOP" "202 with a key"
expect_list Access-Control-Expose-Headers Retry-After "202 with a key"
expect_list Vary Origin "202 with a key"
post_json '{"type":"k","id":"k-header"}' -H 'X-Events-Key: pk_shop' -H "Origin: $MSHOP"
expect_eq 202 "$HTTP_STATUS" "pk_shop in X-Events-Key from $MSHOP"
expect_header Access-Control-Allow-Origin "$MSHOP" "202 from the second origin"
# Origins compare case-insensitively; the configured spelling is echoed.
post_json '{"type":"k","id":"k-case"}' -H 'X-Events-Key: pk_shop' -H 'Origin: HTTPS://SHOP.EXAMPLE'
expect_eq 202 "$HTTP_STATUS" "pk_shop from the origin in capitals"
expect_header Access-Control-Allow-Origin "$SHOP" "origin in capitals"
# text/plain, as navigator.sendBeacon sends it: the key can only be in the URL.
http_post "$URL?key=pk_shop" text/plain '{"type":"k","id":"k-beacon"}' --max-time 10 \
    -H "Origin: $SHOP"
expect_eq 202 "$HTTP_STATUS" "a beacon with the key in the URL"
# curl sends no Origin: judged by the key alone, and no CORS header.
http_post "$URL?key=pk_shop&x=1" application/json '{"type":"k","id":"k-curl"}' --max-time 10
expect_eq 202 "$HTTP_STATUS" "pk_shop without an Origin"
expect_no_header Access-Control-Allow-Origin "no Origin"
# A key without origins takes any, and answers with "*".
post_json '{"type":"k","id":"k-cli"}' -H 'X-Events-Key: pk_cli' -H "Origin: $EVIL"
expect_eq 202 "$HTTP_STATUS" "pk_cli from anywhere"
expect_header Access-Control-Allow-Origin '*' "pk_cli"
# The same key twice, and percent-encoded (RFC 3986 6.2.2.2: %5F is _).
http_post "$URL?key=pk_cli&key=pk%5Fcli" application/json '{"type":"k","id":"k-twice"}' \
    --max-time 10 -H 'X-Events-Key: pk_cli' -H 'X-Events-Key: pk_cli'
expect_eq 202 "$HTTP_STATUS" "one key given four times, once percent-encoded"
expect_eq "k-url k-header k-case k-beacon k-curl k-cli k-twice" \
    "$(stream_json | python3 -c 'import json, sys
print(" ".join(e["id"] for e in json.load(sys.stdin)))')" "queued events"
ok "keys in the URL and in X-Events-Key; Access-Control-Allow-Origin is the matched origin"

# The read token.
consumer_once
for path in /events /events/stats /metrics; do
	req GET "$BASE_URL$path"
	expect_error 401 unauthorized "GET $path without a token"
	expect_header WWW-Authenticate Bearer "GET $path without a token"
	for bad in "Bearer wrong-token-0123456789" "Bearer ${TOKEN%?}" "Bearer ${TOKEN}x" \
	    "Basic $(printf 'u:%s' "$TOKEN" | base64)" "$TOKEN" "Bearer"; do
		req GET "$BASE_URL$path" -H "Authorization: $bad"
		expect_error 401 unauthorized "GET $path with \"Authorization: $bad\""
	done
	req GET "$BASE_URL$path" -H "Authorization: Bearer $TOKEN"
	expect_eq 200 "$HTTP_STATUS" "GET $path with the token"
done
req HEAD "$BASE_URL/events" --head
expect_eq 401 "$HTTP_STATUS" "HEAD /events without the token"
req GET "$BASE_URL/events?limit=10" -H "Authorization: Bearer $TOKEN"
expect_eq 7 "$(json_get 'len(d["events"])')" "events read with the token"
req GET "$BASE_URL/health"
expect_eq 200 "$HTTP_STATUS" "GET /health without a token"
expect_eq ok "$(json_get 'd["status"]')" "GET /health"
ok "read token: 401 with WWW-Authenticate without it or with a wrong one, 200 with it; /health open"

## one key with origins only: a preflight from elsewhere has no site

EVENTS_WRITE_KEYS="pk_shop=$SHOP"
export EVENTS_WRITE_KEYS
http_restart
preflight "$EVIL"
expect_error 403 origin_not_allowed "preflight from $EVIL, no key takes it"
preflight "$SHOP"
expect_eq 204 "$HTTP_STATUS" "preflight from $SHOP"
expect_header Access-Control-Allow-Origin "$SHOP" "preflight from $SHOP"
ok "preflight refused when no key takes the origin"
# The refusals: readable by $SHOP, not by an origin no key takes.
post_json '{"type":"k"}' -H "Origin: $SHOP"
expect_error 401 no_key "401 from $SHOP"
expect_header Access-Control-Allow-Origin "$SHOP" "401 from $SHOP"
post_json '{"type":"k"}' -H "Origin: $EVIL"
expect_error 401 no_key "401 from $EVIL"
expect_no_header Access-Control-Allow-Origin "401 from $EVIL"
expect_list Vary Origin "401 from $EVIL"
http_post "$URL?key=pk_shop" application/json '{"type":"k"}' --max-time 10 -H "Origin: $EVIL"
expect_error 403 origin_not_allowed "403 from $EVIL"
expect_no_header Access-Control-Allow-Origin "403 from $EVIL"
req DELETE "$URL" -H "Origin: $SHOP"
expect_error 405 method_not_allowed "405 from $SHOP"
expect_header Access-Control-Allow-Origin "$SHOP" "405 from $SHOP"
ok "refusals carry CORS for an origin a key takes, none for others"

## open: the local stack's defaults

unset EVENTS_WRITE_KEYS EVENTS_READ_TOKEN
http_restart
preflight "$EVIL"
expect_eq 204 "$HTTP_STATUS" "open preflight"
expect_header Access-Control-Allow-Origin '*' "open preflight"
expect_list Access-Control-Allow-Methods POST "open preflight"
post_json '{"type":"open"}' -H "Origin: $EVIL"
expect_eq 202 "$HTTP_STATUS" "open POST from any origin"
expect_header Access-Control-Allow-Origin '*' "open POST"
expect_list Access-Control-Expose-Headers Retry-After "open POST"
post_json '{"type":'
expect_error 400 invalid_json "open POST, bad JSON"
expect_header Access-Control-Allow-Origin '*' "400 keeps the CORS headers"
req PATCH "$URL" -H "Origin: $EVIL"
expect_error 405 method_not_allowed "open PATCH"
expect_header Access-Control-Allow-Origin '*' "405 keeps the CORS headers"
http_post "$URL" text/csv 'a,b' --max-time 10 -H "Origin: $EVIL"
expect_error 415 unsupported_media_type "open POST of CSV"
expect_header Access-Control-Allow-Origin '*' "415 keeps the CORS headers"
http_post_file "$URL" application/json "$SVC_DIR/big.json" --max-time 10 -H "Origin: $EVIL"
expect_error 413 body_too_large "open POST over max_body_bytes"
expect_header Access-Control-Allow-Origin '*' "413 keeps the CORS headers"
for path in /events /events/stats /metrics /health; do
	req GET "$BASE_URL$path"
	case $HTTP_STATUS in
	200|503) ;;
	*) fail "open GET $path: $HTTP_STATUS" ;;
	esac
done
ok "open mode: any origin gets \"*\", reads need no token"
