#!/bin/sh
# The manual pages pass "mandoc -Tlint -Wwarning" without a message, and
# events.conf(5) documents every key of lib/conf.c and quotes the
# README's figures as the README has them.
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
# A figure events.conf(5) quotes from the README's measurements ("from
# A ms to B ms") is the README's, word for word.
readme=$(tr '\n' ' ' <"$top_srcdir/README.md")
figures=$(sed -n 's/.*\(from [0-9][0-9.-]* ms to [0-9][0-9.-]* ms\).*/\1/p' "$top_srcdir/man/events.conf.5")
bad=
while IFS= read -r f; do
	[ -z "$f" ] && continue
	case $readme in
	*"$f"*) ;;
	*) bad="$bad \"$f\"" ;;
	esac
done <<EOF
$figures
EOF
if [ -n "$bad" ]; then
	echo "FAIL: events.conf(5) quotes figures the README does not have:$bad" >&2
	status=1
else
	echo "ok - events.conf(5) quotes the README's figures"
fi
exit $status
