#!/bin/sh
# bench/consumer-drain.sh [N] [BATCH]: how fast event-consumer empties a
# queue, beside how fast the store takes the same documents raw.
#
# On private Redis and store instances (tests/services.sh), in one run:
#   1. N events (default 100000) queued on the stream (bench-insert queue);
#   2. event-consumer --once drains them with batch_size BATCH (default
#      500), timed, its peak RSS taken by /usr/bin/time;
#   3. bench-insert insert: the same N documents, converted the same way,
#      in unordered bulk inserts of BATCH into another collection, with
#      the consumer's indexes (the ceiling the consumer works under) and
#      with the _id index alone.
# Run from a build tree (top_builddir) after make.
set -u
N=${1:-100000}
BATCH=${2:-500}
. "$(dirname "$0")/../tests/services.sh"
svc_init
svc_redis_start
svc_store_start
B=$top_builddir
for p in consumer/event-consumer bench/bench-insert; do
	[ -x "$B/$p" ] || fail "$B/$p not built (make)"
done
EVENTS_BATCH_SIZE=$BATCH
EVENTS_LOCK_DIR=$SVC_DIR
EVENTS_LOG_LEVEL=warn
export EVENTS_BATCH_SIZE EVENTS_LOCK_DIR EVENTS_LOG_LEVEL

now()
{
	date +%s.%N
}

echo "queueing $N events ..." >&2
t0=$(now)
"$B/bench/bench-insert" queue "$N" || fail "queueing"
t1=$(now)
expect_eq "$N" "$(redis-cli -p "$REDIS_PORT" XLEN events)" "events queued"
redis_mem=$(redis-cli -p "$REDIS_PORT" INFO memory | sed -n 's/^used_memory_human:\(.*\)\r$/\1/p')

echo "draining with event-consumer --once (batch $BATCH) ..." >&2
if [ -x /usr/bin/time ]; then
	t2=$(now)
	/usr/bin/time -v -o "$SVC_DIR/time.out" "$B/consumer/event-consumer" --once ||
	    fail "event-consumer: status $?"
	t3=$(now)
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$SVC_DIR/time.out")
	cpu=$(sed -n 's/.*User time (seconds): //p; s/.*System time (seconds): //p' "$SVC_DIR/time.out" |
	    awk '{ t += $1 } END { printf "%.2f", t }')
else
	t2=$(now)
	"$B/consumer/event-consumer" --once || fail "event-consumer: status $?"
	t3=$(now)
	rss= cpu=
fi
expect_eq 0 "$(redis-cli -p "$REDIS_PORT" XLEN events)" "events left on the stream"
redis_after=$(redis-cli -p "$REDIS_PORT" INFO memory | sed -n 's/^used_memory_human:\(.*\)\r$/\1/p')

echo "raw bulk insert of the same documents ..." >&2
raw=$("$B/bench/bench-insert" insert "$N" "$BATCH") || fail "bench-insert insert"
# Each way twice (ABBA): the rates of the two runs together.
raw_rate=$(printf '%s\n' "$raw" | sed -n 's/^both orders: _id index only \([0-9]*\) events\/s.*/\1/p')
raw_idx=$(printf '%s\n' "$raw" | sed -n "s/^both orders: .* with the consumer's indexes \([0-9]*\) events\/s.*/\1/p")
idx_cost=$(printf '%s\n' "$raw" | sed -n 's/^both orders: .* the indexes cost \([0-9.]*\)%.*/\1/p')
conv=$(printf '%s\n' "$raw" | sed -n '1s/.*(conversion \([0-9.]*\) s more).*/\1/p')

awk -v n="$N" -v b="$BATCH" -v q0="$t0" -v q1="$t1" -v d0="$t2" -v d1="$t3" \
    -v raw="$raw_rate" -v rss="${rss:-}" -v store="$STORE_VERSION" \
    -v m0="$redis_mem" -v m1="$redis_after" -v cpu="${cpu:-}" -v conv="$conv" -v rawi="$raw_idx" -v cost="$idx_cost" 'BEGIN {
	printf "\n%s events, batch %s, store %s\n\n", n, b, store
	printf "| measure | value |\n|---|---|\n"
	printf "| queueing (bench-insert queue, pipelined XADD) | %.0f events/s |\n", n / (q1 - q0)
	printf "| consumer drain (--once, Redis -> store, XACK+XDEL) | %.0f events/s (%.2f s) |\n", n / (d1 - d0), d1 - d0
	printf "| raw unordered bulk insert, same documents and batch, same indexes as the consumer | %s events/s |\n", rawi
	printf "| the same, _id index only | %s events/s (JSON to BSON: %.2f s more) |\n", raw, conv
	printf "| the indexes cost (each way twice, in the order ABBA) | %s%% |\n", cost
	printf "| consumer peak RSS | %s |\n", rss != "" ? sprintf("%.1f MiB", rss / 1024) : "n/a (no /usr/bin/time)"
	if (cpu != "")
		printf "| consumer CPU time (user + system) | %s s |\n", cpu
	printf "| Redis used_memory, queued -> drained | %s -> %s |\n", m0, m1
}'
awk -v n="$N" -v d0="$t2" -v d1="$t3" -v raw="$raw_rate" -v rawi="$raw_idx" -v cost="$idx_cost" -v rss="${rss:-0}" -v store="$STORE_VERSION" 'BEGIN {
	printf "RESULT drain_events %d\nRESULT drain_events_per_s %.0f\n", n, n / (d1 - d0)
	printf "RESULT raw_insert_events_per_s %s\nRESULT raw_insert_id_only_events_per_s %s\n", rawi, raw
	printf "RESULT index_cost_pct %s\n", cost
	printf "RESULT consumer_hwm_kib %d\nRESULT store %s\n", rss, store
}'
