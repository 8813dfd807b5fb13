#!/bin/sh
# A request answered before its body is read (413: a Content-Length over
# max_body_bytes) from a client that stalls before its body:
# through a web server that streams the body to the program (Apache with
# mod_proxy_fcgi, tests/apache-run.sh), the thread that answered it must
# not wait for the rest of the body, which may come only at the web
# server's time-out (60 s).  With every thread of event-ingest answered
# so, another client's POST is answered at once, not after that
# time-out.  (Through lighttpd, which reads the whole body before it
# passes a request on, the stalled clients never reach the program.)
. "$(dirname "$0")/services.sh"
svc_init
svc_redis_start
EVENTS_MAX_BODY_BYTES=1024
EVENTS_FCGI_PROCS=1
EVENTS_FCGI_THREADS=2
export EVENTS_MAX_BODY_BYTES EVENTS_FCGI_PROCS EVENTS_FCGI_THREADS
svc_http_start
echo "server: ${EVENTS_TEST_SERVER:-lighttpd}"

# Four stalled clients (twice the threads), each with the headers of a
# 5000-byte body and none of it yet, kept open until the end; the
# client's POST meanwhile must be answered 202 within 10 s.
python3 - "$BASE_URL" <<'PY' || fail "a POST beside 4 clients stalled mid-body"
import json, socket, sys, time, urllib.parse, urllib.request
url = urllib.parse.urlsplit(sys.argv[1])
stalled = []
for i in range(4):
    s = socket.create_connection((url.hostname, url.port), timeout=30)
    s.sendall(("POST /events HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
               "Content-Length: 5000\r\n\r\n" % url.netloc).encode())
    stalled.append(s)
t0 = time.monotonic()
req = urllib.request.Request(sys.argv[1] + "/events", data=b'{"type":"beside","id":"b-1"}',
                             headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        status, body = r.status, r.read()
except Exception as e:
    sys.exit("no answer in %.1f s: %s" % (time.monotonic() - t0, e))
if status != 202 or json.loads(body)["accepted"] != 1:
    sys.exit("status %d: %r" % (status, body))
print("202 after %.2f s" % (time.monotonic() - t0))
for s in stalled:
    s.close()
PY
ok "a POST beside 4 clients stalled mid-body past max_body_bytes: 202 at once"
exit 0
