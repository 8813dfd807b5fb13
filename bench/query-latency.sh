#!/bin/sh
# bench/query-latency.sh: read latency as the collection grows, through
# lighttpd and event-query, on one store binary.
#
#   bench/query-latency.sh [SIZES [REQUESTS]]
#	SIZES	 event counts, default "10000 100000 1000000"
#	REQUESTS requests a measure, default 50
#
# For each size, on a fresh store (tests/services.sh, private ports):
# SIZE events are bulk-loaded (bench/bench-load: the consumer's document
# shape and indexes), one a second ending at END, four types; then
# REQUESTS sequential requests of each of
#   first page	 GET /events?limit=50
#   type filter	 GET /events?limit=50&type=click (a quarter of the events)
#   page 100	 the cursor the 99 pages before it hand out
#   day window	 since/until one day ending halfway through the data
#		 (clamped to its start): a seek into the middle
#   stats hour	 GET /events/stats, the last hour, minute buckets
#   stats day	 GET /events/stats, the last day, hour buckets
# are timed with curl (time_total): p50, p99, max, and answers other
# than 200.  A measure whose first request takes over a second (a store
# that scans: stock FerretDB) gets SLOW_REQUESTS (default 5) requests
# only, or the run would take hours; the output says so.
#
# The stats measures on FerretDB read the counts cache (README, GET
# /events/stats), which bench-load's direct inserts leave empty.  On our
# FerretDB the consumer fills it in the background: after the list
# measures, event-consumer starts (its default counts_fill_days, 7) and
# the script polls its log until its sweep has reached the horizon, and
# prints how long that took (RESULT ..._fill_s, _fill_units, and the load
# average then, _fill_load).  Before each stats measure, requests are
# sent until one answers 200 (at most 10), and what that took is printed
# as "cold" (RESULT ..._cold_ms, _cold_requests): the first read of a
# range nobody read before, after the fill (on a stock FerretDB, where
# the consumer does not fill, without it).  Where the data reaches back
# past the horizon (1,000,000 events: 11.6 days), "stats old day" is
# the same for a day 8 to 9 days back, which nothing filled.
#
# The store is $FERRETDB (else what tests/services.sh finds); LABEL names
# it in the RESULT lines ("RESULT <label>_<size>_<measure>_p99_ms 12.3").
# Run from a configured build folder (or set top_builddir).
SIZES=${1:-10000 100000 1000000}
REQ=${2:-50}
SLOW_REQ=${SLOW_REQUESTS:-5}
LIMIT=50
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir
[ -x "$top_builddir/bench/bench-load" ] ||
    { echo "run from a build folder (no $top_builddir/bench/bench-load)" >&2; exit 2; }
. "$top_srcdir/tests/services.sh"
svc_init
EVENTS_LOG_LEVEL=warn
EVENTS_FCGI_PROCS=${PROCS:-2}
export EVENTS_LOG_LEVEL EVENTS_FCGI_PROCS

# The start of this hour: the newest event is one second before, so the
# last hour and day are closed hours, within the consumer's horizon.
END=$(( $(date +%s) / 3600 * 3600000 ))
HOUR=3600000
DAY=86400000

iso()
{
	python3 -c 'import sys, datetime
ms = int(sys.argv[1])
print(datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000))' "$1"
}

# The cursor after synthetic event i (createdAt START + i s, id ev%08d).
cursor()
{
	python3 -c 'import base64, sys
raw = "1:%d:ev%08d" % (int(sys.argv[1]), int(sys.argv[2]))
print(base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))' "$1" "$2"
}

# measure SIZE NAME URL: REQ sequential requests (SLOW_REQ when the
# first takes over a second); p50 and p99 in ms.
measure()
{
	: >"$SVC_DIR/times"
	curl -sS -o "$SVC_DIR/body" -w '%{time_total} %{http_code}\n' "$3" >"$SVC_DIR/first" ||
	    fail "$2: no answer"
	_n=$REQ
	if python3 -c 'import sys; sys.exit(float(open(sys.argv[1]).read().split()[0]) <= 1.0)' \
	    "$SVC_DIR/first"; then
		_n=$SLOW_REQ
	fi
	_i=0
	while [ $_i -lt "$_n" ]; do
		curl -sS -o /dev/null -w '%{time_total} %{http_code}\n' "$3" >>"$SVC_DIR/times"
		_i=$((_i + 1))
	done
	python3 - "$LABEL" "$1" "$2" "$SVC_DIR/times" "$SVC_DIR/body" <<'EOF'
import json, sys
label, size, name, times, body = sys.argv[1:6]
rows = [l.split() for l in open(times)]
bad = [r for r in rows if r[1] != "200"]
t = sorted(float(r[0]) * 1000 for r in rows)
def pct(p):
    # nearest rank
    return t[min(len(t) - 1, max(0, -(-p * len(t) // 100) - 1))]
try:
    d = json.load(open(body))
    what = "%d events" % len(d["events"]) if "events" in d else \
        "%d counted" % sum(d.get("totals", {}).values())
except (ValueError, KeyError, TypeError):
    what = "not JSON"
print("%-8s %9s  %-12s n=%-3d p50 %9.1f ms  p99 %9.1f ms  max %9.1f ms  (%s)%s" % (
    label, size, name, len(t), pct(50), pct(99), t[-1], what,
    "  %d answered %s" % (len(bad), ",".join(sorted(set(r[1] for r in bad)))) if bad else ""))
key = "%s_%s_%s" % (label, size, name.replace(" ", "_"))
print("RESULT %s_p50_ms %.1f\nRESULT %s_p99_ms %.1f\nRESULT %s_n %d\nRESULT %s_non200 %d" % (
    key, pct(50), key, pct(99), key, len(t), key, len(bad)))
EOF
}

# warm SIZE NAME URL: requests until one answers 200 (at most 10); the
# time they took (curl's, summed) and how many.
warm()
{
	: >"$SVC_DIR/warm"
	_k=0 _code=0
	while [ $_k -lt 10 ] && [ "$_code" != 200 ]; do
		curl -sS -o /dev/null -w '%{time_total} %{http_code}\n' "$3" >>"$SVC_DIR/warm"
		_code=$(tail -n 1 "$SVC_DIR/warm" | cut -d' ' -f2)
		_k=$((_k + 1))
	done
	python3 -c 'import sys
label, size, name, path = sys.argv[1:5]
rows = [l.split() for l in open(path)]
ms = sum(float(r[0]) for r in rows) * 1000
key = "%s_%s_%s" % (label, size, name.replace(" ", "_"))
print("%-8s %9s  %-12s cold: %.1f ms in %d requests (the last answered %s)" % (label, size, name, ms, len(rows), rows[-1][1]))
print("RESULT %s_cold_ms %.1f\nRESULT %s_cold_requests %d" % (key, ms, key, len(rows)))' \
	    "$LABEL" "$1" "$2" "$SVC_DIR/warm"
}

# fill SIZE: the consumer on the loaded store, until its sweep of the
# counts cache has reached the horizon (its log says so), at most
# FILL_MAX_S (default 3600) seconds; then it stops.
fill()
{
	[ -n "$(svc_pid redis)" ] || svc_redis_start
	_log=$SVC_DIR/log/consumer-$1.log
	_t0=$(date +%s.%N)
	svc_spawn consumer "$_log" env EVENTS_LOG_LEVEL=info EVENTS_LOCK_DIR="$SVC_DIR" \
	    "$top_builddir/consumer/event-consumer"
	_end=$(( $(date +%s) + ${FILL_MAX_S:-3600} ))
	until grep -q "counts: filled .* back to\|counts: the stats cache is filled back to" "$_log"; do
		kill -0 "$(svc_pid consumer)" 2>/dev/null || fail "the consumer stopped ($_log)"
		[ "$(date +%s)" -lt $_end ] || fail "the cache not filled after ${FILL_MAX_S:-3600} s"
		sleep 1
	done
	python3 -c 'import sys, time
label, size, t0, log = sys.argv[1:5]
s = time.time() - float(t0)
units = 0
for line in open(log):
    if "counts: filled " in line:
        units = int(line.split("counts: filled ")[1].split()[0])
load = open("/proc/loadavg").read().split()[:3]
print("%-8s %9s  fill         the consumer filled %d units of the cache in %.1f s (load average %s)" % (
    label, size, units, s, " ".join(load)))
print("RESULT %s_%s_fill_s %.1f\nRESULT %s_%s_fill_units %d\nRESULT %s_%s_fill_load %s" % (
    label, size, s, label, size, units, label, size, load[0]))' "$LABEL" "$1" "$_t0" "$_log"
	svc_kill consumer
}

LABEL=${LABEL:-store}
for N in $SIZES; do
	START=$((END - N * 1000))
	svc_store_stop
	rm -rf "$SVC_DIR/store" "$SVC_DIR/store-state"
	svc_store_start
	[ -z "$(svc_pid redis)" ] || redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
	[ -n "$(svc_pid lighttpd)" ] || svc_lighttpd_start
	echo "== $LABEL: $STORE_VERSION, $N events" >&2
	t0=$(date +%s.%N)
	"$top_builddir/bench/bench-load" --count "$N" --start $START --step 1000 \
	    --batch 5000 --types click,pageview,scroll,submit >&2 || fail "bench-load"
	t1=$(date +%s.%N)
	python3 -c 'import sys
n, a, b = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print("load %d events: %.1f s, %.0f events/s" % (n, b - a, n / (b - a)))
print("RESULT %s_%d_load_events_per_s %.0f" % (sys.argv[4], n, n / (b - a)))' "$N" "$t0" "$t1" "$LABEL"

	# The cursor of page 100: after the 99 * LIMIT newest events.
	C100=$(cursor $((START + (N - 99 * LIMIT) * 1000)) $((N - 99 * LIMIT)))
	# Check the computed cursor shape against real paging: page 2.
	C2=$(curl -sS "$BASE_URL/events?limit=$LIMIT" | python3 -c 'import json, sys
print(json.load(sys.stdin).get("next") or "")' 2>/dev/null)
	if [ -n "$C2" ]; then
		expect_eq "$(cursor $((START + (N - LIMIT) * 1000)) $((N - LIMIT)))" "$C2" "the cursor of page 2"
	else
		echo "(the first page did not load: cursor not checked)"
	fi
	MID=$((START + N * 500))
	WSTART=$((MID - DAY))
	[ $WSTART -ge $START ] || WSTART=$START

	measure "$N" "first page" "$BASE_URL/events?limit=$LIMIT"
	measure "$N" "type filter" "$BASE_URL/events?limit=$LIMIT&type=click"
	measure "$N" "page 100" "$BASE_URL/events?limit=$LIMIT&cursor=$C100"
	measure "$N" "day window" "$BASE_URL/events?limit=$LIMIT&since=$(iso $WSTART)&until=$(iso $MID)"

	[ "$STORE_KIND" != ferretdb-events ] || fill "$N"
	SH="$BASE_URL/events/stats?bucket=minute&since=$(iso $((END - HOUR)))&until=$(iso $END)"
	SD="$BASE_URL/events/stats?bucket=hour&since=$(iso $((END - DAY)))&until=$(iso $END)"
	warm "$N" "stats hour" "$SH"
	measure "$N" "stats hour" "$SH"
	warm "$N" "stats day" "$SD"
	measure "$N" "stats day" "$SD"
	if [ $START -le $((END - 9 * DAY)) ]; then
		warm "$N" "stats old day" "$BASE_URL/events/stats?bucket=hour&since=$(iso $((END - 9 * DAY)))&until=$(iso $((END - 8 * DAY)))"
	fi
	# The query processes' memory after all that.
	for pid in $(svc_http_programs); do
		case $(cat "/proc/$pid/cmdline" 2>/dev/null | tr '\0' ' ') in
		*event-query*)
			awk -v p="$pid" -v k="${LABEL}_$N" '/^VmHWM/ { printf "RESULT %s_query_hwm_kib_%s %d\n", k, p, $2 }' \
			    "/proc/$pid/status" ;;
		esac
	done
done
echo "RESULT ${LABEL}_store $STORE_VERSION"
