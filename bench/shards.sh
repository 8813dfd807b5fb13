#!/bin/sh
# bench/shards.sh: throughput with 1, 2 and 4 shards on this machine, each
# shard on its own redis-server (independent masters: redis_servers), so
# that each has its own event loop and its own fsync (appendfsync
# SVC_REDIS_FSYNC, default always).  For each shard count:
#
#   1. single-event POST through lighttpd (wrk -t1 -cCONNS -dDURATION):
#      requests/s and p99;
#   2. batched POST, 100 events a request: events/s;
#   3. DRAIN events (default 30000) queued over the shards, then one
#      consumer per shard (--shard i) drains them: events/s.
#
# Prints "RESULT shards_<n>_<key> value" lines for bench/run, and a table.
# Environment: SHARD_COUNTS ("1 2 4"), PROCS (FastCGI processes per
# program, 4), DURATION (10), CONNS (32), DRAIN (30000).
set -u
SHARD_COUNTS=${SHARD_COUNTS:-1 2 4}
PROCS=${PROCS:-4}
DURATION=${DURATION:-10}
CONNS=${CONNS:-32}
DRAIN=${DRAIN:-30000}
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir
. "$top_srcdir/tests/services.sh"
svc_init
svc_need wrk redis-server redis-cli
CONSUMER=$top_builddir/consumer/event-consumer
[ -x "$CONSUMER" ] || fail "run from a build folder after make ($CONSUMER missing)"
svc_store_start
EVENTS_FCGI_PROCS=$PROCS
EVENTS_LOG_LEVEL=warn
EVENTS_LOCK_DIR=$SVC_DIR
export EVENTS_FCGI_PROCS EVENTS_LOG_LEVEL EVENTS_LOCK_DIR

ONE='{"type":"click","metadata":{"x":268,"y":289,"tag":"button","selector":"main > button.buy","text":"Buy now"},"page":{"url":"https://shop.example/p/42","path":"/p/42","title":"Product 42"}}'
cat >"$SVC_DIR/one.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$ONE'
LUA
python3 - "$ONE" >"$SVC_DIR/hundred.lua" <<'PY'
import json, sys
one = json.loads(sys.argv[1])
body = json.dumps([dict(one, type="e%d" % (i % 7)) for i in range(100)], separators=(",", ":"))
print('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s' % json.dumps(body))
PY

# run NAME URL SCRIPT: wrk; RESULT lines for requests/s and p99.
run()
{
	wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$3" "$2" >"$SVC_DIR/wrk-$1.out" 2>&1 ||
	    fail "wrk $1: $(cat "$SVC_DIR/wrk-$1.out")"
	python3 - "$1" "$SVC_DIR/wrk-$1.out" <<'PY'
import re, sys
name, text = sys.argv[1], open(sys.argv[2]).read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
lat = dict((p, ms(v, u)) for p, v, u in re.findall(r"\s(50|99)%\s+([\d.]+)(us|ms|s)\b", text))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print("RESULT %s_rps %.0f" % (name, rps))
print("RESULT %s_p99_ms %.2f" % (name, lat.get("99", float("nan"))))
print("RESULT %s_non2xx %s" % (name, bad.group(1) if bad else "0"))
PY
}

# result KEY VALUE: a RESULT line, kept for the table too.
result()
{
	echo "RESULT $1 $2" | tee -a "$SVC_DIR/results"
}

# Entries in every shard's stream (queued and in flight).
queued()
{
	_t=0
	_i=0
	for _p in $ports; do
		for _k in $(redis-cli -p "$_p" --scan --pattern 'events*' | grep -x 'events\({[0-9]*}\)\{0,1\}'); do
			_t=$((_t + $(redis-cli -p "$_p" XLEN "$_k")))
		done
	done
	echo "$_t"
}

for n in $SHARD_COUNTS; do
	ports=
	servers=
	for i in $(seq 0 $((n - 1))); do
		p=$(svc_free_port)
		mkdir -p "$SVC_DIR/redis-$n-$i"
		svc_spawn "redis_$i" "$SVC_DIR/log/redis-$n-$i.log" redis-server --bind 127.0.0.1 \
		    --port "$p" --dir "$SVC_DIR/redis-$n-$i" --appendonly yes \
		    --appendfsync "${SVC_REDIS_FSYNC:-always}" --save "" --daemonize no --logfile ""
		svc_wait "redis_$i" "redis-server on port $p" redis-cli -p "$p" ping
		ports="$ports $p"
		servers="$servers 127.0.0.1:$p"
	done
	EVENTS_SHARDS=$n
	EVENTS_REDIS_SERVERS=$servers
	export EVENTS_SHARDS EVENTS_REDIS_SERVERS
	svc_lighttpd_stop
	svc_lighttpd_start
	echo "== $n shard(s) on$servers" >&2
	run "shards_${n}_single" "$BASE_URL/events" "$SVC_DIR/one.lua" | tee -a "$SVC_DIR/results"
	q1=$(queued)
	run "shards_${n}_batch" "$BASE_URL/events" "$SVC_DIR/hundred.lua" | tee -a "$SVC_DIR/results"
	q2=$(queued)
	result "shards_${n}_batch_events_per_s" $(( (q2 - q1) / DURATION ))
	# The queue emptied for the drain.
	for p in $ports; do
		redis-cli -p "$p" FLUSHALL >/dev/null
	done
	# Ids of their own for each shard count: new events, not duplicates.
	python3 - "$BASE_URL/events" "$DRAIN" "$ONE" "s$n" <<'PY' || fail "queueing $DRAIN events"
import http.client, json, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
n, one, tag = int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
for start in range(0, n, 100):
    body = json.dumps([dict(one, id="%s-%d" % (tag, i)) for i in range(start, min(n, start + 100))])
    conn.request("POST", u.path, body, {"Content-Type": "application/json"})
    r = conn.getresponse()
    r.read()
    assert r.status == 202, r.status
PY
	[ "$(queued)" = "$DRAIN" ] || fail "$(queued) events queued, not $DRAIN"
	t0=$(date +%s.%N)
	for i in $(seq 0 $((n - 1))); do
		svc_spawn "c$i" "$SVC_DIR/log/consumer-$n-$i.log" "$CONSUMER" --once --shard "$i" --name "c$i"
	done
	for i in $(seq 0 $((n - 1))); do
		wait "$(svc_pid "c$i")" || fail "consumer c$i: status $?"
		eval "svc_pid_c$i="
	done
	t1=$(date +%s.%N)
	[ "$(queued)" = 0 ] || fail "$(queued) events left after the drain"
	result "shards_${n}_drain_events_per_s" "$(python3 -c 'import sys
print("%.0f" % (int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2]))))' "$DRAIN" "$t0" "$t1")"
	for i in $(seq 0 $((n - 1))); do
		svc_kill "redis_$i"
	done
done
result store "$STORE_VERSION"
result shards_appendfsync "${SVC_REDIS_FSYNC:-always}"
result shards_procs "$PROCS"
python3 - "$SVC_DIR/results" <<'PY'
import sys
r = {}
for line in open(sys.argv[1]):
    if line.startswith("RESULT "):
        _, k, v = line.split(None, 2)
        r[k] = v.strip()
print("\n| shards | single-event POST | p99 | batched POST (100 a request) | drain, one consumer a shard |")
print("|---|---|---|---|---|")
for n in sorted({k.split("_")[1] for k in r if k.startswith("shards_") and k.split("_")[1].isdigit()}, key=int):
    g = lambda k: r.get("shards_%s_%s" % (n, k), "n/a")
    print("| %s | %s req/s | %s ms | %s events/s | %s events/s |" % (
        n, g("single_rps"), g("single_p99_ms"), g("batch_events_per_s"), g("drain_events_per_s")))
PY
