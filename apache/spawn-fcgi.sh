#!/bin/sh
# apache/spawn-fcgi.sh: start the FastCGI programs for Apache's
# mod_proxy_fcgi (apache/proxy-fcgi.conf) with spawn-fcgi, and keep them
# running.
#
#   spawn-fcgi.sh [-n PROCS] [-u USER] [-U SOCKET_USER] LIBEXEC RUN [PROGRAM...]
#
# Each PROGRAM (default: event-ingest, event-query and event-status, those
# of them that LIBEXEC holds) listens on RUN/PROGRAM.sock, served by PROCS
# processes (default 2; event-status always 1) that share the socket; each
# event-ingest process accepts on it with fcgi_threads threads
# (events.conf), so it answers that many requests at once.
# spawn-fcgi (Debian package spawn-fcgi) makes the socket, gives it to
# SOCKET_USER (the user Apache runs as) with mode 0660, becomes USER, and
# hands the socket over as standard input, the way FastCGI wants it
# (FastCGI specification, section 2.2).  As root, -u and -U are required:
# the programs never run as root.
#
# The script stays in the foreground as the programs' parent: run it from
# systemd (systemd/event-fcgi.service), a terminal or a test.  A program
# that exits is started again a second later; SIGTERM or SIGINT stops
# them all.  The programs read their settings from the environment
# (EVENTS_CONF, EVENTS_*), which they inherit; their log lines and this
# script's go to standard error.
set -u

die()
{
	echo "spawn-fcgi.sh: $*" >&2
	exit 1
}

# serve N PROGRAM: run by spawn-fcgi with the listening socket on standard
# input; N copies of PROGRAM accept on it.
serve()
{
	_n=$1 _prog=$2
	# An asynchronous command's standard input would be /dev/null:
	# keep the socket on fd 3 and give it back as fd 0 to each copy.
	exec 3<&0
	_stop=
	_sleeper=
	trap '_stop=1' TERM INT HUP
	_i=1
	while [ "$_i" -le "$_n" ]; do
		"$_prog" 0<&3 3<&- &
		eval "_pid_$_i=\$!"
		_i=$((_i + 1))
	done
	while [ -z "$_stop" ]; do
		sleep 1 &
		_sleeper=$!
		wait "$_sleeper" 2>/dev/null
		_i=1
		while [ -z "$_stop" ] && [ "$_i" -le "$_n" ]; do
			eval "_p=\$_pid_$_i"
			if ! kill -0 "$_p" 2>/dev/null; then
				wait "$_p" 2>/dev/null
				echo "spawn-fcgi.sh: ${_prog##*/} (pid $_p) exited with status $?; starting it again" >&2
				"$_prog" 0<&3 3<&- &
				eval "_pid_$_i=\$!"
			fi
			_i=$((_i + 1))
		done
	done
	kill "$_sleeper" 2>/dev/null
	_i=1
	while [ "$_i" -le "$_n" ]; do
		eval "_p=\$_pid_$_i"
		kill -TERM "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
		_i=$((_i + 1))
	done
	exit 0
}

if [ "${1:-}" = --serve ]; then
	serve "$2" "$3"
fi

procs=2 user= sockuser=
while getopts n:u:U: opt; do
	case $opt in
	n)	procs=$OPTARG ;;
	u)	user=$OPTARG ;;
	U)	sockuser=$OPTARG ;;
	*)	die "usage: spawn-fcgi.sh [-n PROCS] [-u USER] [-U SOCKET_USER] LIBEXEC RUN [PROGRAM...]" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || die "usage: spawn-fcgi.sh [-n PROCS] [-u USER] [-U SOCKET_USER] LIBEXEC RUN [PROGRAM...]"
libexec=$1 run=$2
shift 2
case $procs in
''|*[!0-9]*|0) die "-n: a number of processes from 1, not \"$procs\"" ;;
esac
command -v spawn-fcgi >/dev/null 2>&1 || die "spawn-fcgi is not installed (Debian package spawn-fcgi)"
if [ "$(id -u)" = 0 ] && { [ -z "$user" ] || [ -z "$sockuser" ]; }; then
	die "as root, name the programs' user (-u) and Apache's (-U)"
fi
[ -d "$run" ] || die "$run: no such folder"
if [ $# -eq 0 ]; then
	for p in event-ingest event-query event-status; do
		[ -x "$libexec/$p" ] && set -- "$@" "$p"
	done
	[ $# -gt 0 ] || die "no event-ingest, event-query or event-status in $libexec"
fi

self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
pids=
stop()
{
	trap - TERM INT HUP
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	exit 0
}
trap stop TERM INT HUP
for prog in "$@"; do
	[ -x "$libexec/$prog" ] || die "$libexec/$prog: not an executable"
	n=$procs
	[ "$prog" = event-status ] && n=1
	# -n: spawn-fcgi does not fork; it becomes "$self --serve", which
	# stays our child.
	spawn-fcgi -n -s "$run/$prog.sock" -M 0660 \
	    ${user:+-u "$user"} ${sockuser:+-U "$sockuser"} \
	    -- /bin/sh "$self" --serve "$n" "$libexec/$prog" &
	pids="$pids $!"
done
echo "spawn-fcgi.sh: $* on $run/*.sock, $procs processes a program (event-status 1)" >&2
# Until a signal: the children run until told to stop.
while :; do
	wait
	# wait returns early on a signal (then stop() exits) or when every
	# child is gone, which only happens when spawn-fcgi failed.
	alive=
	for p in $pids; do
		kill -0 "$p" 2>/dev/null && alive=1
	done
	[ -n "$alive" ] || die "every program exited; see the messages above"
done
