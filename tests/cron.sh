#!/bin/sh
# Cron supervision with the lines of consumer/crontab.example, run as
# cron runs them (/bin/sh -c, a bare environment, settings from the
# --config file alone), each "tick" being one more run of the line:
#   1. the daemon line started twice at once leaves exactly one consumer
#      running; the other says so in one line and exits 0;
#   2. that daemon killed with SIGKILL in the middle of a load is started
#      again by the next tick, and every event answered 202, those posted
#      while no consumer ran included, is stored exactly once;
#   3. the --once line started twice at once: the events are stored once
#      and both exit 0.
. "$(dirname "$0")/consumer-lib.sh"
consumer_services http
EXAMPLE=$top_srcdir/consumer/crontab.example

# The crontab's world: $HOME with the log, and events.conf.
HOMEDIR=$SVC_DIR/home
mkdir -p "$HOMEDIR"
CONF=$SVC_DIR/events.conf
cat >"$CONF" <<EOF
redis_host = 127.0.0.1
redis_port = $REDIS_PORT
mongo_uri = $EVENTS_MONGO_URI
lock_dir = $SVC_DIR
batch_size = 100
claim_idle_ms = 1000
EOF

# cron_line PATTERN: the command of the example's line (commented out or
# not) whose command matches PATTERN, with the installed paths replaced
# by this build's and this test's.
cron_line()
{
	sed -n 's/^#\{0,1\}\* \* \* \* \*[[:space:]]*//p' "$EXAMPLE" | grep -e "$1" | head -n 1 |
	    sed -e "s|/usr/local/sbin/event-consumer|$CONSUMER|" \
		-e "s|/usr/local/etc/events.conf|$CONF|"
}
DAEMON=$(cron_line 'event-consumer --config [^ ]* >>')
ONCE=$(cron_line -- '--once')
case $DAEMON in
"$CONSUMER --config $CONF >>"*) ;;
*) fail "no daemon line in $EXAMPLE: \"$DAEMON\"" ;;
esac
case $ONCE in
"$CONSUMER --config $CONF --once"*) ;;
*) fail "no --once line in $EXAMPLE: \"$ONCE\"" ;;
esac
echo "daemon line: $DAEMON"
echo "drain line:  $ONCE"

# tick NAME LINE: one run of the line, as cron starts it, as service NAME.
tick()
{
	svc_spawn "$1" /dev/null env -i PATH=/usr/bin:/bin HOME="$HOMEDIR" \
	    LOGNAME=events SHELL=/bin/sh /bin/sh -c "$2"
}

# The consumers running with this test's configuration.
running()
{
	ps -e -o pid= -o args= | awk -v bin="$CONSUMER" -v conf="$CONF" \
	    '$2 == bin && index($0, "--config " conf) { print $1 }'
}

# settle NAME...: wait for these ticks to exit; fail if one fails.
settle()
{
	for _t in "$@"; do
		_p=$(svc_pid "$_t")
		[ -n "$_p" ] || continue
		wait "$_p"
		_st=$?
		eval "svc_pid_$_t="
		[ "$_st" = 0 ] || fail "tick $_t exited with status $_st"
	done
}

# wait_running N SECONDS: until N consumers run.
wait_running()
{
	_end=$(( $(date +%s) + $2 ))
	until [ "$(running | grep -c .)" = "$1" ]; do
		[ "$(date +%s)" -lt "$_end" ] ||
		    fail "$(running | grep -c .) consumers running after $2 s, expected $1"
		sleep 0.1
	done
}

LOG=$HOMEDIR/event-consumer.log

## 1. two ticks at once: one daemon

tick t1 "$DAEMON"
tick t2 "$DAEMON"
wait_running 1 10
# Until one of the two ticks has gone: the one that found the lock.
one_tick_gone()
{
	! kill -0 "$(svc_pid t1)" 2>/dev/null || ! kill -0 "$(svc_pid t2)" 2>/dev/null
}
svc_until 10 one_tick_gone || fail "both ticks still run after 10 s: $(running)"
expect_eq 1 "$(running | grep -c .)" "consumers after two ticks at once"
# One of the two ticks has finished: the one that found the lock.
n=0
for t in t1 t2; do
	p=$(svc_pid $t)
	if kill -0 "$p" 2>/dev/null; then
		DAEMON_TICK=$t
	else
		wait "$p" || fail "the tick that found the lock exited with status $?"
		eval "svc_pid_$t="
		n=$((n + 1))
	fi
done
expect_eq 1 "$n" "ticks that went away"
expect_eq 1 "$(grep -c 'another event-consumer named consumer is running' "$LOG")" \
    "lines of the turned-away tick in $LOG"
ok "the daemon line run twice at once leaves one consumer ($(running)); the other exits 0 with one line"

## 2. SIGKILL under load, events posted meanwhile, the next tick

post_load "$SVC_DIR/ids" cron 3000 50 0.01 >"$SVC_DIR/load1.out" &
load=$!
# Kill it with a batch delivered and not acknowledged.
end=$(( $(date +%s) + 30 ))
until [ "$(pending)" -gt 0 ]; do
	[ "$(date +%s)" -lt "$end" ] || fail "no batch in flight within 30 s"
	sleep 0.02
done
victim=$(running)
kill -KILL $victim
settle_pid=$(svc_pid "$DAEMON_TICK")
wait "$settle_pid" 2>/dev/null
eval "svc_pid_$DAEMON_TICK="
in_flight=$(pending)
expect_eq 0 "$(running | grep -c .)" "consumers after SIGKILL"
# Posted while no consumer runs, until the next tick.
post_load "$SVC_DIR/ids" cron-dead 500 50 >"$SVC_DIR/load2.out" ||
    fail "posting while the consumer is dead"
wait $load || fail "the load failed"
read -r _ accepted1 <"$SVC_DIR/load1.out"
read -r _ accepted2 <"$SVC_DIR/load2.out"
expect_eq 3500 "$((accepted1 + accepted2))" "events answered 202"
before=$(stored)

tick t3 "$DAEMON"
wait_running 1 10
[ "$(running)" != "$victim" ] || fail "the killed consumer is still there"
wait_stored 3500 60
same_ids "$SVC_DIR/ids"
drained
ok "killed with $in_flight entries in flight and $((3500 - before)) events not stored; the next tick stored each of the 3500 once"

kill -TERM "$(running)"
settle t3
expect_eq 0 "$(running | grep -c .)" "consumers after SIGTERM"

## 3. the --once line twice at once

post_load "$SVC_DIR/ids" once 1000 100 >/dev/null || fail "posting for --once"
tick t4 "$ONCE"
tick t5 "$ONCE"
settle t4 t5
expect_eq 0 "$(running | grep -c .)" "consumers after the --once ticks"
expect_eq 4500 "$(stored)" "documents after the --once ticks"
same_ids "$SVC_DIR/ids"
drained
# The second tick is turned away unless the first had already drained
# everything and exited by the time it started; either way no two ran.
away=$(( $(grep -c 'another event-consumer named consumer is running' "$LOG") - 1 ))
ok "the --once line run twice at once: 1000 events stored once, both exited 0 ($away turned away by the lock)"
