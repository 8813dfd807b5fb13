#!/bin/sh
# GET /events/stats?by=: the top values of type, page.path, page.referrer
# and a metadata key over a range, against the real store through the
# web server (svc_http_start): every count checked against the events
# loaded, the order, limit and "other", the filters, a missing field as
# null, values of every JSON kind, and the refusals.
. "$(dirname "$0")/services.sh"
svc_init
svc_store_start
svc_http_start
[ -x "$top_builddir/bench/bench-load" ] || fail "bench/bench-load not built"
echo "store: $STORE_VERSION"

# 600 events over 10 minutes from T, written so that every count is
# known: see docs() below, which the checks recompute.
T=1770822000000
python3 - "$T" >"$SVC_DIR/events.json" <<'EOF'
import json, sys
T = int(sys.argv[1])
for i in range(600):
    ms = T + i * 1000
    d = {"_id": "b%04d" % i, "type": ["click", "pageview", "signup"][i % 3 if i % 10 else 0],
         "createdAt": {"$date": ms}, "receivedAt": {"$date": ms}}
    if i % 7:
        d["page"] = {"url": "https://shop.test/p%d" % (i % 5), "path": "/p%d" % (i % 5),
                     "referrer": "" if i % 4 == 0 else "https://ref%d.test/" % (i % 3)}
    m = {"plan": ["pro", "free", "team"][i % 3] if i % 11 else None, "n": i % 4,
         "flag": i % 2 == 0}
    if i % 13 == 0:
        m["plan"] = {"tier": "custom"}
    if i % 17 == 0:
        del m["plan"]
    if i % 19 == 0:
        m["plan"] = 1
    d["metadata"] = m
    print(json.dumps(d))
EOF
"$top_builddir/bench/bench-load" --stdin <"$SVC_DIR/events.json" || fail "bench-load --stdin"

T=$T BASE_URL=$BASE_URL python3 - "$top_srcdir/tests" "$SVC_DIR/events.json" <<'EOF' || fail "breakdown checks"
import json, os, sys
from collections import Counter
from datetime import datetime, timezone
sys.path.insert(0, sys.argv[1])
from importlib import import_module
h = import_module("query-helpers")
check, get = h.check, h.get
T = int(os.environ["T"])
docs = [json.loads(l) for l in open(sys.argv[2])]


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def field(d, by):
    if by == "type":
        return d["type"]
    if by in ("path", "referrer"):
        return d.get("page", {}).get(by)
    return d.get("metadata", {}).get(by[len("metadata."):])


def text(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def want(by, since=None, until=None, type=None, limit=10):
    sel = [d for d in docs if (since is None or d["createdAt"]["$date"] >= since) and
           (until is None or d["createdAt"]["$date"] < until) and (type is None or d["type"] == type)]
    c = Counter(text(field(d, by)) for d in sel)
    order = sorted(c.items(), key=lambda kv: (-kv[1], kv[0].encode()))
    vals = [{"value": json.loads(k), "count": n} for k, n in order[:limit]]
    return {"total": len(sel), "values": vals, "other": len(sel) - sum(v["count"] for v in vals),
            "distinct": len(c)}


def ask(q, **kw):
    st, hd, body = get("/events/stats?" + q)
    check(st == 200, "%s: status %d %r" % (q, st, body))
    check(hd.get("content-type", "").startswith("application/json"), q + ": JSON")
    w = want(**kw)
    for k in ("total", "values", "other", "distinct"):
        check(body[k] == w[k], "%s: %s is %r, want %r" % (q, k, body[k], w[k]))
    check(body["method"] in ("group", "scan") and body["truncated"] is False, q + ": method, truncated")
    check(sorted(body) == sorted(["by", "since", "until", "total", "values", "other", "distinct",
                                  "method", "truncated"] + (["type"] if "type" in kw else [])),
          "%s: keys %r" % (q, sorted(body)))
    return body


b = ask("by=type", by="type")
check(b["by"] == "type" and b["since"] is None and h.TIME_RE.match(b["until"]), "by=type: by, since, until")
check([v["value"] for v in b["values"]] == ["click", "pageview", "signup"], "busiest first, then by value: %r" % b["values"])
ask("by=path", by="path")
b = ask("by=referrer", by="referrer")
check(None in [v["value"] for v in b["values"]] and "" in [v["value"] for v in b["values"]],
      "no page and an empty referrer are two values: %r" % b["values"])
b = ask("by=metadata.plan&limit=100", by="metadata.plan", limit=100)
kinds = {type(v["value"]).__name__ for v in b["values"]}
check(kinds == {"str", "dict", "int", "NoneType"}, "values of every kind: %r" % kinds)
ask("by=metadata.n", by="metadata.n")
ask("by=metadata.flag", by="metadata.flag")
ask("by=metadata.missing", by="metadata.missing")
print("ok - type, path, referrer and metadata keys counted as stored; missing is null")

ask("by=path&limit=2", by="path", limit=2)
ask("by=path&limit=1&type=signup", by="path", limit=1, type="signup")
since, until = T + 120000, T + 300000
b = ask("by=metadata.plan&since=%s&until=%s" % (iso(since), iso(until)),
        by="metadata.plan", since=since, until=until)
check(b["since"] == iso(since) and b["until"] == iso(until), "since and until echoed")
ask("by=type&until=" + iso(T + 1000), by="type", until=T + 1000)
b = ask("by=type&since=%s&until=%s" % (iso(T - 7200000), iso(T - 3600000)), by="type",
        since=T - 7200000, until=T - 3600000)
check(b["values"] == [] and b["total"] == 0, "an empty range")
print("ok - limit and other; since, until and type filters")

for q, code in [("by=nope", "bad_parameter"), ("by=metadata.%24where", "bad_parameter"),
                ("by=metadata.a.b", "bad_parameter"), ("by=type&bucket=hour", "bad_parameter"),
                ("by=type&limit=101", "bad_parameter"), ("limit=5", "bad_parameter"),
                ("by=type&cursor=x", "unknown_parameter"), ("by=type&by=path", "duplicate_parameter"),
                ("by=type&since=2026-02-11T16:00:00Z&until=2026-02-11T15:00:00Z", "bad_parameter")]:
    h.expect_error("/events/stats?" + q, 400, code)
st, hd, body = get("/events/stats?by=type", method="HEAD", raw=True)
check(st == 200 and body == b"", "HEAD: %d %r" % (st, body))
print("ok - refusals: %d checks" % h.checks)
EOF
ok "GET /events/stats?by="
