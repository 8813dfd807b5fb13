# tests/protect-lib.sh: what the protection and operations tests
# (tests/protect-*.sh) share, on top of tests/services.sh.  Sourced:
#
#	. "$(dirname "$0")/protect-lib.sh"
#	protect_init store		# Redis, and the store with "store"
#	EVENTS_RATE_LIMIT_IP=5; export EVENTS_RATE_LIMIT_IP
#	http_restart			# lighttpd (again) with the current EVENTS_*
#	post_json '{"type":"x"}' -H 'Origin: https://a.example'
#	expect_error 429 rate_limited "over the limit"
#
# The programs under lighttpd read their settings from EVENTS_<KEY>
# variables, which lighttpd.conf copies from lighttpd's environment
# (bin-copy-environment): a setting changes by exporting the variable and
# restarting lighttpd on the same port.

. "$(dirname "$0")/services.sh"

# protect_init [store]: a fresh $SVC_DIR with Redis (and the store).
protect_init()
{
	svc_init
	CONSUMER=$top_builddir/consumer/event-consumer
	STORE_READ=$top_builddir/tests/store-read
	svc_redis_start
	if [ "${1:-}" = store ]; then
		[ -x "$CONSUMER" ] || fail "$CONSUMER not built"
		[ -x "$STORE_READ" ] || fail "$STORE_READ not built"
		svc_store_start
	fi
	# The consumer's lock, and its log level for the logs shown on failure.
	EVENTS_LOCK_DIR=$SVC_DIR
	export EVENTS_LOCK_DIR
	URL=
}

# http_restart: (re)start lighttpd and the FastCGI programs, which then
# read the EVENTS_* variables exported now.  The same port each time.
http_restart()
{
	svc_lighttpd_stop
	svc_lighttpd_start
	URL=$BASE_URL/events
}

# A folder the FastCGI programs may write (they run as EVENTS_HTTP_USER
# when the tests run as root).
protect_writable_dir()
{
	mkdir -p "$1" || fail "mkdir $1"
	if [ "$(id -u)" = 0 ]; then
		chown "${EVENTS_HTTP_USER:-nobody}" "$1" || fail "chown $1"
	fi
}

rcli()
{
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

# Entries on the stream.
queued()
{
	rcli XLEN events
}

# post_json BODY [CURL-ARGS...]: POST BODY as application/json to /events,
# giving up after 10 s (a hang is a failure, never a wait).
post_json()
{
	_b=$1
	shift
	http_post "$URL" application/json "$_b" --max-time 10 "$@"
}

# req METHOD URL [CURL-ARGS...]: http_request with the same bound.
req()
{
	_rm=$1 _ru=$2
	shift 2
	http_request "$_rm" "$_ru" --max-time 10 "$@"
}

# stream_json: the stream's events, a JSON array of the queued objects.
stream_json()
{
	rcli --json XRANGE events - + | python3 -c 'import json, sys
print(json.dumps([json.loads(e[1][1]) for e in json.load(sys.stdin)]))'
}

# consumer_once: drain the stream into the store (and replay the spool).
consumer_once()
{
	"$CONSUMER" --once >>"$SVC_DIR/log/consumer-once.log" 2>&1 ||
	    fail "event-consumer --once: status $? (log $SVC_DIR/log/consumer-once.log)"
}

stored()
{
	"$STORE_READ" count || fail "store-read count"
}

# expect_header NAME WANT WHAT: the last answer's header NAME is WANT.
expect_header()
{
	expect_eq "$2" "$(http_header "$1")" "$3: header $1"
}

# expect_no_header NAME WHAT
expect_no_header()
{
	[ -z "$(http_header "$1")" ] ||
	    fail "$2: unexpected header $1: $(http_header "$1")"
}

# expect_retry_after MIN MAX WHAT: Retry-After is whole seconds in range;
# kept in RETRY_AFTER.
expect_retry_after()
{
	_ra=$(http_header Retry-After)
	RETRY_AFTER=$_ra
	case $_ra in
	''|*[!0-9]*) fail "$3: Retry-After \"$_ra\" is not a number of seconds" ;;
	esac
	[ "$_ra" -ge "$1" ] && [ "$_ra" -le "$2" ] ||
	    fail "$3: Retry-After $_ra, expected $1 to $2"
}

# metrics [CURL-ARGS...]: GET /metrics into $SVC_DIR/metrics.txt.
metrics()
{
	curl -fsS --max-time 10 -o "$SVC_DIR/metrics.txt" "$@" "$BASE_URL/metrics" ||
	    fail "GET /metrics"
}

# metric SERIES: the value of one series (name and labels exactly as
# printed, e.g. 'events_rejected_total{reason="no_key"}') in the last
# metrics, or 0 when it is absent.
metric()
{
	awk -v s="$1" '$1 == s { v = $2 } END { print v == "" ? 0 : v }' \
	    "$SVC_DIR/metrics.txt"
}

# expect_metric SERIES WANT WHAT
expect_metric()
{
	expect_eq "$2" "$(metric "$1")" "$3: $1"
}

now_ms()
{
	date +%s%3N
}
