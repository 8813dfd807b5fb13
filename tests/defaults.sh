#!/bin/sh
# Defaults are written once.  Every configuration key's default lives in
# lib/conf.c's table alone (tests/conf-defaults prints them); the lines of
# events.conf.example ("The values shown are the defaults") and the
# entries of events.conf(5) ("Pq Li VALUE", "Pq empty") quote them, and
# here are held to them, key by key.  The FastCGI defaults are named
# once: the processes per program in tests/services.sh (SVC_FCGI_PROCS:
# what scripts/start, the tests and bench/ run; SVC_FCGID_INGEST_PROCS,
# event-ingest's under mod_fcgid), event-ingest's threads
# in lib/conf.c (fcgi_threads).  Every place that quotes them for a
# deployment says the same: the README's examples, apache/fcgid.conf's
# header, apache/spawn-fcgi.sh's -n default, the systemd unit,
# events.conf.example and events.conf(5).
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
S=$top_srcdir
failed=0

fail_one()
{
	echo "FAIL: $*" >&2
	failed=1
}

# expect_in FILE FIXED-STRING WHAT
expect_in()
{
	grep -qF -- "$2" "$1" || fail_one "$3: $1 lacks \"$2\""
}

procs=$(sed -n 's/^SVC_FCGI_PROCS=\([0-9][0-9]*\)$/\1/p' "$S/tests/services.sh")
[ -n "$procs" ] || { echo "FAIL: no SVC_FCGI_PROCS=N in tests/services.sh" >&2; exit 1; }
fcgid=$(sed -n 's/^SVC_FCGID_INGEST_PROCS=\([0-9][0-9]*\)$/\1/p' "$S/tests/services.sh")
[ -n "$fcgid" ] || { echo "FAIL: no SVC_FCGID_INGEST_PROCS=N in tests/services.sh" >&2; exit 1; }
defaults=$("$top_builddir/tests/conf-defaults") ||
	{ echo "FAIL: tests/conf-defaults: a built-in default does not apply" >&2; exit 1; }
[ "$(printf '%s\n' "$defaults" | wc -l)" -ge 40 ] ||
	{ echo "FAIL: tests/conf-defaults printed too few keys" >&2; exit 1; }
threads=$(printf '%s\n' "$defaults" | sed -n 's/^fcgi_threads = \([0-9][0-9]*\)$/\1/p')
[ -n "$threads" ] || { echo "FAIL: no fcgi_threads default" >&2; exit 1; }

# Each key: one line "key = default" in events.conf.example, and its
# events.conf(5) entry giving the same default (an empty one as "empty").
nkeys=0
while IFS= read -r line; do
	key=${line%% = *}
	val=${line#* = }
	nkeys=$((nkeys + 1))
	got=$(grep -E "^$key =" "$S/events.conf.example")
	want="$key =${val:+ $val}"
	[ "$got" = "$want" ] ||
		fail_one "events.conf.example: \"$got\" where the default is \"$want\""
	entry=$(grep -E "^\.It Cm $key( |\$)" "$S/man/events.conf.5")
	if [ -z "$val" ]; then
		case $entry in
		".It Cm $key Pq empty"*) ;;
		*) fail_one "events.conf(5): \"$entry\" where the default is empty" ;;
		esac
	else
		case $entry in
		".It Cm $key Pq Li $val" | ".It Cm $key Pq Li $val "*) ;;
		*) fail_one "events.conf(5): \"$entry\" where the default is $val" ;;
		esac
	fi
done <<EOF
$defaults
EOF

expect_in "$S/README.md" "EVENTS_FCGI_PROCS=$procs " "the lighttpd example"
expect_in "$S/README.md" "Define EVENTS_FCGI_PROCS $procs" "the mod_fcgid example"
expect_in "$S/README.md" "\`fcgi_threads\` ($threads)" "the README's threads"
expect_in "$S/apache/fcgid.conf" "Define EVENTS_FCGI_PROCS $procs" "fcgid.conf's header"
expect_in "$S/README.md" "Define EVENTS_FCGID_INGEST_PROCS $fcgid" "the mod_fcgid example"
expect_in "$S/apache/fcgid.conf" "Define EVENTS_FCGID_INGEST_PROCS $fcgid" "fcgid.conf's header"
expect_in "$S/apache/spawn-fcgi.sh" "procs=$procs " "spawn-fcgi.sh's -n default"
expect_in "$S/apache/spawn-fcgi.sh" "(default $procs;" "spawn-fcgi.sh's usage"
expect_in "$S/systemd/event-fcgi.service.in" "spawn-fcgi.sh -n $procs " "the systemd unit"
expect_in "$S/lighttpd.conf" "tests/services.sh" "lighttpd.conf's comment on EVENTS_FCGI_PROCS"
expect_in "$S/events.conf.example" "fcgi_threads = $threads" "events.conf.example"
expect_in "$S/man/events.conf.5" ".It Cm fcgi_threads Pq Li $threads" "events.conf(5)"
[ "$failed" = 0 ] || exit 1
echo "ok - the $nkeys keys' defaults quoted as lib/conf.c has them"
echo "ok - $procs FastCGI processes a program, $threads event-ingest threads and $fcgid under mod_fcgid, quoted alike everywhere"
