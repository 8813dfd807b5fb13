#!/bin/sh
# bench/parse-cost.sh: instructions event-ingest spends validating and
# serialising an event (lib/event.c and json-c), counted by valgrind's
# callgrind, which gives the same count on a busy machine as on a quiet
# one.  Bodies: the single event bench/ingest.sh posts, and 100 of them
# (the batched POST).  Each is parsed 1 and 1 + K times by bench-parse;
# the difference is K requests' worth, start-up excluded.
#
# Prints "RESULT parse_instr_per_event_single N" and
# "RESULT parse_instr_per_event_batch N".  Run from a build tree.
set -u
K=${K:-20}
here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(pwd)}"
bin=$top_builddir/bench/bench-parse
[ -x "$bin" ] || { echo "FAIL: $bin not built (make)" >&2; exit 1; }
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: valgrind is not installed"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/events-parse.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

ONE='{"type":"click","metadata":{"x":268,"y":289,"tag":"button","selector":"main > button.buy","text":"Buy now"},"page":{"url":"https://shop.example/p/42","path":"/p/42","title":"Product 42"}}'
printf '%s' "$ONE" >"$tmp/one.json"
python3 - "$ONE" >"$tmp/hundred.json" <<'PY'
import json, sys
one = json.loads(sys.argv[1])
sys.stdout.write(json.dumps([dict(one, type="e%d" % (i % 7)) for i in range(100)], separators=(",", ":")))
PY

# instr FILE N: instructions of bench-parse FILE N.
instr()
{
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
	    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

for body in one:1 hundred:100; do
	name=${body%%:*} per=${body#*:}
	a=$(instr "$tmp/$name.json" 1)
	b=$(instr "$tmp/$name.json" $((1 + K)))
	[ -n "$a" ] && [ -n "$b" ] || { echo "FAIL: callgrind gave no count" >&2; exit 1; }
	what=single
	[ "$per" = 1 ] || what=batch
	echo "RESULT parse_instr_per_event_$what $(( (b - a) / (K * per) ))"
done
