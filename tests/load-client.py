#!/usr/bin/env python3
"""tests/load-client.py: a client that sends events with ids, as a careful
client does: each batch is POSTed until it is answered 202, to the next
web host after a refused connection, a timeout or a 5xx, with the same ids
every time, so that the store keeping one copy per id makes it exactly
once.  Batches go to the web hosts in turn (as DNS round robin spreads
clients); a host that failed is left alone for a few seconds (as a load
balancer's health check would).  Used by the failover tests (redis-sentinel.sh, redis-cluster.sh,
hosts-netns.sh).

    load-client.py --out DIR --stop FILE [--url BASE]... [--prefix P]
                   [--per N] [--threads N] [--give-up S]

Threads send batches of N NDJSON events until FILE exists; each finishes
the batch it has.  In DIR: ids (every id answered 202, one a line),
answers (epoch seconds and status of every answer, one a line: "000" is
no answer) and summary.json (events sent, answers by status, batches).
Exit 1 when a batch was not accepted within --give-up seconds.
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

p = argparse.ArgumentParser()
p.add_argument("--url", action="append", required=True)
p.add_argument("--out", required=True)
p.add_argument("--stop", required=True)
p.add_argument("--prefix", default="ev")
p.add_argument("--per", type=int, default=20)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--give-up", type=float, default=120.0)
p.add_argument("--timeout", type=float, default=3.0)
p.add_argument("--shun", type=float, default=5.0)
a = p.parse_args()

lock = threading.Lock()
ids_f = open(os.path.join(a.out, "ids"), "w")
answers_f = open(os.path.join(a.out, "answers"), "w")
counts = {"events": 0, "batches": 0, "status": {}}
failed = []
shunned = {}    # url index -> time until which it is left alone


def note(status, ids=None):
    with lock:
        st = str(status)
        counts["status"][st] = counts["status"].get(st, 0) + 1
        answers_f.write("%.3f %s\n" % (time.time(), st))
        if ids:
            ids_f.write("".join(i + "\n" for i in ids))
            ids_f.flush()
        answers_f.flush()


def pick(k, n):
    """The next host from k on that is not shunned (else k)."""
    now = time.time()
    for i in range(n):
        j = (k + i) % n
        if shunned.get(j, 0) <= now:
            return j
    return k


def worker(t):
    urls = [urllib.parse.urlsplit(u) for u in a.url]
    k = t % len(urls)
    conns = {}
    n = 0
    while not os.path.exists(a.stop) and not failed:
        ids = ["%s-%d-%d" % (a.prefix, t, n + i) for i in range(a.per)]
        body = "".join(json.dumps({"type": "load", "id": i, "metadata": {"t": t}}) + "\n"
                       for i in ids).encode()
        n += a.per
        with lock:
            counts["events"] += a.per
            counts["batches"] += 1
        start = time.time()
        k = pick((k + 1) % len(urls), len(urls))
        while True:
            u = urls[k]
            status = 0
            try:
                if k not in conns:
                    conns[k] = http.client.HTTPConnection(u.hostname, u.port, timeout=a.timeout)
                conns[k].request("POST", "/events", body, {"Content-Type": "application/x-ndjson"})
                r = conns[k].getresponse()
                data = r.read()
                status = r.status
            except (OSError, http.client.HTTPException):
                conns.pop(k).close()
            if status == 202:
                got = json.loads(data)["ids"]
                assert got == ids, (got[:3], ids[:3])
                note(202, ids)
                break
            note("%03d" % status)
            if time.time() - start > a.give_up:
                failed.append("batch %s..: not accepted after %.0f s (last status %03d)"
                              % (ids[0], a.give_up, status))
                return
            # Another web host next, after a short pause; one that did
            # not answer at all is left alone for a while.
            if status == 0:
                shunned[k] = time.time() + a.shun
            if status == 0 or status >= 500:
                k = pick((k + 1) % len(urls), len(urls))
            time.sleep(0.1)


threads = [threading.Thread(target=worker, args=(t,)) for t in range(a.threads)]
for th in threads:
    th.start()
for th in threads:
    th.join()
ids_f.close()
answers_f.close()
json.dump(counts, open(os.path.join(a.out, "summary.json"), "w"))
if failed:
    print("load-client: " + failed[0], file=sys.stderr)
    sys.exit(1)
