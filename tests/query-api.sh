#!/bin/sh
# GET /events and /events/stats through lighttpd against the real store:
# paging through 1,000 events (ties on createdAt included) returns each
# exactly once, in order; every filter; every format; the statistics.
. "$(dirname "$0")/services.sh"
svc_init
svc_store_start
svc_http_start
[ -x "$top_builddir/cgi/event-query" ] || fail "cgi/event-query not built"
echo "store: $STORE_VERSION"

# 1,000 events from 2026-02-11T15:00:00Z, four to each second, three types;
# and two hand-made ones an hour earlier for the formats.
T=1770822000000
"$top_builddir/bench/bench-load" --count 1000 --same 4 --step 1000 \
    --start $T --types click,pageview,scroll --prefix ev ||
    fail "bench-load"
"$top_builddir/bench/bench-load" --stdin <<'EOF' || fail "bench-load --stdin"
{"_id": "csv-1", "type": "-formula", "metadata": {"note": "a,b \"q\"\r\nline2", "html": "<img src=x onerror=alert(1)>", "n": 1.5, "deep": {"l": [1, true, null]}, "nums": [1.1, 0.1, 100.0, 1e-320, -2.5e300, 1e21, 0.30000000000000004, 5e-324, 123456789012345.6, 5.9604644775390625e-8, -6.1897001964269014e26, 0.0001, 1e16, 1234.5678]}, "createdAt": {"$date": "2026-02-11T14:00:00.000Z"}, "receivedAt": {"$date": "2026-02-11T14:00:00.100Z"}, "clientTs": {"$date": "2026-02-11T13:00:00.000Z"}, "page": {"url": "http://x.test/a,b", "path": "/a", "referrer": "=HYPERLINK(\"http://evil.test\")", "title": "@SUM(1+1)"}, "ua": "test", "ip": "127.0.0.0"}
{"_id": "bare-1", "type": "bare", "createdAt": {"$date": "2026-02-11T14:00:01.000Z"}, "receivedAt": {"$date": "2026-02-11T14:00:01.000Z"}}
EOF

T=$T BASE_URL=$BASE_URL python3 - "$top_srcdir/tests" <<'EOF' || fail "query API checks"
import csv, io, json, os, sys
sys.path.insert(0, sys.argv[1])
from importlib import import_module
h = import_module("query-helpers")
check, get = h.check, h.get
from datetime import datetime, timezone

T = int(os.environ["T"])
TYPES = ["click", "pageview", "scroll"]


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


# The events as the store holds them, newest first.
docs = [{"id": "ev%08d" % i, "type": TYPES[i % 3], "ms": T + (i // 4) * 1000}
        for i in range(1000)]
docs += [{"id": "csv-1", "type": "-formula", "ms": T - 3600000},
         {"id": "bare-1", "type": "bare", "ms": T - 3599000}]
for d in docs:
    d["createdAt"] = iso(d["ms"])
docs.sort(key=lambda d: (d["ms"], d["id"]), reverse=True)


def ids(evs):
    return [e["id"] for e in evs]


def want(pred):
    return [d["id"] for d in docs if pred(d)]


# Paging: every event exactly once, in order, whatever the page size.
for limit in (7, 50, 500):
    evs, sizes = h.page_all("", limit)
    check(ids(evs) == want(lambda d: True),
          "limit=%d: pages do not list every event once in order" % limit)
    check(len(set(ids(evs))) == len(evs), "limit=%d: an id twice" % limit)
    check(all(h.key(a) > h.key(b) for a, b in zip(evs, evs[1:])),
          "limit=%d: not strictly newest first" % limit)
print("ok - paging through %d events with limits 7, 50 and 500" % len(docs))

# limit=1 across ties: the 8 events of two seconds that share createdAt.
q = "since=%s&until=%s" % (iso(T + 10000), iso(T + 12000))
evs, sizes = h.page_all(q, 1)
check(ids(evs) == want(lambda d: T + 10000 <= d["ms"] < T + 12000) and len(evs) == 8,
      "limit=1 through ties: %r" % ids(evs))
print("ok - limit=1 pages through events sharing a createdAt")

# A cursor at or past until (a client may hand back any cursor): until
# still bounds the page, and events at the cursor's own createdAt but at
# or after until stay out.  Below until, the cursor bounds it: createdAt
# equal to the cursor's with a smaller id, then older.
import base64
def cursor(ms, id_):
    return base64.urlsafe_b64encode(("1:%d:%s" % (ms, id_)).encode()).decode().rstrip("=")
u = T + 11000                   # 4 events at u (ids ev00000044..47), 4 before
for c_ms, c_id, what in ((u, "ev00000046", "cursor at until"),
                         (u + 1000, "ev00000050", "cursor past until"),
                         (u - 1000, "ev00000042", "cursor below until")):
    evs, c = [], cursor(c_ms, c_id)
    while c:
        st, _, body = get("/events?limit=3&since=%s&until=%s&cursor=%s" % (iso(T + 10000), iso(u), c))
        check(st == 200, "%s: status %d" % (what, st))
        evs, c = evs + body["events"], body["next"]
    expect = want(lambda d: T + 10000 <= d["ms"] < u and (d["ms"], d["id"]) < (c_ms, c_id))
    check(ids(evs) == expect, "%s: %r, want %r" % (what, ids(evs), expect))
print("ok - a cursor at, past or below until: exactly the events below both")

# Default and bounds of limit.
st, hd, body = get("/events")
check(st == 200 and len(body["events"]) == 50, "default limit is 50")
check(ids(body["events"]) == want(lambda d: True)[:50], "first page is the newest 50")
st, hd, body = get("/events?limit=500")
check(len(body["events"]) == 500, "limit=500")

# The event shape.
st, hd, body = get("/events?limit=1")
ev = body["events"][0]
check(list(ev) == ["id", "type", "metadata", "createdAt", "receivedAt", "clientTs", "page",
                   "ua", "ip"], "event keys %r" % list(ev))
check(h.TIME_RE.match(ev["createdAt"]) and h.TIME_RE.match(ev["receivedAt"]),
      "times: %s %s" % (ev["createdAt"], ev["receivedAt"]))
check(ev["metadata"]["x"] == 999 * 37 % 1280 and ev["metadata"]["i"] == 999, "metadata %r" % ev["metadata"])
check(ev["page"] == {"url": "http://example.test/page/49?q=999", "path": "/page/49",
                     "referrer": "", "title": "Bench page"}, "page %r" % ev["page"])
check("_id" not in ev and ev["clientTs"] is None, "only the API's fields; no clientTs stored")
print("ok - event shape")

# Filters: type, since, until, and all of them at once, each paged.
for t in TYPES + ["bare", "-formula", "nosuchtype"]:
    evs, _ = h.page_all("type=" + t, 100)
    check(ids(evs) == want(lambda d: d["type"] == t), "type=%s" % t)
since, until = T + 100000, T + 200000
evs, _ = h.page_all("since=" + iso(since), 200)
check(ids(evs) == want(lambda d: d["ms"] >= since), "since")
evs, _ = h.page_all("until=" + iso(until), 200)
check(ids(evs) == want(lambda d: d["ms"] < until), "until (exclusive)")
evs, _ = h.page_all("since=%s&until=%s" % (iso(since), iso(until)), 33)
check(ids(evs) == want(lambda d: since <= d["ms"] < until) and len(evs) == 400,
      "since and until: %d" % len(evs))
evs, _ = h.page_all("type=scroll&since=%s&until=%s" % (iso(since), iso(until)), 13)
check(ids(evs) == want(lambda d: d["type"] == "scroll" and since <= d["ms"] < until),
      "type, since and until")
# An offset in since: +01:00 written plainly.
evs, _ = h.page_all("since=2026-02-11T16:04:00%2B01:00&until=2026-02-11T16:04:01+01:00", 50)
check(ids(evs) == want(lambda d: T + 240000 <= d["ms"] < T + 241000), "offsets")
st, hd, body = get("/events?since=2030-01-01T00:00:00Z")
check(st == 200 and body == {"events": [], "next": None}, "nothing matches: %r" % body)
print("ok - filters by type, since, until and together")

# NDJSON: the same events, one JSON object a line, next in a header.
st, hd, raw = get("/events?limit=20&format=ndjson", raw=True)
check(st == 200 and hd["content-type"] == "application/x-ndjson", "ndjson type %s" % hd.get("content-type"))
lines = raw.decode().split("\n")
check(lines[-1] == "" and len(lines) == 21, "ndjson: 20 lines each ending in LF")
nd = [json.loads(l) for l in lines[:-1]]
st, _, js = get("/events?limit=20")
check(nd == js["events"], "ndjson lines equal the JSON events")
check(hd.get("next-cursor") == js["next"], "ndjson Next-Cursor equals JSON next")
st, _, js2 = get("/events?limit=20&cursor=" + hd["next-cursor"])
check(ids(js2["events"]) == want(lambda d: True)[20:40], "cursor from ndjson pages on")
st, hd, raw = get("/events?format=ndjson&since=2030-01-01T00:00:00Z", raw=True)
check(st == 200 and raw == b"" and "next-cursor" not in hd, "empty ndjson")
print("ok - ndjson")

# CSV: RFC 4180, a header, quoting, and no formulas.
st, hd, raw = get("/events?format=csv&until=2026-02-11T15:00:00Z", raw=True)
check(st == 200 and hd["content-type"].startswith("text/csv"), "csv type")
text = raw.decode()
check(text.endswith("\r\n") and "\r\n" in text, "csv records end in CRLF")
rows = list(csv.reader(io.StringIO(text, newline="")))
check(rows[0] == ["id", "type", "createdAt", "receivedAt", "page_url", "page_path",
                  "page_referrer", "page_title", "metadata", "clientTs", "ua", "ip"],
      "csv header %r" % rows[0])
check(len(rows) == 3, "csv: header and 2 rows, got %d" % len(rows))
bare, tricky = rows[1], rows[2]
check(bare == ["bare-1", "bare", "2026-02-11T14:00:01.000Z", "2026-02-11T14:00:01.000Z",
               "", "", "", "", "", "", "", ""], "csv row without page or metadata %r" % bare)
check(tricky[9:] == ["2026-02-11T13:00:00.000Z", "test", "127.0.0.0"],
      "clientTs, ua and ip columns: %r" % tricky[9:])
check(tricky[0] == "csv-1" and tricky[1] == "'-formula", "formula guard on type: %r" % tricky[1])
check(tricky[4] == "http://x.test/a,b", "comma quoted: %r" % tricky[4])
check(tricky[6] == "'=HYPERLINK(\"http://evil.test\")", "formula guard: %r" % tricky[6])
check(tricky[7] == "'@SUM(1+1)", "formula guard: %r" % tricky[7])
meta = json.loads(tricky[8])
check(meta["note"] == "a,b \"q\"\r\nline2" and meta["deep"] == {"l": [1, True, None]} and meta["n"] == 1.5,
      "metadata column %r" % meta)
# Doubles in the fewest digits that read back as the same number.
NUMS = ("[1.1,0.1,100.0,1e-320,-2.5e+300,1e+21,0.30000000000000004,5e-324,123456789012345.6,"
        "5.960464477539063e-08,-6.189700196426902e+26,0.0001,1e+16,1234.5678]")
check('"nums":' + NUMS in tricky[8], "metadata numbers in the CSV: %r" % tricky[8])
st, _, raw = get("/events?until=2026-02-11T14:00:00.001Z&limit=1", raw=True)
check(b'"nums":' + NUMS.encode() in raw, "metadata numbers in the JSON: %r" % raw)
st, hd, raw = get("/events?format=csv&limit=5", raw=True)
rows = list(csv.reader(io.StringIO(raw.decode(), newline="")))
check([r[0] for r in rows[1:]] == want(lambda d: True)[:5] and hd.get("next-cursor"), "csv paging")
print("ok - csv")

# JSON of the hand-made event: values back as they went in.
st, hd, body = get("/events?type=-formula")
ev = body["events"][0]
check(ev["metadata"]["html"] == "<img src=x onerror=alert(1)>", "html kept as a string")
check(ev["ua"] == "test" and ev["ip"] == "127.0.0.0" and ev["clientTs"] == "2026-02-11T13:00:00.000Z",
      "ua, ip and clientTs: %r %r %r" % (ev["ua"], ev["ip"], ev["clientTs"]))
st, hd, body = get("/events?type=bare")
check(all(body["events"][0][k] is None for k in ("metadata", "page", "clientTs", "ua", "ip")),
      "absent fields are null")
print("ok - stored values round trip")

# Statistics: per minute over 10 minutes (240 events a minute, then none).
st, hd, s = get("/events/stats?since=%s&until=%s" % (iso(T), iso(T + 600000)))
check(st == 200, "stats status %d %r" % (st, s))
check(s["bucket"] == "minute" and s["bucketMs"] == 60000 and len(s["buckets"]) == 10, "stats shape")
check(s["method"] in ("group", "cache", "scan"), "stats method %r" % s.get("method"))
for i, b in enumerate(s["buckets"]):
    lo = T + i * 60000
    exp = {}
    for d in docs:
        if lo <= d["ms"] < lo + 60000:
            exp[d["type"]] = exp.get(d["type"], 0) + 1
    check(b["start"] == iso(lo) and b["counts"] == exp, "bucket %d: %r, want %r" % (i, b, exp))
check(s["totals"] == {"click": 334, "pageview": 333, "scroll": 333}, "totals %r" % s["totals"])
check(s["types"] == ["click", "pageview", "scroll"], "types %r" % s["types"])
# An hour around everything, by hour and by day, and for one type.
st, hd, s = get("/events/stats?bucket=hour&since=2026-02-11T13:30:00Z&until=2026-02-11T16:00:00Z")
check([sum(b["counts"].values()) for b in s["buckets"]] == [0, 2, 1000], "hourly %r" % s["buckets"])
check(s["since"] == "2026-02-11T13:00:00.000Z", "since rounded down to the bucket: %s" % s["since"])
st, hd, s = get("/events/stats?bucket=day&type=click&since=2026-02-10T00:00:00Z&until=2026-02-12T00:00:00Z")
check([b["counts"] for b in s["buckets"]] == [{}, {"click": 334}] and s["type"] == "click", "daily click %r" % s["buckets"])
# The default: the last hour by minute, which holds nothing here.
st, hd, s = get("/events/stats")
check(st == 200 and len(s["buckets"]) == 60 and s["totals"] == {}, "default range")
print("ok - stats (%s)" % s["method"])

# Preconditions (RFC 9110 13.1, 13.2.2): no answer carries an entity tag,
# so If-Match with one fails (412) and If-None-Match: * fails (304 to a
# GET or HEAD, no body); their other forms hold.  An answer that would
# not be 2xx stays as it is (13.2.1).
for path in ("/events?limit=1", "/events/stats"):
    for method in ("GET", "HEAD"):
        st, hd, b = get(path, method, raw=True, headers={"If-Match": '"v1"'})
        check(st == 412 and hd["content-type"] == "application/json",
              "%s %s If-Match: %d %r" % (method, path, st, hd))
        if method == "GET":
            check(json.loads(b)["error"]["code"] == "precondition_failed", "412 body %r" % b)
        st, hd, b = get(path, method, raw=True, headers={"If-None-Match": "*"})
        check(st == 304 and b == b"" and hd.get("cache-control") == "no-store",
              "%s %s If-None-Match: *: %d %r %r" % (method, path, st, hd, b[:80]))
        for name, value in (("If-Match", "*"), ("If-None-Match", '"v1", W/"v2"'),
                            ("If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT"),
                            ("If-Unmodified-Since", "Sat, 01 Jan 2000 00:00:00 GMT")):
            st, hd, b = get(path, method, raw=True, headers={name: value})
            check(st == 200, "%s %s %s: %s: %d" % (method, path, name, value, st))
st, hd, b = get("/events?limit=0", headers={"If-Match": '"v1"'})
check(st == 400 and b["error"]["code"] == "bad_parameter", "a 400 stays a 400: %d %r" % (st, b))
print("ok - preconditions: 412 and 304 where they fail, the answer otherwise")

print("%d checks" % h.checks)
EOF
ok "query API"
