#!/bin/sh
# event-ingest with several threads in one FastCGI process, through
# lighttpd (or Apache with mod_proxy_fcgi: tests/apache-run.sh) and a real
# Redis:
#   - each thread answers a request of its own at the same time as the
#     others, over a Redis connection of its own (fcgi_threads);
#   - many clients at once: every event answered 202 is queued, once;
#   - SIGTERM lets the requests being answered finish (their events
#     queued, their 202 sent), then the process exits;
#   - every thread runs under SCHED_BATCH (fcgi_sched_batch = 1, the
#     default), and keeps the policy it was started with under
#     fcgi_sched_batch = 0.
. "$(dirname "$0")/services.sh"
svc_init
svc_redis_start
EVENTS_FCGI_PROCS=1
EVENTS_FCGI_THREADS=4
# Requests below wait on a paused Redis for seconds.
EVENTS_REDIS_TIMEOUT_MS=10000
export EVENTS_FCGI_THREADS EVENTS_REDIS_TIMEOUT_MS
svc_http_start
URL=$BASE_URL/events

rcli()
{
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

# The event-ingest process the web server runs.
ingest_pid()
{
	for _p in $(svc_http_programs); do
		[ "$(cat "/proc/$_p/comm" 2>/dev/null)" = event-ingest ] && { echo "$_p"; return 0; }
	done
	return 1
}

# post_bg ID: POST one event in the background, its status into
# $SVC_DIR/status-ID; its PID is added to $bg.
post_bg()
{
	curl -s -m 30 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	    -d '{"type":"t","id":"'"$1"'"}' "$URL" >"$SVC_DIR/status-$1" &
	bg="$bg $!"
}

# Ids on the stream, sorted, one a line.
queued_ids()
{
	rcli --json XRANGE events - + | python3 -c 'import json, sys
for e in json.load(sys.stdin):
    print(json.loads(e[1][1])["id"])' | sort
}

# Redis connections whose command waits (CLIENT PAUSE): each is one
# request in flight, on a connection of its own.
waiting()
{
	rcli INFO clients | tr -d '\r' | sed -n 's/^blocked_clients://p'
}

# until_true SECONDS CMD...: poll.
until_true()
{
	_end=$(( $(date +%s) + $1 ))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.1
	done
}

pid=$(ingest_pid) || fail "no event-ingest process"
# The process may still be starting its threads (slowly under the
# sanitizers).
threads()
{
	awk '/^Threads:/ { print $2 }' "/proc/$pid/status"
}
threads_5()
{
	[ "$(threads)" -ge 5 ]
}
until_true 10 threads_5 || :
expect_eq 5 "$(threads)" \
    "threads of event-ingest: 4 serving and the one that waits for signals"
ok "one process, 4 serving threads"

# policies PID: the scheduling policy of each thread of PID, one a line
# (sched(7): 0 SCHED_OTHER, 3 SCHED_BATCH; field 41 of
# /proc/PID/task/TID/stat, proc(5)).
policies()
{
	for _t in /proc/"$1"/task/*/stat; do
		sed 's/^.*) //' "$_t" | awk '{ print $39 }'
	done
}
# The policy this test runs under, which the web server and the
# programs inherit.  Only from SCHED_OTHER can the checks below fail
# (from SCHED_BATCH the switch is a no-op; from SCHED_IDLE an
# unprivileged process may not leave it, sched(7)): elsewhere they are
# skipped, saying so.
own=$(policies $$ | head -1)
if [ "$own" = 0 ]; then
	expect_eq "3 3 3 3 3" "$(policies "$pid" | tr '\n' ' ' | sed 's/ $//')" \
	    "scheduling policy of each thread of event-ingest (3: SCHED_BATCH)"
	ok "every thread of event-ingest runs under SCHED_BATCH"
else
	echo "# skipped: the scheduling policy checks (this test runs under policy $own, not SCHED_OTHER)"
fi

# Four requests at once while Redis holds every write: all four are in
# flight together, each on a connection of its own.
rcli CLIENT PAUSE 3000 WRITE >/dev/null
bg=
for i in 1 2 3 4; do
	post_bg "p-$i"
done
waiting_4()
{
	[ "$(waiting)" -ge 4 ]
}
until_true 10 waiting_4 || fail "4 requests at once: $(waiting) waiting in Redis, want 4"
rcli CLIENT UNPAUSE >/dev/null
wait $bg
for i in 1 2 3 4; do
	expect_eq 202 "$(cat "$SVC_DIR/status-p-$i")" "request $i of 4 at once"
done
ok "4 requests answered at the same time, 4 Redis connections"

# Many clients: each event answered 202 is on the stream once.
python3 - "$URL" "$SVC_DIR/answered" <<'PY' || fail "concurrent posts"
import http.client, json, sys, threading, urllib.parse
url, out = urllib.parse.urlsplit(sys.argv[1]), sys.argv[2]
ok, sent, lock = [], [], threading.Lock()
def client(c):
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    for i in range(25):
        ids = ["m-%d-%d-%d" % (c, i, k) for k in range(1 + i % 3)]
        with lock:
            sent.extend(ids)
        body = json.dumps([{"type": "many", "id": x} for x in ids])
        conn.request("POST", url.path, body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        if r.status == 202:
            with lock:
                ok.extend(ids)
threads = [threading.Thread(target=client, args=(c,)) for c in range(12)]
for t in threads: t.start()
for t in threads: t.join()
open(out, "w").write("".join(x + "\n" for x in sorted(ok)))
if len(ok) != len(sent):
    sys.exit("%d of %d events answered 202" % (len(ok), len(sent)))
PY
expect_eq 588 "$(wc -l <"$SVC_DIR/answered" | tr -d ' ')" "events answered 202 by 12 clients at once"
queued_ids | grep '^m-' >"$SVC_DIR/queued"
cmp -s "$SVC_DIR/answered" "$SVC_DIR/queued" ||
    fail "queued events differ from those answered 202: $(diff "$SVC_DIR/answered" "$SVC_DIR/queued" | head -5)"
ok "588 events in 300 requests from 12 clients at once: each queued once"

# SIGTERM while 3 requests wait on Redis: they are answered, then the
# process exits.
pid=$(ingest_pid) || fail "no event-ingest process"
rcli CLIENT PAUSE 2000 WRITE >/dev/null
bg=
for i in 1 2 3; do
	post_bg "s-$i"
done
waiting_3()
{
	[ "$(waiting)" -ge 3 ]
}
until_true 10 waiting_3 || fail "3 requests did not reach Redis: $(waiting) waiting"
kill -TERM "$pid"
# Until the process has taken the signal (no longer pending in
# /proc/PID/status); then it must still run, its requests unanswered
# while Redis is paused.
term_taken()
{
	_pend=$(awk '/^ShdPnd:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	[ -z "$_pend" ] || [ $(( 0x$_pend & 0x4000 )) = 0 ]
}
until_true 10 term_taken || fail "SIGTERM still pending after 10 s"
kill -0 "$pid" 2>/dev/null || fail "event-ingest exited before its requests were answered"
rcli CLIENT UNPAUSE >/dev/null
gone()
{
	! kill -0 "$pid" 2>/dev/null
}
until_true 10 gone || fail "event-ingest still running 10 s after SIGTERM"
wait $bg
for i in 1 2 3; do
	expect_eq 202 "$(cat "$SVC_DIR/status-s-$i")" "request $i answered across SIGTERM"
done
for i in 1 2 3; do
	queued_ids | grep -qx "s-$i" || fail "s-$i answered 202 but not queued"
done
ok "SIGTERM: the 3 requests in flight answered and queued, then the process exited"

# SIGTERM while every thread waits in accept(2), together: each is woken
# and the process exits at once, not at the end of its stop budget
# (10 s, after which it would say "requests unfinished").
new_pid()
{
	[ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	    -d '{"type":"t"}' "$URL")" = 202 ] || return 1
	pid=$(ingest_pid)
}
until_true 10 new_pid || fail "lighttpd did not start event-ingest again"
idle_4()
{
	# 4 serving threads and the signal thread, all asleep
	[ "$(grep -c '^State:.*S (sleeping)' /proc/"$pid"/task/*/status 2>/dev/null | awk -F: '{ n += $2 } END { print n }')" -ge 5 ]
}
until_true 10 idle_4 || fail "event-ingest $pid: its threads did not all go idle"
started=$(date +%s)
kill -TERM "$pid"
until_true 10 gone || fail "event-ingest still running 10 s after SIGTERM with every thread idle"
took=$(( $(date +%s) - started ))
[ "$took" -le 2 ] || fail "event-ingest took ${took} s to stop with every thread idle in accept(2)"
# Where the programs' standard error goes: lighttpd's error log, or
# spawn-fcgi.sh's under Apache (mod_proxy_fcgi).
case ${EVENTS_TEST_SERVER:-lighttpd} in
lighttpd)	errlog=$SVC_DIR/log/lighttpd-error.log ;;
*)		errlog=$SVC_DIR/log/spawn-fcgi.log ;;
esac
[ -f "$errlog" ] || fail "no $errlog"
! grep -q "unfinished" "$errlog" ||
    fail "stopping an idle event-ingest left requests unfinished: $(grep unfinished "$errlog")"
ok "SIGTERM with every thread idle in accept(2): the process exited in ${took} s"

# fcgi_sched_batch = 0: the threads keep SCHED_OTHER.
[ "$own" = 0 ] || exit 0
svc_http_stop
EVENTS_FCGI_SCHED_BATCH=0
export EVENTS_FCGI_SCHED_BATCH
svc_http_start
until_true 10 new_pid || fail "no event-ingest process with fcgi_sched_batch = 0"
until_true 10 threads_5 || :
expect_eq "$own $own $own $own $own" "$(policies "$pid" | tr '\n' ' ' | sed 's/ $//')" \
    "scheduling policy of each thread with fcgi_sched_batch = 0 (the test's own, $own)"
ok "fcgi_sched_batch = 0: every thread keeps the policy it was started with ($own)"
