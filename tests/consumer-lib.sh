# tests/consumer-lib.sh: what the consumer tests share, on top of
# tests/services.sh.  Sourced (POSIX sh) by tests/consumer-*.sh:
#
#	. "$(dirname "$0")/consumer-lib.sh"
#	consumer_services http		# redis, store (and lighttpd with "http")
#	post_load ids.txt load 1000 250	# 1000 events over HTTP, 250 a request
#	consumer_start c1 --name c1	# a daemon, its log in log/consumer-c1.log
#	wait_stored 1000 30
#
# Every consumer runs with its lock in $SVC_DIR and is stopped by PID
# when the test ends (svc_cleanup).

. "$(dirname "$0")/services.sh"

# consumer_services [http]: Redis and the store; lighttpd with "http".
consumer_services()
{
	svc_init
	CONSUMER=$top_builddir/consumer/event-consumer
	STORE_READ=$top_builddir/tests/store-read
	[ -x "$CONSUMER" ] || fail "$CONSUMER not built"
	[ -x "$STORE_READ" ] || fail "$STORE_READ not built"
	svc_redis_start
	svc_store_start
	[ "${1:-}" = http ] && svc_lighttpd_start
	EVENTS_LOCK_DIR=$SVC_DIR
	EVENTS_LOG_LEVEL=${EVENTS_LOG_LEVEL:-info}
	export EVENTS_LOCK_DIR EVENTS_LOG_LEVEL
	echo "store: $STORE_VERSION"
}

rcli()
{
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

# Entries on the stream, and entries delivered but not acknowledged.
stream_len()
{
	rcli XLEN events
}

pending()
{
	_p=$(rcli XPENDING events store 2>/dev/null | head -n 1)
	printf '%s\n' "${_p:-0}"
}

stored()
{
	"$STORE_READ" count || fail "store-read count"
}

# consumer_start NAME [ARGS...]: a consumer in the background, as
# svc_pid NAME; its output in $SVC_DIR/log/consumer-NAME.log.
consumer_start()
{
	_cn=$1
	shift
	svc_spawn "$_cn" "$SVC_DIR/log/consumer-$_cn.log" "$CONSUMER" "$@"
}

# consumer_stop NAME: SIGTERM, and its exit status in CONSUMER_STATUS.
consumer_stop()
{
	_pid=$(svc_pid "$1")
	[ -n "$_pid" ] || fail "consumer $1 is not running"
	kill -TERM "$_pid"
	wait "$_pid"
	CONSUMER_STATUS=$?
	eval "svc_pid_$1="
}

# wait_stored N SECONDS: until the store holds N documents.
wait_stored()
{
	_end=$(( $(date +%s) + $2 ))
	until [ "$(stored)" = "$1" ]; do
		[ "$(date +%s)" -lt "$_end" ] ||
		    fail "the store holds $(stored) documents after $2 s, expected $1"
		sleep 0.2
	done
}

# post_load FILE PREFIX N PER [PAUSE]: POST N events ("id": PREFIX-i)
# over HTTP as NDJSON, PER a request, PAUSE seconds between requests;
# append the ids answered 202 to FILE.  Prints "requests accepted".
post_load()
{
	python3 - "$BASE_URL/events" "$@" <<'EOF' || fail "post_load $*"
import http.client, json, sys, time, urllib.parse
url, out, prefix, n, per = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
pause = float(sys.argv[6]) if len(sys.argv) > 6 else 0
u = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
reqs = accepted = 0
with open(out, "a") as f:
    for start in range(0, n, per):
        body = "".join(json.dumps({"type": "load", "id": "%s-%d" % (prefix, i),
                                   "metadata": {"n": i, "tag": prefix}}) + "\n"
                       for i in range(start, min(n, start + per)))
        conn.request("POST", u.path, body, {"Content-Type": "application/x-ndjson"})
        r = conn.getresponse()
        data = r.read()
        reqs += 1
        if r.status == 202:
            ids = json.loads(data)["ids"]
            accepted += len(ids)
            f.write("".join(i + "\n" for i in ids))
            f.flush()
        if pause:
            time.sleep(pause)
print(reqs, accepted)
EOF
}

# same_ids FILE: the store holds exactly the ids in FILE, each once.
same_ids()
{
	"$STORE_READ" ids >"$SVC_DIR/stored-ids" || fail "store-read ids"
	sort "$1" >"$SVC_DIR/want-ids"
	sort "$SVC_DIR/stored-ids" >"$SVC_DIR/got-ids"
	_dups=$(uniq -d "$SVC_DIR/got-ids" | head -n 3)
	[ -z "$_dups" ] || fail "ids stored twice: $_dups"
	_dups=$(uniq -d "$SVC_DIR/want-ids" | head -n 3)
	[ -z "$_dups" ] || fail "ids answered 202 twice: $_dups"
	cmp -s "$SVC_DIR/want-ids" "$SVC_DIR/got-ids" || {
		echo "answered 202, not stored:" >&2
		comm -23 "$SVC_DIR/want-ids" "$SVC_DIR/got-ids" | head -n 5 >&2
		echo "stored, not answered 202:" >&2
		comm -13 "$SVC_DIR/want-ids" "$SVC_DIR/got-ids" | head -n 5 >&2
		fail "the store does not hold exactly the events answered 202"
	}
}

# drained: nothing left on the stream, nothing pending.
drained()
{
	expect_eq 0 "$(stream_len)" "entries left on the stream"
	expect_eq 0 "$(pending)" "entries pending in the group"
}
