#!/bin/sh
# The counts cache's rules (lib/store.h) against the real store, each
# interleaving of a reader and a writer played in order (tests/store-counts).
. "$(dirname "$0")/services.sh"
svc_init
svc_store_start
echo "store: $STORE_VERSION"
"$top_builddir/tests/store-counts" || fail "the counts cache's rules on $STORE_VERSION"
ok "the counts cache's rules hold on $STORE_VERSION"
