#!/bin/sh
# retention_days on a store without TTL indexes (FerretDB): the consumer
# deletes the events created before the cutoff, in bounded batches, and
# only those; at most one pass a minute among all runs and consumers (a
# Redis key); GET /metrics counts what it deleted (events_expired_total);
# retention_days = 0 deletes nothing.  (On MongoDB a TTL index does it
# instead: tests/test-store checks that decision and the index sent;
# there is no mongod here to run it against.)
. "$(dirname "$0")/consumer-lib.sh"
consumer_services http
[ "$STORE_KIND" != mongodb ] || svc_missing "MongoDB expires by its TTL index; this test is for FerretDB"

DAY=86400000
NOW=$(python3 -c 'import time; print(int(time.time() * 1000))')
load()	# PREFIX COUNT START_MS
{
	"$top_builddir/bench/bench-load" --prefix "$1" --count "$2" --start "$3" \
	    --step 1000 --types click,pageview >/dev/null || fail "bench-load $1"
}
count()	# PREFIX: stored events whose id starts with it
{
	"$STORE_READ" ids | grep -c "^$1" || :
}
once()	# DAYS LOG: one consumer run
{
	EVENTS_RETENTION_DAYS=$1 "$CONSUMER" --once --max-seconds 60 >>"$SVC_DIR/log/$2" 2>&1 ||
	    fail "event-consumer --once: status $?"
}
expired_total()
{
	curl -sS "$BASE_URL/metrics" | sed -n 's/^events_expired_total \([0-9]*\)$/\1/p'
}

# 2,500 events 40 days old (more than two batches), 200 from yesterday,
# 50 from 29 days ago (inside 30 days, near the cutoff).
load old 2500 $((NOW - 40 * DAY))
load new 200 $((NOW - DAY))
load edge 50 $((NOW - 29 * DAY))

once 0 consumer-0.log
expect_eq 2500 "$(count old)" "retention_days = 0: old events kept"
expect_eq 0 "$(expired_total)" "events_expired_total with retention_days = 0"
ok "retention_days = 0 keeps everything"

# The first pass may stop at its time budget on a slow machine: the next
# run (its minute cleared by hand) goes on where it stopped.
i=0
while :; do
	once 30 consumer-30.log
	[ "$(count old)" = 0 ] && break
	i=$((i + 1))
	[ $i -lt 20 ] || fail "old events still there after $i passes: $(count old)"
	rcli DEL events:expire_pass >/dev/null
done
expect_eq 200 "$(count new)" "yesterday's events"
expect_eq 50 "$(count edge)" "events inside 30 days"
expect_eq 2500 "$(expired_total)" "events_expired_total"
grep -q "retention_days = 30: the store has no TTL index, so this consumer deletes" \
    "$SVC_DIR/log/consumer-30.log" || fail "no word of the way: $(cat "$SVC_DIR/log/consumer-30.log")"
grep -q "retention: deleted [0-9]* events created before" "$SVC_DIR/log/consumer-30.log" ||
    fail "no word of the deletes: $(cat "$SVC_DIR/log/consumer-30.log")"
! grep -q "createIndexes createdAt_1\|expireAfterSeconds" "$SVC_DIR/log/consumer-30.log" ||
    fail "a TTL index was tried on FerretDB: $(cat "$SVC_DIR/log/consumer-30.log")"
ok "retention_days = 30: 2,500 older events deleted in $((i + 1)) pass(es), the 250 newer kept, counted in /metrics"

# Within the minute no other pass runs, whoever asks.
load late 10 $((NOW - 35 * DAY))
rcli SET events:expire_pass other PX 60000 >/dev/null
once 30 consumer-30b.log
expect_eq 10 "$(count late)" "a pass within the minute of another"
rcli DEL events:expire_pass >/dev/null
once 30 consumer-30c.log
expect_eq 0 "$(count late)" "the next minute's pass"
expect_eq 2510 "$(expired_total)" "events_expired_total after the next pass"
ok "one pass a minute among all consumers (the key $(echo events:expire_pass))"
