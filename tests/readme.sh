#!/bin/sh
# Every example of README.md, run as written: each ```sh block, in order,
# against a running stack (Redis, the store, lighttpd with the programs;
# the consumer drains the stream before each block), with bash -e and
# pipefail from a folder laid out like a clone whose var/run/env
# scripts/start wrote.  The only change made to a block: the stack's URL,
# http://127.0.0.1:8080 in the README, is this test's.  curl fails on an
# HTTP error, so an example that gets a 4xx or 5xx fails the test.
# (```crontab, ```json and ```html blocks are not commands.)
. "$(dirname "$0")/services.sh"
svc_init
svc_need bash jq redis-cli
svc_redis_start
svc_store_start
svc_lighttpd_start
CONSUMER=$top_builddir/consumer/event-consumer
[ -x "$CONSUMER" ] || fail "$CONSUMER not built"
EVENTS_LOCK_DIR=$SVC_DIR/run
export EVENTS_LOCK_DIR

clone=$SVC_DIR/clone
mkdir -p "$clone/var/run"
svc_write_env "$clone/var/run/env"

# The blocks, one file each; their first line says where they stand.
python3 - "$top_srcdir/README.md" "$SVC_DIR/examples" <<'EOF' || fail "cannot read the README's examples"
import os, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
os.makedirs(sys.argv[2])
n = 0
for m in re.finditer(r"^```sh\n(.*?)^```$", text, re.S | re.M):
    n += 1
    line = text.count("\n", 0, m.start()) + 1
    with open(os.path.join(sys.argv[2], "%03d.sh" % n), "w", encoding="utf-8") as f:
        f.write("# README.md line %d\n%s" % (line, m.group(1)))
print(n)
EOF
n=$(ls "$SVC_DIR/examples" | wc -l)
[ "$n" -ge 5 ] || fail "only $n sh examples found in README.md"

for f in "$SVC_DIR"/examples/*.sh; do
	where=$(head -n 1 "$f" | sed 's/^# //')
	"$CONSUMER" --once >>"$SVC_DIR/log/consumer.log" 2>&1 ||
	    fail "event-consumer --once before $where (log $SVC_DIR/log/consumer.log)"
	{
		echo 'set -eo pipefail'
		echo 'curl() { command curl --fail-with-body "$@"; }'
		sed "s|http://127\.0\.0\.1:8080|$BASE_URL|g" "$f"
	} >"$f.run"
	if ! (cd "$clone" && bash "$f.run") >"$f.out" 2>&1; then
		fail "the example at $where fails: $(cat "$f.out")
$(cat "$f")"
	fi
	echo "ok: $where"
done
# What the examples did shows: the events they posted were stored and
# read back.
"$CONSUMER" --once >>"$SVC_DIR/log/consumer.log" 2>&1 || fail "event-consumer --once"
grep -q '"accepted":1' "$SVC_DIR"/examples/*.out || fail "no example posted an event"
[ -s "$clone/events.csv" ] || fail "the CSV example wrote no events.csv"
ok "the $n shell examples of README.md run as written"
