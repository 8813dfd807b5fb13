#!/bin/sh
# A long read is held to its time budget as a whole: FerretDB applies
# maxTimeMS to each batch alone, so without this /events/stats over a
# large range ran for minutes instead of answering 503 after 10 s.
# tests/store-budget.c does the reads; here, the store and its data.
. "$(dirname "$0")/services.sh"
svc_init
svc_store_start
"$top_builddir/bench/bench-load" --count 1000 >/dev/null || fail "bench-load"
"$top_builddir/tests/store-budget" || fail "store-budget"
ok "a read past its budget ends STORE_TRANSIENT, the next one has its own ($STORE_VERSION)"
