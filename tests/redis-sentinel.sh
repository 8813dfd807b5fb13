#!/bin/sh
# Redis failover with Sentinel, on loopback: a master with two replicas
# and three Sentinels; lighttpd with the programs, and a consumer, find
# the master through Sentinel (redis_sentinels; redis_host points at
# nothing).  Under load from a client that sends events with ids and
# sends a batch again until it is answered 202:
#   1. the master is killed (SIGKILL); Sentinel promotes a replica, and
#      the ingest, the consumer and event-status find it by themselves;
#   2. a switch-over (SENTINEL FAILOVER): the master steps down while the
#      programs are connected to it.
# Afterwards every event answered 202 is stored exactly once.  With
# redis_min_replicas = 1 a 202 means a replica holds the events too (so
# the promoted replica has them); with no replica left, POST answers 503
# queue_unreplicated with Retry-After.  The Sentinels have a password of
# their own (redis_sentinel_password); one the Sentinels refuse is a 503
# the log explains.
. "$(dirname "$0")/consumer-lib.sh"
. "$(dirname "$0")/redis-lib.sh"
svc_init
CONSUMER=$top_builddir/consumer/event-consumer
STORE_READ=$top_builddir/tests/store-read
svc_need redis-server redis-cli
svc_store_start

SENTINEL_AUTH=sentinel-secret-1
P_A=$(svc_free_port) P_B=$(svc_free_port) P_C=$(svc_free_port)
S_1=$(svc_free_port) S_2=$(svc_free_port) S_3=$(svc_free_port)
redis_node_start redis_a "$P_A"
redis_node_start redis_b "$P_B" --replicaof 127.0.0.1 "$P_A"
redis_node_start redis_c "$P_C" --replicaof 127.0.0.1 "$P_A"
for s in 1 2 3; do
	eval "sentinel_start sentinel_$s \$S_$s 127.0.0.1 $P_A"
done
for s in "$S_1" "$S_2" "$S_3"; do
	sentinel_wait "$s" 2 2
done
ok "a master, two replicas and three Sentinels on loopback"

EVENTS_REDIS_SENTINELS="127.0.0.1:$S_1 127.0.0.1:$S_2,127.0.0.1:$S_3"
EVENTS_REDIS_MASTER_NAME=events
EVENTS_REDIS_SENTINEL_PASSWORD=$SENTINEL_AUTH
EVENTS_REDIS_PORT=$(svc_free_port)	# nothing listens there
EVENTS_REDIS_MIN_REPLICAS=1
EVENTS_REDIS_REPLICA_TIMEOUT_MS=500
EVENTS_BACKOFF_MAX_MS=500
EVENTS_LOCK_DIR=$SVC_DIR
EVENTS_LOG_LEVEL=info
export EVENTS_REDIS_SENTINELS EVENTS_REDIS_MASTER_NAME EVENTS_REDIS_SENTINEL_PASSWORD \
    EVENTS_REDIS_PORT \
    EVENTS_REDIS_MIN_REPLICAS EVENTS_REDIS_REPLICA_TIMEOUT_MS \
    EVENTS_BACKOFF_MAX_MS EVENTS_LOCK_DIR EVENTS_LOG_LEVEL
svc_lighttpd_start
consumer_start c1 --name c1

# The port of the master now, by Sentinel.
master_port()
{
	sentinel_master_port "$S_1"
}

# wait_master_not PORT: until every Sentinel names another master; the
# seconds it took.
wait_master_not()
{
	_t0=$(date +%s.%N)
	_end=$(( $(date +%s) + 60 ))
	for _s in "$S_1" "$S_2" "$S_3"; do
		until _m=$(sentinel_master_port "$_s") && [ -n "$_m" ] && [ "$_m" != "$1" ]; do
			[ "$(date +%s)" -lt "$_end" ] || fail "no failover from port $1 after 60 s"
			sleep 0.1
		done
	done
	python3 -c 'import sys, time; print("%.1f" % (time.time() - float(sys.argv[1])))' "$_t0"
}

load_start "$BASE_URL"
load_wait_more 400 60
ok "events accepted through Sentinel's master"

# 1. The master dies.
t_kill=$(date +%s.%N)
kill -KILL "$(svc_pid redis_a)"
wait "$(svc_pid redis_a)" 2>/dev/null
svc_pid_redis_a=
took=$(wait_master_not "$P_A")
m1=$(master_port)
load_wait_more 400 60
out1=$(load_outage "$t_kill")
ok "master killed: Sentinel promoted port $m1 in ${took} s more; clients saw no 202 for at most $out1 s"

# The old master comes back, as a replica of the new one: two replicas
# again.
redis_node_start redis_a "$P_A"
# (On a loaded machine Sentinel may fail over once more by itself: ask
# it which master to look at each time.)
end=$(( $(date +%s) + 60 ))
until redis-cli -p "$(master_port)" INFO replication | grep -q '^connected_slaves:2'; do
	[ "$(date +%s)" -lt "$end" ] || fail "the old master did not become a replica"
	sleep 0.2
done
load_wait_more 200 60
ok "the old master rejoined as a replica"

# 2. A switch-over while the programs are connected.
t_switch=$(date +%s.%N)
m1=$(master_port)
redis-cli -p "$S_1" $(scli_auth) SENTINEL FAILOVER events >/dev/null || fail "SENTINEL FAILOVER"
took2=$(wait_master_not "$m1")
m2=$(master_port)
load_wait_more 400 60
out2=$(load_outage "$t_switch")
ok "switch-over to port $m2 in $took2 s; clients saw no 202 for at most $out2 s"

load_stop
n202=$(load_accepted)
wait_stored "$n202" 60
"$STORE_READ" ids >"$SVC_DIR/stored-ids" || fail "store-read ids"
dups=$(exactly_once "$LOAD_DIR/ids" "$SVC_DIR/stored-ids")
grep -q "reachable again" "$SVC_DIR/log/consumer-c1.log" ||
    fail "the consumer never logged that it found Redis again"
echo "events sent $(load_sent), 202s $(load_count 202) requests ($n202 events)," \
    "503s $(load_count 503), no answer $(load_count 000), stored $(stored)," \
    "duplicates $dups, failover $out1 s (kill) and $out2 s (switch-over)"
ok "every event answered 202 is stored exactly once across both failovers"

m2=$(master_port)
http_request GET "$BASE_URL/health"
expect_eq true "$(json_get 'd["redis"]')" "/health after the failovers: redis"
ok "event-status follows the master: /health says redis is up"

# No replica left: a 202 can no longer mean "on a replica too".
for n in a b c; do
	eval "_p=\$P_$(echo $n | tr abc ABC)"
	[ "$_p" = "$m2" ] && continue
	kill -KILL "$(svc_pid redis_$n)"
	wait "$(svc_pid redis_$n)" 2>/dev/null
	eval "svc_pid_redis_$n="
done
http_post "$BASE_URL/events" application/json '{"type":"alone","id":"alone-1"}'
expect_error 503 queue_unreplicated "POST with no replica to copy to"
expect_eq 1 "$(http_header Retry-After)" "Retry-After"
ok "no replica acknowledges: 503 queue_unreplicated, Retry-After: 1"

# A Sentinel password the Sentinels refuse: 503, and the log says why.
printf '{"type":"wrongpass"}' >"$SVC_DIR/body"
env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST \
    CONTENT_TYPE=application/json CONTENT_LENGTH="$(wc -c <"$SVC_DIR/body")" \
    REMOTE_ADDR=198.51.100.23 EVENTS_REDIS_SENTINELS="127.0.0.1:$S_1" \
    EVENTS_REDIS_SENTINEL_PASSWORD=wrong EVENTS_REDIS_PORT=1 \
    "$top_builddir/cgi/event-ingest" <"$SVC_DIR/body" >"$SVC_DIR/cgi.out" 2>"$SVC_DIR/cgi.err"
grep -q '^Status: 503' "$SVC_DIR/cgi.out" || fail "wrong Sentinel password: $(cat "$SVC_DIR/cgi.out")"
grep -q "AUTH" "$SVC_DIR/cgi.err" || fail "wrong Sentinel password, log: $(cat "$SVC_DIR/cgi.err")"
ok "a Sentinel password the Sentinels refuse: 503, and the log says AUTH"
