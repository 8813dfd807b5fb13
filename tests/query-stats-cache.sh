#!/bin/sh
# GET /events/stats from the counts cache (FerretDB, "method": "cache")
# stays exactly what the events say: after late events land in minutes
# and hours already cached, while events are ingested during the reads,
# after a consumer killed between its insert and its XACK (with gdb, at
# the close of its bracket), and after retention deletes.  After each
# step every cached unit a reader would use is compared with the events
# (tests/stats-check.py cache): a stale count fails the test.
. "$(dirname "$0")/consumer-lib.sh"
consumer_services http
[ "$STORE_KIND" != mongodb ] || svc_missing "MongoDB counts with \$group; the cache is for FerretDB"
svc_need gdb
CHECK="python3 $top_srcdir/tests/stats-check.py"
EVENTS_BATCH_SIZE=50
export EVENTS_BATCH_SIZE

NOW=$(python3 -c 'import time; print(int(time.time() * 1000))')
HOUR=3600000
# Ranges end at the last whole minute, so the part of a minute that is
# always counted from the events plays no part in what is checked.
END=$((NOW - NOW % 60000))

# post PREFIX N FIRST_MS STEP_MS [PAUSE]: N events, ts FIRST_MS + i *
# STEP_MS, types a, b, c in turn, 50 a request (PAUSE seconds apart);
# each must be answered 202.
post()
{
	python3 - "$BASE_URL/events" "$@" <<'EOF' || fail "post $*"
import http.client, json, sys, time, urllib.parse
url, prefix, n, first, step = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
pause = float(sys.argv[6]) if len(sys.argv) > 6 else 0
u = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
for start in range(0, n, 50):
    body = "".join(json.dumps({"type": "abc"[i % 3], "id": "%s-%d" % (prefix, i),
                               "ts": first + i * step}) + "\n"
                   for i in range(start, min(n, start + 50)))
    conn.request("POST", u.path, body, {"Content-Type": "application/x-ndjson"})
    r = conn.getresponse()
    r.read()
    if r.status != 202:
        sys.exit("POST answered %d" % r.status)
    time.sleep(pause)
EOF
}

# stats NAME QUERY: GET /events/stats?QUERY into $SVC_DIR/NAME.json; 200
# with method "cache".
stats()
{
	code=$(curl -sS -o "$SVC_DIR/$1.json" -w '%{http_code} %{time_total}' \
	    "$BASE_URL/events/stats?$2") || fail "stats $1: no answer"
	echo "stats $1: ${code#* } s" >>"$SVC_DIR/times"
	code=${code% *}
	expect_eq 200 "$code" "stats $1: status ($(head -c 300 "$SVC_DIR/$1.json"))"
	expect_eq cache "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["method"])' \
	    "$SVC_DIR/$1.json")" "stats $1: method"
}

dump_events()
{
	"$STORE_READ" dump >"$SVC_DIR/events.dump" || fail "store-read dump"
}

# exact WHAT: the minute and hour answers equal the events, and so does
# every cached unit.
MIN_Q="bucket=minute&since=$(svc_iso $((END - HOUR)))&until=$(svc_iso $END)"
HOUR_Q="bucket=hour&since=$(svc_iso $((END - END % HOUR - 3 * HOUR)))&until=$(svc_iso $END)"
exact()
{
	stats minute "$MIN_Q"
	stats hour "$HOUR_Q"
	stats typed "$HOUR_Q&type=b"
	stats days "bucket=day"
	dump_events
	for a in minute hour typed days; do
		$CHECK answer "$SVC_DIR/events.dump" "$SVC_DIR/$a.json" ||
		    fail "$1: the $a answer differs from the events"
	done
	cache_exact "$1"
}

cache_exact()
{
	EVENTS_MONGO_COLLECTION=events_counts "$STORE_READ" dump >"$SVC_DIR/counts.dump" ||
	    fail "store-read dump of the counts"
	dump_events
	used=$($CHECK cache "$SVC_DIR/events.dump" "$SVC_DIR/counts.dump") ||
	    fail "$1: a cached count is stale"
	echo "$1: $used"
}

# 1. Three hours of events, read twice: the second read is served by
# the cache.  First, 300 events three days old, written straight into
# the store as an import would (before anything is read: a write that
# bypasses the consumer must come before the cache holds its range, or
# drop it), for retention to delete at the end.
DAY=86400000
OLD=$((END - 3 * DAY - (END - 3 * DAY) % HOUR))
"$top_builddir/bench/bench-load" --prefix old --count 300 --start $OLD --step 20000 \
    --types click,pageview >/dev/null || fail "bench-load"
consumer_start c1 --name c1
post base 1200 $((END - 3 * HOUR)) 9000
wait_stored 1500 60
exact "first read"
exact "second read"
[ "$(grep -c '"c"' "$SVC_DIR/counts.dump")" -gt 0 ] || fail "nothing was cached"
ok "stats from the cache equal the events (minutes, hours, a type)"

# 2. Late events: into minutes and hours that are cached now.
post late 90 $((END - 2 * HOUR - 30 * 60000)) 61000
wait_stored 1590 60
exact "late events"
ok "late events land in cached minutes and hours: counted"

# 3. Reads while events are ingested (late ones across the range): each
# answer lies between the counts before and after, and afterwards all
# is exact.
before=$($CHECK total "$SVC_DIR/minute.json")
post during 600 $((END - HOUR)) 5900 1 &
load_pid=$!
n=0 during=0
while kill -0 $load_pid 2>/dev/null || [ $n -lt 5 ]; do
	kill -0 $load_pid 2>/dev/null && during=$((during + 1))
	stats minute "$MIN_Q"
	t=$($CHECK total "$SVC_DIR/minute.json")
	[ "$t" -ge "$before" ] || fail "an answer during ingest went back: $t < $before"
	before=$t
	n=$((n + 1))
done
wait $load_pid || fail "the load during reads failed"
[ $during -ge 3 ] || fail "only $during reads while the load ran"
wait_stored 2190 60
exact "after reads during ingest"
ok "$during reads during ingest, then exact"

# 4. A consumer killed between its insert and its XACK: the events are
# in the store, its bracket is open.  The cache must not hide them.
consumer_stop c1
exact "warm before the kill"
post killed 40 $((END - 40 * 60000)) 60000
gdb -batch -ex 'break store_counts_close' -ex run -ex 'kill' \
    --args "$CONSUMER" --once --name c1 >"$SVC_DIR/log/gdb.log" 2>&1
grep -q "Breakpoint 1, store_counts_close" "$SVC_DIR/log/gdb.log" ||
    fail "gdb did not stop the consumer at store_counts_close (log/gdb.log)"
expect_eq 2230 "$(stored)" "stored before the kill's XACK"
[ "$(pending)" -gt 0 ] || fail "nothing pending after the kill"
exact "killed between insert and XACK"
ok "a consumer killed between insert and XACK: its events counted"
"$CONSUMER" --once --name c1 >>"$SVC_DIR/log/consumer-c1.log" 2>&1 ||
    fail "the consumer after the kill: status $?"
expect_eq 0 "$(pending)" "pending after the replay"
expect_eq 2230 "$(stored)" "stored after the replay"
exact "after the replay"
open=$(grep -c '"o" : \[ "' "$SVC_DIR/counts.dump" || :)
expect_eq 0 "$open" "units still marked open after the replay"
ok "the replay closes what the killed consumer left open"

# 5. Retention: old events (loaded as an import would) read into the
# cache, then deleted by the consumer; the cache shows none of them.
OLD_Q="bucket=hour&since=$(svc_iso $OLD)&until=$(svc_iso $((OLD + 2 * HOUR)))"
stats old "$OLD_Q"
expect_eq 300 "$($CHECK total "$SVC_DIR/old.json")" "old events before retention"
stats old "$OLD_Q"
cache_exact "old events cached"
# Killed after its deletes, before it drops the expired units: the
# cache still holds them, and must not be believed.
EVENTS_RETENTION_DAYS=2 gdb -batch -ex 'break store_counts_expire_end' -ex run -ex 'kill' \
    --args "$CONSUMER" --once --max-seconds 60 >"$SVC_DIR/log/gdb-expire.log" 2>&1
grep -q "Breakpoint 1, store_counts_expire_end" "$SVC_DIR/log/gdb-expire.log" ||
    fail "gdb did not stop the consumer at store_counts_expire_end (log/gdb-expire.log)"
expect_eq 1930 "$(stored)" "stored after retention's deletes"
stats old "$OLD_Q"
expect_eq 0 "$($CHECK total "$SVC_DIR/old.json")" "old events after retention's deletes"
exact "after retention's deletes"
rcli DEL events:expire_pass >/dev/null
EVENTS_RETENTION_DAYS=2 "$CONSUMER" --once --max-seconds 60 >>"$SVC_DIR/log/consumer-c1.log" 2>&1 ||
    fail "retention run: status $?"
stats old "$OLD_Q"
expect_eq 0 "$($CHECK total "$SVC_DIR/old.json")" "old events after retention"
exact "after retention"
ok "retention: the deleted events leave the counts"
sort -k3 -n "$SVC_DIR/times" | tail -n 5
