# scripts/lib/timing.sh: how long scripts/test's steps and tests took.
# POSIX sh, sourced after "set -eu".  timing_step NAME starts a step
# (ending the one before); timing_tests DIR NAME keeps the durations the
# tests of a make check in build tree DIR wrote at the end of their logs
# (tests/timed-driver) since the step began; timing_report prints the slowest tests, each
# step and the total.

timing_file=$(mktemp "${TMPDIR:-/tmp}/events-timing.XXXXXX")
timing_stamp=$timing_file.stamp
timing_t0=$(date +%s)
timing_name=
timing_since=$timing_t0

timing_step()
{
	_now=$(date +%s)
	[ -z "$timing_name" ] ||
	    printf 'step %s %s\n' "$((_now - timing_since))" "$timing_name" >>"$timing_file"
	timing_name=$1
	timing_since=$_now
	touch "$timing_stamp"
}

timing_tests()
{
	# Each test's log ends with automake's "PASS tests/foo.sh (exit
	# status: 0)" and tests/timed-driver's "# duration: N s".
	find "$1" -name '*.log' -newer "$timing_stamp" 2>/dev/null |
	while read -r _log; do
		_secs=$(sed -n 's/^# duration: \([0-9.]*\) s$/\1/p' "$_log" | tail -1)
		[ -n "$_secs" ] || continue
		_t=$(sed -n 's/^[A-Z]* \(.*\) (exit status: [0-9]*)$/\1/p' "$_log" | tail -1)
		printf 'test %s %s (%s)\n' "$_secs" "${_t:-${_log#"$1"/}}" "$2"
	done >>"$timing_file"
}

timing_report()
{
	timing_step ""
	echo "slowest tests:"
	sed -n 's/^test //p' "$timing_file" | sort -rn | head -"${1:-15}" |
	    awk '{ printf "  %8.1f s  %s %s\n", $1, $2, $3 }'
	echo "steps:"
	sed -n 's/^step //p' "$timing_file" |
	    awk '{ s = $1; $1 = ""; printf "  %8d s %s\n", s, $0 }'
	_all=$(($(date +%s) - timing_t0))
	printf 'total: %d s (%d min %d s)\n' "$_all" "$((_all / 60))" "$((_all % 60))"
	rm -f "$timing_file" "$timing_stamp"
}
