#!/bin/sh
# lighttpd.conf: accepted by lighttpd -tt with and without event-query
# and event-status built (their routes appear only with them), refused
# with a variable unset, and passing every configuration key of
# lib/conf.c through to the programs (a key missing there would be
# silently ignored under lighttpd).
. "$(dirname "$0")/services.sh"
svc_init
svc_need lighttpd
conf=$top_srcdir/lighttpd.conf

keys=$(sed -n 's/^[[:space:]]*[SL](\([a-z_0-9]*\),.*/\1/p' "$top_srcdir/lib/conf.c")
[ -n "$keys" ] || fail "no keys found in lib/conf.c (its table changed shape?)"
missing=
for k in $keys; do
	var=EVENTS_$(printf '%s' "$k" | tr '[:lower:]' '[:upper:]')
	grep -q "\"$var\"" "$conf" || missing="$missing $var"
done
[ -z "$missing" ] || fail "lighttpd.conf var.events_env lacks$missing"
ok "every configuration key is passed to the programs"

# The Apache set-ups refuse gzip with lighttpd's pattern, one rule.
python3 - "$conf" "$top_srcdir"/apache/*.conf "$top_srcdir/apache/htaccess" <<'EOF' ||
import re, sys
conf = open(sys.argv[1]).read()
var = dict(re.findall(r'^var\.(\w+) = (.*)$', conf, re.M))
def value(expr):
    # "..." + var.x + "...": the string lighttpd makes of it.
    out = ""
    for part in re.findall(r'"(?:[^"\\]|\\.)*"|var\.\w+', expr):
        out += part[1:-1] if part.startswith('"') else value(var[part[4:]])
    return out
gzip = value(var["refuses_gzip"])
assert gzip.startswith("(?i)"), gzip
gzip = gzip[4:]
seen = 0
for path in sys.argv[2:]:
    for pat in re.findall(r'SetEnvIfNoCase Accept-Encoding "(.*)" no-gzip', open(path).read()):
        seen += 1
        if pat != gzip:
            sys.exit("%s: no-gzip pattern %s is not lighttpd.conf's %s" % (path, pat, gzip))
if seen != 4:
    sys.exit("%d no-gzip patterns in the Apache set-ups, expected 4" % seen)
EOF
    fail "the Apache set-ups' no-gzip pattern differs from lighttpd.conf's"
ok "the Apache set-ups refuse gzip with lighttpd.conf's pattern"

# Empty executables are enough for -tt, which does not spawn them.
mkdir -p "$SVC_DIR/libexec"
: >"$SVC_DIR/libexec/event-ingest"
chmod 755 "$SVC_DIR/libexec/event-ingest"
EVENTS_HTTP_BIND=127.0.0.1 EVENTS_HTTP_PORT=$(svc_free_port)
EVENTS_WWW=$top_srcdir/www EVENTS_LIBEXEC=$SVC_DIR/libexec EVENTS_VAR=$SVC_DIR
EVENTS_HTTP_USER=nobody EVENTS_FCGI_PROCS=2
export EVENTS_HTTP_BIND EVENTS_HTTP_PORT EVENTS_WWW EVENTS_LIBEXEC EVENTS_VAR \
    EVENTS_HTTP_USER EVENTS_FCGI_PROCS

# check WHAT Q S: lighttpd -tt accepts it; event-query is named Q times
# and event-status S times (their definitions, plus the routes to them
# when they exist).
check()
{
	lighttpd -tt -f "$conf" >"$SVC_DIR/log/check.log" 2>&1 ||
	    fail "$1: lighttpd -tt: $(cat "$SVC_DIR/log/check.log")"
	lighttpd -p -f "$conf" >"$SVC_DIR/printed.conf" 2>&1 || fail "$1: lighttpd -p"
	expect_eq "$2" "$(grep -c '"event-query" =>' "$SVC_DIR/printed.conf")" "$1: event-query"
	expect_eq "$3" "$(grep -c '"event-status" =>' "$SVC_DIR/printed.conf")" "$1: event-status"
}
check "event-ingest only" 1 1
ok "accepted with event-ingest only, no routes to the others"
cp "$SVC_DIR/libexec/event-ingest" "$SVC_DIR/libexec/event-query"
cp "$SVC_DIR/libexec/event-ingest" "$SVC_DIR/libexec/event-status"
check "all three programs" 3 2
ok "accepted with all three: GET /events, /events/stats, /health, /metrics routed"

if env -u EVENTS_WWW lighttpd -tt -f "$conf" >"$SVC_DIR/log/check.log" 2>&1; then
	fail "lighttpd accepted the file with EVENTS_WWW unset"
fi
grep -q EVENTS_WWW "$SVC_DIR/log/check.log" || fail "the message does not name EVENTS_WWW"
ok "an unset variable is refused by name"
