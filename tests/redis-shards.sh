#!/bin/sh
# The sharded queue (shards, lib/shard.h) through lighttpd and the
# consumer, against real Redis servers:
#   1. from 1 shard to 4 without losing what is queued: shard 0 keeps
#      today's key names, so the events queued with shards = 1 are read
#      by consumers configured with 4; new ones spread over events,
#      events{1}, events{2}, events{3};
#   2. --shard: a consumer reads only the shards it is given;
#   3. the rate limit of an address stays exact with shards (the
#      address's requests go to one shard);
#   4. independent masters (redis_servers): shards 0 and 2 on one,
#      1 and 3 on the other; with one master down POST still answers 202
#      (queued on the other's shards), /health names the shards that are
#      down, and the consumer drains the shards it can reach and takes
#      the others back once their master returns;
#   5. a poison entry in shard 2 goes to events:dead{2}, and
#      --replay-dead puts it back on its shard.
# Every event answered 202 is stored exactly once.
. "$(dirname "$0")/consumer-lib.sh"
consumer_services http
EVENTS_BACKOFF_MAX_MS=500
export EVENTS_BACKOFF_MAX_MS

http_restart()
{
	svc_lighttpd_stop
	svc_lighttpd_start
}

xlen()
{
	rcli XLEN "$1"
}

## 1. 1 -> 4 shards

post_load "$SVC_DIR/ids" one 300 50 >/dev/null
expect_eq 300 "$(xlen events)" "queued with shards = 1 on the stream events"
EVENTS_SHARDS=4
export EVENTS_SHARDS
http_restart
post_load "$SVC_DIR/ids" four 800 20 >/dev/null
expect_eq 1100 "$(wc -l <"$SVC_DIR/ids" | tr -d ' ')" "events answered 202"
total=0
for k in events 'events{1}' 'events{2}' 'events{3}'; do
	n=$(xlen "$k")
	[ "$n" -gt 0 ] || fail "nothing queued on $k"
	total=$((total + n))
done
expect_eq 1100 "$total" "entries over the four shards"
[ "$(xlen events)" -gt 300 ] || fail "shard 0 (events) took no new events"
ok "from 1 shard to 4: the 300 queued stay on events, 800 new spread over 4 streams"

"$CONSUMER" --once >"$SVC_DIR/log/consumer-once.log" 2>&1 ||
    fail "event-consumer --once: status $?"
expect_eq 1100 "$(stored)" "stored"
same_ids "$SVC_DIR/ids"
for k in events 'events{1}' 'events{2}' 'events{3}'; do
	expect_eq 0 "$(xlen "$k")" "$k drained"
	expect_eq 0 "$(rcli XPENDING "$k" store | head -n 1)" "$k: nothing pending"
done
ok "one consumer drained all four shards: 1100 events stored exactly once"

## 2. --shard

post_load "$SVC_DIR/ids" part 400 20 >/dev/null
"$CONSUMER" --once --shard 1,3 >>"$SVC_DIR/log/consumer-once.log" 2>&1 ||
    fail "event-consumer --once --shard 1,3: status $?"
expect_eq 0 "$(xlen 'events{1}')" "--shard 1,3: shard 1 drained"
expect_eq 0 "$(xlen 'events{3}')" "--shard 1,3: shard 3 drained"
[ "$(xlen events)" -gt 0 ] && [ "$(xlen 'events{2}')" -gt 0 ] ||
    fail "--shard 1,3 read shards 0 or 2 as well"
"$CONSUMER" --once --shard 0-2 >>"$SVC_DIR/log/consumer-once.log" 2>&1 ||
    fail "event-consumer --once --shard 0-2: status $?"
expect_eq 1500 "$(stored)" "stored"
same_ids "$SVC_DIR/ids"
"$CONSUMER" --once --shard 4 >"$SVC_DIR/shard4.log" 2>&1
expect_eq 2 "$?" "--shard 4 of 4: exit status"
grep -q "shard 4, but shards is 4" "$SVC_DIR/shard4.log" ||
    fail "--shard 4: $(cat "$SVC_DIR/shard4.log")"
for bad in 1, ,1 1-0 a 1-x; do
	"$CONSUMER" --once --shard "$bad" >"$SVC_DIR/shard-bad.log" 2>&1
	expect_eq 2 "$?" "--shard $bad: exit status"
	grep -q "bad value" "$SVC_DIR/shard-bad.log" ||
	    fail "--shard $bad: $(cat "$SVC_DIR/shard-bad.log")"
done
ok "--shard reads only the shards given; a shard that does not exist is refused"

## 3. the rate limit of an address, with shards

EVENTS_RATE_LIMIT_IP=5
EVENTS_RATE_WINDOW_S=60
EVENTS_IP_HASH_SECRET=shards-test-secret-0123456789
export EVENTS_RATE_LIMIT_IP EVENTS_RATE_WINDOW_S EVENTS_IP_HASH_SECRET
http_restart
for i in 1 2 3 4 5; do
	http_post "$BASE_URL/events" application/json "{\"type\":\"rl\",\"id\":\"rl-$i\"}"
	expect_eq 202 "$HTTP_STATUS" "event $i of 5"
	echo "rl-$i" >>"$SVC_DIR/ids"
done
http_post "$BASE_URL/events" application/json '{"type":"rl","id":"rl-6"}'
expect_error 429 rate_limited "the 6th event from one address, over 4 shards"
unset EVENTS_RATE_LIMIT_IP EVENTS_RATE_WINDOW_S EVENTS_IP_HASH_SECRET
ok "the limit of an address is exact with 4 shards"
# max_backlog is shared among the shards (8 over 4: 2 a shard), so a
# request of 3 events could never be taken: a final 413 naming it, not a
# 503 to retry for ever.
EVENTS_MAX_BACKLOG=8
export EVENTS_MAX_BACKLOG
http_restart
http_post "$BASE_URL/events" application/json '[{"type":"bl"},{"type":"bl"},{"type":"bl"}]'
expect_error 413 too_many_events "3 events with max_backlog 8 over 4 shards"
case $(json_get 'd["error"]["message"]') in
*"max_backlog (2,"*) ;;
*) fail "3 events over 4 shards: message $(cat "$SVC_DIR/http.body")" ;;
esac
unset EVENTS_MAX_BACKLOG
ok "a request over a shard's share of max_backlog: 413 naming it"
"$CONSUMER" --once >>"$SVC_DIR/log/consumer-once.log" 2>&1 ||
    fail "event-consumer --once: status $?"

## 4. two independent masters

P_B=$(svc_free_port)
mkdir -p "$SVC_DIR/redis-b"
svc_spawn redis_b "$SVC_DIR/log/redis-b.log" redis-server --bind 127.0.0.1 \
    --port "$P_B" --dir "$SVC_DIR/redis-b" --appendonly yes --appendfsync always \
    --save "" --daemonize no --logfile ""
svc_wait redis_b "redis-server on port $P_B" redis-cli -p "$P_B" ping
EVENTS_REDIS_SERVERS="127.0.0.1:$REDIS_PORT, 127.0.0.1:$P_B"
export EVENTS_REDIS_SERVERS
http_restart
# Shards 1 and 3 move to the new master: they were drained first, as
# README's "Scaling out" says to do.
post_load "$SVC_DIR/ids" two 400 20 >/dev/null
for k in 'events{1}' 'events{3}'; do
	[ "$(redis-cli -p "$P_B" XLEN "$k")" -gt 0 ] || fail "nothing queued on $k on the second master"
done
expect_eq 0 "$(redis-cli -p "$P_B" XLEN events)" "shard 0 is not on the second master"
ok "redis_servers: shards 1 and 3 live on the second master"

consumer_start c1 --name c1
kill -KILL "$(svc_pid redis_b)"
wait "$(svc_pid redis_b)" 2>/dev/null
svc_pid_redis_b=
post_load "$SVC_DIR/ids" half 400 20 >"$SVC_DIR/half.out"
expect_eq "20 400" "$(cat "$SVC_DIR/half.out")" "requests and events accepted with one master down"
ok "one master down: every POST answered 202, queued on the other's shards"

http_request GET "$BASE_URL/health"
expect_eq 503 "$HTTP_STATUS" "/health with a master down"
expect_eq false "$(json_get 'd["redis"]')" "/health: redis"
json_get '"\n".join(d["problems"])' >"$SVC_DIR/problems"
grep -q "redis shard 1 is unreachable" "$SVC_DIR/problems" ||
    fail "/health problems: $(cat "$SVC_DIR/problems")"
expect_eq '[true, false, true, false]' "$(json_get '[s["up"] for s in d["shards"]]')" "/health: shards up"
ok "/health names the shards whose master is down"

# The consumer stores what it can reach meanwhile...
end=$(( $(date +%s) + 60 ))
until [ "$(xlen events)" = 0 ] && [ "$(xlen 'events{2}')" = 0 ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "shards 0 and 2 not drained while the other master is down"
	sleep 0.2
done
# ...and the rest once the master is back with its data.
svc_spawn redis_b "$SVC_DIR/log/redis-b.log" redis-server --bind 127.0.0.1 \
    --port "$P_B" --dir "$SVC_DIR/redis-b" --appendonly yes --appendfsync always \
    --save "" --daemonize no --logfile ""
svc_wait redis_b "redis-server on port $P_B" redis-cli -p "$P_B" ping
n=$(wc -l <"$SVC_DIR/ids" | tr -d ' ')
wait_stored "$n" 60
same_ids "$SVC_DIR/ids"
grep -q "shard 1.* reachable again" "$SVC_DIR/log/consumer-c1.log" ||
    fail "the consumer did not log shard 1 coming back"
ok "the consumer went on with the shards it could reach, then took the others back"
consumer_stop c1

## 5. dead letters per shard

printf '%s' '{"not":"an event"}' | redis-cli -p "$P_B" -x XADD 'events{3}' '*' e >/dev/null
EVENTS_MAX_ATTEMPTS=1 "$CONSUMER" --once >>"$SVC_DIR/log/consumer-once.log" 2>&1 ||
    fail "event-consumer --once: status $?"
expect_eq 1 "$(redis-cli -p "$P_B" XLEN 'events:dead{3}')" "dead letters of shard 3"
expect_eq 0 "$(redis-cli -p "$P_B" XLEN 'events{3}')" "shard 3 after the dead letter"
"$CONSUMER" --replay-dead --shard 3 >>"$SVC_DIR/log/consumer-once.log" 2>&1 ||
    fail "event-consumer --replay-dead: status $?"
expect_eq 0 "$(redis-cli -p "$P_B" XLEN 'events:dead{3}')" "dead letters after --replay-dead"
expect_eq 1 "$(redis-cli -p "$P_B" XLEN 'events{3}')" "shard 3 after --replay-dead"
ok "a poison entry of shard 3 goes to events:dead{3} and back"
