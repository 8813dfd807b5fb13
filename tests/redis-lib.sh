# tests/redis-lib.sh: replicated and clustered Redis for the failover
# tests, on top of tests/services.sh (sourced after it, POSIX sh).  Every
# process is started with svc_spawn, so svc_cleanup stops it by PID.
#
#	redis_node_start NAME PORT [REDIS-ARGS...]	# data in $SVC_DIR/NAME
#	sentinel_start NAME PORT MASTER-HOST MASTER-PORT
#	sentinel_wait PORT REPLICAS SENTINELS
#	load_start URL...; load_stop; load_report
#
# $SENTINEL_AUTH, when set, is the Sentinels' own password (requirepass,
# and sentinel-pass between them).  $RUN_IN prefixes each server and
# redis-cli command (the netns test runs
# them in a network namespace: "ip netns exec NS"); $REDIS_BIND is the
# address they listen on (default 127.0.0.1); $LOAD_RUN_IN prefixes the
# load client.

# redis_node_start NAME PORT [ARGS...]: a redis-server writing every
# write to its AOF before answering (appendfsync always), as the
# harness's does.
redis_node_start()
{
	_rn=$1 _rp=$2
	shift 2
	mkdir -p "$SVC_DIR/$_rn"
	svc_spawn "$_rn" "$SVC_DIR/log/$_rn.log" ${RUN_IN:-} redis-server \
	    --bind "${REDIS_BIND:-127.0.0.1}" --port "$_rp" --protected-mode no \
	    --dir "$SVC_DIR/$_rn" --appendonly yes --appendfsync always \
	    --save "" --daemonize no --logfile "" "$@"
	svc_wait "$_rn" "redis-server $_rn on port $_rp" \
	    ${RUN_IN:-} redis-cli -h "${REDIS_BIND:-127.0.0.1}" -p "$_rp" ping
}

# The redis-cli options that authenticate to a Sentinel, if it wants it.
scli_auth()
{
	[ -z "${SENTINEL_AUTH:-}" ] || printf '%s\n' -a "$SENTINEL_AUTH" --no-auth-warning
}

# sentinel_start NAME PORT MASTER-HOST MASTER-PORT: a Sentinel watching
# the master "events" (quorum 2; down after 1 s without an answer).
sentinel_start()
{
	_sn=$1 _sp=$2
	mkdir -p "$SVC_DIR/$_sn"
	# Sentinel rewrites its file as it learns: one each, writable.
	cat >"$SVC_DIR/$_sn/sentinel.conf" <<CONF
port $_sp
bind ${REDIS_BIND:-127.0.0.1}
protected-mode no
daemonize no
logfile ""
dir $SVC_DIR/$_sn
sentinel monitor events $3 $4 2
sentinel down-after-milliseconds events 1000
sentinel failover-timeout events 10000
sentinel parallel-syncs events 1
CONF
	if [ -n "${SENTINEL_AUTH:-}" ]; then
		printf 'requirepass %s\nsentinel sentinel-pass %s\n' "$SENTINEL_AUTH" \
		    "$SENTINEL_AUTH" >>"$SVC_DIR/$_sn/sentinel.conf"
	fi
	svc_spawn "$_sn" "$SVC_DIR/log/$_sn.log" ${RUN_IN:-} redis-server \
	    "$SVC_DIR/$_sn/sentinel.conf" --sentinel
	svc_wait "$_sn" "sentinel $_sn on port $_sp" \
	    ${RUN_IN:-} redis-cli -h "${REDIS_BIND:-127.0.0.1}" -p "$_sp" $(scli_auth) ping
}

# sentinel_field PORT FIELD [HOST]: a field of SENTINEL MASTER events.
sentinel_field()
{
	${RUN_IN:-} redis-cli -h "${3:-${REDIS_BIND:-127.0.0.1}}" -p "$1" $(scli_auth) \
	    SENTINEL MASTER events 2>/dev/null |
	    awk -v f="$2" 'NR % 2 == 1 && $0 == f { getline; print; exit }'
}

sentinel_sees()
{
	[ "$(sentinel_field "$1" num-slaves "$4")" = "$2" ] &&
	    [ "$(sentinel_field "$1" num-other-sentinels "$4")" = "$3" ]
}

# sentinel_wait PORT REPLICAS SENTINELS [HOST]: until that Sentinel knows
# the replicas and the other Sentinels.
sentinel_wait()
{
	_end=$(( $(date +%s) + 30 ))
	until sentinel_sees "$@"; do
		[ "$(date +%s)" -lt "$_end" ] ||
		    fail "sentinel on port $1 sees $(sentinel_field "$1" num-slaves "${4:-}") replicas and $(sentinel_field "$1" num-other-sentinels "${4:-}") Sentinels after 30 s, expected $2 and $3"
		sleep 0.2
	done
}

# sentinel_master_port PORT [HOST]: the port of the master that Sentinel names.
sentinel_master_port()
{
	${RUN_IN:-} redis-cli -h "${2:-${REDIS_BIND:-127.0.0.1}}" -p "$1" $(scli_auth) \
	    SENTINEL GET-MASTER-ADDR-BY-NAME events 2>/dev/null | sed -n 2p
}

## the load: tests/load-client.py in the background

# load_start URL...: start sending (2 threads, 20 events a batch) to
# these web hosts; $LOAD_DIR holds what it writes.
load_start()
{
	LOAD_DIR=$SVC_DIR/load
	mkdir -p "$LOAD_DIR"
	rm -f "$LOAD_DIR/stop"
	_args=
	for _u in "$@"; do
		_args="$_args --url $_u"
	done
	svc_spawn load "$SVC_DIR/log/load.log" ${LOAD_RUN_IN:-} python3 \
	    "$top_srcdir/tests/load-client.py" --out "$LOAD_DIR" \
	    --stop "$LOAD_DIR/stop" --per "${LOAD_PER:-20}" \
	    --threads "${LOAD_THREADS:-2}" $_args
}

# load_accepted: events answered 202 so far.
load_accepted()
{
	if [ -f "$LOAD_DIR/ids" ]; then
		wc -l <"$LOAD_DIR/ids" | tr -d ' '
	else
		echo 0
	fi
}

# load_wait_more N SECONDS: until N more events than now are accepted.
load_wait_more()
{
	_want=$(( $(load_accepted) + $1 ))
	_end=$(( $(date +%s) + $2 ))
	until [ "$(load_accepted)" -ge "$_want" ]; do
		[ "$(date +%s)" -lt "$_end" ] ||
		    fail "the load got $(load_accepted) events accepted, not $_want, within $2 s"
		kill -0 "$(svc_pid load)" 2>/dev/null || fail "the load client exited"
		sleep 0.2
	done
}

# load_stop: the client finishes the batches it has, and exits.
load_stop()
{
	: >"$LOAD_DIR/stop"
	_pid=$(svc_pid load)
	wait "$_pid"
	_st=$?
	eval "svc_pid_load="
	[ "$_st" = 0 ] || fail "the load client: $(tail -n 3 "$SVC_DIR/log/load.log")"
}

# load_outage SINCE: the longest stretch, in seconds, without a 202
# answer after the epoch time SINCE (how long clients saw the outage).
load_outage()
{
	python3 - "$LOAD_DIR/answers" "$1" <<'PY'
import sys
since = float(sys.argv[2])
t = [float(l.split()[0]) for l in open(sys.argv[1]) if l.split()[1] == "202"]
prev = max([x for x in t if x <= since] or [since])
gap = 0.0
for x in t:
    if x > since:
        gap = max(gap, x - prev)
        prev = x
print("%.1f" % gap)
PY
}

# load_count STATUS: answers with that status ("000": none).
load_count()
{
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["status"].get(sys.argv[2], 0))' \
	    "$LOAD_DIR/summary.json" "$1"
}

load_sent()
{
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["events"])' "$LOAD_DIR/summary.json"
}

# exactly_once IDS STORED: every id of IDS is in STORED once, and STORED
# holds nothing else.  Prints the number of ids stored more than once.
exactly_once()
{
	sort "$1" >"$SVC_DIR/want-ids"
	sort "$2" >"$SVC_DIR/got-ids"
	_d=$(uniq -d "$SVC_DIR/got-ids" | wc -l | tr -d ' ')
	[ "$_d" = 0 ] || fail "$_d ids stored more than once: $(uniq -d "$SVC_DIR/got-ids" | head -n 3)"
	[ -z "$(uniq -d "$SVC_DIR/want-ids")" ] || fail "ids answered 202 twice"
	cmp -s "$SVC_DIR/want-ids" "$SVC_DIR/got-ids" || {
		echo "answered 202, not stored: $(comm -23 "$SVC_DIR/want-ids" "$SVC_DIR/got-ids" | wc -l)" >&2
		comm -23 "$SVC_DIR/want-ids" "$SVC_DIR/got-ids" | head -n 5 >&2
		echo "stored, not answered 202: $(comm -13 "$SVC_DIR/want-ids" "$SVC_DIR/got-ids" | wc -l)" >&2
		comm -13 "$SVC_DIR/want-ids" "$SVC_DIR/got-ids" | head -n 5 >&2
		fail "the store does not hold exactly the events answered 202"
	}
	echo "$_d"
}
