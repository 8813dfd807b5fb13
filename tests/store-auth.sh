#!/bin/sh
# A wrong password for the store is a configuration error, and says so at
# start-up: event-consumer exits non-zero within seconds with a message
# naming the store (not the password), instead of retrying it as an
# outage; event-query logs it and answers 503 with Retry-After, as for a
# store it cannot reach.  Against FerretDB with authentication (see
# tests/connections.sh); skipped where there is no FerretDB.
. "$(dirname "$0")/services.sh"
svc_init
svc_redis_start
CONSUMER=$top_builddir/consumer/event-consumer
[ -x "$CONSUMER" ] || fail "$CONSUMER not built"
FB=$(svc_ferretdb_bin)
[ -x "$FB" ] && "$FB" --version >/dev/null 2>&1 ||
    svc_missing "no FerretDB ($FB) to run a store with authentication"

STORE_PORT=$(svc_free_port)
mkdir -p "$SVC_DIR/store" "$SVC_DIR/store-state"
svc_spawn store "$SVC_DIR/log/store.log" "$FB" \
    --handler=sqlite --sqlite-url="file:$SVC_DIR/store/" \
    --state-dir="$SVC_DIR/store-state" \
    --listen-addr="127.0.0.1:$STORE_PORT" --debug-addr=- \
    --telemetry=disable --log-level=warn \
    --test-enable-new-auth --setup-database=events \
    --setup-username=evstore --setup-password=store-secret-3
svc_wait store "FerretDB with authentication on $STORE_PORT" svc_tcp_open "$STORE_PORT"
GOOD="mongodb://evstore:store-secret-3@127.0.0.1:$STORE_PORT/?authSource=events"
BAD="mongodb://evstore:not-the-secret@127.0.0.1:$STORE_PORT/?authSource=events"
end=$(( $(date +%s) + SVC_TIMEOUT ))
until EVENTS_MONGO_URI=$GOOD "$top_builddir/tests/store-read" count >/dev/null 2>&1; do
	[ "$(date +%s)" -lt "$end" ] || fail "the store's user never worked"
	sleep 0.2
done

# The daemon, as cron or systemd starts it: no --once, no --max-seconds.
t0=$(date +%s)
env -i PATH="$PATH" EVENTS_LOCK_DIR="$SVC_DIR" EVENTS_REDIS_PORT="$REDIS_PORT" \
    EVENTS_MONGO_URI="$BAD" timeout 15 "$CONSUMER" >"$SVC_DIR/consumer.err" 2>&1
status=$?
took=$(( $(date +%s) - t0 ))
cat "$SVC_DIR/consumer.err"
[ "$status" != 124 ] || fail "the consumer was still running after 15 s with a wrong password"
[ "$status" != 0 ] || fail "the consumer exited 0 with a wrong password"
[ "$took" -le 10 ] || fail "the consumer took $took s to give up"
grep -q "127.0.0.1:$STORE_PORT" "$SVC_DIR/consumer.err" || fail "the message does not name the store"
! grep -q not-the-secret "$SVC_DIR/consumer.err" || fail "the password is in the message"
ok "event-consumer exits $status after $took s with a wrong store password, naming the store"

env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SCRIPT_NAME=/events \
    QUERY_STRING=limit=5 EVENTS_MONGO_URI="$BAD" \
    timeout 30 "$top_builddir/cgi/event-query" </dev/null >"$SVC_DIR/query.out" 2>"$SVC_DIR/query.err"
cat "$SVC_DIR/query.out" "$SVC_DIR/query.err"
expect_eq 503 "$(sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$SVC_DIR/query.out" | tr -d '\r')" \
    "event-query with a wrong store password"
grep -q '^Retry-After:' "$SVC_DIR/query.out" || fail "503 without Retry-After"
grep -q 'Authentication failed' "$SVC_DIR/query.err" || fail "event-query logged no reason"
ok "event-query answers 503 with a wrong store password and logs why"
