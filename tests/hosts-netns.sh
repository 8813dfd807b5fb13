#!/bin/sh
# Several hosts on one machine, in network namespaces: each host a
# namespace with one veth link to a bridge in a "switch" namespace, on a
# subnet the test assigns (10.214.0.0/24); nothing reaches the machine's
# own network, and nothing leaves it.
#
#	client   .61  tests/load-client.py: events with ids, a batch sent
#	              again (to the other web host) until answered 202
#	web1/2   .11 .12  lighttpd + event-ingest, event-query, event-status
#	redis1-3 .21-.23  a master and two replicas (appendfsync always)
#	sent1-3  .31-.33  three Sentinels (quorum 2, down after 1 s)
#	cons1/2  .41 .42  event-consumer, one each
#	store    .51  FerretDB (or mongod)
#
# The programs find the master through Sentinel with redis_min_replicas =
# 1, so a 202 means a replica holds the events too (with asynchronous
# replication alone, a failover may lose acknowledged events: see
# tests/redis-sentinel.sh and README "Scaling out").  Under load the test
# kills the Redis master, cuts web2's link, and kills the consumer host
# cons1; afterwards every event answered 202 is stored exactly once.  It
# prints events sent, 202s, 503s, stored, duplicates and the failover
# time.
#
# Needs root and the right to make network namespaces: exit 77 without
# them (a container may not give them); ip(8) missing (iproute2, which
# scripts/test installs) is a skip too, or a failure under
# EVENTS_REQUIRE_SERVICES=1.  Everything it made (processes, namespaces,
# links) goes when it ends, however it ends.
. "$(dirname "$0")/consumer-lib.sh"
. "$(dirname "$0")/redis-lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (ip netns)" >&2; exit 77; }
svc_need ip redis-server redis-cli lighttpd
svc_init
CONSUMER=$top_builddir/consumer/event-consumer
STORE_READ=$top_builddir/tests/store-read
[ -x "$CONSUMER" ] || fail "$CONSUMER not built"
[ -x "$STORE_READ" ] || fail "$STORE_READ not built"

NET=10.214.0
NS=ev$$			# namespaces ev<pid>-<host>: unique per run
HOSTS="sw client web1 web2 redis1 redis2 redis3 sent1 sent2 sent3 cons1 cons2 store"
ip_of()
{
	case $1 in
	client) echo $NET.61 ;; web1) echo $NET.11 ;; web2) echo $NET.12 ;;
	redis1) echo $NET.21 ;; redis2) echo $NET.22 ;; redis3) echo $NET.23 ;;
	sent1) echo $NET.31 ;; sent2) echo $NET.32 ;; sent3) echo $NET.33 ;;
	cons1) echo $NET.41 ;; cons2) echo $NET.42 ;; store) echo $NET.51 ;;
	esac
}

# on HOST CMD...: run CMD in that host's namespace.
on()
{
	_h=$1
	shift
	ip netns exec "$NS-$_h" "$@"
}

# Processes first (svc_cleanup stops them by PID, and shows the logs on
# failure), then the namespaces, which take their links and the bridge.
hosts_exit()
{
	_hrc=$?
	# A signal now would leave namespaces behind: finish first.
	trap '' INT TERM PIPE
	trap - EXIT
	for _n in $SVC_PIDS; do
		svc_kill "$_n"
	done
	SVC_PIDS=
	for _h in $HOSTS; do
		ip netns del "$NS-$_h" 2>/dev/null
	done
	(exit "$_hrc")
	svc_cleanup
}
trap hosts_exit EXIT

# What a run killed by SIGKILL left: namespaces of this test whose
# process is gone and that hold no process.
for n in $(ip netns list 2>/dev/null | sed -n 's/^\(ev[0-9][0-9]*-[a-z0-9]*\).*/\1/p'); do
	p=${n%%-*}
	p=${p#ev}
	case " $HOSTS " in *" ${n#*-} "*) ;; *) continue ;; esac
	kill -0 "$p" 2>/dev/null && continue
	[ -z "$(ip netns pids "$n" 2>/dev/null)" ] && ip netns del "$n" 2>/dev/null
done
ip netns add "$NS-sw" 2>"$SVC_DIR/netns.err" || {
	echo "SKIP: ip netns add: $(cat "$SVC_DIR/netns.err")" >&2
	exit 77
}
on sw ip link set lo up
on sw ip link add br0 type bridge || fail "no bridge in the switch namespace"
on sw ip link set br0 up
for h in $HOSTS; do
	[ "$h" = sw ] && continue
	ip netns add "$NS-$h" || fail "ip netns add $NS-$h"
	ip -n "$NS-sw" link add "$h" type veth peer name eth0 netns "$NS-$h" ||
	    fail "veth for $h"
	ip -n "$NS-sw" link set "$h" master br0 up
	on "$h" ip link set lo up
	on "$h" ip addr add "$(ip_of "$h")/24" dev eth0
	on "$h" ip link set eth0 up
done
ok "13 namespaces on a bridge: $HOSTS"

## Redis: a master, two replicas, three Sentinels

for h in redis1 redis2 redis3; do
	RUN_IN="ip netns exec $NS-$h" REDIS_BIND=$(ip_of "$h")
	if [ "$h" = redis1 ]; then
		redis_node_start "$h" 6379
	else
		redis_node_start "$h" 6379 --replicaof "$(ip_of redis1)" 6379
	fi
done
for h in sent1 sent2 sent3; do
	RUN_IN="ip netns exec $NS-$h" REDIS_BIND=$(ip_of "$h")
	sentinel_start "$h" 26379 "$(ip_of redis1)" 6379
done
for h in sent1 sent2 sent3; do
	RUN_IN="ip netns exec $NS-$h" REDIS_BIND=$(ip_of "$h")
	sentinel_wait 26379 2 2
done
RUN_IN= REDIS_BIND=
ok "redis1 master, redis2 and redis3 replicas, three Sentinels agree"

## the store

mkdir -p "$SVC_DIR/store"
if command -v mongod >/dev/null 2>&1; then
	svc_spawn store "$SVC_DIR/log/store.log" ip netns exec "$NS-store" mongod \
	    --bind_ip "$(ip_of store)" --port 27017 --dbpath "$SVC_DIR/store"
else
	fb=$(svc_ferretdb_bin)
	"$fb" --version >/dev/null 2>&1 || svc_missing "no mongod and no FerretDB ($fb)"
	mkdir -p "$SVC_DIR/store-state"
	svc_spawn store "$SVC_DIR/log/store.log" ip netns exec "$NS-store" "$fb" \
	    --handler=sqlite --sqlite-url="file:$SVC_DIR/store/" \
	    --state-dir="$SVC_DIR/store-state" --listen-addr="$(ip_of store):27017" \
	    --debug-addr=- --telemetry=disable --log-level=warn
fi
store_open()
{
	on client python3 -c 'import socket, sys
socket.create_connection((sys.argv[1], 27017), 1).close()' "$(ip_of store)"
}
svc_wait store "the store on $(ip_of store)" store_open
EVENTS_MONGO_URI="mongodb://$(ip_of store):27017/"

## what every program is told

EVENTS_REDIS_SENTINELS="$(ip_of sent1) $(ip_of sent2) $(ip_of sent3)"
EVENTS_REDIS_MASTER_NAME=events
EVENTS_REDIS_HOST=$NET.99		# no such host: the master comes from Sentinel
EVENTS_REDIS_MIN_REPLICAS=1
EVENTS_REDIS_REPLICA_TIMEOUT_MS=500
EVENTS_BACKOFF_MAX_MS=500
EVENTS_CLAIM_IDLE_MS=3000
EVENTS_LOG_LEVEL=info
export EVENTS_MONGO_URI EVENTS_REDIS_SENTINELS EVENTS_REDIS_MASTER_NAME \
    EVENTS_REDIS_HOST EVENTS_REDIS_MIN_REPLICAS EVENTS_REDIS_REPLICA_TIMEOUT_MS \
    EVENTS_BACKOFF_MAX_MS EVENTS_CLAIM_IDLE_MS EVENTS_LOG_LEVEL

## two web hosts: lighttpd.conf as it is, each with its own folder for
## logs and FastCGI sockets

# lighttpd becomes web_user (nobody unless EVENTS_HTTP_USER says) where
# that user can run the programs and read the page; in a tree it cannot
# reach (a clone in root's 0700 home) it stays root, as in services.sh.
web_user=${EVENTS_HTTP_USER-nobody}
if [ -n "$web_user" ] && ! setpriv --reuid="$web_user" --regid="$(id -g "$web_user")" \
    --clear-groups sh -c 'test -x "$1" && test -r "$2/."' sh \
    "$top_builddir/cgi/event-ingest" "$top_srcdir/www" 2>/dev/null; then
	web_user=
fi
for h in web1 web2; do
	d=$SVC_DIR/$h
	mkdir -p "$d/log" "$d/run"
	chmod 755 "$d"
	touch "$d/log/lighttpd-error.log" "$d/log/lighttpd-access.log"
	[ -z "$web_user" ] || chown "$web_user" "$d/run" "$d/log/lighttpd-error.log" \
	    "$d/log/lighttpd-access.log" || fail "chown for $h"
	svc_spawn "$h" "$SVC_DIR/log/$h.out" env EVENTS_HTTP_BIND="$(ip_of "$h")" \
	    EVENTS_HTTP_PORT=8080 EVENTS_WWW="$top_srcdir/www" \
	    EVENTS_LIBEXEC="$top_builddir/cgi" EVENTS_VAR="$d" \
	    EVENTS_HTTP_USER="$web_user" EVENTS_FCGI_PROCS=2 \
	    ip netns exec "$NS-$h" lighttpd -D -f "$top_srcdir/lighttpd.conf"
done
for h in web1 web2; do
	eval "web_up_$h() { [ \"\$(on client curl -s -o /dev/null -w '%{http_code}' http://$(ip_of "$h"):8080/health)\" != 000 ]; }"
	svc_wait "$h" "lighttpd on $h" "web_up_$h"
done
ok "web1 and web2 serve the programs"

## two consumer hosts

for h in cons1 cons2; do
	mkdir -p "$SVC_DIR/$h"
	svc_spawn "$h" "$SVC_DIR/log/consumer-$h.log" env EVENTS_LOCK_DIR="$SVC_DIR/$h" \
	    ip netns exec "$NS-$h" "$CONSUMER" --name "$h"
done

stored_in()
{
	on client env EVENTS_MONGO_URI="$EVENTS_MONGO_URI" "$STORE_READ" "$@"
}

# master_addr: the master's address, by Sentinel 1.
master_addr()
{
	on sent1 redis-cli -h "$(ip_of sent1)" -p 26379 \
	    SENTINEL GET-MASTER-ADDR-BY-NAME events 2>/dev/null | sed -n 1p
}

## the load, then the faults

LOAD_RUN_IN="ip netns exec $NS-client"
load_start "http://$(ip_of web1):8080" "http://$(ip_of web2):8080"
load_wait_more 400 60
ok "events accepted through both web hosts"

# 1. The master dies.
t_kill=$(date +%s.%N)
kill -KILL "$(svc_pid redis1)"
wait "$(svc_pid redis1)" 2>/dev/null
svc_pid_redis1=
end=$(( $(date +%s) + 60 ))
until m=$(master_addr) && [ -n "$m" ] && [ "$m" != "$(ip_of redis1)" ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "no failover after 60 s"
	sleep 0.1
done
promoted=$(python3 -c 'import sys, time; print("%.1f" % (time.time() - float(sys.argv[1])))' "$t_kill")
load_wait_more 400 60
failover=$(load_outage "$t_kill")
ok "redis1 killed: Sentinel promoted $m after $promoted s; clients saw no 202 for $failover s"

# 2. web2's link is cut: its clients go to web1.
ip -n "$NS-sw" link set web2 down
t_cut=$(date +%s.%N)
load_wait_more 400 60
cut=$(load_outage "$t_cut")
ok "web2's link cut: clients saw no 202 for $cut s, then went on through web1"

# 3. A consumer host dies: the other takes over what it had in flight.
kill -KILL "$(svc_pid cons1)"
wait "$(svc_pid cons1)" 2>/dev/null
svc_pid_cons1=
load_wait_more 400 60
ip -n "$NS-sw" link set web2 up
load_wait_more 200 60
ok "cons1 killed; web2's link back"

load_stop
n202=$(load_accepted)
end=$(( $(date +%s) + 120 ))
until [ "$(stored_in count)" = "$n202" ]; do
	[ "$(date +%s)" -lt "$end" ] ||
	    fail "the store holds $(stored_in count) events after 120 s, expected $n202"
	sleep 0.5
done
stored_in ids >"$SVC_DIR/stored-ids" || fail "store-read ids"
dups=$(exactly_once "$LOAD_DIR/ids" "$SVC_DIR/stored-ids")
grep -q "claimed" "$SVC_DIR/log/consumer-cons2.log" ||
    echo "note: cons1 had nothing in flight when it died (nothing to claim)"
echo "events sent $(load_sent), 202s $(load_count 202) requests ($n202 events)," \
    "503s $(load_count 503), no answer $(load_count 000), stored $(stored_in count)," \
    "duplicates $dups, failover ${failover} s (Sentinel promoted after ${promoted} s)"
ok "every event answered 202 is stored exactly once"
