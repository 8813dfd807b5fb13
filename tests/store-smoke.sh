#!/bin/sh
# Start the store as scripts/start does (mongod, else FerretDB on SQLite)
# and round-trip a document through it with libmongoc (tests/store-smoke);
# then stop and restart it on the same port and data and do it again.
. "$(dirname "$0")/services.sh"
svc_init
svc_store_start
echo "store: $STORE_VERSION on port $STORE_PORT"
"$top_builddir/tests/store-smoke" || fail "round trip through $STORE_VERSION"
ok "round trip"
svc_store_stop
svc_store_start
"$top_builddir/tests/store-smoke" || fail "round trip after a restart"
ok "round trip after a restart on the same port and data"
