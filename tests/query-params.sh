#!/bin/sh
# Every bad parameter of GET /events and /events/stats gets a 400 with the
# JSON error shape, through lighttpd; operator-injection attempts are
# plain values or 400s and never widen a query; other methods get 405.
. "$(dirname "$0")/services.sh"
svc_init
svc_store_start
svc_http_start
[ -x "$top_builddir/cgi/event-query" ] || fail "cgi/event-query not built"

T=1770822000000		# 2026-02-11T15:00:00Z, one event a second
"$top_builddir/bench/bench-load" --count 100 --start $T --types click,view ||
    fail "bench-load"

SERVER=${EVENTS_TEST_SERVER:-lighttpd} BASE_URL=$BASE_URL python3 - "$top_srcdir/tests" <<'EOF' || fail "parameter checks"
import base64, os, sys
sys.path.insert(0, sys.argv[1])
from importlib import import_module
h = import_module("query-helpers")
check, get, expect_error = h.check, h.get, h.expect_error


def cursor(raw):
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


bad = [
    # (path, error code)
    ("/events?x=1", "unknown_parameter"),
    ("/events?offset=10", "unknown_parameter"),
    ("/events?skip=10", "unknown_parameter"),
    ("/events?sort=createdAt", "unknown_parameter"),
    ("/events?bucket=hour", "unknown_parameter"),
    ("/events/stats?limit=5", "bad_parameter"),
    ("/events/stats?by=nothing", "bad_parameter"),
    ("/events?by=type", "unknown_parameter"),
    ("/events/stats?format=csv", "unknown_parameter"),
    ("/events/stats?cursor=" + cursor("1:1:a"), "unknown_parameter"),
    ("/events?limit=0", "bad_parameter"),
    ("/events?limit=501", "bad_parameter"),
    ("/events?limit=-1", "bad_parameter"),
    ("/events?limit=1e2", "bad_parameter"),
    ("/events?limit=ten", "bad_parameter"),
    ("/events?limit=", "bad_parameter"),
    ("/events?limit", "bad_parameter"),
    ("/events?limit=5&limit=5", "duplicate_parameter"),
    ("/events?type=click&type=view", "duplicate_parameter"),
    ("/events?type=a%20b", "bad_parameter"),
    ("/events?type=%3Cscript%3E", "bad_parameter"),
    ("/events?type=" + "a" * 65, "bad_parameter"),
    ("/events?type=%C3%A9", "bad_parameter"),
    # lighttpd may re-encode a stray '%' as %25 before the program sees
    # it (its URL normalisation); the value is then a bad type instead.
    ("/events?type=a%", ("bad_encoding", "bad_parameter")),
    ("/events?type=a%zz", ("bad_encoding", "bad_parameter")),
    ("/events?since=yesterday", "bad_parameter"),
    ("/events?since=2026-02-11", "bad_parameter"),
    ("/events?since=1770822000000", "bad_parameter"),
    ("/events?until=2026-13-01T00:00:00Z", "bad_parameter"),
    ("/events?since=2026-02-11T15:00:00Z&until=2026-02-11T14:00:00Z", "bad_parameter"),
    ("/events?format=xml", "bad_parameter"),
    ("/events?format=CSV", "bad_parameter"),
    ("/events?cursor=garbage", "bad_parameter"),
    ("/events?cursor=" + cursor("1:abc:x"), "bad_parameter"),
    ("/events?cursor=" + cursor("2:1:x"), "bad_parameter"),
    ("/events?cursor=" + cursor("1:1:"), "bad_parameter"),
    ("/events?cursor=" + cursor("1:1:" + "x" * 65), "bad_parameter"),
    ("/events?cursor=" + cursor("1:1:a\tb"), "bad_parameter"),
    ("/events?cursor=" + "A" * 129, "bad_parameter"),
    ("/events/stats?bucket=week", "bad_parameter"),
    ("/events/stats?bucket=minute&since=2026-01-01T00:00:00Z&until=2026-02-01T00:00:00Z", "bad_parameter"),
    ("/events?" + "&" * 4097, "query_too_long"),
]
for path, code in bad:
    expect_error(path, 400, code)
# lighttpd itself refuses a %00 in the URL (400, its own page).
st, _, _ = get("/events?type=a%00")
check(st == 400, "%%00: status %d" % st)
# A malformed escape: bad_encoding from the program, but lighttpd hands
# it on re-encoded (%zz as %25zz, the text "%zz"), a type no event has.
for path, other in (("/events?type=%zz", "bad_parameter"), ("/events?ty%zzpe=a", "unknown_parameter"),
                    ("/events?type=a%", "bad_parameter"), ("/events?type=%4", "bad_parameter")):
    expect_error(path, 400, other if os.environ["SERVER"] == "lighttpd" else "bad_encoding")
print("ok - %d bad parameters answered 400 with their codes" % (len(bad) + 1))

# Operator injection: names with brackets or dollars are unknown; values
# that spell operators fail the type, time or number rules.
inject = [
    "/events?type[$ne]=x", "/events?type%5B%24ne%5D=x", "/events?type[$gt]=",
    "/events?type[]=click", "/events?$where=1", "/events?%24where=sleep(1)",
    "/events?createdAt[$gt]=0", "/events?_id[$ne]=1", "/events?filter={}",
    "/events?since[$gt]=2026-01-01T00:00:00Z", "/events?limit[$gt]=0",
    "/events?type=click&type[$ne]=x",
    "/events/stats?type[$ne]=x", "/events/stats?$group=1",
]
for path in inject:
    expect_error(path, 400, "unknown_parameter")
values = [
    "/events?type={\"$ne\":\"x\"}", "/events?type=%7B%22%24ne%22%3A%22x%22%7D",
    "/events?type=$ne", "/events?type=%24gt", "/events?type=.*",
    "/events?since={\"$gt\":0}", "/events?until=%7B%7D", "/events?limit={\"$gt\":0}",
    "/events/stats?bucket={\"$gt\":\"\"}", "/events/stats?type={\"$exists\":true}",
]
for path in values:
    expect_error(path, 400, "bad_parameter")
# A cursor whose id spells an operator is compared as a plain string.
c = cursor('1:%d:{"$gt":""}' % (1770822000000 + 50000))
st, _, body = get("/events?limit=500&cursor=" + c)
check(st == 200, "operator-shaped cursor id: status %d" % st)
got = [e["id"] for e in body["events"]]
# Every stored id ("ev000000NN") sorts below '{', so the events at
# that second count too: 51 of them, not all 100.
check(len(got) == 51 and all(e["createdAt"] <= "2026-02-11T15:00:50.000Z" for e in body["events"]),
      "operator-shaped cursor id: %d events" % len(got))
print("ok - %d operator-injection attempts are 400s or plain values" % (len(inject) + len(values) + 1))

# Methods: /events/stats is the query program's alone; POST /events is
# ingest's, so only GET is checked there.
for m in ("POST", "PUT", "DELETE", "PATCH"):
    hd, _ = expect_error("/events/stats", 405, "method_not_allowed", method=m)
    check(hd.get("allow") == "GET, HEAD", "%s /events/stats: Allow %r" % (m, hd.get("allow")))
st, _, _ = get("/events")
check(st == 200, "GET /events")
print("ok - other methods get 405 with Allow: GET, HEAD")
print("%d checks" % h.checks)
EOF
ok "query parameters"
