#!/bin/sh
# Our FerretDB patch (scripts/ferretdb/sqlite-pushdown.patch) answers every
# query the project sends exactly as FerretDB's own evaluation in Go does:
# two instances of the patched binary, one with --test-disable-pushdown
# (the reference: nothing reaches SQLite but "every document"), the same
# adversarial data set of $EVENTS_DIFF_EVENTS (20,000) events in both.
#
#   1. tests/store-diff compare: every shape, byte for byte, through the
#      wire (lists walked page by page at every depth, single pages in the
#      tie group, stats ranges, lookups, retention, writes);
#   2. event-query as plain CGI against each store: the same pages, the
#      same CSV, the same stats, byte for byte.  On a second database of
#      3,000 events from the same generator (the tie group and every odd
#      document included): event-query gives a query 10 s, and the
#      reference, which reads every document for every query, must answer
#      in time on a loaded machine;
#   3. tests/store-diff explain: each shape is an index SEARCH on the
#      patched store, never a SCAN;
#   4. a database made by the stock FerretDB opens in the patched one with
#      its indexes rebuilt and searched, and the other way round.
. "$top_srcdir/tests/services.sh"
svc_init

FB=$(svc_ferretdb_bin)
[ -x "$FB" ] || svc_missing "no FerretDB ($FB): scripts/start builds it (see scripts/lib/deps.sh)"
"$FB" --version 2>/dev/null | grep -q '^version: v.*-events\.' ||
    svc_missing "$FB is not FerretDB with our patch (version: $("$FB" --version 2>/dev/null | sed -n 's/^version: //p'))"
DIFF=$top_builddir/tests/store-diff
N=${EVENTS_DIFF_EVENTS:-20000}

P_PORT=$(svc_free_port)
R_PORT=$(svc_free_port)
svc_ferretdb_spawn store "$FB" "$P_PORT"
svc_ferretdb_spawn storeref "$FB" "$R_PORT" --test-disable-pushdown
P=mongodb://127.0.0.1:$P_PORT/
R=mongodb://127.0.0.1:$R_PORT/

t0=$(date +%s)
"$DIFF" load "$N" "$P" "$R" || fail "loading the data set"
t1=$(date +%s)
"$DIFF" compare "$P" "$R" || fail "the patched store and the reference differ (above)"
t2=$(date +%s)
echo "# loaded in $((t1 - t0)) s, compared in $((t2 - t1)) s"

## event-query as plain CGI (RFC 3875), the same request to each store

OUT=$SVC_DIR/out
EVENTS_MONGO_DB=cgi "$DIFF" load 3000 "$P" "$R" || fail "loading the second database"
# cgi URI PATH QUERY_STRING: event-query's whole response
cgi() {
	env -i PATH="$PATH" EVENTS_MONGO_URI="$1" EVENTS_MONGO_DB=cgi GATEWAY_INTERFACE=CGI/1.1 \
	    REQUEST_METHOD=GET SCRIPT_NAME="$2" QUERY_STRING="$3" \
	    timeout 60 "$top_builddir/cgi/event-query" </dev/null 2>>"$SVC_DIR/log/cgi.err"
}

# same PATH QUERY_STRING: the responses of both stores, byte for byte;
# sets NEXT to the Next-Cursor of the page.
same() {
	cgi "$P" "$1" "$2" >"$OUT.p"
	cgi "$R" "$1" "$2" >"$OUT.r"
	head -1 "$OUT.p" | grep -q '^Status: 200' || fail "$1?$2: $(head -c 300 "$OUT.p")"
	cmp -s "$OUT.p" "$OUT.r" || {
		diff "$OUT.p" "$OUT.r" | head -c 2000 >&2
		fail "$1?$2: the patched store's response differs from the reference's"
	}
	NEXT=$(sed -n 's/^Next-Cursor: \([^\r]*\).*/\1/p' "$OUT.p")
	ok "event-query $1?$2: the same $(wc -c <"$OUT.p") bytes"
}

# pages PATH QUERY_STRING N: the first N pages; the first and the last of
# them compared with the reference, the others walked on the patched store.
pages() {
	_i=1 NEXT=
	same "$1" "$2"
	while [ $_i -lt "$3" ] && [ -n "$NEXT" ]; do
		_i=$((_i + 1))
		if [ $_i = "$3" ]; then
			same "$1" "$2&cursor=$NEXT"
		else
			cgi "$P" "$1" "$2&cursor=$NEXT" >"$OUT.p"
			NEXT=$(sed -n 's/^Next-Cursor: \([^\r]*\).*/\1/p' "$OUT.p")
		fi
	done
}

# the tie group is 700 events at 2023-11-15T18:47:20.007Z
pages /events 'limit=50' 3
pages /events 'type=view&until=2023-11-15T18:47:20.008Z&limit=7' 6
pages /events 'type=click&since=2023-11-14T22:13:20Z&until=2023-11-15T18:47:20.008Z&limit=500' 2
pages /events 'until=2023-11-15T18:47:20.008Z&limit=100&format=csv' 3
same /events/stats 'bucket=hour&since=2023-11-15T08:00:00Z&until=2023-11-15T20:00:00Z'
same /events/stats 'by=type&since=2023-11-14T22:00:00Z&until=2023-11-16T22:00:00Z'
t3=$(date +%s)
echo "# event-query compared in $((t3 - t2)) s"

"$DIFF" explain "$P" || fail "a query the project sends does not search an index"

## a database made by the stock FerretDB, then opened by ours, and back

STOCK=$(svc_ferretdb_stock_bin)
if "$STOCK" --version 2>/dev/null | grep -q '^version: v1\.24\.2$'; then
	svc_kill store
	svc_kill storeref
	U_PORT=$(svc_free_port)
	svc_ferretdb_spawn upgrade "$STOCK" "$U_PORT"
	U=mongodb://127.0.0.1:$U_PORT/
	"$DIFF" load 600 "$U" >"$OUT.load" || fail "loading the stock FerretDB"
	n=$(sed -n 's/^ok - \([0-9]*\) documents.*/\1/p' "$OUT.load")
	svc_kill upgrade
	svc_ferretdb_spawn upgrade "$FB" "$U_PORT"
	"$DIFF" explain "$U" || fail "the stock database's indexes were not rebuilt for our FerretDB"
	expect_eq "$n" "$(EVENTS_MONGO_URI=$U "$top_builddir/tests/store-read" count)" \
	    "documents our FerretDB reads from the stock one's database"
	ok "a database of the stock FerretDB: our FerretDB rebuilds its indexes and searches them"
	svc_kill upgrade
	svc_ferretdb_spawn upgrade "$STOCK" "$U_PORT"
	expect_eq "$n" "$(EVENTS_MONGO_URI=$U "$top_builddir/tests/store-read" count)" \
	    "documents the stock FerretDB reads back from ours"
	ok "the stock FerretDB reads the database ours wrote"
	svc_kill upgrade
else
	echo "# no stock FerretDB 1.24.2 at $STOCK: the upgrade check is skipped"
fi
ok "our FerretDB answers as FerretDB's own evaluation does ($N events)"
