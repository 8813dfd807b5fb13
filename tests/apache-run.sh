#!/bin/sh
# tests/apache-run.sh SETUP [TEST...]: the HTTP integration tests (or the
# tests named), unchanged, with
# the web server svc_http_start starts set to an Apache set-up
# (EVENTS_TEST_SERVER=SETUP; see tests/apache.sh).  Run by
# tests/apache-fcgid.sh, apache-proxy-fcgi.sh, apache-cgi.sh and
# apache-htaccess.sh.  Fails if one of them fails; exits 77 (a skip) if
# none failed and one skipped (Apache, a module or a service missing).
here=$(cd "$(dirname "$0")" && pwd)
setup=$1
shift
EVENTS_TEST_SERVER=$setup
export EVENTS_TEST_SERVER
failed= skipped=
tests="http-ingest.sh http-outage.sh query-api.sh query-params.sh http-server.sh http-errors.sh"
# Or those named after the set-up.
[ $# -eq 0 ] || tests=$*
# Several requests at once in one threaded process: where Apache may
# hand a process more than one (not mod_fcgid, not plain CGI); the body
# streamed to the program as the client sends it.
[ "$setup" = proxy_fcgi ] && tests="$tests http-threads.sh http-unread.sh"
for t in $tests; do
	echo "=== tests/$t through Apache ($setup)"
	${SHELL:-/bin/sh} "$here/$t"
	rc=$?
	case $rc in
	0)	;;
	77)	skipped="$skipped $t" ;;
	*)	failed="$failed $t"
		echo "=== tests/$t: exit status $rc" ;;
	esac
done
if [ -n "$failed" ]; then
	echo "FAIL ($setup):$failed" >&2
	exit 1
fi
if [ -n "$skipped" ]; then
	echo "SKIP ($setup):$skipped" >&2
	exit 77
fi
echo "Apache ($setup): all passed"
