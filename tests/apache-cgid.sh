#!/bin/sh
# Plain CGI from a ScriptAlias (apache/cgi.conf) under mod_cgid, which
# Debian's "a2enmod cgi" gives under the event MPM: one socket carries
# the body and the answer, so every answer given before the body is read
# (411, 412, 413, 415 and the other refusals) must still arrive whole.
# The tests of POST /events and of the errors, unchanged.
exec ${SHELL:-/bin/sh} "$(dirname "$0")/apache-run.sh" cgid http-ingest.sh http-errors.sh
