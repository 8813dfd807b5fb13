#!/bin/sh
# Poison entries among good events: malformed JSON and an entry without
# the "e" field, XADDed straight onto the stream.  The good events behind
# them are stored at once; each poison entry is tried max_attempts times,
# then moved to the dead-letter stream with its reason and original
# fields, in the same step as its ACK.  --replay-dead puts them back.
. "$(dirname "$0")/consumer-lib.sh"
consumer_services http
EVENTS_MAX_ATTEMPTS=4
export EVENTS_MAX_ATTEMPTS

BAD_JSON='{"id":"bad-1","type":"click","createdAt":'
post_load "$SVC_DIR/ids" first 50 25 >/dev/null
bad1=$(rcli XADD events '*' e "$BAD_JSON") || fail "XADD"
bad2=$(rcli XADD events '*' payload 'not an event' other 2) || fail "XADD"
post_load "$SVC_DIR/ids" then 50 25 >/dev/null
expect_eq 102 "$(stream_len)" "entries queued"

consumer_start c --name c
# The events behind the poison are stored while it still waits for its
# next attempt (one a second): it blocks nothing.
wait_stored 100 20
expect_eq 0 "$(rcli XLEN events:dead)" "dead letters while the poison is still being tried"
expect_eq 2 "$(stream_len)" "poison entries still on the stream"
ok "100 good events stored, the 2 poison entries behind them blocked nothing"

end=$(( $(date +%s) + 20 ))
until [ "$(rcli XLEN events:dead)" = 2 ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "poison not dead-lettered after 20 s"
	sleep 0.2
done
same_ids "$SVC_DIR/ids"
drained
expect_eq 0 "$(rcli EXISTS events:store:attempts)" "attempt counters left behind"
expect_eq 2 "$(rcli HGET events:metrics dead_lettered)" "metrics: dead_lettered"

# Each dead letter: reason, attempts, the original id, and the original
# fields under entry:<field>.
rcli --json XRANGE events:dead - + >"$SVC_DIR/dead.json" || fail "XRANGE"
python3 - "$SVC_DIR/dead.json" "$bad1" "$bad2" "$BAD_JSON" <<'PY' || fail "dead letters"
import json, sys
dead = json.load(open(sys.argv[1]))
by_id = {}
for _, kv in dead:
    f = dict(zip(kv[0::2], kv[1::2]))
    by_id[f["id"]] = f
one, two = by_id[sys.argv[2]], by_id[sys.argv[3]]
assert one["attempts"] == "4" and two["attempts"] == "4", (one, two)
assert one["entry:e"] == sys.argv[4], one
assert "invalid JSON" in one["reason"], one
assert two["entry:payload"] == "not an event" and two["entry:other"] == "2", two
assert 'expected one field "e"' in two["reason"], two
assert one["consumer"] == "c" and one["stream"] == "events", one
print("dead letters:", one["reason"], "|", two["reason"])
PY
grep -q "moved to events:dead after 4 attempts" "$SVC_DIR/log/consumer-c.log" ||
    fail "no log line for the dead letter"
ok "both poison entries dead-lettered after 4 attempts with reason and original fields"

# --replay-dead: back on the stream with their original fields, out of
# the dead-letter stream; tried again from attempt 1, and dead again.
consumer_stop c
"$CONSUMER" --replay-dead >"$SVC_DIR/log/replay.log" 2>&1 || fail "--replay-dead: status $?"
grep -q "replayed 2 dead letters" "$SVC_DIR/log/replay.log" || fail "--replay-dead: $(cat "$SVC_DIR/log/replay.log")"
expect_eq 0 "$(rcli XLEN events:dead)" "dead letters after --replay-dead"
expect_eq 2 "$(stream_len)" "entries back on the stream"
rcli --json XRANGE events - + >"$SVC_DIR/back.json" || fail "XRANGE"
python3 - "$SVC_DIR/back.json" "$BAD_JSON" <<'PY' || fail "replayed entries"
import json, sys
back = [kv for _, kv in json.load(open(sys.argv[1]))]
assert back == [["e", sys.argv[2]], ["payload", "not an event", "other", "2"]], back
PY
ok "--replay-dead put both back on the stream with their original fields"

# A fixed entry replayed is stored: dead-letter a good event by hand, as
# an operator would find it after fixing the store, and replay it.
rcli DEL events >/dev/null
rcli XADD events:dead '*' reason 'store refused the document' attempts 4 id 1-1 \
    consumer c stream events entry:e \
    '{"id":"fixed-1","type":"click","createdAt":1700000000000,"receivedAt":1700000000001}' >/dev/null
"$CONSUMER" --replay-dead >>"$SVC_DIR/log/replay.log" 2>&1 || fail "--replay-dead: status $?"
"$CONSUMER" --once --name c >"$SVC_DIR/log/consumer-once.log" 2>&1 || fail "--once: status $?"
expect_eq 1 "$("$STORE_READ" count fixed-1)" "the replayed event stored"
expect_eq 0 "$(rcli XLEN events:dead)" "dead letters left"
drained
ok "a replayed entry that is good now is stored"
