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
# event-ingest as tests/services.sh runs it in each set-up: lighttpd and
# spawn-fcgi.sh its FastCGI processes (PROCS overrides them) of
# fcgi_threads threads each (THREADS overrides them); mod_fcgid, which
# hands a process one request at a time, that many one-thread processes
# (FCGID_PROCS overrides them); plain CGI a process a request.  Any
# answer but 202 fails the run.  Prints "RESULT post_rps_SETUP N" lines
# (for bench/run) and a table.  Environment also: DURATION (10), CONNS
# (32); SVC_REDIS_FSYNC as tests/services.sh takes it (always,
# everysec).
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
FCGID_PROCS=${FCGID_PROCS:-$SVC_FCGID_INGEST_PROCS}
EVENTS_FCGID_INGEST_PROCS=$FCGID_PROCS
EVENTS_LOG_LEVEL=warn
export EVENTS_FCGI_PROCS EVENTS_FCGID_INGEST_PROCS EVENTS_LOG_LEVEL
[ -z "${THREADS:-}" ] || { EVENTS_FCGI_THREADS=$THREADS; export EVENTS_FCGI_THREADS; }

# The event-ingest processes serving now (none under plain CGI but the
# requests' own, gone once answered).
ingest_procs()
{
	_n=0
	for _p in $(svc_http_programs); do
		[ "$(cat "/proc/$_p/comm" 2>/dev/null)" = event-ingest ] && _n=$((_n + 1))
	done
	echo "$_n"
}

# cpu_ticks PID...: their CPU time so far, user and system, with that of
# the children they reaped (plain CGI's programs), in clock ticks.
cpu_ticks()
{
	for _p in "$@"; do
		cat "/proc/$_p/stat" 2>/dev/null
	done | awk '{ sub(/^.*\) /, ""); t += $12 + $13 + $14 + $15 } END { print t + 0 }'
}

# The web server's own processes (not the programs').
server_pids()
{
	case $setup in
	lighttpd) svc_pid lighttpd; echo ;;
	*)	svc_pid apache; echo
		for _p in $(svc_descendants "$(svc_pid apache)"); do
			case $(cat "/proc/$_p/comm" 2>/dev/null) in
			event-*) ;;
			*) echo "$_p" ;;
			esac
		done ;;
	esac
}

# ms_per TICKS REQUESTS: CPU milliseconds a request.
ms_per()
{
	awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" \
	    'BEGIN { if (n > 0) printf "%.2f", t * 1000 / hz / n; else print "-" }'
}

fcgid_want=$CONNS
[ "$FCGID_PROCS" -lt "$fcgid_want" ] && fcgid_want=$FCGID_PROCS
results=
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for setup in "$@"; do
	unset HTTP_PORT
	EVENTS_TEST_SERVER=$setup
	export EVENTS_TEST_SERVER
	svc_http_start
	# Warm up: every FastCGI process started and connected to Redis.
	# mod_fcgid starts one only for a request that found every process
	# busy, waited a second and found them busy again, and past ten
	# about one a second (its spawn score): more clients than processes,
	# until it has one for each client (a minute at most).
	rounds=0
	while :; do
		c=$CONNS
		[ "$setup" = fcgid ] && c=$((CONNS + 8))
		wrk -t1 -c"$c" -d2s -s "$here/post-one.lua" "$BASE_URL" >/dev/null 2>&1
		[ "$setup" = fcgid ] && [ "$(ingest_procs)" -lt "$fcgid_want" ] &&
		    [ "$rounds" -lt 30 ] || break
		rounds=$((rounds + 1))
	done
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" DEL events >/dev/null
	load=$(cut -d' ' -f1 /proc/loadavg)
	# CPU time of the server, the programs (under plain CGI, in the
	# server's, which reaps them) and Redis, over the measure.
	spids=$(server_pids) ppids=
	[ "$setup" = cgi ] || ppids=$(svc_http_programs)
	s0=$(cpu_ticks $spids) p0=$(cpu_ticks $ppids) r0=$(cpu_ticks "$(svc_pid redis)")
	wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$here/post-one.lua" "$BASE_URL" \
	    >"$SVC_DIR/wrk-$setup.out" 2>&1 || fail "wrk ($setup): $(cat "$SVC_DIR/wrk-$setup.out")"
	s1=$(cpu_ticks $spids) p1=$(cpu_ticks $ppids) r1=$(cpu_ticks "$(svc_pid redis)")
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
	# Memory of the processes that run the programs (RSS, and PSS:
	# shared pages split among the processes sharing them; KiB).
	rss=0 pss=0
	for p in $(svc_http_programs); do
		r=$(awk '/^VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null) && rss=$((rss + ${r:-0}))
		r=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null) && pss=$((pss + ${r:-0}))
	done
	echo "RESULT post_programs_rss_kib_$setup $rss"
	echo "RESULT post_programs_pss_kib_$setup $pss"
	procs=$(ingest_procs)
	echo "RESULT post_ingest_procs_$setup $procs"
	echo "RESULT post_load_$setup $load"
	cs=$(ms_per $((s1 - s0)) "$n") cp=$(ms_per $((p1 - p0)) "$n") cr=$(ms_per $((r1 - r0)) "$n")
	[ "$setup" = cgi ] && cp=-
	echo "RESULT post_cpu_ms_server_$setup $cs"
	echo "RESULT post_cpu_ms_programs_$setup $cp"
	echo "RESULT post_cpu_ms_redis_$setup $cr"
	results="$results$setup $rps $p50 $p99 $n $procs $load $cs $cp $cr
"
	case $setup in
	lighttpd) svc_lighttpd_stop ;;
	*) svc_apache_stop ;;
	esac
done

echo
echo "single-event POST /events, wrk -t1 -c$CONNS -d${DURATION}s, Redis appendfsync"
echo "${SVC_REDIS_FSYNC:-always}, $(nproc) CPUs; event-ingest: $PROCS processes of"
echo "${EVENTS_FCGI_THREADS:-fcgi_threads (default)} threads (lighttpd, proxy_fcgi), up to $FCGID_PROCS"
echo "of one thread (fcgid), a process a request (cgi); load average
$load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after (load: its 1-minute figure as each began).
CPU ms a request: the web server's, the programs' (cgi: in the server's), Redis's."
printf '%-11s %10s %9s %9s %7s %5s %5s %6s %6s %6s\n' set-up requests/s p50 p99 202s procs load server progs redis
printf '%s' "$results" | while read -r s r a b n c l x y z; do
	printf '%-11s %10s %9s %9s %7s %5s %5s %6s %6s %6s\n' "$s" "$r" "$a" "$b" "$n" "$c" "$l" "$x" "$y" "$z"
done
