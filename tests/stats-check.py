#!/usr/bin/env python3
"""tests/stats-check.py: what tests/query-stats-cache.sh compares.

  stats-check.py answer EVENTS.json STATS.json   the /events/stats answer
      STATS.json counts, bucket by bucket and type by type, exactly the
      events in EVENTS.json (store-read dump: one document a line)
  stats-check.py cache EVENTS.json COUNTS.json   every minute and hour of
      the counts cache (store-read dump of <collection>_counts) that
      holds counts a reader would use equals what the events say
  stats-check.py total STATS.json               the answer's total
  stats-check.py hours COUNTS.json FROM TO       the hours of [FROM, TO)
      (epoch ms, aligned) whose counts the cache lacks: how many, and
      their ids on standard error
  stats-check.py cached COUNTS.json             the units holding counts

Exit 0 when it holds; 1 with what differs.
"""
import collections
import datetime
import json
import sys


def ms(v):
    if isinstance(v, dict) and "$date" in v:
        d = v["$date"]
        if isinstance(d, dict):
            return int(d["$numberLong"])
        if isinstance(d, str):
            return int(datetime.datetime.fromisoformat(d.replace("Z", "+00:00")).timestamp() * 1000)
        return int(d)
    raise ValueError("not a date: %r" % (v,))


def events(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                out.append((ms(d["createdAt"]), d["type"]))
    return out


def count(evs, a, b, type_=None):
    c = collections.Counter(t for (at, t) in evs if a <= at < b and (type_ is None or t == type_))
    return {t: n for t, n in c.items() if n}


def iso_ms(s):
    return int(datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() * 1000)


def check_answer(evs, ans):
    bad = []
    w = ans["bucketMs"]
    until = iso_ms(ans["until"])
    for b in ans["buckets"]:
        a = iso_ms(b["start"])
        want = count(evs, a, min(a + w, until), ans.get("type"))
        if b["counts"] != want:
            bad.append("bucket %s: answered %s, the events say %s" % (b["start"], b["counts"], want))
    return bad


def check_cache(evs, units):
    bad = []
    below = 0
    for u in units:
        if u["_id"] == "expire":
            below = ms(u["below"])
    used = 0
    for u in units:
        i = u["_id"]
        if not (i.startswith("m:") or i.startswith("h:")) or "c" not in u:
            continue
        if u.get("o") or ms(u["t"]) < below:
            continue
        used += 1
        a = ms(u["t"])
        w = 60000 if i.startswith("m:") else 3600000
        words = u["c"].split(" ") if u["c"] else []
        got = dict(zip(words[0::2], (int(n) for n in words[1::2])))
        got = {t: n for t, n in got.items() if n}
        want = count(evs, a, a + w)
        if got != want:
            bad.append("stale %s: cached %s, the events say %s" % (i, got, want))
    return bad, used


def main():
    what = sys.argv[1]
    if what == "total":
        print(sum(json.load(open(sys.argv[2]))["totals"].values()))
        return 0
    if what in ("hours", "cached"):
        units = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
        have = {u["_id"] for u in units if "c" in u and not u.get("o")}
        if what == "cached":
            print(len(have))
            return 0
        lacking = []
        for h in range(int(sys.argv[3]), int(sys.argv[4]), 3600000):
            i = datetime.datetime.fromtimestamp(h / 1000, datetime.timezone.utc).strftime("h:%Y-%m-%dT%HZ")
            if i not in have:
                lacking.append(i)
        print(len(lacking))
        print(" ".join(lacking[:10]), file=sys.stderr)
        return 0
    evs = events(sys.argv[2])
    if what == "answer":
        bad = check_answer(evs, json.load(open(sys.argv[3])))
    else:
        units = [json.loads(line) for line in open(sys.argv[3]) if line.strip()]
        bad, used = check_cache(evs, units)
        print("%d cached units, all equal to the events" % used if not bad else "")
    for b in bad[:20]:
        print(b, file=sys.stderr)
    return 1 if bad else 0


sys.exit(main())
