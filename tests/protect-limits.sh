#!/bin/sh
# Rate limits and backpressure through lighttpd, event-ingest and Redis:
# over rate_limit_ip events per window from one address, or over
# rate_limit_key under one write key, POST answers 429 rate_limited with
# Retry-After and queues nothing, other addresses and keys go on, and once
# the window is over the same client is served again; with max_backlog
# events waiting and no consumer, POST answers 503 backlog_full with
# Retry-After: 5 until the consumer has drained the stream.  Every refusal
# keeps the CORS headers, so a page can read Retry-After.
. "$(dirname "$0")/protect-lib.sh"
protect_init store

# batch N TYPE: a JSON array of N events.
batch()
{
	python3 -c 'import json, sys
print(json.dumps([{"type": sys.argv[2]}] * int(sys.argv[1])))' "$1" "$2"
}

# wait_retry_after: sleep for the last 429's Retry-After, and a little.
wait_retry_after()
{
	sleep "$RETRY_AFTER"
	sleep 0.3
}

## per client address: 5 events per 6 s

EVENTS_RATE_LIMIT_IP=5
EVENTS_RATE_WINDOW_S=6
EVENTS_IP_HASH_SECRET=limits-secret-0123456789
export EVENTS_RATE_LIMIT_IP EVENTS_RATE_WINDOW_S EVENTS_IP_HASH_SECRET
http_restart

post_json "$(batch 3 ip)"
# The window lives in Redis beside the stream, and expires by itself
# (looked at at once: it lasts 6 s).  It is named by a keyed hash of the
# address, never by the address.
ipkey=$(rcli --scan --pattern 'events:rl:ip:*')
ttl=$(rcli PTTL "$ipkey")
expect_eq 202 "$HTTP_STATUS" "3 events"
printf '%s\n' "$ipkey" | grep -Eqx 'events:rl:ip:h:[0-9a-f]{16}' ||
    fail "the address's counter is not named by a hash: $ipkey"
[ "$ttl" -ge 1 ] && [ "$ttl" -le 6000 ] || fail "PTTL of the address's window: $ttl"
post_json "$(batch 2 ip)"
expect_eq 202 "$HTTP_STATUS" "2 more events: 5, the limit"
post_json '{"type":"ip"}' -H 'Origin: https://site.example'
expect_error 429 rate_limited "the 6th event from one address"
expect_retry_after 1 6 "429 per address"
expect_header Access-Control-Allow-Origin '*' "429 per address"
expect_header Access-Control-Expose-Headers Retry-After "429 per address"
expect_eq 5 "$(queued)" "queued after the 429"
ok "429 rate_limited with Retry-After once an address passes 5 events; nothing queued"

# Events are counted, not requests: a batch larger than the whole limit
# can never pass, so it gets a final 413 naming the limit (a client
# sends fewer at once), not a 429 to retry for ever; a third address is
# not affected.
post_json "$(batch 6 other)" --interface 127.0.0.2
expect_error 413 too_many_events "6 events at once from 127.0.0.2"
case $(json_get 'd["error"]["message"]') in
*"more than rate_limit_ip (5,"*"send at most 5 a request"*) ;;
*) fail "6 events at once: message $(cat "$SVC_DIR/http.body")" ;;
esac
post_json "$(batch 5 other)" --interface 127.0.0.2
expect_eq 202 "$HTTP_STATUS" "5 events at once from 127.0.0.2"
post_json '{"type":"third"}' --interface 127.0.0.3
expect_eq 202 "$HTTP_STATUS" "one event from 127.0.0.3"
expect_eq 11 "$(queued)" "queued"
ok "limits count events and are kept per address; a batch over the whole limit is 413"

# Retry-After of the first 429 (counted from then, so waited in full).
wait_retry_after
post_json '{"type":"ip","id":"ip-after"}'
expect_eq 202 "$HTTP_STATUS" "after Retry-After seconds"
expect_eq 12 "$(queued)" "queued"
ok "after the window: 202 again"

## per write key: 4 events per 6 s, whatever the address

EVENTS_RATE_LIMIT_IP=0
EVENTS_RATE_LIMIT_KEY=4
EVENTS_WRITE_KEYS='pk_a pk_b'
export EVENTS_RATE_LIMIT_IP EVENTS_RATE_LIMIT_KEY EVENTS_WRITE_KEYS
http_restart

http_post "$URL?key=pk_a" application/json "$(batch 4 key)" --max-time 10
expect_eq 202 "$HTTP_STATUS" "4 events under pk_a"
http_post "$URL?key=pk_a" application/json '{"type":"key"}' --max-time 10
expect_error 429 rate_limited "a 5th event under pk_a"
expect_retry_after 1 6 "429 per key"
case $(json_get 'd["error"]["message"]') in
*key*) ;;
*) fail "429 per key: the message does not name the key: $(cat "$SVC_DIR/http.body")" ;;
esac
# Another address does not help: the limit is the key's.
post_json '{"type":"key"}' -H 'X-Events-Key: pk_a' --interface 127.0.0.2
expect_error 429 rate_limited "pk_a from 127.0.0.2"
post_json '{"type":"key"}' -H 'X-Events-Key: pk_b'
expect_eq 202 "$HTTP_STATUS" "pk_b, its own window"
expect_eq 17 "$(queued)" "queued"
ok "429 per write key, from any address; other keys go on"

wait_retry_after
http_post "$URL?key=pk_a" application/json '{"type":"key"}' --max-time 10
expect_eq 202 "$HTTP_STATUS" "pk_a after the window"
ok "pk_a served again after Retry-After"

## backpressure: at most 10 events waiting, no consumer running

unset EVENTS_WRITE_KEYS
EVENTS_RATE_LIMIT_KEY=0
EVENTS_MAX_BACKLOG=10
export EVENTS_RATE_LIMIT_KEY EVENTS_MAX_BACKLOG
http_restart

consumer_once
expect_eq 0 "$(queued)" "stream after the consumer"
expect_eq 18 "$(stored)" "stored"

post_json "$(batch 4 backlog)"
expect_eq 202 "$HTTP_STATUS" "4 waiting"
post_json "$(batch 6 backlog)"
expect_eq 202 "$HTTP_STATUS" "10 waiting: the limit"
post_json '{"type":"backlog"}' -H 'Origin: https://site.example'
expect_error 503 backlog_full "an 11th event"
expect_header Retry-After 5 "503 backlog_full"
expect_header Access-Control-Allow-Origin '*' "503 backlog_full"
expect_header Access-Control-Expose-Headers Retry-After "503 backlog_full"
expect_eq 10 "$(queued)" "queued after the 503"
ok "503 backlog_full with Retry-After: 5 at max_backlog; nothing queued"
post_json "$(batch 11 backlog)"
expect_error 413 too_many_events "11 events at once, max_backlog 10"

consumer_once
expect_eq 0 "$(queued)" "stream after the consumer"
post_json "$(batch 10 backlog)"
expect_eq 202 "$HTTP_STATUS" "10 events once the consumer has run"
consumer_once
expect_eq 38 "$(stored)" "stored"
ok "the consumer drains the backlog and POST is served again"

# Each refusal counted under its reason (events_rejected_total).
metrics
expect_metric 'events_rejected_total{reason="rate_limited_ip"}' 1 "metrics"
expect_metric 'events_rejected_total{reason="too_many_events"}' 2 "metrics"
expect_metric 'events_rejected_total{reason="rate_limited_key"}' 2 "metrics"
expect_metric 'events_rejected_total{reason="backlog_full"}' 1 "metrics"
expect_metric events_accepted_total 38 "metrics"
ok "refusals counted by reason in /metrics"
