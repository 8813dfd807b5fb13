#!/bin/sh
# The consumer's modes: --once drains and exits 0; --max-seconds bounds
# a daemon and a --once caught by a store outage; the lock lets one copy
# of a name run and sends a second away with one line and status 0;
# SIGTERM finishes and acknowledges the batch in flight, then exits 0.
. "$(dirname "$0")/consumer-lib.sh"
consumer_services

# queue N PREFIX: N events straight onto the stream, one round trip.
queue()
{
	rcli EVAL "for i = 1, tonumber(ARGV[1]) do
	    redis.call('XADD', KEYS[1], '*', 'e', '{\"id\":\"' .. ARGV[2] .. i ..
	    '\",\"type\":\"mode\",\"createdAt\":1700000000000,\"receivedAt\":1700000000001}')
	    end return 1" 1 events "$1" "$2" >/dev/null || fail "queueing $1 events"
}

# timed CMD...: run it; STATUS, SECONDS_TAKEN (to 0.1 s) and OUT (its output).
timed()
{
	_t0=$(date +%s%N)
	OUT=$("$@" 2>&1)
	STATUS=$?
	SECONDS_TAKEN=$(( ($(date +%s%N) - _t0) / 100000000 ))
	SECONDS_TAKEN=$((SECONDS_TAKEN / 10)).$((SECONDS_TAKEN % 10))
}

## --help: the synopsis on standard output, status 0; a bad option:
## on standard error, status 2

out=$("$CONSUMER" --help 2>/dev/null)
expect_eq 0 "$?" "--help: exit status"
case $out in
"usage: event-consumer "*) ;;
*) fail "--help: no synopsis on standard output: $out" ;;
esac
"$CONSUMER" --no-such-option >/dev/null 2>&1
expect_eq 2 "$?" "an unknown option: exit status"
ok "--help prints the synopsis and exits 0; an unknown option exits 2"

## --once

queue 3000 once-
timed "$CONSUMER" --once --name m
expect_eq 0 "$STATUS" "--once: exit status ($OUT)"
expect_eq 3000 "$(stored)" "--once: documents stored"
drained
timed "$CONSUMER" --once --name m
expect_eq 0 "$STATUS" "--once on an empty stream: exit status"
awk -v t="$SECONDS_TAKEN" 'BEGIN { exit !(t < 3) }' ||
    fail "--once on an empty stream took $SECONDS_TAKEN s"
ok "--once drains 3000 events and exits 0; on an empty stream it exits at once"

## --max-seconds

timed "$CONSUMER" --name m --max-seconds 2
expect_eq 0 "$STATUS" "daemon --max-seconds 2: exit status"
awk -v t="$SECONDS_TAKEN" 'BEGIN { exit !(t >= 2 && t < 4) }' ||
    fail "daemon --max-seconds 2 ran $SECONDS_TAKEN s"
case $OUT in
*"following stream events (group store) as m into "*" for at most 2 s"*) ;;
*) fail "the start line does not say the bound: $OUT" ;;
esac
ok "a daemon with --max-seconds 2 exits 0 after $SECONDS_TAKEN s"

svc_store_stop
queue 100 outage-
timed "$CONSUMER" --once --name m --max-seconds 2
expect_eq 0 "$STATUS" "--once --max-seconds 2 with the store down: exit status"
awk -v t="$SECONDS_TAKEN" 'BEGIN { exit !(t >= 2 && t < 5) }' ||
    fail "--once --max-seconds 2 with the store down ran $SECONDS_TAKEN s"
gave_up=$SECONDS_TAKEN
expect_eq 100 "$(stream_len)" "events kept in Redis while the store is down"
case $OUT in
*"events stay in Redis"*) ;;
*) fail "no word of the outage: $OUT" ;;
esac
svc_store_start
timed "$CONSUMER" --once --name m
expect_eq 0 "$STATUS" "--once after the outage: exit status"
expect_eq 3100 "$(stored)" "documents after the outage"
drained
ok "--once --max-seconds 2 gives up on a store outage after $gave_up s, events kept, stored by the next run"

## the lock

consumer_start locked --name locked
# Until the daemon holds its lock (flock(1) cannot take it).
lock_held()
{
	[ -f "$EVENTS_LOCK_DIR/event-consumer-locked.lock" ] &&
	    ! flock -n "$EVENTS_LOCK_DIR/event-consumer-locked.lock" true
}
svc_until 10 lock_held || fail "the daemon did not take its lock in 10 s"
timed "$CONSUMER" --once --name locked
expect_eq 0 "$STATUS" "second copy: exit status"
expect_eq 1 "$(printf '%s\n' "$OUT" | grep -c .)" "second copy: lines of output ($OUT)"
case $OUT in
*"another event-consumer named locked is running (pid $(svc_pid locked))"*) ;;
*) fail "second copy said: $OUT" ;;
esac
awk -v t="$SECONDS_TAKEN" 'BEGIN { exit !(t < 2) }' || fail "second copy took $SECONDS_TAKEN s"
timed "$CONSUMER" --once --name other
expect_eq 0 "$STATUS" "a copy with another name: exit status"
case $OUT in
*another*) fail "a copy with another name was turned away: $OUT" ;;
esac
consumer_stop locked
expect_eq 0 "$CONSUMER_STATUS" "the lock holder after SIGTERM: exit status"
timed "$CONSUMER" --once --name locked
case $OUT in
*another*) fail "the lock outlived its holder: $OUT" ;;
esac
ok "the lock: a second copy of a name says so in one line and exits 0; other names run"

## SIGTERM with a batch in flight

queue 20000 term-
EVENTS_BATCH_SIZE=4000 consumer_start term --name term
end=$(( $(date +%s) + 20 ))
until [ "$(pending)" -gt 0 ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "no batch in flight after 20 s"
done
consumer_stop term
expect_eq 0 "$CONSUMER_STATUS" "exit status after SIGTERM"
left=$(stream_len)
expect_eq 0 "$(pending)" "entries delivered but not acknowledged after SIGTERM"
expect_eq 23100 "$(( $(stored) + left ))" "stored + still queued"
[ "$left" -gt 0 ] || echo "(the consumer had drained everything before SIGTERM)"
grep -q "SIGTERM: finishing the batch in flight" "$SVC_DIR/log/consumer-term.log" ||
    fail "no word of SIGTERM in the log"
ok "SIGTERM during a batch: it was stored and acknowledged, $left left queued, exit 0"
