# Helpers for the query tests (tests/query-*.sh), which run their checks
# in Python: GET with the status, headers and body, the JSON error shape,
# and the order of events.  Imported with sys.path pointing at tests/.
import json
import os
import re
import sys
import urllib.error
import urllib.request

BASE = os.environ["BASE_URL"]
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
checks = 0


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        fail(msg)


def get(path, method="GET", raw=False, headers=None):
    """(status, headers as a lower-cased dict, body bytes or parsed JSON)."""
    req = urllib.request.Request(BASE + path, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, headers, body = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, headers, body = e.code, e.headers, e.read()
    h = {k.lower(): v for k, v in headers.items()}
    if not raw and h.get("content-type", "").startswith("application/json"):
        try:
            body = json.loads(body)
        except ValueError:
            fail("%s: body is not JSON: %r" % (path, body[:200]))
    return status, h, body


def expect_error(path, status, code, method="GET"):
    st, h, body = get(path, method)
    check(st == status, "%s %s: status %d, want %d (%r)" % (method, path, st, status, body))
    check(h.get("content-type", "").startswith("application/json"),
          "%s: error content type %s" % (path, h.get("content-type")))
    check(isinstance(body, dict) and list(body) == ["error"] and
          sorted(body["error"]) == ["code", "message"],
          "%s: error shape %r" % (path, body))
    codes = code if isinstance(code, tuple) else (code,)
    check(body["error"]["code"] in codes,
          "%s: error code %s, want %s" % (path, body["error"]["code"], code))
    check(body["error"]["message"] != "", "%s: empty message" % path)
    return h, body


def key(ev):
    """The paging order: createdAt then id, both descending."""
    return (ev["createdAt"], ev["id"])


def page_all(query, limit):
    """Every event of a query, following next; also the pages' sizes."""
    events, sizes, cursor = [], [], None
    for _ in range(100000):
        q = "/events?limit=%d%s%s" % (limit, "&" + query if query else "",
                                      "&cursor=" + cursor if cursor else "")
        st, h, body = get(q)
        check(st == 200, "%s: status %d %r" % (q, st, body))
        check(sorted(body) == ["events", "next"], "%s: keys %r" % (q, sorted(body)))
        events += body["events"]
        sizes.append(len(body["events"]))
        cursor = body["next"]
        if cursor is None:
            check("next-cursor" not in h, "%s: Next-Cursor on the last page" % q)
            return events, sizes
        check(h.get("next-cursor") == cursor, "%s: Next-Cursor header %r" % (q, h.get("next-cursor")))
        check(len(body["events"]) == limit, "%s: a short page before the end" % q)
    fail("paging never ended")
