#!/bin/sh
# bench/ingest.sh: POST /events through lighttpd, beside its ceilings, in
# one run on private Redis and lighttpd instances (tests/services.sh):
#
#   1. single-event POST (wrk -t1 -c32 -d10s): requests/s, p50, p99;
#      beside it, with the same wrk settings and process count, lighttpd
#      serving a small static file, and bench-noop-fcgi (reads the body,
#      answers 202, touches nothing): the ceilings of the web server and
#      of FastCGI itself;
#   2. batched POST, 100 events a request: events/s; beside it
#      redis-benchmark's pipelined XADD (-P 100) of the same event, each
#      twice in the order batch, XADD, XADD, batch (ABBA), so that a
#      change in the machine's speed during the run falls on both alike;
#   3. the memory of every process of the web tier (lighttpd and the
#      FastCGI programs it spawned) after all that: resident (RSS) and
#      proportional (PSS: shared pages divided among their users).
#
# The programs run as scripts/start runs them (tests/services.sh's
# processes per program and event-ingest's default threads) unless
# PROCS (processes per program) or THREADS (event-ingest threads per
# process) say otherwise.  Prints "RESULT key value" lines for bench/run.
# Environment also: DURATION (wrk seconds, default 10), CONNS (default 32).
set -u
DURATION=${DURATION:-10}
CONNS=${CONNS:-32}
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir
. "$top_srcdir/tests/services.sh"
svc_init
svc_need wrk redis-benchmark
[ -x "$top_builddir/bench/bench-noop-fcgi" ] ||
    fail "run from a build folder after make ($top_builddir/bench/bench-noop-fcgi missing)"

svc_redis_start
# A copy of the page folder with a small static file in it.
EVENTS_WWW=$SVC_DIR/www
mkdir -p "$EVENTS_WWW"
printf 'hello, world\n' >"$EVENTS_WWW/hello.txt"
chmod -R a+rX "$EVENTS_WWW"
[ -z "${PROCS:-}" ] || EVENTS_FCGI_PROCS=$PROCS
[ -z "${THREADS:-}" ] || { EVENTS_FCGI_THREADS=$THREADS; export EVENTS_FCGI_THREADS; }
EVENTS_LOG_LEVEL=warn
export EVENTS_WWW EVENTS_LOG_LEVEL

# The project's lighttpd.conf as it is, plus a route to the no-op
# responder: the same server, the same process count.
svc_lighttpd_start
svc_lighttpd_stop
PROCS=$EVENTS_FCGI_PROCS
cat >"$SVC_DIR/lighttpd-bench.conf" <<CONF
include "$top_srcdir/lighttpd.conf"
\$HTTP["url"] == "/noop" {
	fastcgi.server = ( "/" => ( "noop" => (
		"bin-path"    => "$top_builddir/bench/bench-noop-fcgi",
		"socket"      => var.rundir + "/noop.sock",
		"max-procs"   => $PROCS,
		"check-local" => "disable",
	)))
}
CONF
svc_spawn lighttpd "$SVC_DIR/log/lighttpd.out" lighttpd -D -f "$SVC_DIR/lighttpd-bench.conf"
svc_wait lighttpd "lighttpd on port $HTTP_PORT" svc_http_up

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

# run NAME URL SCRIPT: wrk, then RESULT lines for requests/s, p50, p99, non-2xx.
run()
{
	wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency ${3:+-s "$3"} "$2" >"$SVC_DIR/wrk-$1.out" 2>&1 ||
	    fail "wrk $1: $(cat "$SVC_DIR/wrk-$1.out")"
	python3 - "$1" "$SVC_DIR/wrk-$1.out" <<'PY'
import re, sys
name, text = sys.argv[1], open(sys.argv[2]).read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
lat = dict((p, ms(v, u)) for p, v, u in re.findall(r"\s(50|99)%\s+([\d.]+)(us|ms|s)\b", text))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
err = re.search(r"Socket errors: (.*)", text)
print("RESULT %s_rps %.0f" % (name, rps))
print("RESULT %s_p50_ms %.2f" % (name, lat.get("50", float("nan"))))
print("RESULT %s_p99_ms %.2f" % (name, lat.get("99", float("nan"))))
print("RESULT %s_non2xx %s" % (name, bad.group(1) if bad else "0"))
if err:
    print("RESULT %s_socket_errors %s" % (name, err.group(1).replace(" ", "")))
PY
}

redis-cli -p "$REDIS_PORT" DEL events >/dev/null
run static "$BASE_URL/hello.txt" ""
run noop "$BASE_URL/noop" "$SVC_DIR/one.lua"
run single "$BASE_URL/events" "$SVC_DIR/one.lua"
single_len=$(redis-cli -p "$REDIS_PORT" XLEN events)

# batch N: batched POSTs; RESULT batchN_events_per_s from the stream's
# growth.
batch()
{
	_before=$(redis-cli -p "$REDIS_PORT" XLEN events)
	run "batch$1" "$BASE_URL/events" "$SVC_DIR/hundred.lua"
	_after=$(redis-cli -p "$REDIS_PORT" XLEN events)
	echo "RESULT batch$1_events_per_s $(( (_after - _before) / DURATION ))"
}

# xadd N: the Redis ceiling, pipelined XADD of the same event 100 at a
# time on a stream of its own; RESULT xaddN_ops.
xadd()
{
	redis-cli -p "$REDIS_PORT" DEL xadd-bench >/dev/null
	redis-benchmark -p "$REDIS_PORT" -q -n 1000000 -P 100 -c 32 \
	    XADD xadd-bench '*' e "$ONE" >"$SVC_DIR/rb.out" 2>&1 ||
	    fail "redis-benchmark: $(cat "$SVC_DIR/rb.out")"
	echo "RESULT xadd$1_ops $(tr '\r' '\n' <"$SVC_DIR/rb.out" |
	    sed -n 's/.*XADD.*: \([0-9.]*\) requests per second.*/\1/p' | tail -1)"
}

{ batch 1; xadd 1; xadd 2; batch 2; } >"$SVC_DIR/abba"
cat "$SVC_DIR/abba"
echo "RESULT single_queued $single_len"
# Each way over its two runs.
awk '$2 ~ /^batch[12]_events_per_s$/ { b += $3 / 2 }
     $2 ~ /^xadd[12]_ops$/ { x += $3 / 2 }
     END { printf "RESULT batch_events_per_s %d\nRESULT xadd_pipelined_ops %.2f\n", b, x }' "$SVC_DIR/abba"

# The web tier's memory now, after every request above: lighttpd and
# each program it spawned (the no-op responder is the bench's, not
# counted in the total).
lpid=$(svc_pid lighttpd)
for pid in "$lpid" $(ps -o pid= --ppid "$lpid"); do
	[ -r "/proc/$pid/status" ] || continue
	name=$(cat "/proc/$pid/comm")
	awk -v p="$pid" -v n="$name" '
	    FILENAME ~ /status$/ && /^VmRSS/ { rss = $2 }
	    FILENAME ~ /status$/ && /^VmHWM/ { hwm = $2 }
	    FILENAME ~ /status$/ && /^Threads/ { thr = $2 }
	    FILENAME ~ /smaps_rollup$/ && /^Pss:/ { pss = $2 }
	    END { printf "RESULT mem_%s_%s %d %d %d %d\n", n, p, rss, pss, hwm, thr }' \
	    "/proc/$pid/status" "/proc/$pid/smaps_rollup"
done
echo "RESULT ingest_requests_total $(( $(redis-cli -p "$REDIS_PORT" HGET events:metrics accepted) ))"

echo "RESULT procs $PROCS"
echo "RESULT load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "RESULT appendfsync ${SVC_REDIS_FSYNC:-always}"
echo "RESULT redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')"
