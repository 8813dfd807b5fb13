#!/bin/sh
# GET /events latency with many events stored: p50 and p99 of the first
# page and of page 100 (keyset paging: the cursor of page 100 is what the
# 99 pages before it hand out), through lighttpd and event-query.
#
#   bench/query-latency.sh [EVENTS [REQUESTS]]	(defaults 1000000 and 50)
#
# Run from a configured build folder (or set top_builddir).  It starts its
# own store and lighttpd on private ports (tests/services.sh), bulk-loads
# EVENTS synthetic documents with bench/bench-load and the consumer's
# indexes, then times REQUESTS sequential requests of each page with curl.
N=${1:-1000000}
REQ=${2:-50}
LIMIT=50
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir
[ -x "$top_builddir/bench/bench-load" ] ||
    { echo "run from a build folder (no $top_builddir/bench/bench-load)" >&2; exit 2; }
. "$top_srcdir/tests/services.sh"
svc_init
svc_store_start
svc_lighttpd_start
echo "store: $STORE_VERSION; $N events"

START=1700000000000	# 2023-11-14T22:13:20Z, one event a second
"$top_builddir/bench/bench-load" --count "$N" --start $START --step 1000 \
    --batch 5000 --types click,pageview,scroll,submit || fail "bench-load"

# Page 100 begins after the 99 * LIMIT newest events; synthetic event i
# has createdAt START + i s and id ev%08d, so its cursor is known.
CURSOR=$(python3 -c 'import base64, sys
n, start, skip = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
i = n - skip		# the oldest event of page 99
raw = "1:%d:ev%08d" % (start + i * 1000, i)
print(base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))' "$N" $START $((99 * LIMIT)))

# Check the computed cursor against real paging: page 2.  (A store too
# slow for the page answers 503 instead; the measurements show it.)
C2=$(curl -sS "$BASE_URL/events?limit=$LIMIT" | python3 -c 'import json, sys
print(json.load(sys.stdin).get("next") or "")' 2>/dev/null)
W2=$(python3 -c 'import base64, sys
n, start = int(sys.argv[1]), int(sys.argv[2])
i = n - int(sys.argv[3])
print(base64.urlsafe_b64encode(("1:%d:ev%08d" % (start + i * 1000, i)).encode()).decode().rstrip("="))' "$N" $START $LIMIT)
if [ -n "$C2" ]; then
	expect_eq "$W2" "$C2" "the cursor of page 2"
else
	echo "(the first page did not load: cursor not checked)"
fi

# measure NAME URL: REQ sequential requests; p50 and p99 in ms.
measure()
{
	_i=0
	: >"$SVC_DIR/times"
	curl -sS -o "$SVC_DIR/body" "$2" || fail "$1: no answer"
	json_get 'len(d.get("events", []))' "$SVC_DIR/body" | grep -qx "$LIMIT" ||
	    echo "$1: not a full page: $(head -c 200 "$SVC_DIR/body")"
	while [ $_i -lt "$REQ" ]; do
		curl -sS -o /dev/null -w '%{time_total} %{http_code}\n' "$2" >>"$SVC_DIR/times"
		_i=$((_i + 1))
	done
	python3 - "$1" "$SVC_DIR/times" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[2])]
bad = [r for r in rows if r[1] != "200"]
t = sorted(float(r[0]) * 1000 for r in rows)
def pct(p):
    return t[min(len(t) - 1, int(round(p / 100 * len(t) + 0.5)) - 1)]
print("%-12s n=%d  p50 %8.1f ms  p99 %8.1f ms  max %8.1f ms%s" % (
    sys.argv[1], len(t), pct(50), pct(99), t[-1],
    "  (%d answered %s)" % (len(bad), ",".join(sorted(set(r[1] for r in bad)))) if bad else ""))
key = sys.argv[1].replace(" ", "_")
print("RESULT %s_p50_ms %.1f\nRESULT %s_p99_ms %.1f\nRESULT %s_non200 %d" % (key, pct(50), key, pct(99), key, len(bad)))
EOF
}
measure "first page" "$BASE_URL/events?limit=$LIMIT"
measure "page 100" "$BASE_URL/events?limit=$LIMIT&cursor=$CURSOR"
# The query processes' memory after all that.
for pid in $(pgrep -f "$top_builddir/cgi/event-query"); do
	awk -v p="$pid" '/^VmHWM/ { printf "RESULT query_hwm_kib_%s %d\n", p, $2 }' "/proc/$pid/status"
done
echo "RESULT events_stored $N"
