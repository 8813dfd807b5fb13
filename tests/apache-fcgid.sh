#!/bin/sh
# The HTTP integration tests, unchanged, through Apache with
# mod_fcgid spawning the FastCGI programs (apache/fcgid.conf).
exec ${SHELL:-/bin/sh} "$(dirname "$0")/apache-run.sh" fcgid
