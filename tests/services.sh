# tests/services.sh: the real services an integration test needs, each on
# a private loopback port with its data in a private folder, stopped by
# PID when the test ends.  Sourced (POSIX sh) by tests/*.sh and by
# scripts/start:
#
#	. "$(dirname "$0")/services.sh"
#	svc_init			# $SVC_DIR, cleanup on exit
#	svc_redis_start			# $REDIS_PORT, EVENTS_REDIS_*
#	svc_lighttpd_start		# $HTTP_PORT, $BASE_URL
#	http_post "$BASE_URL/events" application/json '{"type":"click"}'
#	expect_eq 202 "$HTTP_STATUS" "one event"
#
# Layout of $SVC_DIR: redis/ (AOF), store/ (the store's data), log/ (every
# service's log), run/ (FastCGI sockets).  Exit status 77 marks a skip
# (a service is not installed) unless EVENTS_REQUIRE_SERVICES=1, which
# turns it into a failure (99), as CI wants.

SVC_TIMEOUT=${SVC_TIMEOUT:-20}		# seconds to wait for a service

# FastCGI processes per program (lighttpd's max-procs, mod_fcgid's
# MaxProcesses, spawn-fcgi.sh -n) wherever these scripts start a web
# server: scripts/start, the tests, bench/.  The one place that names
# it; each event-ingest process serves fcgi_threads requests at once
# (lib/conf.c names that default).  Why these: README, "Performance".
# EVENTS_FCGI_PROCS overrides it.
SVC_FCGI_PROCS=2
# Under mod_fcgid (apache/fcgid.conf), which hands a process one request
# at a time: event-ingest's processes, one thread each.
# EVENTS_FCGID_INGEST_PROCS overrides it.
SVC_FCGID_INGEST_PROCS=32

## messages and assertions

fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

ok()
{
	echo "ok - $*"
}

# expect_eq WANT GOT WHAT
expect_eq()
{
	[ "x$1" = "x$2" ] || fail "$3: expected \"$1\", got \"$2\""
}

# A required program or service is missing: skip, or fail under CI.
svc_missing()
{
	if [ "${EVENTS_REQUIRE_SERVICES:-0}" = 1 ]; then
		echo "ERROR: $* (EVENTS_REQUIRE_SERVICES=1)" >&2
		exit 99
	fi
	echo "SKIP: $*" >&2
	exit 77
}

# svc_need BIN...: every program must be on the PATH.
svc_need()
{
	for _b in "$@"; do
		command -v "$_b" >/dev/null 2>&1 && continue
		case $_b in
		redis-server|redis-cli)	_p=redis-server ;;
		lighttpd)	_p=lighttpd ;;
		curl)		_p=curl ;;
		python3)	_p=python3 ;;
		ip)		_p=iproute2 ;;
		*)		_p= ;;
		esac
		svc_missing "$_b is not installed${_p:+ (Debian package $_p)}"
	done
}

## set-up and clean-up

svc_init()
{
	: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
	if [ -z "${top_builddir:-}" ]; then
		top_builddir=$top_srcdir
		[ -f "$top_srcdir/build/Makefile" ] && top_builddir=$top_srcdir/build
	fi
	export top_srcdir top_builddir
	svc_need python3 curl
	_d=$(mktemp -d "${TMPDIR:-/tmp}/events-test.XXXXXX") || fail "mktemp -d"
	SVC_RMDIR=1
	svc_use_dir "$_d"
}

# svc_use_dir DIR: keep the services' data in DIR (kept at exit); set the
# traps.  svc_init uses a fresh temporary folder, scripts/start var/.
svc_use_dir()
{
	SVC_DIR=$1
	SVC_PIDS=
	unset REDIS_PORT STORE_PORT HTTP_PORT BASE_URL
	mkdir -p "$SVC_DIR/log" "$SVC_DIR/run" || fail "cannot create $SVC_DIR"
	# lighttpd started as root becomes EVENTS_HTTP_USER and must still
	# reach run/ (mktemp -d makes a 0700 folder).
	chmod 755 "$SVC_DIR"
	trap svc_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 141' PIPE	# output piped to a reader that quit
}

# Stop everything started here, newest first; on failure show the logs.
# A reader that went away (| head) must not stop the clean-up half way.
svc_cleanup()
{
	_rc=$?
	trap - EXIT INT TERM
	trap '' PIPE
	for _n in $SVC_PIDS; do
		svc_kill "$_n"
	done
	# What they left that still holds the data folder's lock (SVC_LOCK,
	# set by scripts/start; every process it starts inherits it): a
	# FastCGI program lighttpd started again after Ctrl-C had stopped
	# it, just before lighttpd itself stopped, outlives it.
	if [ -n "${SVC_LOCK:-}" ]; then
		for _k in $(svc_holders "$SVC_LOCK"); do
			kill -KILL "$_k" 2>/dev/null || :
		done
	fi
	if [ "$_rc" != 0 ] && [ "$_rc" != 77 ] && [ -n "${SVC_DIR:-}" ]; then
		for _f in "$SVC_DIR"/log/*; do
			[ -s "$_f" ] || continue
			echo "--- last lines of $_f" >&2
			tail -n 30 "$_f" >&2
		done
	fi
	if [ "${SVC_RMDIR:-0}" = 1 ] && [ -n "${SVC_DIR:-}" ]; then
		rm -rf "$SVC_DIR"
	fi
	exit "$_rc"
}

# svc_holders FILE: the PIDs of the processes that hold FILE open, but
# this shell and its children (the subshell that runs this).
svc_holders()
{
	for _h in $(find /proc/[0-9]*/fd -lname "$1" 2>/dev/null |
	    sed -n 's|^/proc/\([0-9]*\)/fd/.*|\1|p' | sort -u); do
		[ "$_h" = "$$" ] || [ ! -d "/proc/$_h" ] && continue
		[ "$(awk '/^PPid:/ { print $2 }' "/proc/$_h/status" 2>/dev/null)" = "$$" ] && continue
		echo "$_h"
	done
}

# svc_spawn NAME LOG CMD...: start CMD in the background; its PID is kept
# as svc_pid_NAME.
svc_spawn()
{
	_name=$1 _log=$2
	shift 2
	"$@" >>"$_log" 2>&1 &
	eval "svc_pid_$_name=\$!"
	case " $SVC_PIDS " in
	*" $_name "*) ;;
	*) SVC_PIDS="$_name $SVC_PIDS" ;;
	esac
}

# svc_pid NAME: the PID of a running service, or nothing.
svc_pid()
{
	eval "printf '%s' \"\${svc_pid_$1:-}\""
}

# svc_descendants PID: the PIDs of its children, theirs, and so on.
svc_descendants()
{
	ps -e -o pid= -o ppid= 2>/dev/null | awk -v top="$1" '
	    { parent[$1] = $2 }
	    END { for (p in parent) { q = p
		while (q in parent && q != top && q > 1) q = parent[q]
		if (q == top && p != top) print p } }'
}

# svc_kill NAME: SIGTERM, then SIGKILL after 10 s; reap it.  lighttpd
# stops the FastCGI programs it spawned (Apache those of mod_fcgid, its
# grandchildren); any they left are killed by PID.
svc_kill()
{
	_pid=$(svc_pid "$1")
	[ -n "$_pid" ] || return 0
	_kids=$(svc_descendants "$_pid")
	# One a test stopped (SIGSTOP, to hang it) takes its TERM once it runs.
	kill -TERM "$_pid" 2>/dev/null || :
	kill -CONT "$_pid" 2>/dev/null || :
	_i=0
	while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -KILL "$_pid" 2>/dev/null || :
	wait "$_pid" 2>/dev/null || :
	for _k in $_kids; do
		kill -KILL "$_k" 2>/dev/null || :
	done
	eval "svc_pid_$1="
	return 0
}

# An unused loopback TCP port (the kernel picks it).
svc_free_port()
{
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# svc_wait NAME WHAT CMD...: until CMD succeeds, for at most SVC_TIMEOUT
# seconds; fail early if the service died.
svc_wait()
{
	_name=$1 _what=$2
	shift 2
	_pid=$(svc_pid "$_name")
	_end=$(( $(date +%s) + SVC_TIMEOUT ))
	until "$@" >/dev/null 2>&1; do
		kill -0 "$_pid" 2>/dev/null || {
			wait "$_pid" 2>/dev/null || :
			eval "svc_pid_$_name="
			fail "$_what exited at start-up (logs in $SVC_DIR/log)"
		}
		[ "$(date +%s)" -lt "$_end" ] ||
		    fail "$_what not ready after ${SVC_TIMEOUT}s (logs in $SVC_DIR/log)"
		sleep 0.1
	done
}

# svc_until SECONDS COMMAND [ARG...]: run COMMAND every 0.1 s until it
# succeeds; status 1 if it has not within SECONDS.  How a test waits
# for the state it needs rather than sleep for a fixed time.
svc_until()
{
	_uend=$(( $(date +%s) + $1 ))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$_uend" ] || return 1
		sleep 0.1
	done
}

# svc_tcp_open PORT: is something accepting on 127.0.0.1:PORT?
svc_tcp_open()
{
	python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1"
}

## Redis

svc_redis_ping()
{
	[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
}

# Again after svc_redis_stop: the same port and data.
svc_redis_start()
{
	svc_need redis-server redis-cli
	: "${REDIS_PORT:=$(svc_free_port)}"
	mkdir -p "$SVC_DIR/redis"
	svc_spawn redis "$SVC_DIR/log/redis.log" redis-server \
	    --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
	    --dir "$SVC_DIR/redis" --appendonly yes --appendfsync "${SVC_REDIS_FSYNC:-always}" \
	    --save "" --daemonize no --logfile ""
	svc_wait redis "redis-server on port $REDIS_PORT" svc_redis_ping
	EVENTS_REDIS_HOST=127.0.0.1
	EVENTS_REDIS_PORT=$REDIS_PORT
	export EVENTS_REDIS_HOST EVENTS_REDIS_PORT
}

svc_redis_stop()
{
	svc_kill redis
}

## the MongoDB-compatible store: mongod, else FerretDB with SQLite

# Where Go installs binaries (scripts/lib/deps.sh builds FerretDB there).
svc_gobin()
{
	_gp=
	for _go in go /usr/local/go/bin/go; do
		_gp=$("$_go" env GOPATH 2>/dev/null) && break
	done
	printf '%s\n' "${_gp:-$HOME/go}/bin"
}

# The FerretDB binary: $FERRETDB, else FerretDB with this tree's patch as
# scripts/lib/deps.sh builds it, named by the patch's hash.
svc_ferretdb_bin()
{
	if [ -n "${FERRETDB:-}" ]; then
		printf '%s\n' "$FERRETDB"
	else
		_h=$(sha256sum "$top_srcdir/scripts/ferretdb/sqlite-pushdown.patch" | cut -c1-12)
		printf '%s\n' "$(svc_gobin)/ferretdb-events-$_h"
	fi
}

# The stock FerretDB 1.24.2 deps.sh builds beside it: $FERRETDB_STOCK,
# else where deps.sh puts it.
svc_ferretdb_stock_bin()
{
	printf '%s\n' "${FERRETDB_STOCK:-$(svc_gobin)/ferretdb}"
}

# svc_ferretdb_spawn NAME BIN PORT [FLAG...]: FerretDB with SQLite as
# service NAME, its data in $SVC_DIR/NAME/ and its state in
# $SVC_DIR/NAME-state/, on 127.0.0.1:PORT; waits until it listens.
svc_ferretdb_spawn()
{
	_n=$1 _b=$2 _p=$3
	shift 3
	mkdir -p "$SVC_DIR/$_n" "$SVC_DIR/$_n-state"
	svc_spawn "$_n" "$SVC_DIR/log/$_n.log" "$_b" \
	    --handler=sqlite --sqlite-url="file:$SVC_DIR/$_n/" \
	    --state-dir="$SVC_DIR/$_n-state" \
	    --listen-addr="127.0.0.1:$_p" --debug-addr=- \
	    --telemetry=disable --log-level=warn "$@"
	svc_wait "$_n" "FerretDB ($_n) on port $_p" svc_tcp_open "$_p"
}

# Sets STORE_PORT, STORE_VERSION, STORE_KIND (what GET /health should
# call it: mongodb, ferretdb-events for our patched FerretDB, whose
# version holds "-events.", or ferretdb); exports EVENTS_MONGO_URI.
# Again after svc_store_stop: the same port and data.
svc_store_start()
{
	svc_need python3
	: "${STORE_PORT:=$(svc_free_port)}"
	mkdir -p "$SVC_DIR/store"
	if command -v mongod >/dev/null 2>&1; then
		STORE_VERSION="mongod $(mongod --version | sed -n 's/^db version //p')"
		STORE_KIND=mongodb
		svc_spawn store "$SVC_DIR/log/store.log" mongod \
		    --bind_ip 127.0.0.1 --port "$STORE_PORT" \
		    --dbpath "$SVC_DIR/store"
	else
		_fb=$(svc_ferretdb_bin)
		[ -x "$_fb" ] || svc_missing "no mongod and no FerretDB ($_fb):" \
		    "scripts/start builds it (see scripts/lib/deps.sh)"
		# A plain go install builds a binary that panics at start
		# (FerretDB issue 2982); scripts/lib/deps.sh builds a good one.
		"$_fb" --version >/dev/null 2>&1 || svc_missing "$_fb does not run;" \
		    "rebuild it with scripts/start (see scripts/lib/deps.sh)"
		STORE_VERSION="FerretDB $("$_fb" --version | sed -n 's/^version: //p') (SQLite)"
		case $STORE_VERSION in
		*-events.*)	STORE_KIND=ferretdb-events ;;
		*)		STORE_KIND=ferretdb ;;
		esac
		mkdir -p "$SVC_DIR/store-state"
		svc_spawn store "$SVC_DIR/log/store.log" "$_fb" \
		    --handler=sqlite --sqlite-url="file:$SVC_DIR/store/" \
		    --state-dir="$SVC_DIR/store-state" \
		    --listen-addr="127.0.0.1:$STORE_PORT" --debug-addr=- \
		    --telemetry=disable --log-level=warn
	fi
	svc_wait store "the store ($STORE_VERSION) on port $STORE_PORT" \
	    svc_tcp_open "$STORE_PORT"
	EVENTS_MONGO_URI="mongodb://127.0.0.1:$STORE_PORT/"
	export EVENTS_MONGO_URI
}

svc_store_stop()
{
	svc_kill store
}

## lighttpd with the FastCGI programs

svc_http_up()
{
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/")" != 000 ]
}

# lighttpd -D -f $top_srcdir/lighttpd.conf; sets HTTP_PORT, BASE_URL.  The
# programs come from $EVENTS_LIBEXEC (default the build's cgi/), the page
# from $EVENTS_WWW (default the build's htdocs/, made by make from www/).
svc_lighttpd_start()
{
	svc_need lighttpd curl
	: "${HTTP_PORT:=$(svc_free_port)}"
	EVENTS_HTTP_BIND=${EVENTS_HTTP_BIND:-127.0.0.1}
	EVENTS_HTTP_PORT=$HTTP_PORT
	EVENTS_WWW=${EVENTS_WWW:-$top_builddir/htdocs}
	EVENTS_LIBEXEC=${EVENTS_LIBEXEC:-$top_builddir/cgi}
	EVENTS_VAR=$SVC_DIR
	EVENTS_FCGI_PROCS=${EVENTS_FCGI_PROCS:-$SVC_FCGI_PROCS}
	BASE_URL=http://127.0.0.1:$HTTP_PORT
	[ -x "$EVENTS_LIBEXEC/event-ingest" ] ||
	    fail "$EVENTS_LIBEXEC/event-ingest not built"
	if [ "$(id -u)" = 0 ]; then
		# lighttpd becomes EVENTS_HTTP_USER before it opens its logs
		# and spawns the programs.  Not told one, it becomes nobody
		# where nobody can reach the programs, the page and the data
		# folder; where it cannot (a tree in root's 0700 home) it
		# stays root, as Redis, the store and the consumer do.
		touch "$SVC_DIR/log/lighttpd-error.log" "$SVC_DIR/log/lighttpd-access.log"
		if [ -z "${EVENTS_HTTP_USER+set}" ]; then
			EVENTS_HTTP_USER=nobody
			svc_server_user_ok nobody || EVENTS_HTTP_USER=
		elif [ -n "$EVENTS_HTTP_USER" ]; then
			svc_server_user_ok "$EVENTS_HTTP_USER" ||
			    fail "user $EVENTS_HTTP_USER cannot reach $EVENTS_LIBEXEC," \
			    "$EVENTS_WWW or $SVC_DIR (a parent folder is private?); move" \
			    "the tree, or leave EVENTS_HTTP_USER unset"
		fi
	else
		: "${EVENTS_HTTP_USER=nobody}"	# ignored: lighttpd stays who it is
	fi
	export EVENTS_HTTP_BIND EVENTS_HTTP_PORT EVENTS_WWW EVENTS_LIBEXEC \
	    EVENTS_VAR EVENTS_HTTP_USER EVENTS_FCGI_PROCS
	lighttpd -tt -f "$top_srcdir/lighttpd.conf" >"$SVC_DIR/log/lighttpd-check.log" 2>&1 || {
		cat "$SVC_DIR/log/lighttpd-check.log" >&2
		fail "lighttpd -tt rejects $top_srcdir/lighttpd.conf"
	}
	svc_spawn lighttpd "$SVC_DIR/log/lighttpd.out" \
	    lighttpd -D -f "$top_srcdir/lighttpd.conf"
	svc_wait lighttpd "lighttpd on port $HTTP_PORT" svc_http_up
}

# svc_server_user_ok USER: (as root) USER exists, is given $SVC_DIR/run
# and lighttpd's logs, and can reach the programs, the page and them.
svc_server_user_ok()
{
	id "$1" >/dev/null 2>&1 || return 1
	chown "$1" "$SVC_DIR/run" "$SVC_DIR/log/lighttpd-error.log" \
	    "$SVC_DIR/log/lighttpd-access.log" || return 1
	setpriv --reuid="$1" --regid="$(id -g "$1")" --clear-groups \
	    sh -c 'test -x "$1" && test -r "$2/." && test -w "$3" && test -w "$4"' sh \
	    "$EVENTS_LIBEXEC/event-ingest" "$EVENTS_WWW" "$SVC_DIR/run" \
	    "$SVC_DIR/log/lighttpd-error.log" 2>/dev/null
}

# svc_write_env FILE: what another shell sources to reach the running
# stack (scripts/start's var/run/env): its URL, Redis and store.
svc_write_env()
{
	cat >"$1" <<ENV
# Written by scripts/start: source it to reach the running stack.
EVENTS_URL=$BASE_URL; export EVENTS_URL
EVENTS_REDIS_HOST=127.0.0.1; export EVENTS_REDIS_HOST
EVENTS_REDIS_PORT=$REDIS_PORT; export EVENTS_REDIS_PORT
EVENTS_MONGO_URI=$EVENTS_MONGO_URI; export EVENTS_MONGO_URI
EVENTS_LOCK_DIR=$SVC_DIR/run; export EVENTS_LOCK_DIR
ENV
}

svc_lighttpd_stop()
{
	svc_kill lighttpd
}

## the web server of the HTTP tests: lighttpd, or an Apache set-up

# svc_http_start: lighttpd, unless EVENTS_TEST_SERVER names one of the
# Apache set-ups of tests/apache.sh (fcgid, proxy_fcgi, cgi, cgid, htaccess).
svc_http_start()
{
	case ${EVENTS_TEST_SERVER:-lighttpd} in
	lighttpd)
		svc_lighttpd_start ;;
	*)
		. "$top_srcdir/tests/apache.sh"
		svc_apache_start "$EVENTS_TEST_SERVER" ;;
	esac
}

# svc_http_stop: the web server svc_http_start started (again after it:
# the same port).
svc_http_stop()
{
	case ${EVENTS_TEST_SERVER:-lighttpd} in
	lighttpd)	svc_lighttpd_stop ;;
	*)		svc_apache_stop ;;
	esac
}

# svc_http_programs: the PIDs of the processes serving the programs, one
# a line: the FastCGI programs (under plain CGI, the server's own).
svc_http_programs()
{
	case ${EVENTS_TEST_SERVER:-lighttpd} in
	lighttpd)	ps -o pid= --ppid "$(svc_pid lighttpd)" ;;
	*)		svc_apache_programs ;;
	esac
}

## HTTP and JSON helpers

# http_post URL CTYPE BODY [CURL-ARGS...]; see http_post_file.
http_post()
{
	printf '%s' "$3" >"$SVC_DIR/http.request"
	_u=$1 _t=$2
	shift 3
	http_post_file "$_u" "$_t" "$SVC_DIR/http.request" "$@"
}

# http_post_file URL CTYPE FILE [CURL-ARGS...]: POST the file's bytes with
# that Content-Type ("" for none).  Sets HTTP_STATUS and HTTP_TIME
# (seconds); the body is in $SVC_DIR/http.body, the headers in
# $SVC_DIR/http.headers.
http_post_file()
{
	_u=$1 _t=$2 _f=$3
	shift 3
	http_request POST "$_u" -H "Content-Type:${_t:+ $_t}" --data-binary "@$_f" "$@"
}

# http_request METHOD URL [CURL-ARGS...]: like http_post_file, any method.
http_request()
{
	_m=$1 _u=$2
	shift 2
	_out=$(curl -sS -X "$_m" -o "$SVC_DIR/http.body" -D "$SVC_DIR/http.headers" \
	    -w '%{http_code} %{time_total}' -H 'Expect:' "$@" "$_u") ||
	    fail "curl -X $_m $_u: no answer"
	HTTP_STATUS=${_out% *}
	HTTP_TIME=${_out#* }
}

# http_header NAME: that header's value in the last answer.
http_header()
{
	tr -d '\r' <"$SVC_DIR/http.headers" |
	    awk -v n="$1" 'BEGIN { n = tolower(n) ":" }
	    tolower(substr($0, 1, length(n))) == n { sub(/^[^:]*:[ \t]*/, ""); print; exit }'
}

# json_get EXPR [FILE]: evaluate a Python expression over the JSON in FILE
# (default the last answer's body) bound to d; strings print bare, other
# values as JSON.  json_get 'd["error"]["code"]'
json_get()
{
	python3 -c 'import json, sys
d = json.load(open(sys.argv[2], "rb"))
v = eval(sys.argv[1], {"d": d})
print(v if isinstance(v, str) else json.dumps(v))' "$1" "${2:-$SVC_DIR/http.body}" ||
	    fail "json_get $1: not JSON, or no such value: $(head -c 300 "${2:-$SVC_DIR/http.body}")"
}

# expect_error STATUS CODE WHAT: the last answer was STATUS with the body
# {"error": {"code": CODE, "message": "..."}}.
expect_error()
{
	expect_eq "$1" "$HTTP_STATUS" "$3: status"
	expect_eq "$2" "$(json_get 'd["error"]["code"]')" "$3: error code"
	_msg=$(json_get 'd["error"]["message"]')
	[ -n "$_msg" ] || fail "$3: empty error message"
	expect_eq 2 "$(json_get 'len(d["error"])')" "$3: error has code and message only"
	expect_eq 1 "$(json_get 'len(d)')" "$3: body has error only"
}

# svc_iso MS: epoch milliseconds as an RFC 3339 date-time with ms, UTC.
svc_iso()
{
	python3 -c 'import sys, datetime
ms = int(sys.argv[1])
print(datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000))' "$1"
}
