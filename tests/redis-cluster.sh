#!/bin/sh
# The sharded queue on a Redis Cluster (lib/cluster.c), on loopback:
# three masters with a replica each, shards = 6, redis_min_replicas = 1,
# lighttpd with the programs and two consumers, under load from a client
# that sends events with ids and sends a batch again until it is answered
# 202.  While it runs:
#   1. shard 0's slot is migrated to another master, key by key (the
#      programs follow ASK during the migration, MOVED after it);
#   2. a master is killed (SIGKILL): the cluster promotes its replica,
#      the programs read the slot map again, and until then POST queues
#      on the shards of the other masters;
#   3. one consumer is killed (SIGKILL): the other claims what it had
#      in flight.
# Afterwards every event answered 202 is stored exactly once.
. "$(dirname "$0")/consumer-lib.sh"
. "$(dirname "$0")/redis-lib.sh"
svc_init
CONSUMER=$top_builddir/consumer/event-consumer
STORE_READ=$top_builddir/tests/store-read
svc_need redis-server redis-cli
svc_store_start

ports=
for n in 1 2 3 4 5 6; do
	p=$(svc_free_port)
	eval "P_$n=$p"
	ports="$ports 127.0.0.1:$p"
	# The bus port is the port + 10000 unless set: a free one too.
	redis_node_start "node_$n" "$p" --cluster-enabled yes \
	    --cluster-port "$(svc_free_port)" \
	    --cluster-config-file "$SVC_DIR/node_$n/nodes.conf" --cluster-node-timeout 2000
done
# shellcheck disable=SC2086
redis-cli --cluster create $ports --cluster-replicas 1 --cluster-yes \
    >"$SVC_DIR/log/cluster-create.log" 2>&1 || fail "redis-cli --cluster create: $(tail -5 "$SVC_DIR/log/cluster-create.log")"

# cluster_ok PORT: that node sees the cluster healthy, all slots served.
cluster_ok()
{
	_i=$(redis-cli -p "$1" CLUSTER INFO 2>/dev/null | tr -d '\r')
	echo "$_i" | grep -q '^cluster_state:ok' &&
	    echo "$_i" | grep -q '^cluster_slots_ok:16384'
}

wait_cluster()
{
	_end=$(( $(date +%s) + 60 ))
	for _p in "$@"; do
		until cluster_ok "$_p"; do
			[ "$(date +%s)" -lt "$_end" ] || fail "the cluster is not ok on port $_p after 60 s"
			sleep 0.2
		done
	done
}
wait_cluster "$P_1" "$P_2" "$P_3" "$P_4" "$P_5" "$P_6"
ok "a Redis Cluster of three masters and three replicas on loopback"

EVENTS_REDIS_CLUSTER=1
EVENTS_REDIS_SERVERS="127.0.0.1:$P_1 127.0.0.1:$P_2"	# seeds: any nodes
EVENTS_REDIS_PORT=$(svc_free_port)	# nothing listens there
EVENTS_SHARDS=6
EVENTS_REDIS_MIN_REPLICAS=1
EVENTS_REDIS_REPLICA_TIMEOUT_MS=500
EVENTS_BACKOFF_MAX_MS=500
EVENTS_CLAIM_IDLE_MS=2000
EVENTS_LOCK_DIR=$SVC_DIR
EVENTS_LOG_LEVEL=info
export EVENTS_REDIS_CLUSTER EVENTS_REDIS_SERVERS EVENTS_REDIS_PORT EVENTS_SHARDS \
    EVENTS_REDIS_MIN_REPLICAS EVENTS_REDIS_REPLICA_TIMEOUT_MS EVENTS_BACKOFF_MAX_MS \
    EVENTS_CLAIM_IDLE_MS EVENTS_LOCK_DIR EVENTS_LOG_LEVEL
svc_lighttpd_start
consumer_start c1 --name c1
consumer_start c2 --name c2

load_start "$BASE_URL"
load_wait_more 400 60

# Which master holds what: node id and port of every master.
masters()
{
	redis-cli -p "$1" CLUSTER NODES | awk '$3 ~ /master/ && $3 !~ /fail/ {
	    split($2, a, "[:@]"); print $1, a[2] }'
}
# The six streams: "events{tag}", each on the master of its slot.
streams=$(for p in $P_1 $P_2 $P_3 $P_4 $P_5 $P_6; do
	redis-cli -p "$p" --scan --pattern 'events{*}' 2>/dev/null
done | grep -x 'events{[0-9]*\.[0-9]*}' | sort -u)
expect_eq 6 "$(echo "$streams" | wc -l | tr -d ' ')" "streams in the cluster ($streams)"
ok "six shards, each a stream in its own slot:$(echo $streams)"

## 1. migrate shard 0's slot to another master

k0=$(echo "$streams" | grep -x 'events{0\.[0-9]*}')
slot=$(redis-cli -p "$P_1" CLUSTER KEYSLOT "$k0")
masters "$P_1" >"$SVC_DIR/masters"
src_port=
for p in $(awk '{ print $2 }' "$SVC_DIR/masters"); do
	[ "$(redis-cli -p "$p" CLUSTER COUNTKEYSINSLOT "$slot")" -gt 0 ] && src_port=$p
done
[ -n "$src_port" ] || fail "no master holds slot $slot"
src_id=$(awk -v p="$src_port" '$2 == p { print $1 }' "$SVC_DIR/masters")
dst_port=$(awk -v p="$src_port" '$2 != p { print $2; exit }' "$SVC_DIR/masters")
dst_id=$(awk -v p="$dst_port" '$2 == p { print $1 }' "$SVC_DIR/masters")
redis-cli -p "$dst_port" CLUSTER SETSLOT "$slot" IMPORTING "$src_id" >/dev/null
redis-cli -p "$src_port" CLUSTER SETSLOT "$slot" MIGRATING "$dst_id" >/dev/null
load_wait_more 100 60
# One key at a time, the load going on between keys: ASK, TRYAGAIN.
while :; do
	key=$(redis-cli -p "$src_port" CLUSTER GETKEYSINSLOT "$slot" 1)
	[ -n "$key" ] || break
	redis-cli -p "$src_port" MIGRATE 127.0.0.1 "$dst_port" "$key" 0 5000 >/dev/null ||
	    fail "MIGRATE $key"
	load_wait_more 20 60
done
# Every key moved, the slot not yet handed over: only ASK reaches them.
asking=$(redis-cli -p "$dst_port" INFO commandstats | tr -d '\r' |
    sed -n 's/^cmdstat_asking:calls=\([0-9]*\),.*/\1/p')
[ "${asking:-0}" -gt 0 ] || fail "no ASKING reached the importing node"
for p in $(awk '{ print $2 }' "$SVC_DIR/masters"); do
	redis-cli -p "$p" CLUSTER SETSLOT "$slot" NODE "$dst_id" >/dev/null
done
# The programs' maps still name the old master: MOVED, then shard 0
# takes events again on the new one.
accepted()
{
	redis-cli -p "$dst_port" HGET "$k0:metrics" accepted
}
a1=$(accepted)
load_wait_more 200 60
end=$(( $(date +%s) + 30 ))
until [ "$(accepted)" -gt "$a1" ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "shard 0 took no event after its slot moved (MOVED not followed?)"
	sleep 0.2
done
moved=$(redis-cli -p "$src_port" INFO errorstats | tr -d '\r' |
    sed -n 's/^errorstat_MOVED:count=\([0-9]*\)$/\1/p')
[ "${moved:-0}" -gt 0 ] || fail "the old master answered no MOVED"
expect_eq 0 "$(redis-cli -p "$src_port" CLUSTER COUNTKEYSINSLOT "$slot")" "keys left in slot $slot on the old master"
ok "shard 0 (slot $slot) migrated from port $src_port to $dst_port under load ($asking ASKING, $moved MOVED)"

## 2. kill a master (not the one shard 0 went to)

victim=$(awk -v p="$dst_port" '$2 != p { print $2; exit }' "$SVC_DIR/masters")
for n in 1 2 3 4 5 6; do
	eval "[ \"\$P_$n\" = $victim ] && vn=$n"
done
t_kill=$(date +%s.%N)
kill -KILL "$(svc_pid "node_$vn")"
wait "$(svc_pid "node_$vn")" 2>/dev/null
eval "svc_pid_node_$vn="
alive=
for n in 1 2 3 4 5 6; do
	[ "$n" = "$vn" ] || eval "alive=\"\$alive \$P_$n\""
done
# shellcheck disable=SC2086
wait_cluster $alive
took=$(python3 -c 'import sys, time; print("%.1f" % (time.time() - float(sys.argv[1])))' "$t_kill")
load_wait_more 400 60
out=$(load_outage "$t_kill")
ok "master on port $victim killed: the cluster promoted its replica in $took s; clients saw no 202 for at most $out s"

## 3. kill a consumer

kill -KILL "$(svc_pid c1)"
wait "$(svc_pid c1)" 2>/dev/null
svc_pid_c1=
load_wait_more 400 60
load_stop
n202=$(load_accepted)
wait_stored "$n202" 120
"$STORE_READ" ids >"$SVC_DIR/stored-ids" || fail "store-read ids"
dups=$(exactly_once "$LOAD_DIR/ids" "$SVC_DIR/stored-ids")
echo "events sent $(load_sent), 202s $(load_count 202) requests ($n202 events)," \
    "503s $(load_count 503), no answer $(load_count 000), stored $(stored)," \
    "duplicates $dups, failover $out s"
ok "every event answered 202 is stored exactly once (slot migration, master killed, consumer killed)"
