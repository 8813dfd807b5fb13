#!/bin/sh
# A database of our FerretDB (scripts/ferretdb/sqlite-pushdown.patch)
# written by a stock FerretDB 1.24.2 in between, then opened by ours
# again: the stock one updates documents without their key columns
# (the typed keys the pushdown searches) and inserts documents without
# them.  Ours must answer as the stock one did: documents whose type and
# createdAt the stock FerretDB changed are found by their new values,
# not their old ones, by a filter, a sort and a count; and its reads
# still search the indexes.
. "$(dirname "$0")/services.sh"
svc_init

FB=$(svc_ferretdb_bin)
[ -x "$FB" ] || svc_missing "no FerretDB ($FB): scripts/start builds it (see scripts/lib/deps.sh)"
"$FB" --version 2>/dev/null | grep -q '^version: v.*-events\.' ||
    svc_missing "$FB is not FerretDB with our patch"
STOCK=$(svc_ferretdb_stock_bin)
"$STOCK" --version 2>/dev/null | grep -q '^version: v1\.24\.2$' ||
    svc_missing "no stock FerretDB 1.24.2 at $STOCK (scripts/test builds it)"
DIFF=$top_builddir/tests/store-diff
READ=$top_builddir/tests/store-read

PORT=$(svc_free_port)
U=mongodb://127.0.0.1:$PORT/
svc_ferretdb_spawn store "$FB" "$PORT"
"$DIFF" load 600 "$U" >/dev/null || fail "loading our FerretDB"
svc_kill store

# The stock FerretDB moves every click to a new type and a later time,
# and inserts one more.
svc_ferretdb_spawn store "$STOCK" "$PORT"
# n: the "n" of the JSON reply on standard input.
n()
{
	python3 -c 'import json, sys; print(json.load(sys.stdin)["n"])'
}
cmd()
{
	EVENTS_MONGO_URI=$U "$READ" command "$1" || fail "command $1"
}
n_click=$(cmd '{"count":"events","query":{"type":"click"}}' | n)
[ "$n_click" -gt 0 ] || fail "no clicks loaded"
cmd '{"update":"events","updates":[{"q":{"type":"click"},"u":{"$set":{"type":"moved","createdAt":{"$date":"2030-01-01T00:00:00Z"}}},"multi":true}]}' >/dev/null
cmd '{"insert":"events","documents":[{"_id":"stock-new","type":"moved","createdAt":{"$date":"2030-01-02T00:00:00Z"}}]}' >/dev/null
Q_TYPE='{"count":"events","query":{"type":"moved"}}'
Q_OLD='{"count":"events","query":{"type":"click"}}'
Q_LATE='{"count":"events","query":{"createdAt":{"$gte":{"$date":"2029-01-01T00:00:00Z"}}}}'
Q_TOP='{"find":"events","filter":{"type":"moved"},"sort":{"createdAt":-1,"_id":-1},"limit":3,"projection":{"_id":1}}'
for q in "$Q_TYPE" "$Q_OLD" "$Q_LATE" "$Q_TOP"; do
	cmd "$q" >>"$SVC_DIR/stock"
done
expect_eq "$((n_click + 1))" "$(sed -n 1p "$SVC_DIR/stock" | n)" "moved documents on the stock FerretDB"
svc_kill store

svc_ferretdb_spawn store "$FB" "$PORT"
for q in "$Q_TYPE" "$Q_OLD" "$Q_LATE" "$Q_TOP"; do
	cmd "$q" >>"$SVC_DIR/ours"
done
diff "$SVC_DIR/stock" "$SVC_DIR/ours" ||
    fail "our FerretDB answers otherwise than the stock one after it wrote (above: stock <, ours >)"
ok "documents the stock FerretDB updated and inserted: found by their new type and createdAt"
"$DIFF" explain "$U" >"$SVC_DIR/explain" 2>&1 || { cat "$SVC_DIR/explain"; fail "reads no longer search the indexes"; }
ok "reads search the indexes"
exit 0
