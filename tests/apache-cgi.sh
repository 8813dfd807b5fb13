#!/bin/sh
# The HTTP integration tests, unchanged, through Apache with
# plain CGI from a ScriptAlias (apache/cgi.conf).
exec ${SHELL:-/bin/sh} "$(dirname "$0")/apache-run.sh" cgi
