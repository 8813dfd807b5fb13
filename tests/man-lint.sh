#!/bin/sh
# The manual pages pass "mandoc -Tlint -Wwarning" without a message, and
# events.conf(5) documents every key of lib/conf.c.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
if ! command -v mandoc >/dev/null 2>&1; then
	if [ "${EVENTS_REQUIRE_SERVICES:-0}" = 1 ]; then
		echo "ERROR: mandoc is not installed (Debian package mandoc)" >&2
		exit 99
	fi
	echo "SKIP: mandoc is not installed (Debian package mandoc)" >&2
	exit 77
fi
status=0
for page in events.conf.5 event-consumer.8 event-ingest.8 event-query.8 event-status.8; do
	out=$(mandoc -Tlint -Wwarning "$top_srcdir/man/$page" 2>&1)
	if [ $? -ne 0 ] || [ -n "$out" ]; then
		printf 'FAIL: man/%s:\n%s\n' "$page" "$out" >&2
		status=1
	else
		echo "ok - man/$page"
	fi
done
keys=$(sed -n 's/^[[:space:]]*[SL](\([a-z_0-9]*\),.*/\1/p' "$top_srcdir/lib/conf.c")
[ -n "$keys" ] || { echo "FAIL: no keys found in lib/conf.c" >&2; exit 1; }
missing=
for k in $keys; do
	grep -q "^\.It Cm $k " "$top_srcdir/man/events.conf.5" || missing="$missing $k"
done
if [ -n "$missing" ]; then
	echo "FAIL: events.conf(5) does not document:$missing" >&2
	status=1
else
	echo "ok - events.conf(5) documents all $(echo $keys | wc -w) keys of lib/conf.c"
fi
exit $status
