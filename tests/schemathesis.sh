#!/bin/sh
# docs/openapi.yaml against the live stack: Schemathesis (from PyPI, in
# the virtual environment scripts/test's set-up makes: the version of
# tests/schemathesis-requirements.txt; this test installs nothing and
# needs no network) generates requests for
# every operation of the description, valid ones and invalid ones, sends
# them through lighttpd to the real programs, Redis and the store (a
# consumer daemon running), and checks each answer: no 5xx, a status, a
# content type and headers the description lists, a body its schema
# takes; and a method the description does not list gets 405 with Allow.  Then the stored events are checked: whatever the ingest
# accepted, the consumer stored (no dead letter).  A second, shorter run
# with write keys and a read token set checks the refusals.
#
#	SCHEMATHESIS_MAX_EXAMPLES	cases per operation and phase (50)
#	SCHEMATHESIS_SEED		the random seed (fixed, for runs that
#					can be repeated; set another to explore)
#	SCHEMATHESIS_VENV		the virtual environment to use
#					(tests/schemathesis-venv/ of the
#					source tree)
#	SCHEMATHESIS_ARGS		more options for schemathesis run
#					(e.g. --exclude-path /events/stats)
#
# One worker: Python before 3.11.9 and 3.12.1 keeps the AST recursion
# depth per interpreter, not per thread (CPython issue 106905), and
# Hypothesis parses source files from several threads with two workers
# ("AST constructor recursion depth mismatch").
. "$(dirname "$0")/protect-lib.sh"
VENV=${SCHEMATHESIS_VENV:-$top_srcdir/tests/schemathesis-venv}
SPEC=$top_srcdir/docs/openapi.yaml
HOOKS=$top_srcdir/tests/schemathesis-hooks.py
MAX=${SCHEMATHESIS_MAX_EXAMPLES:-50}
SEED=${SCHEMATHESIS_SEED:-20261125}

ST_VERSION=$(sed -n 's/^schemathesis==//p' "$top_srcdir/tests/schemathesis-requirements.txt")
"$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "version $ST_VERSION\$" ||
    svc_missing "schemathesis $ST_VERSION is not installed in $VENV:" \
    "scripts/test installs it (scripts/lib/deps.sh), or SCHEMATHESIS_VENV names one"
"$VENV/bin/schemathesis" --version
protect_init store

http_restart
svc_spawn consumer "$SVC_DIR/log/consumer.log" "$CONSUMER"

# Stored events for the reads to page through, with every field.
python3 - "$URL" <<'EOF' || fail "seeding events"
import http.client, json, sys, time, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
now = int(time.time() * 1000)
evs = [{"type": ["click", "pageview", "signup"][i % 3], "id": "seed-%d" % i, "ts": now - 1000 * i,
        "metadata": {"i": i, "s": "\u00e9t\u00e9 \"q\", =1", "deep": {"l": [1, 2.5, None, True]}},
        "page": {"url": "https://example.org/p/%d" % i, "path": "/p/%d" % i, "title": "T%d" % i}}
       for i in range(120)]
c.request("POST", u.path, json.dumps(evs), {"Content-Type": "application/json"})
r = c.getresponse()
assert r.status == 202, (r.status, r.read())
EOF
end=$(( $(date +%s) + 20 ))
until [ "$(stored)" = 120 ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "the seed events were not stored in 20 s"
	sleep 0.2
done
req GET "$BASE_URL/health"
expect_eq 200 "$HTTP_STATUS" "/health before the run: $(cat "$SVC_DIR/http.body")"

# run NAME [SCHEMATHESIS-ARGS...]: one run; prints its summary, adds its
# cases to CASES, sets RUN_STATUS (the output stays in
# $SVC_DIR/schemathesis-NAME.out).
CASES=0
run()
{
	_name=$1
	shift
	# From the private folder: schemathesis and Hypothesis keep their
	# caches (.schemathesis, .hypothesis) in the current one.
	(cd "$SVC_DIR" && SCHEMATHESIS_HOOKS=$HOOKS "$VENV/bin/schemathesis" run "$SPEC" \
	    --url "$BASE_URL" \
	    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,unsupported_method \
	    --seed "$SEED" --request-timeout 15 --workers 1 --no-color \
	    ${SCHEMATHESIS_ARGS:-} "$@") >"$SVC_DIR/schemathesis-$_name.out" 2>&1
	RUN_STATUS=$?
	sed -n '/^=* SUMMARY =*$/,$p' "$SVC_DIR/schemathesis-$_name.out"
	_n=$(sed -n 's/^  *\([0-9][0-9]*\) generated.*/\1/p' "$SVC_DIR/schemathesis-$_name.out")
	RUN_CASES=${_n:-0}
	CASES=$((CASES + RUN_CASES))
	echo "schemathesis ($_name): $RUN_CASES cases, status $RUN_STATUS"
}

# run_ok NAME: fail, with the whole report, unless the last run passed.
run_ok()
{
	if [ "$RUN_STATUS" != 0 ]; then
		cat "$SVC_DIR/schemathesis-$1.out" >&2
		fail "schemathesis ($1): status $RUN_STATUS"
	fi
	[ "$RUN_CASES" -gt 0 ] || fail "schemathesis ($1) ran no case"
	ok "schemathesis ($1): $RUN_CASES cases, no failure"
}

## the open stack: every operation

run open --max-examples "$MAX"

# What the run posted and the ingest accepted (202), the consumer must
# have stored: a dead letter is an event answered 202 and lost.  (It also
# turns /health to 503, which the run reports as a server error.)
svc_kill consumer
consumer_once
dead=$(rcli XLEN events:dead)
if [ "$dead" != 0 ]; then
	echo "dead letters, answered 202 by event-ingest and refused by the store:" >&2
	rcli --json XRANGE events:dead - + COUNT 5 >&2
	grep 'moved to' "$SVC_DIR/log/consumer.log" "$SVC_DIR/log/consumer-once.log" | head -n 5 >&2
	fail "$dead events accepted by the ingest were dead-lettered by the consumer"
fi
expect_eq 0 "$(queued)" "entries left on the stream"
ok "$(stored) events stored, none dead-lettered"
run_ok open

## closed: write keys and a read token, no credentials sent

EVENTS_WRITE_KEYS='pk_site=https://site.example pk_cli'
EVENTS_READ_TOKEN=st_0123456789abcdef
export EVENTS_WRITE_KEYS EVENTS_READ_TOKEN
http_restart
run closed --max-examples 10
run_ok closed

echo "schemathesis: $CASES cases in all (seed $SEED)"
