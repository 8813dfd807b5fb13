#!/bin/sh
# bench/apache-post.sh: single-event POST /events requests/s through each
# web server set-up, in one run against one private Redis
# (tests/services.sh, tests/apache.sh):
#
#   lighttpd     lighttpd.conf, lighttpd spawning the FastCGI programs
#   fcgid        Apache, mod_fcgid spawning them (apache/fcgid.conf)
#   proxy_fcgi   Apache, mod_proxy_fcgi to spawn-fcgi.sh's (proxy-fcgi.conf)
#   cgi          Apache, plain CGI: a process per request (cgi.conf)
#
#   bench/apache-post.sh [SETUP...]	(from a build folder; default the four)
#
# Each with wrk -t1 -c$CONNS -d${DURATION}s and bench/post-one.lua, and
# the FastCGI processes per program of tests/services.sh where a set-up
# keeps processes (PROCS overrides it), event-ingest with its default
# threads (THREADS overrides it; fcgid.conf runs one).  Any answer but
# 202 fails the run.  Prints "RESULT post_rps_SETUP N" lines (for
# bench/run) and a table.  Environment also: DURATION (10), CONNS (32);
# SVC_REDIS_FSYNC as tests/services.sh takes.
set -u
DURATION=${DURATION:-10}
CONNS=${CONNS:-32}
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir
. "$top_srcdir/tests/services.sh"
. "$top_srcdir/tests/apache.sh"
svc_init
svc_need wrk
[ -x "$top_builddir/cgi/event-ingest" ] ||
    fail "run from a build folder after make ($top_builddir/cgi/event-ingest missing)"
[ $# -gt 0 ] || set -- lighttpd fcgid proxy_fcgi cgi

svc_redis_start
PROCS=${PROCS:-$SVC_FCGI_PROCS}
EVENTS_FCGI_PROCS=$PROCS
EVENTS_LOG_LEVEL=warn
export EVENTS_FCGI_PROCS EVENTS_LOG_LEVEL
[ -z "${THREADS:-}" ] || { EVENTS_FCGI_THREADS=$THREADS; export EVENTS_FCGI_THREADS; }

results=
for setup in "$@"; do
	unset HTTP_PORT
	EVENTS_TEST_SERVER=$setup
	export EVENTS_TEST_SERVER
	svc_http_start
	# Warm up: every FastCGI process started and connected to Redis.
	wrk -t1 -c"$CONNS" -d2s -s "$here/post-one.lua" "$BASE_URL" >/dev/null 2>&1
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" DEL events >/dev/null
	wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$here/post-one.lua" "$BASE_URL" \
	    >"$SVC_DIR/wrk-$setup.out" 2>&1 || fail "wrk ($setup): $(cat "$SVC_DIR/wrk-$setup.out")"
	rps=$(sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' "$SVC_DIR/wrk-$setup.out")
	p50=$(awk '$1 == "50%" { print $2 }' "$SVC_DIR/wrk-$setup.out")
	p99=$(awk '$1 == "99%" { print $2 }' "$SVC_DIR/wrk-$setup.out")
	codes=$(awk '$1 == "status" { printf "%s%s:%s", sep, $2, $3; sep = " " }' "$SVC_DIR/wrk-$setup.out")
	queued=$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" XLEN events)
	case $codes in
	202:*) case $codes in *" "*) fail "$setup: answers other than 202: $codes" ;; esac ;;
	*) fail "$setup: answers other than 202: $codes" ;;
	esac
	n=${codes#202:}
	# wrk counts the requests still open at the end too; those answered
	# and queued must agree within them.
	[ "$queued" -ge "$n" ] || fail "$setup: $n answered 202 but $queued queued"
	echo "RESULT post_rps_$setup $rps"
	echo "RESULT post_p50_$setup $p50"
	echo "RESULT post_p99_$setup $p99"
	# Memory of the processes that run the programs (RSS, KiB).
	rss=0
	for p in $(svc_http_programs); do
		r=$(awk '/^VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null) && rss=$((rss + ${r:-0}))
	done
	echo "RESULT post_programs_rss_kib_$setup $rss"
	results="$results$setup $rps $p50 $p99 $n
"
	case $setup in
	lighttpd) svc_lighttpd_stop ;;
	*) svc_apache_stop ;;
	esac
done

echo
echo "single-event POST /events, wrk -t1 -c$CONNS -d${DURATION}s, $PROCS FastCGI processes a program"
echo "(event-ingest threads: ${EVENTS_FCGI_THREADS:-the default}, one under mod_fcgid),"
echo "Redis appendfsync ${SVC_REDIS_FSYNC:-always}, $(nproc) CPUs"
printf '%-12s %12s %10s %10s %10s\n' set-up requests/s p50 p99 202s
printf '%s' "$results" | while read -r s r a b n; do
	printf '%-12s %12s %10s %10s %10s\n' "$s" "$r" "$a" "$b" "$n"
done
