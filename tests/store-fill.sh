#!/bin/sh
# The consumer's fill of the counts cache (lib/store_sweep.c), pass by
# pass against the real store, on events loaded straight into it as an
# import does (tests/store-fill.c says what is checked).
. "$(dirname "$0")/services.sh"
svc_init
svc_store_start
[ "$STORE_KIND" != mongodb ] || svc_missing "MongoDB counts with \$group; the cache is for FerretDB"
T0=1767225600000	# 2026-01-01T00:00:00Z, as in tests/store-fill.c
HOUR=3600000
# Hours 1-3: one event a second; hour 5: its first 31 minutes and more.
"$top_builddir/bench/bench-load" --prefix a --count 10800 --start $((T0 + HOUR)) \
    --step 1000 --types click,pageview,scroll >/dev/null || fail "bench-load"
"$top_builddir/bench/bench-load" --prefix b --count 1900 --start $((T0 + 5 * HOUR)) \
    --step 1000 --types click,submit >/dev/null || fail "bench-load"
"$top_builddir/tests/store-fill" || fail "the fill on $STORE_VERSION"
ok "the fill, cut short pass after pass, resumes and ends with the events' counts ($STORE_VERSION)"
