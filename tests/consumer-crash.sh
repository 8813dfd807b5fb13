#!/bin/sh
# A consumer killed with SIGKILL again and again while 20,000 events are
# POSTed, restarted each time: afterwards the store holds exactly the
# events answered 202, each once, and nothing is left on the stream or
# pending.  The restarts alternate between two names, so a batch killed
# in flight comes back both ways: re-read by the same name at its next
# start, and taken over by the other name with XAUTOCLAIM.
. "$(dirname "$0")/consumer-lib.sh"
consumer_services http
EVENTS_BATCH_SIZE=200
EVENTS_CLAIM_IDLE_MS=1000
export EVENTS_BATCH_SIZE EVENTS_CLAIM_IDLE_MS

post_load "$SVC_DIR/ids" crash 20000 100 0.01 >"$SVC_DIR/load.out" &
load_pid=$!

kills=0 in_flight=0 i=0
while [ $i -lt 14 ] || kill -0 $load_pid 2>/dev/null; do
	i=$((i + 1))
	name=a
	[ $((i % 2)) = 0 ] && name=b
	consumer_start "$name" --name "$name"
	if [ $((i % 3)) = 0 ]; then
		# Every third kill at a moment of its own (0.15 to 0.5 s)...
		sleep "$(awk -v s=$i 'BEGIN { srand(s); printf "%.2f", 0.15 + rand() * 0.35 }')"
	else
		# ...the others once it holds a batch delivered and not
		# acknowledged (polled; 10 s at most, then killed anyway).
		end=$(( $(date +%s) + 10 ))
		until [ "$(rcli XPENDING events store - + 1 "$name" | grep -c .)" -gt 0 ] ||
		    [ "$(date +%s)" -ge "$end" ]; do
			sleep 0.02
		done
	fi
	pid=$(svc_pid "$name")
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	eval "svc_pid_$name="
	kills=$((kills + 1))
	# Delivered to the killed copy, never acknowledged.
	[ "$(rcli XPENDING events store - + 1 "$name" | grep -c .)" -gt 0 ] &&
	    in_flight=$((in_flight + 1))
done
wait $load_pid || fail "the load failed"
read -r requests accepted <"$SVC_DIR/load.out"
expect_eq 20000 "$accepted" "events answered 202"
echo "$kills SIGKILLs, $in_flight of them with a batch in flight; $(stored) stored so far"
[ "$in_flight" -gt 0 ] || fail "no SIGKILL hit a batch in flight: the test proves nothing"

# What the killed copies left: once b's pending entries have been idle
# for EVENTS_CLAIM_IDLE_MS, a takes them over; then b finds nothing of
# its own.
idle_enough()
{
	rcli --json XPENDING events store - + 100000 | python3 -c '
import json, sys
print(min([e[2] for e in json.load(sys.stdin)] or [10 ** 9]))' |
	    { read -r _idle && [ "$_idle" -ge "$EVENTS_CLAIM_IDLE_MS" ]; }
}
svc_until 30 idle_enough || fail "pending entries not idle for ${EVENTS_CLAIM_IDLE_MS} ms in 30 s"
"$CONSUMER" --once --name a >"$SVC_DIR/log/consumer-final.log" 2>&1 ||
    fail "final --once as a: status $?"
"$CONSUMER" --once --name b >>"$SVC_DIR/log/consumer-final.log" 2>&1 ||
    fail "final --once as b: status $?"
expect_eq 20000 "$(stored)" "documents stored"
same_ids "$SVC_DIR/ids"
drained
dups=$(rcli HGET events:metrics duplicates)
ok "20000 events answered 202, $kills SIGKILLs ($in_flight in flight, ${dups:-0} events stored but not acknowledged when killed): each stored once"
