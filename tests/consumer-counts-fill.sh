#!/bin/sh
# The consumer fills the counts cache behind GET /events/stats by itself
# (consumer/fill.c, lib/store_sweep.c), without any read: events stored
# through it and events loaded straight into the store (as bench-load or
# an import does) both end up with cached hours.  The first read of the
# day and of the last hour then answers from the cache alone (it stores
# nothing) and equals the events; every cached unit equals the events;
# GET /metrics counts the units filled.  counts_fill_days = 0 fills
# nothing; --once fills one pass once it has drained the stream.
. "$(dirname "$0")/consumer-lib.sh"
consumer_services http
[ "$STORE_KIND" != mongodb ] || svc_missing "MongoDB counts with \$group; the cache is for FerretDB"
CHECK="python3 $top_srcdir/tests/stats-check.py"
HOUR=3600000
NOW=$(python3 -c 'import time; print(int(time.time() * 1000))')
TOP=$((NOW - NOW % HOUR))	# the hour of now: those before it are closed
LO=$((TOP - 23 * HOUR))		# the day checked, inside counts_fill_days = 1

# post N FIRST_MS STEP_MS: N events through event-ingest, ts FIRST_MS +
# i * STEP_MS, types a, b, c in turn; each request answered 202.
post()
{
	python3 - "$BASE_URL/events" "$@" <<'PY' || fail "post $*"
import http.client, json, sys, urllib.parse
url, n, first, step = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
u = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
for start in range(0, n, 100):
    body = "".join(json.dumps({"type": "abc"[i % 3], "id": "p-%d" % i, "ts": first + i * step}) + "\n"
                   for i in range(start, min(n, start + 100)))
    conn.request("POST", u.path, body, {"Content-Type": "application/x-ndjson"})
    r = conn.getresponse()
    r.read()
    if r.status != 202:
        sys.exit("POST answered %d" % r.status)
PY
}

dump_counts()
{
	EVENTS_MONGO_COLLECTION=events_counts "$STORE_READ" dump >"$SVC_DIR/$1" ||
	    fail "store-read dump of the counts"
}

filled_total()
{
	curl -sS "$BASE_URL/metrics" | sed -n 's/^events_counts_filled_total \([0-9]*\)$/\1/p'
}

# 1. Eight hours loaded straight into the store (no bracket, no cache
# document), one event every 10 s, 20 to 12 hours ago; then the last six
# closed hours through POST and the consumer, one every 30 s.
"$top_builddir/bench/bench-load" --prefix imp --count 2880 --start $((TOP - 20 * HOUR)) \
    --step 10000 --types click,pageview >/dev/null || fail "bench-load"
post 720 $((TOP - 6 * HOUR)) 30000
EVENTS_COUNTS_FILL_DAYS=0 "$CONSUMER" --once >"$SVC_DIR/log/consumer-once.log" 2>&1 ||
    fail "consumer --once: status $?"
wait_stored 3600 30
dump_counts counts-0.dump
expect_eq 0 "$($CHECK cached "$SVC_DIR/counts-0.dump")" "units cached with counts_fill_days = 0"
expect_eq 0 "$(filled_total)" "events_counts_filled_total with counts_fill_days = 0"
ok "counts_fill_days = 0: nothing filled"

# 2. --once, with nothing left to drain: one pass, then it stops.
EVENTS_COUNTS_FILL_DAYS=1
export EVENTS_COUNTS_FILL_DAYS
# (A pass may fill nothing on a very busy machine: up to five runs.)
once=0 runs=0
while [ "$once" = 0 ] && [ $runs -lt 5 ]; do
	"$CONSUMER" --once >>"$SVC_DIR/log/consumer-once.log" 2>&1 ||
	    fail "consumer --once: status $?"
	dump_counts counts-1.dump
	once=$($CHECK cached "$SVC_DIR/counts-1.dump")
	runs=$((runs + 1))
done
[ "$once" -gt 0 ] || fail "consumer --once filled nothing in $runs runs"
ok "--once fills a pass after draining ($once units, $runs run(s))"

# 3. The daemon: every hour of the day gets cached, with no read.  A
# busy machine fills fewer units a pass: the wait ends only when 120 s
# go by without one more hour cached.
consumer_start c1 --name c1
end=$(( $(date +%s) + 120 )) last=
while :; do
	dump_counts counts.dump
	left=$($CHECK hours "$SVC_DIR/counts.dump" $LO $TOP 2>"$SVC_DIR/lacking")
	[ "$left" = 0 ] && break
	[ "$left" = "$last" ] || end=$(( $(date +%s) + 120 ))
	last=$left
	[ "$(date +%s)" -lt $end ] ||
	    fail "120 s without progress, $left hours of the day are not cached: $(cat "$SVC_DIR/lacking")"
	sleep 0.5
done
# The day's hours can all be cached before the sweep, which goes back a
# little further (to the horizon), has ended and said so.
swept()
{
	grep -q "counts: filled [0-9]* minutes and hours of the stats cache" \
	    "$SVC_DIR/log/consumer-c1.log"
}
svc_until 120 swept || fail "no log line for the filled cache 120 s after the day was cached"
consumer_stop c1
ok "the consumer filled the day's 23 closed hours without a read"

# Every cached unit equals the events; /metrics counts each unit filled
# (nothing else wrote counts, and nothing was filled twice).
dump_counts counts.dump
"$STORE_READ" dump >"$SVC_DIR/events.dump" || fail "store-read dump"
used=$($CHECK cache "$SVC_DIR/events.dump" "$SVC_DIR/counts.dump") || fail "a filled count is stale"
cached=$($CHECK cached "$SVC_DIR/counts.dump")
expect_eq "$cached" "$(filled_total)" "events_counts_filled_total against the units cached"
ok "$used, as /metrics counts them"

# 4. The first reads: the day by hour, the last closed hour by minute.
# They answer from the cache alone: nothing is counted, so nothing is
# put (the counts collection is the same after them).
for q in "bucket=hour&since=$(svc_iso $LO)&until=$(svc_iso $TOP)" \
    "bucket=minute&since=$(svc_iso $((TOP - HOUR)))&until=$(svc_iso $TOP)" \
    "bucket=hour&since=$(svc_iso $LO)&until=$(svc_iso $TOP)&type=b"; do
	code=$(curl -sS -o "$SVC_DIR/stats.json" -w '%{http_code} %{time_total}' \
	    "$BASE_URL/events/stats?$q") || fail "stats: no answer"
	echo "stats $q: ${code#* } s"
	expect_eq 200 "${code% *}" "stats $q ($(head -c 300 "$SVC_DIR/stats.json"))"
	expect_eq cache "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["method"])' \
	    "$SVC_DIR/stats.json")" "stats $q: method"
	$CHECK answer "$SVC_DIR/events.dump" "$SVC_DIR/stats.json" ||
	    fail "stats $q: the answer differs from the events"
done
expect_eq 240 "$($CHECK total "$SVC_DIR/stats.json")" "events of type b in the day"
dump_counts counts-after.dump
cmp -s "$SVC_DIR/counts.dump" "$SVC_DIR/counts-after.dump" ||
    fail "the first reads counted something the fill had left out"
ok "the first reads of the day and the last hour answer from the cache, equal to the events"
