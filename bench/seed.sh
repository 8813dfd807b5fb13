#!/bin/sh
# bench/seed.sh: single-event POST /events, ours beside the seed's ingest
# (Express + BullMQ, each on its own Redis with the same appendfsync), in
# one run, for each Redis policy in turn (always, then everysec):
#
#   ours	Redis and lighttpd with the FastCGI programs as scripts/start
#		runs them (tests/services.sh's defaults), no consumer
#   seed	$SEED_DIR/start PORT POLICY: the seed's API on its own Redis,
#		no worker (it only queues)
#
# Both stay up while the other is measured (idle), and the runs alternate
# ours, seed, ours, seed ... ROUNDS times: wrk -t1 -c$CONNS
# -d${DURATION}s with bench/post-one.lua, the same event to both (the
# seed keeps type and metadata and ignores the rest).  Any answer but 202
# fails the run.  Prints "RESULT seed_POLICY_WHO_KEY_ROUND VALUE" lines
# for bench/run, and a table.
#
# SEED_DIR defaults to ../shared/peer-seed beside the source tree; without
# it (or without node and npm) the comparison is skipped, saying why.  The
# seed's start script copies the seed to a temporary folder and runs
# "npm ci" there (the npm registry, or npm's cache).  Environment: ROUNDS
# (3), DURATION (10), CONNS (32), POLICIES ("always everysec").
set -u
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNS=${CONNS:-32}
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir
SEED_DIR=${SEED_DIR:-$top_srcdir/../shared/peer-seed}
. "$top_srcdir/tests/services.sh"

skip()
{
	echo "SKIP: the seed comparison: $*"
	echo "RESULT seed_skipped 1"
	exit 0
}

[ -x "$SEED_DIR/start" ] || skip "no $SEED_DIR/start (set SEED_DIR to the seed's folder)"
for b in node npm; do
	command -v "$b" >/dev/null 2>&1 || skip "$b is not installed"
done
svc_init
svc_need wrk redis-server

# post URL: one event; prints the status.
post()
{
	curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST \
	    -H 'Content-Type: application/json' -d '{"type":"warm"}' "$1/events"
}

seed_up()
{
	[ "$(post "$SEED_URL")" = 202 ]
}

# measure WHO POLICY ROUND URL: one wrk run; RESULT lines.
measure()
{
	_o=$SVC_DIR/wrk-$1-$2-$3.out
	wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$here/post-one.lua" "$4" >"$_o" 2>&1 ||
	    fail "wrk ($1, $2): $(cat "$_o")"
	python3 - "$1" "$2" "$3" "$_o" <<'PY' || exit 1
import re, sys
who, policy, rnd, path = sys.argv[1:]
text = open(path).read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
lat = dict((p, ms(v, u)) for p, v, u in re.findall(r"\s(50|99)%\s+([\d.]+)(us|ms|s)\b", text))
codes = dict(re.findall(r"^status (\d+) (\d+)$", text, re.M))
if set(codes) != {"202"}:
    sys.exit("%s (%s): answers other than 202: %s" % (who, policy, codes))
key = "seed_%s_%s_" % (policy, who)
print("RESULT %srps_%s %.0f" % (key, rnd, rps))
print("RESULT %sp50_ms_%s %.2f" % (key, rnd, lat["50"]))
print("RESULT %sp99_ms_%s %.2f" % (key, rnd, lat["99"]))
PY
}

for policy in ${POLICIES:-always everysec}; do
	echo "== Redis appendfsync $policy" >&2
	unset REDIS_PORT HTTP_PORT
	SVC_REDIS_FSYNC=$policy
	export SVC_REDIS_FSYNC
	rm -rf "$SVC_DIR/redis"		# the other policy's data
	svc_redis_start
	svc_lighttpd_start
	SEED_PORT=$(svc_free_port)
	SEED_URL=http://127.0.0.1:$SEED_PORT
	svc_spawn seed "$SVC_DIR/log/seed-$policy.log" "$SEED_DIR/start" "$SEED_PORT" "$policy"
	# npm ci comes first: up to a few minutes on a cold cache.
	SVC_TIMEOUT=600 svc_wait seed "the seed on port $SEED_PORT" seed_up
	# Warm up: every FastCGI process and thread, and node's JIT.
	wrk -t1 -c"$CONNS" -d2s -s "$here/post-one.lua" "$BASE_URL" >/dev/null 2>&1
	wrk -t1 -c"$CONNS" -d2s -s "$here/post-one.lua" "$SEED_URL" >/dev/null 2>&1
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		echo "   round $r: ours, seed" >&2
		measure ours "$policy" "$r" "$BASE_URL"
		measure seed "$policy" "$r" "$SEED_URL"
		r=$((r + 1))
	done
	echo "RESULT seed_${policy}_ours_queued $(redis-cli -p "$REDIS_PORT" XLEN events)"
	svc_kill seed
	svc_lighttpd_stop
	svc_redis_stop
done
echo "RESULT seed_rounds $ROUNDS"
echo "RESULT seed_load $(cut -d' ' -f1-3 /proc/loadavg)"
