#!/bin/sh
# Which store is behind the programs: event-consumer and event-query say
# in their log whether it is MongoDB, our patched FerretDB or a stock
# FerretDB, and GET /health reports it in storeServer, with a warning
# (status still 200) on a stock FerretDB.  Against the store the harness
# starts (our FerretDB, or mongod), then against the stock FerretDB
# scripts/lib/deps.sh builds beside ours; what each must be called
# follows from the binary's own --version (STORE_KIND, tests/services.sh).
. "$(dirname "$0")/consumer-lib.sh"
consumer_services

# check: one store, started; lighttpd started against it.
check()
{
	case $STORE_KIND in
	mongodb)		text="is MongoDB " level=info ;;
	ferretdb-events)	text="is FerretDB with the events patch v" level=info ;;
	ferretdb)		text="is stock FerretDB v" level=warn ;;
	*)			fail "STORE_KIND $STORE_KIND" ;;
	esac
	where="store 127.0.0.1:$STORE_PORT/events.events"
	clog=$SVC_DIR/log/consumer-$STORE_PORT.log

	http_post "$BASE_URL/events" application/json "{\"type\":\"kind\",\"id\":\"k-$STORE_PORT\"}"
	expect_eq 202 "$HTTP_STATUS" "POST"
	"$CONSUMER" --once >"$clog" 2>&1 || fail "event-consumer --once: $?"
	grep -q "event-consumer\[[0-9]*\]: $level: $where $text" "$clog" ||
	    fail "the consumer did not say \"$level: $where $text...\": $(cat "$clog")"
	[ "$(grep -c "$where is" "$clog")" = 1 ] || fail "the consumer said it more than once"
	ok "event-consumer logs \"$level: $where $text...\" ($STORE_VERSION)"

	# event-query: at its first request, once per process.
	for i in 1 2 3; do
		http_request GET "$BASE_URL/events?limit=1"
		expect_eq 200 "$HTTP_STATUS" "GET /events"
	done
	grep -q "event-query\[[0-9]*\]: $level: $where $text" "$SVC_DIR/log/lighttpd.out" ||
	    fail "event-query did not say \"$level: $where $text...\": $(cat "$SVC_DIR/log/lighttpd.out")"
	n=$(grep "event-query\[" "$SVC_DIR/log/lighttpd.out" | grep -c "$where is")
	[ "$n" -ge 1 ] && [ "$n" -le "$EVENTS_FCGI_PROCS" ] ||
	    fail "event-query said it $n times with $EVENTS_FCGI_PROCS processes"
	ok "event-query logs it at its first request, once a process"

	http_request GET "$BASE_URL/health"
	expect_eq 200 "$HTTP_STATUS" "/health: $(cat "$SVC_DIR/http.body")"
	expect_eq "$STORE_KIND" "$(json_get 'd["storeServer"]["kind"]')" "/health storeServer.kind"
	want_version=$(printf '%s\n' "$STORE_VERSION" | sed -n 's/^FerretDB \(v[^ ]*\) .*/\1/p; s/^mongod //p')
	expect_eq "$want_version" "$(json_get 'd["storeServer"]["version"]')" "/health storeServer.version"
	if [ "$STORE_KIND" = ferretdb ]; then
		json_get 'd["warnings"][0]' | grep -q 'stock FerretDB' ||
		    fail "/health has no warning for a stock FerretDB: $(cat "$SVC_DIR/http.body")"
		ok "/health: storeServer $STORE_KIND $want_version, a warning, status 200"
	else
		expect_eq '[]' "$(json_get 'd["warnings"]')" "/health warnings"
		ok "/health: storeServer $STORE_KIND $want_version, no warning"
	fi
}

svc_lighttpd_start
check

[ "$STORE_KIND" != mongodb ] || exit 0
stock=$(svc_ferretdb_stock_bin)
[ -x "$stock" ] && "$stock" --version >/dev/null 2>&1 ||
    svc_missing "no stock FerretDB ($stock; scripts/lib/deps.sh builds it with \"test\")"
svc_lighttpd_stop
svc_store_stop
unset STORE_PORT
rm -rf "$SVC_DIR/store" "$SVC_DIR/store-state"
FERRETDB=$stock
export FERRETDB
svc_store_start
[ "$STORE_KIND" = ferretdb ] || fail "$stock says it is $STORE_VERSION, not a stock FerretDB"
svc_lighttpd_start
check
