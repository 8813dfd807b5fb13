#!/bin/sh
# trusted_proxies through lighttpd and event-ingest into Redis: without
# it X-Forwarded-For and Forwarded are ignored; with the peer trusted the
# client is the rightmost untrusted hop of the header forwarded_header
# names (the other header ignored), for the address kept on the event
# and for the per-address rate limit alike; spoofed chains (the client's
# own header, left of what the proxy appended) change neither; a peer
# that is not trusted is counted as itself whatever it sends.
. "$(dirname "$0")/protect-lib.sh"
protect_init

# last_ip: the ip field of the newest queued event.
last_ip()
{
	stream_json | python3 -c 'import json, sys
print(json.load(sys.stdin)[-1].get("ip", "(none)"))'
}

# expect_ip WANT WHAT [CURL-ARGS...]: POST one event; its address is WANT.
expect_ip()
{
	_want=$1 _what=$2
	shift 2
	post_json '{"type":"p"}' "$@"
	expect_eq 202 "$HTTP_STATUS" "$_what: status"
	expect_eq "$_want" "$(last_ip)" "$_what: ip"
}

## no trusted proxies (the default): the headers are ignored

http_restart
expect_ip 127.0.0.0 "X-Forwarded-For, none trusted" -H 'X-Forwarded-For: 198.51.100.7'
expect_ip 127.0.0.0 "Forwarded, none trusted" -H 'Forwarded: for=198.51.100.7'
ok "without trusted_proxies X-Forwarded-For and Forwarded are ignored"

## the peer 127.0.0.1 trusted, X-Forwarded-For

EVENTS_TRUSTED_PROXIES='127.0.0.1 203.0.113.0/24'
export EVENTS_TRUSTED_PROXIES
http_restart
expect_ip 198.51.100.0 "one proxy" -H 'X-Forwarded-For: 198.51.100.7'
expect_ip 198.51.100.0 "spoofed: the client's own X-Forwarded-For" \
    -H 'X-Forwarded-For: 6.6.6.6, 198.51.100.7'
expect_ip 198.51.100.0 "two header lines, joined by the server" \
    -H 'X-Forwarded-For: 6.6.6.6' -H 'X-Forwarded-For: 198.51.100.7'
expect_ip 198.51.100.0 "a trusted CDN hop" -H 'X-Forwarded-For: 6.6.6.6, 198.51.100.7, 203.0.113.9'
expect_ip 2001:db8:aaaa:: "IPv6 with a port" -H 'X-Forwarded-For: [2001:db8:aaaa:bbbb::1]:443'
expect_ip 127.0.0.0 "an unknown hop: the proxy's address" -H 'X-Forwarded-For: 198.51.100.7, unknown'
expect_ip 127.0.0.0 "no header: the proxy's address"
expect_ip 127.0.0.0 "Forwarded is not the header the proxies write" -H 'Forwarded: for=198.51.100.7'
expect_ip 127.0.0.0 "a peer that is not trusted" --interface 127.0.0.2 \
    -H 'X-Forwarded-For: 198.51.100.7'
ok "trusted_proxies: the rightmost untrusted X-Forwarded-For hop; spoofed hops and untrusted peers ignored"

## forwarded_header = forwarded (RFC 7239)

EVENTS_FORWARDED_HEADER=forwarded
export EVENTS_FORWARDED_HEADER
http_restart
expect_ip 198.51.100.0 "Forwarded" -H 'Forwarded: for=198.51.100.7;proto=https'
expect_ip 2001:db8:cafe:: "Forwarded, IPv6 quoted with a port" \
    -H 'Forwarded: for=6.6.6.6, for="[2001:db8:cafe::17]:4711"'
expect_ip 127.0.0.0 "Forwarded, obfuscated" -H 'Forwarded: for=_hidden'
expect_ip 127.0.0.0 "X-Forwarded-For is then ignored" -H 'X-Forwarded-For: 198.51.100.7'
ok "forwarded_header = forwarded: RFC 7239 for=, X-Forwarded-For ignored"

## the rate limit counts the client behind the proxy

EVENTS_FORWARDED_HEADER=x-forwarded-for
EVENTS_RATE_LIMIT_IP=2
EVENTS_RATE_WINDOW_S=3600
EVENTS_IP_HASH_SECRET=proxies-secret-0123456789
export EVENTS_FORWARDED_HEADER EVENTS_RATE_LIMIT_IP EVENTS_RATE_WINDOW_S EVENTS_IP_HASH_SECRET
http_restart
for i in 1 2; do
	post_json '{"type":"r"}' -H 'X-Forwarded-For: 198.51.100.7'
	expect_eq 202 "$HTTP_STATUS" "client A, event $i"
done
post_json '{"type":"r"}' -H 'X-Forwarded-For: 198.51.100.7'
expect_error 429 rate_limited "client A over its limit"
post_json '{"type":"r"}' -H 'X-Forwarded-For: 1.2.3.4, 198.51.100.7'
expect_error 429 rate_limited "client A with a spoofed hop in front"
post_json '{"type":"r"}' -H 'X-Forwarded-For: 198.51.100.8'
expect_eq 202 "$HTTP_STATUS" "client B behind the same proxy has its own budget"
for i in 1 2; do
	post_json '{"type":"r"}' --interface 127.0.0.2 -H "X-Forwarded-For: 198.51.100.$((20 + i))"
	expect_eq 202 "$HTTP_STATUS" "untrusted peer, event $i"
done
post_json '{"type":"r"}' --interface 127.0.0.2 -H 'X-Forwarded-For: 198.51.100.99'
expect_error 429 rate_limited "an untrusted peer is counted as itself, whatever it sends"
ok "rate_limit_ip counts the client behind a trusted proxy; spoofing changes nothing"

## a bad list stops the program at start-up

EVENTS_TRUSTED_PROXIES='10.1.2.3/8'
export EVENTS_TRUSTED_PROXIES
if env GATEWAY_INTERFACE= "$top_builddir/cgi/event-ingest" </dev/null >"$SVC_DIR/bad.out" 2>&1; then
	fail "event-ingest started with trusted_proxies=10.1.2.3/8"
fi
grep -q 'trusted_proxies.*10.1.2.3/8.*bits set past its /8 prefix' "$SVC_DIR/bad.out" ||
    fail "the message does not say what is wrong: $(cat "$SVC_DIR/bad.out")"
ok "a bad trusted_proxies value stops the program, naming the key and the fault"
