#!/bin/sh
# Events POSTed over HTTP reach the store exactly once with every field
# right: the queued JSON (read from the stream before the consumer runs)
# against the stored document, field by field and type by type (dates as
# BSON dates, integers, doubles, nested metadata, page, ua, ip).  Then the
# same entries queued again are recognised as already stored, and the
# query side's indexes are there (the type index of earlier releases
# replaced).
. "$(dirname "$0")/consumer-lib.sh"
consumer_services http

# 300 events in every shape the ingest takes: an envelope with sentAt, an
# array with ts in RFC 3339 and in ms, a client clock two days off
# (clientTs kept), page fields, metadata of every JSON type, NDJSON.
python3 - "$BASE_URL/events" "$SVC_DIR/ids" <<'EOF' || fail "posting the events"
import http.client, json, sys, time, urllib.parse
url, out = sys.argv[1], sys.argv[2]
u = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
now = int(time.time() * 1000)
ids = []
def post(body, ctype="application/json", ua="consumer-test/1.0 (\u00e9t\u00e9)"):
    conn.request("POST", u.path, body.encode(), {"Content-Type": ctype, "User-Agent": ua.encode("utf-8")})
    r = conn.getresponse()
    data = json.loads(r.read())
    assert r.status == 202, (r.status, data)
    ids.extend(data["ids"])
meta = {"s": "x\u00e9\u4e2d\U0001F600", "i": 42, "neg": -7, "big": 2**40, "f": 1.5,
        "z": 0.0, "t": True, "no": False, "nul": None, "arr": [1, "two", 3.25, {"k": "v", "in": [True, None]}],
        "deep": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}, "dollar$in": "ok"}
for k in range(10):
    evs = []
    for j in range(20):
        n = k * 20 + j
        e = {"type": "t%d" % (n % 7), "metadata": dict(meta, n=n)}
        if n % 3 == 0:
            e["ts"] = now - 1000 * n
        elif n % 3 == 1:
            e["ts"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime((now - 2000 * n) / 1000)) + ".250Z"
        if n % 4 == 0:
            e["page"] = {"url": "https://example.org/p/%d?q=1" % n, "path": "/p/%d" % n,
                         "referrer": "https://example.com/", "title": "Page \u00e9 %d" % n}
        if n % 10 == 5:
            e["ts"] = now - 2 * 86400 * 1000     # far off: createdAt = receivedAt, clientTs kept
        if n % 2:
            e["id"] = "client-%d" % n
        evs.append(e)
    post(json.dumps({"sentAt": now, "events": evs} if k % 2 else evs))
post("".join(json.dumps({"type": "nd", "id": "nd-%d" % i, "metadata": {"i": i}}) + "\n"
             for i in range(100)), "application/x-ndjson")
open(out, "w").write("".join(i + "\n" for i in ids))
EOF
N=$(wc -l <"$SVC_DIR/ids")
expect_eq 300 "$N" "events answered 202"
expect_eq 300 "$(stream_len)" "entries queued"

# What the stream holds, for the comparison below.
rcli --json XRANGE events - + >"$SVC_DIR/queued.json" || fail "XRANGE"

# A store an earlier release set up: its type index {type: 1,
# createdAt: -1} is there (the consumer replaces it, checked below).
"$STORE_READ" command '{"createIndexes": "events", "indexes": [{"key": {"type": 1, "createdAt": -1}, "name": "type_1_createdAt_-1"}]}' \
    >/dev/null || fail "creating the old type index"

"$CONSUMER" --once >"$SVC_DIR/log/consumer-once.log" 2>&1 ||
    fail "event-consumer --once: status $?"
expect_eq 300 "$(stored)" "documents stored"
same_ids "$SVC_DIR/ids"
drained
ok "300 events stored exactly once; stream drained, nothing pending"

"$STORE_READ" dump >"$SVC_DIR/stored.json" || fail "store-read dump"
python3 - "$SVC_DIR/queued.json" "$SVC_DIR/stored.json" <<'EOF' || fail "stored documents differ from the queued events"
import json, sys
queued = {}
for entry_id, fields in json.load(open(sys.argv[1])):
    assert fields[0] == "e" and len(fields) == 2, fields
    e = json.loads(fields[1])
    queued[e["id"]] = e

def plain(v):
    """Canonical extended JSON to Python values, types kept apart."""
    if isinstance(v, dict):
        if set(v) == {"$numberInt"} or set(v) == {"$numberLong"}:
            return int(next(iter(v.values())))
        if set(v) == {"$numberDouble"}:
            return ("double", float(v["$numberDouble"]))
        if set(v) == {"$date"}:
            return ("date", int(v["$date"]["$numberLong"]))
        assert not any(k.startswith("$") for k in v), v
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v

def want(v):
    """The queued JSON as the store should hold it: floats as doubles."""
    if isinstance(v, float):
        return ("double", v)
    if isinstance(v, dict):
        return {k: want(x) for k, x in v.items()}
    if isinstance(v, list):
        return [want(x) for x in v]
    return v

seen = 0
with_client = with_page = 0
for line in open(sys.argv[2]):
    d = plain(json.loads(line))
    q = queued[d["_id"]]
    exp = {"_id": q["id"], "type": q["type"],
           "createdAt": ("date", q["createdAt"]), "receivedAt": ("date", q["receivedAt"])}
    for k in ("metadata", "page", "ua", "ip"):
        if k in q:
            exp[k] = want(q[k])
    if "clientTs" in q:
        exp["clientTs"] = ("date", q["clientTs"])
        with_client += 1
    with_page += "page" in q
    assert d == exp, "\n%r\n%r" % (d, exp)
    assert list(d)[:2] == ["_id", "type"], list(d)
    seen += 1
assert seen == len(queued) == 300, (seen, len(queued))
assert with_client == 20 and with_page == 50, (with_client, with_page)
assert queued["client-1"]["metadata"]["big"] == 2**40
print("compared", seen, "documents")
EOF
ok "every field stored with its type (dates, integers, doubles, metadata, page, ua, ip)"

expect_eq 300 "$(rcli HGET events:metrics stored)" "metrics: stored"

# Redelivery: the same events queued again are duplicates, not new documents.
python3 -c '
import json, sys
for entry_id, fields in json.load(open(sys.argv[1])):
    sys.stdout.write(fields[1] + "\n")' "$SVC_DIR/queued.json" >"$SVC_DIR/again.ndjson"
while IFS= read -r line; do
	printf '%s' "$line" | rcli -x XADD events '*' e >/dev/null || fail "XADD"
done <"$SVC_DIR/again.ndjson"
expect_eq 300 "$(stream_len)" "entries queued again"
"$CONSUMER" --once >>"$SVC_DIR/log/consumer-once.log" 2>&1 ||
    fail "event-consumer --once (again): status $?"
expect_eq 300 "$(stored)" "documents after the same events came again"
drained
expect_eq 300 "$(rcli HGET events:metrics duplicates)" "metrics: duplicates"
ok "the same 300 events delivered again: recognised as stored, acknowledged"

"$STORE_READ" indexes >"$SVC_DIR/indexes" || fail "store-read indexes"
grep -qx '{ "createdAt" : -1, "_id" : -1 }' "$SVC_DIR/indexes" ||
    fail "no index {createdAt: -1, _id: -1}: $(cat "$SVC_DIR/indexes")"
grep -qx '{ "type" : 1, "createdAt" : -1, "_id" : -1 }' "$SVC_DIR/indexes" ||
    fail "no index {type: 1, createdAt: -1, _id: -1}: $(cat "$SVC_DIR/indexes")"
! grep -qx '{ "type" : 1, "createdAt" : -1 }' "$SVC_DIR/indexes" ||
    fail "the old index {type: 1, createdAt: -1} is still there: $(cat "$SVC_DIR/indexes")"
ok "indexes {createdAt: -1, _id: -1} and {type: 1, createdAt: -1, _id: -1}; the old type index dropped"
