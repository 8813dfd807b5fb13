#!/bin/sh
# The HTTP integration tests, unchanged, through Apache with
# mod_proxy_fcgi to the programs apache/spawn-fcgi.sh runs
# (apache/proxy-fcgi.conf).
exec ${SHELL:-/bin/sh} "$(dirname "$0")/apache-run.sh" proxy_fcgi
