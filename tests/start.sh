#!/bin/sh
# scripts/start for real, from a private (0700) folder as a root user's
# clone is: its data folder, the programs and the page all inside it,
# and no EVENTS_HTTP_USER given.  It serves (as root, lighttpd keeps
# root where nobody could not reach them); a second start on the same
# data folder, on another port, is refused and names the running stack's
# URL, and starts nothing; SIGTERM (as Ctrl-C) stops everything it
# started and frees the data folder.
# The build is this one (EVENTS_BUILD_DIR); copies of the programs and
# the page stand in the private folder.
. "$(dirname "$0")/services.sh"
svc_init
svc_need flock redis-server lighttpd

home=$SVC_DIR/home
mkdir -p "$home/libexec" "$home/www"
for p in event-ingest event-query event-status; do
	cp "$top_builddir/cgi/$p" "$home/libexec/" || fail "cannot copy $p"
done
cp -R "$top_builddir/htdocs/." "$home/www/" || fail "cannot copy the page"
chmod 700 "$home"
var=$home/var
port=$(svc_free_port)
port2=$(svc_free_port)

# start_stack LOG PORT: scripts/start in the background; START_PID.
start_stack()
{
	env -u EVENTS_HTTP_USER EVENTS_BUILD_DIR="$top_builddir" EVENTS_VAR="$var" \
	    EVENTS_HTTP_PORT="$2" EVENTS_LIBEXEC="$home/libexec" EVENTS_WWW="$home/www" \
	    sh "$top_srcdir/scripts/start" >"$1" 2>&1 &
	START_PID=$!
}

start_stack "$SVC_DIR/log/start1.log" "$port"
first=$START_PID
# Stopped by SIGTERM (a background job ignores SIGINT, Ctrl-C's), and
# waited for (30 s at most), then what it left, by PID, whatever happens.
first_gone()
{
	! kill -0 "$first" 2>/dev/null
}
trap '_rc=$?; kill -TERM $first 2>/dev/null; svc_until 30 first_gone; (exit $_rc); svc_cleanup' EXIT
i=0
until grep -q 'events is running' "$SVC_DIR/log/start1.log"; do
	kill -0 "$first" 2>/dev/null || fail "scripts/start exited: $(tail -n 20 "$SVC_DIR/log/start1.log")"
	i=$((i + 1))
	[ $i -lt 1800 ] || fail "scripts/start not running after 180 s: $(tail -n 20 "$SVC_DIR/log/start1.log")"
	sleep 0.1
done
grep -q "http://127.0.0.1:$port/" "$SVC_DIR/log/start1.log" || fail "no URL printed"
grep -qi 'cannot reach' "$SVC_DIR/log/start1.log" && fail "a reachability complaint: $(cat "$SVC_DIR/log/start1.log")"
BASE_URL=http://127.0.0.1:$port
http_post "$BASE_URL/events" application/json '{"type":"from-a-private-folder"}'
expect_eq 202 "$HTTP_STATUS" "POST /events to the stack"
http_request GET "$BASE_URL/"
expect_eq 200 "$HTTP_STATUS" "GET /"
. "$var/run/env"
expect_eq "http://127.0.0.1:$port" "$EVENTS_URL" "EVENTS_URL in var/run/env"
expect_eq PONG "$(redis-cli -p "$EVENTS_REDIS_PORT" PING)" "the stack's Redis, by var/run/env"
ok "scripts/start from a 0700 folder$( [ "$(id -u)" = 0 ] && echo ' as root'), no user named: it serves"

# A bad setting: refused before anything starts, naming it (not a
# stack that says it runs and answers 500).
env -u EVENTS_HTTP_USER EVENTS_BUILD_DIR="$top_builddir" EVENTS_VAR="$home/var-bad" \
    EVENTS_HTTP_PORT="$port2" EVENTS_LIBEXEC="$home/libexec" EVENTS_WWW="$home/www" \
    EVENTS_MAX_EVENTS=many sh "$top_srcdir/scripts/start" >"$SVC_DIR/log/start-bad.log" 2>&1 &
bad=$!
i=0
while kill -0 "$bad" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 600 ] || { kill -TERM "$bad"; fail "scripts/start with a bad setting did not stop"; }
	sleep 0.1
done
wait "$bad" && fail "scripts/start with a bad setting exited 0: $(cat "$SVC_DIR/log/start-bad.log")"
grep -q 'EVENTS_MAX_EVENTS: max_events: bad value "many"' "$SVC_DIR/log/start-bad.log" ||
    fail "the refusal does not name the setting: $(cat "$SVC_DIR/log/start-bad.log")"
grep -q "events is running" "$SVC_DIR/log/start-bad.log" &&
    fail "scripts/start with a bad setting says it runs"
svc_tcp_open "$port2" && fail "scripts/start with a bad setting left something on port $port2"
for p in 80x 99999 0; do
	env -u EVENTS_HTTP_USER EVENTS_BUILD_DIR="$top_builddir" EVENTS_VAR="$home/var-bad" \
	    EVENTS_HTTP_PORT="$p" EVENTS_LIBEXEC="$home/libexec" EVENTS_WWW="$home/www" \
	    sh "$top_srcdir/scripts/start" >"$SVC_DIR/log/start-port.log" 2>&1 &&
	    fail "scripts/start with EVENTS_HTTP_PORT=$p exited 0"
	grep -q "EVENTS_HTTP_PORT=$p is not a TCP port" "$SVC_DIR/log/start-port.log" ||
	    fail "EVENTS_HTTP_PORT=$p: $(tail -n 5 "$SVC_DIR/log/start-port.log")"
	grep -q "Redis on" "$SVC_DIR/log/start-port.log" &&
	    fail "EVENTS_HTTP_PORT=$p: Redis started before the port was refused"
done
ok "a bad setting stops scripts/start before anything starts, naming it (a setting, a port)"

# A second start on the same data folder, on another port: refused at
# once, naming the running stack; nothing of it started.

start_stack "$SVC_DIR/log/start2.log" "$port2"
second=$START_PID
i=0
while kill -0 "$second" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 600 ] || { kill -TERM "$second"; fail "the second scripts/start did not stop"; }
	sleep 0.1
done
wait "$second" && fail "the second scripts/start exited 0: $(cat "$SVC_DIR/log/start2.log")"
grep -q "already running on $var: http://127.0.0.1:$port" "$SVC_DIR/log/start2.log" ||
    fail "the refusal does not name the running stack: $(cat "$SVC_DIR/log/start2.log")"
svc_tcp_open "$port2" && fail "the second start left something on port $port2"
grep -q "Redis on" "$SVC_DIR/log/start2.log" && fail "the second start started a Redis"
grep -q "==> building" "$SVC_DIR/log/start2.log" &&
    fail "the second start built (the running stack's programs) before it was refused"
http_request GET "$BASE_URL/health"
case $HTTP_STATUS in
200|503) ;;
*) fail "the first stack after the second start: /health $HTTP_STATUS" ;;
esac
ok "a second scripts/start on the same data folder is refused, naming $BASE_URL"

# SIGTERM (or Ctrl-C) stops it all: the script exits 0, the ports are
# closed.
kill -TERM "$first"
i=0
while kill -0 "$first" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "scripts/start did not stop on SIGTERM"
	sleep 0.1
done
wait "$first" || fail "scripts/start exited $? on SIGTERM"
svc_tcp_open "$port" && fail "lighttpd still on port $port"
svc_tcp_open "$EVENTS_REDIS_PORT" && fail "Redis still on port $EVENTS_REDIS_PORT"
# And the data folder is free again.
flock -n "$var/.lock" true || fail "the data folder is still locked"
ok "SIGTERM stops the stack and frees its data folder"

# Ctrl-C in a terminal: SIGINT to every process of the foreground
# process group, the FastCGI programs too, which lighttpd may start
# again before it stops itself.  Nothing may outlive the stack: the data
# folder is free once scripts/start has exited.  Twice (lighttpd's
# restarts are a race).
command -v setsid >/dev/null 2>&1 || svc_missing "no setsid (util-linux)"
for round in 1 2; do
	rm -f "$SVC_DIR/pg"
	setsid sh -c 'echo $$ >"$0"; exec "$@"' "$SVC_DIR/pg" env -u EVENTS_HTTP_USER \
	    EVENTS_BUILD_DIR="$top_builddir" EVENTS_VAR="$var" EVENTS_HTTP_PORT="$port" \
	    EVENTS_LIBEXEC="$home/libexec" EVENTS_WWW="$home/www" \
	    sh "$top_srcdir/scripts/start" >"$SVC_DIR/log/start-int.log" 2>&1 &
	running() { grep -q 'events is running' "$SVC_DIR/log/start-int.log"; }
	svc_until 180 running || fail "scripts/start (round $round) not running: $(tail -n 20 "$SVC_DIR/log/start-int.log")"
	pg=$(cat "$SVC_DIR/pg")
	/bin/kill -INT -- "-$pg" || fail "SIGINT to process group $pg"
	gone() { ! kill -0 "$pg" 2>/dev/null; }
	svc_until 30 gone || fail "scripts/start did not stop on Ctrl-C"
	free() { flock -n "$var/.lock" true; }
	svc_until 5 free || fail "after Ctrl-C (round $round), processes still hold the data folder: $(find /proc/[0-9]*/fd -lname "$var/.lock" 2>/dev/null | cut -d/ -f3 | sort -u | while read -r p; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done)"
done
ok "Ctrl-C to the whole process group stops everything and frees the data folder"
exit 0
