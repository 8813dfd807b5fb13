#!/bin/sh
# Privacy through lighttpd and event-ingest into Redis: Do Not Track and
# Global Privacy Control honoured when honour_dnt=1 (202, accepted 0,
# ignored "dnt", nothing queued) and not otherwise; crawlers answered
# 202 ignored "bot", counted by reason and name, and queued when
# drop_bots=0; the client address on the queued events truncated, hashed
# (stable within the day, different per address and per secret, the
# address itself nowhere) or dropped, as ip_mode says.
. "$(dirname "$0")/protect-lib.sh"
protect_init
GOOGLEBOT='Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'
GPTBOT='Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)'
OTHERBOT='FooFetcher/1.0 (crawler; +https://foo.example/about)'
BROWSER='Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'

# last_event EXPR: a Python expression over e, the newest queued event.
last_event()
{
	stream_json | python3 -c 'import json, sys
e = json.load(sys.stdin)[-1]
v = eval(sys.argv[1], {"e": e})
print(v if isinstance(v, str) else json.dumps(v))' "$1"
}

# expect_ignored REASON WHAT: 202 {"accepted": 0, "ids": [], "ignored": REASON}.
expect_ignored()
{
	expect_eq 202 "$HTTP_STATUS" "$2: status"
	expect_eq "{\"accepted\": 0, \"ids\": [], \"ignored\": \"$1\"}" "$(json_get d)" "$2: body"
}

## the defaults: truncate, DNT not honoured, crawlers dropped

http_restart
post_json '{"type":"p","id":"p-dnt-off"}' -H 'DNT: 1' -A "$BROWSER"
expect_eq 202 "$HTTP_STATUS" "DNT with honour_dnt=0"
expect_eq 1 "$(json_get 'd["accepted"]')" "DNT with honour_dnt=0: accepted"
expect_eq p-dnt-off "$(last_event 'e["id"]')" "DNT with honour_dnt=0: queued"
expect_eq 127.0.0.0 "$(last_event 'e["ip"]')" "truncated address"
post_json '{"type":"p"}' --interface 127.0.0.2
expect_eq 127.0.0.0 "$(last_event 'e["ip"]')" "truncated address of 127.0.0.2"
ok "by default DNT is not honoured and addresses are truncated to /24"

n=$(queued)
post_json '[{"type":"p"},{"type":"p"}]' -A "$GOOGLEBOT"
expect_ignored bot "Googlebot"
post_json '{"type":"p"}' -A "$GPTBOT"
expect_ignored bot "GPTBot"
post_json '{"type":"p"}' -A "$OTHERBOT"
expect_ignored bot "a crawler with a contact URL"
expect_eq "$n" "$(queued)" "queued after the crawlers"
rcli --json HGETALL events:bots >"$SVC_DIR/bots.json"
python3 - "$SVC_DIR/bots.json" <<'EOF' || fail "crawler counts: $(cat "$SVC_DIR/bots.json")"
import json, sys
d = json.load(open(sys.argv[1]))
d = dict(zip(d[0::2], d[1::2])) if isinstance(d, list) else d
assert {k: int(v) for k, v in d.items()} == {
    "known_crawler:googlebot": 2, "known_crawler:gptbot": 1, "crawler_url:other": 1}, d
EOF
expect_eq 4 "$(rcli HGET events:metrics ignored:bot)" "ignored:bot counter"
ok "crawlers: 202 ignored \"bot\", nothing queued, counted by reason and name"

## honour_dnt=1, ip_mode=hash

EVENTS_HONOUR_DNT=1
EVENTS_IP_MODE=hash
EVENTS_IP_HASH_SECRET=first-secret-0123456789
export EVENTS_HONOUR_DNT EVENTS_IP_MODE EVENTS_IP_HASH_SECRET
http_restart
n=$(queued)
post_json '[{"type":"p"},{"type":"p"}]' -H 'DNT: 1' -H 'Origin: https://site.example'
expect_ignored dnt "DNT: 1"
expect_header Access-Control-Allow-Origin '*' "DNT: 1"
post_json '{"type":"p"}' -H 'Sec-GPC: 1'
expect_ignored dnt "Sec-GPC: 1"
expect_eq "$n" "$(queued)" "queued after DNT and GPC"
expect_eq 3 "$(rcli HGET events:metrics ignored:dnt)" "ignored:dnt counter"
post_json '{"type":"p","id":"p-dnt0"}' -H 'DNT: 0' -H 'Sec-GPC: 0'
expect_eq 202 "$HTTP_STATUS" "DNT: 0"
expect_eq 1 "$(json_get 'd["accepted"]')" "DNT: 0: accepted"
expect_eq p-dnt0 "$(last_event 'e["id"]')" "DNT: 0 queued"
ok "honour_dnt=1: DNT: 1 and Sec-GPC: 1 answered 202 accepted 0 ignored \"dnt\", nothing queued"

h1=$(last_event 'e["ip"]')
printf '%s\n' "$h1" | grep -Eqx 'h:[0-9a-f]{16}' || fail "hashed address \"$h1\""
post_json '{"type":"p"}'
expect_eq "$h1" "$(last_event 'e["ip"]')" "the same address hashed again"
post_json '{"type":"p"}' --interface 127.0.0.2
h2=$(last_event 'e["ip"]')
printf '%s\n' "$h2" | grep -Eqx 'h:[0-9a-f]{16}' || fail "hashed address \"$h2\""
[ "$h1" != "$h2" ] || fail "127.0.0.1 and 127.0.0.2 hash alike: $h1"
stream_json | grep -q '127\.0\.0\.[12]"' && fail "an address in clear on the stream with ip_mode=hash"
EVENTS_IP_HASH_SECRET=second-secret-0123456789
export EVENTS_IP_HASH_SECRET
http_restart
post_json '{"type":"p"}'
h3=$(last_event 'e["ip"]')
[ "$h3" != "$h1" ] || fail "another secret gives the same hash: $h3"
ok "ip_mode=hash: h:<16 hex>, stable for an address, different per address and per secret"

## ip_mode=drop, crawlers kept, DNT not honoured

EVENTS_IP_MODE=drop
EVENTS_DROP_BOTS=0
EVENTS_HONOUR_DNT=0
export EVENTS_IP_MODE EVENTS_DROP_BOTS EVENTS_HONOUR_DNT
http_restart
post_json '{"type":"p","id":"p-drop"}'
expect_eq 202 "$HTTP_STATUS" "ip_mode=drop"
expect_eq p-drop "$(last_event 'e["id"]')" "ip_mode=drop: queued"
expect_eq false "$(last_event '"ip" in e')" "ip_mode=drop: an ip field"
post_json '{"type":"p","id":"p-bot"}' -A "$GOOGLEBOT"
expect_eq 202 "$HTTP_STATUS" "Googlebot with drop_bots=0"
expect_eq p-bot "$(last_event 'e["id"]')" "Googlebot queued with drop_bots=0"
expect_eq "$GOOGLEBOT" "$(last_event 'e["ua"]')" "the crawler's User-Agent kept"
ok "ip_mode=drop: no address on the event; drop_bots=0: crawlers queued"
