#!/bin/sh
# The HTTP integration tests, unchanged, through Apache with
# plain CGI from an .htaccess in the page's folder, the
# prefork MPM (apache/htaccess).
exec ${SHELL:-/bin/sh} "$(dirname "$0")/apache-run.sh" htaccess
