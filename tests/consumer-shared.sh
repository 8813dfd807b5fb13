#!/bin/sh
# Two consumers with different names at once share the stream: every
# event is stored once, both of them did part of the work, and nothing is
# left on the stream or pending.
. "$(dirname "$0")/consumer-lib.sh"
consumer_services http
EVENTS_BATCH_SIZE=50
export EVENTS_BATCH_SIZE

consumer_start one --name one
consumer_start two --name two
post_load "$SVC_DIR/ids" shared 6000 100 >"$SVC_DIR/load.out"
read -r requests accepted <"$SVC_DIR/load.out"
expect_eq 6000 "$accepted" "events answered 202"
wait_stored 6000 60
consumer_stop one
expect_eq 0 "$CONSUMER_STATUS" "exit status of one after SIGTERM"
consumer_stop two
expect_eq 0 "$CONSUMER_STATUS" "exit status of two after SIGTERM"
same_ids "$SVC_DIR/ids"
drained

# "stopping after 1.2 s: N stored, D already stored, ..."
n1=$(sed -n 's/.*stopping after .* s: \([0-9]*\) stored.*/\1/p' "$SVC_DIR/log/consumer-one.log")
n2=$(sed -n 's/.*stopping after .* s: \([0-9]*\) stored.*/\1/p' "$SVC_DIR/log/consumer-two.log")
echo "one stored ${n1:-?}, two stored ${n2:-?}"
[ "${n1:-0}" -gt 0 ] && [ "${n2:-0}" -gt 0 ] || fail "one consumer did all the work"
expect_eq 6000 "$((n1 + n2))" "events stored by the two together"
expect_eq 2 "$(rcli HLEN events:consumers)" "consumers in the heartbeat hash"
ok "two consumers: 6000 events stored once ($n1 + $n2)"
