#!/bin/sh
# The store stopped while events are POSTed (until 1000 wait in Redis,
# some 5 s): the consumer keeps them in Redis, backs off, and stores
# every one once the store is back, without being restarted; it says so
# once when the outage starts and once when it ends, not at every retry.
. "$(dirname "$0")/consumer-lib.sh"
consumer_services http
EVENTS_BACKOFF_MAX_MS=1000
export EVENTS_BACKOFF_MAX_MS

consumer_start c --name c
pid=$(svc_pid c)
post_load "$SVC_DIR/ids" before 1000 100 >/dev/null
wait_stored 1000 30

# 3000 more over about 15 s; the store goes away in the middle, once
# the load is under way, and comes back once the consumer has met the
# outage and events of the load have piled up in Redis meanwhile.
post_load "$SVC_DIR/ids" during 3000 50 0.25 >"$SVC_DIR/load.out" &
load_pid=$!
log=$SVC_DIR/log/consumer-c.log
load_stored()
{
	[ "$(stored)" -ge 1200 ]
}
svc_until 30 load_stored || fail "the load's events not stored: $(stored) in 30 s"
svc_store_stop
t0=$(date +%s)
outage_met()
{
	grep -q 'events stay in Redis, retrying' "$log" && [ "$(stream_len)" -ge 1000 ]
}
svc_until 30 outage_met ||
    fail "store down 30 s: $(stream_len) entries in Redis; consumer log: $(tail -n 5 "$log")"
queued=$(stream_len)
svc_store_start
echo "store back after $(( $(date +%s) - t0 )) s; $queued entries were waiting in Redis"
[ "$queued" -gt 0 ] || fail "nothing queued while the store was down: the test proves nothing"
wait $load_pid || fail "the load failed"
read -r requests accepted <"$SVC_DIR/load.out"
expect_eq 3000 "$accepted" "events answered 202 during the outage"

wait_stored 4000 60
kill -0 "$pid" 2>/dev/null || fail "the consumer died"
expect_eq "$pid" "$(svc_pid c)" "the consumer's pid"
same_ids "$SVC_DIR/ids"
drained
ok "4000 events stored once across a store outage, same consumer process"

expect_eq 1 "$(grep -c 'events stay in Redis, retrying' "$log")" "outage reported once"
expect_eq 1 "$(grep -c 'store .* reachable again after' "$log")" "recovery reported once"
ok "the outage logged once when it began and once when it ended"
