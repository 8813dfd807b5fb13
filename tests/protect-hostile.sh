#!/bin/sh
# Hostile headers and parameters, sent as raw bytes over a socket to the
# whole stack (lighttpd, event-ingest, event-query, event-status): huge and
# duplicated headers, a Content-Length that disagrees with the body, slow
# and stalled bodies, invalid percent-encoding, malformed request lines.
# Every request gets an answer or a closed connection within a bound
# (never a hang), never a 5xx but for the two the protocol prescribes
# (501 for an unknown method, 505 for an unknown HTTP version, both from
# lighttpd), and nothing bad is queued.  The FastCGI programs are the
# same processes at the end: none crashed.
#
# What bounds a slow or stalled client is lighttpd, with the defaults of
# lighttpd.conf (1.4.69; none is set there):
#   server.max-read-idle = 60		s without a byte from the client while
#					a request is being read: the connection
#					is closed, without an answer
#   server.max-keep-alive-idle = 5	s between requests on a kept connection
#   server.max-write-idle = 360		s without the client taking a byte of
#					the answer
#   server.max-request-field-size = 8192	bytes of request line and headers
#					together: 431 beyond
#   server.max-request-size = 2048	KiB of body (set in lighttpd.conf):
#					413 from Content-Length alone
#   server.stream-request-body = 0	the whole body is read (to memory or
#					server.upload-dirs) before the FastCGI
#					program gets the request, so a slow or
#					stalled body holds a connection, never a
#					program: with one event-ingest process,
#					others are still served (checked below)
# A body that trickles a byte a minute is therefore bounded only by
# server.max-request-size; a deployment facing such clients sets
# server.max-read-idle lower (and server.max-connections) in its own
# lighttpd.conf.
. "$(dirname "$0")/protect-lib.sh"
protect_init store
EVENTS_FCGI_PROCS=1
export EVENTS_FCGI_PROCS
http_restart

programs()
{
	ps -o pid=,args= --ppid "$(svc_pid lighttpd)" | awk '/event-/ { print $1 }' | sort | tr '\n' ' '
}
# lighttpd may answer before it has spawned every program: wait for all.
i=0
PROGS=$(programs)
while [ "$(echo $PROGS | wc -w)" != 3 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
	PROGS=$(programs)
done
[ "$(echo $PROGS | wc -w)" = 3 ] || fail "expected 3 FastCGI programs, got: $PROGS"

HTTP_PORT=$HTTP_PORT REDIS_PORT=$REDIS_PORT python3 - <<'EOF' || fail "hostile requests"
import json, os, socket, subprocess, sys, threading, time

PORT = int(os.environ["HTTP_PORT"])
checks = 0


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def ok(msg):
    print("ok - " + msg)


def exchange(data, timeout=5.0, shut=False, trickle=None):
    """Send data (then trickle's (delay, bytes) pieces), read until the
    server closes or timeout.  Returns (status, headers, body, seconds,
    closed): status None when no answer came."""
    s = socket.create_connection(("127.0.0.1", PORT), 2)
    t0 = time.monotonic()
    s.sendall(data)
    for delay, piece in trickle or ():
        time.sleep(delay)
        s.sendall(piece)
    if shut:
        s.shutdown(socket.SHUT_WR)
    s.settimeout(0.2)
    out, closed = b"", False
    while time.monotonic() - t0 < timeout:
        try:
            b = s.recv(65536)
        except socket.timeout:
            if complete(out):
                break
            continue
        except ConnectionResetError:
            closed = True
            break
        if not b:
            closed = True
            break
        out += b
    s.close()
    el = time.monotonic() - t0
    if not out:
        return None, {}, b"", el, closed
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return status, hdrs, body, el, closed


def complete(out):
    """A whole answer is in: its headers and Content-Length bytes."""
    head, sep, body = out.partition(b"\r\n\r\n")
    if not sep:
        return False
    for l in head.split(b"\r\n")[1:]:
        k, _, v = l.partition(b":")
        if k.strip().lower() == b"content-length":
            return len(body) >= int(v)
    return head.split(b" ")[1] in (b"204", b"304")


def check(name, data, allowed, timeout=5.0, **kw):
    """One request: an answer among allowed (None: the server may close
    without one), within timeout, never a 5xx, a JSON error when JSON."""
    global checks
    st, h, body, el, closed = exchange(data, timeout, **kw)
    if st is None and not closed:
        fail("%s: no answer and the connection still open after %.1f s" % (name, el))
    if st not in allowed:
        fail("%s: %s, expected one of %s: %r" % (name, st, allowed, body[:300]))
    if h.get("content-type", "").startswith("application/json") and st >= 400:
        e = json.loads(body)["error"]
        assert sorted(e) == ["code", "message"], e
    checks += 1
    return st, h, body


def post(headers=b"", body=b'{"type":"h"}', ctype=b"application/json", path=b"/events",
         clen=None, conn=b"close"):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + ctype +
            b"\r\nContent-Length: " + (str(len(body)).encode() if clen is None else clen) +
            b"\r\n" + headers + b"Connection: " + conn + b"\r\n\r\n" + body)


def get(target, headers=b""):
    return (b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
            b"Connection: close\r\n\r\n")


def rcli(*args):
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", os.environ["REDIS_PORT"]] +
                          list(args), check=True, capture_output=True, text=True).stdout


def stream():
    out = json.loads(rcli("--json", "XRANGE", "events", "-", "+"))
    return [json.loads(e[1][1]) for e in out]


def reset():
    rcli("DEL", "events")


## huge headers

big = b"a" * 65536
for name, req in [("64 KiB header on POST /events", post(b"X-Big: " + big + b"\r\n")),
                  ("64 KiB Authorization on GET /events", get(b"/events", b"Authorization: Bearer " + big + b"\r\n")),
                  ("64 KiB Origin on OPTIONS /events", b"OPTIONS /events HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://" + big + b"\r\nConnection: close\r\n\r\n"),
                  ("64 KiB User-Agent on GET /health", get(b"/health", b"User-Agent: " + big + b"\r\n")),
                  ("10 KiB request line", get(b"/events?type=" + b"a" * 10240))]:
    check(name, req, (431,))
reset()
check("7 KiB User-Agent", post(b"User-Agent: " + b"\xc3\xa9" * 3500 + b"\r\n"), (202,))
check("600 headers", post(b"".join(b"X-H%d: v\r\n" % i for i in range(600))), (202,))
check("User-Agent that is not UTF-8", post(b"User-Agent: ok \xff\xfe\xc3 end\r\n", body=b'{"type":"bad-ua"}'), (202,))
evs = stream()
assert len(evs) == 3, evs
assert evs[0]["ua"] == "\u00e9" * 128, ("user agent cut to 256 bytes on a character boundary", len(evs[0]["ua"].encode()))
assert "\ufffd" not in evs[2]["ua"] and evs[2]["ua"].startswith("ok ") and evs[2]["ua"].endswith(" end"), evs[2]["ua"]
ok("huge headers: 431 from lighttpd; a long or broken User-Agent is cut and cleaned")

## duplicated headers

reset()
for name, req, allowed in [
        ("Content-Length twice", post(b"Content-Length: 12\r\n"), (400,)),
        ("Content-Length twice, different", post(b"Content-Length: 3\r\n"), (400,)),
        ("Content-Type twice", post(b"Content-Type: text/plain\r\n"), (400, 415)),
        ("Host twice", post(b"Host: other.example\r\n"), (400,)),
        ("Transfer-Encoding and Content-Length", post(b"Transfer-Encoding: chunked\r\n"), (400,)),
        ("Origin twice", post(b"Origin: https://a.example\r\nOrigin: https://b.example\r\n"), (202, 403)),
        ("X-Events-Key twice", post(b"X-Events-Key: a\r\nX-Events-Key: b\r\n"), (202,)),
        ("DNT twice", post(b"DNT: 1\r\nDNT: 1\r\n"), (202,)),
        ("Authorization twice", get(b"/events?limit=1", b"Authorization: Bearer a\r\nAuthorization: Bearer b\r\n"), (200,)),
]:
    check(name, req, allowed)
ok("duplicated headers: refused by lighttpd where they are ambiguous, harmless elsewhere")

## Content-Length against the body

reset()
body = b'{"type":"first"}{"type":"second"}'
st, h, b = check("Content-Length shorter than the body", post(body=body, clen=b"16"), (202,))
assert json.loads(b)["accepted"] == 1, b
evs = stream()
assert [e["type"] for e in evs] == ["first"], evs
# On a kept connection the rest is read as the next request: lighttpd
# refuses that one; only the first is queued.
reset()
s = socket.create_connection(("127.0.0.1", PORT), 2)
s.settimeout(5)
s.sendall(post(body=body, clen=b"16", conn=b"keep-alive"))
out = b""
t0 = time.monotonic()
while out.count(b"HTTP/1.") < 2 and time.monotonic() - t0 < 5:
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    if not d:
        break
    out += d
s.close()
codes = [int(l.split(b" ")[1]) for l in out.split(b"\r\n") if l.startswith(b"HTTP/1.")]
assert codes and codes[0] == 202 and all(c < 500 for c in codes), out[:500]
assert [e["type"] for e in stream()] == ["first"], stream()
checks += 1

reset()
for name, clen, allowed in [("Content-Length -1", b"-1", (400,)), ("Content-Length 12x", b"12x", (400,)),
                            ("Content-Length +12", b"+12", (400,)), ("Content-Length 0x10", b"0x10", (400,)),
                            ("Content-Length 10^15", b"1000000000000000", (413,)),
                            ("Content-Length 2^64", b"18446744073709551616", (400, 413)),
                            ("Content-Length empty", b"", (400, 411))]:
    check(name, post(clen=clen), allowed)
# Longer than the body, and the client says it is done: closed, or 400.
st, h, b = check("Content-Length longer than the body, then EOF", post(clen=b"100"), (None, 400), shut=True)
st, h, b = check("1.5 MiB announced, 12 bytes sent, then EOF", post(clen=b"1500000"), (None, 400, 413), shut=True)
assert stream() == [], stream()
ok("Content-Length: shorter reads that much, longer with EOF closes, malformed 400, huge 413; never 5xx")

## stalled and slow bodies hold a connection, not the program

stalled = []
for i in range(4):
    s = socket.create_connection(("127.0.0.1", PORT), 2)
    s.sendall(post(clen=b"100", conn=b"keep-alive"))
    stalled.append(s)
def server_has_read(clients):
    """Whether the server has accepted each client's connection and read
    all it sent (its side ESTABLISHED with an empty receive queue in
    /proc/net/tcp)."""
    want, seen = {c.getsockname()[1] for c in clients}, set()
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fl = line.split()
            lport, rport = int(fl[1].split(":")[1], 16), int(fl[2].split(":")[1], 16)
            if lport == PORT and rport in want and fl[3] == "01" and int(fl[4].split(":")[1], 16) == 0:
                seen.add(rport)
    return seen == want
end = time.monotonic() + 10
while not server_has_read(stalled):
    if time.monotonic() > end:
        fail("lighttpd did not read the 4 stalled requests' headers in 10 s")
    time.sleep(0.02)
t0 = time.monotonic()
check("a POST beside 4 stalled bodies", post(body=b'{"type":"beside"}'), (202,))
check("a GET beside 4 stalled bodies", get(b"/events?limit=1"), (200,))
assert time.monotonic() - t0 < 2, "other clients waited for the stalled ones"
for s in stalled:
    s.settimeout(0.1)
    try:
        assert s.recv(1) != b"", "a stalled body was answered"
    except socket.timeout:
        pass        # still waiting for its body: server.max-read-idle
    s.close()
reset()
piece = b'{"type":"slow","metadata":{"pad":"' + b"x" * 40 + b'"}}'
trickle = [(0.2, piece[i:i + 5]) for i in range(0, len(piece), 5)]
st, h, b = check("a body sent 5 bytes every 0.2 s", post(body=b"", clen=str(len(piece)).encode()),
                 (202,), timeout=10, trickle=trickle)
assert [e["type"] for e in stream()] == ["slow"], stream()
ok("stalled bodies wait in lighttpd while a single event-ingest serves others; a slow body is read whole")

## percent-encoding and parameters

for target in [b"/events?type=%zz", b"/events?type=%", b"/events?type=a%2", b"/events?type=%0",
               b"/events?type=%00", b"/events?type=a%00b", b"/events?type=%C3%28", b"/events?type=%E9",
               b"/events?%zz=1", b"/events?%00=1", b"/events?limit=%31%30%30%30", b"/events?limit=%2510",
               b"/events?cursor=%ff%fe", b"/events?since=%G0", b"/events?type=a&type=a",
               b"/events?type=" + b"%41" * 1500, b"/events/stats?bucket=%", b"/events/stats?since=%zz",
               b"/events/stats?bucket=%68%6f%75%72x", b"/events?%26=1", b"/events?type[$ne]=x"]:
    check("GET " + target[:60].decode(), get(target), (400,))
st, h, b = check("GET /events?type=a%2Db", get(b"/events?type=a%2Db"), (200,))
st, h, b = check("GET /events/stats?bucket=%68%6f%75%72", get(b"/events/stats?bucket=%68%6f%75%72"), (200,))
assert json.loads(b)["bucket"] == "hour", b
check("POST /events?key=%zz (writes open)", post(path=b"/events?key=%zz"), (202,))
check("POST /events?key=%00", post(path=b"/events?key=%00"), (202, 400))
ok("invalid percent-encoding: 400 from lighttpd or the program; valid escapes decoded")

## malformed requests

for name, req, allowed in [
        ("a NUL in a header", post(b"X-A: a\x00b\r\n"), (400,)),
        ("a control character in User-Agent", post(b"User-Agent: a\x01b\r\n"), (400,)),
        ("bare LF line ends", post().replace(b"\r\n", b"\n"), (400, 202)),
        ("a folded header", post(b"X-A: a\r\n b\r\n"), (202, 400)),
        ("HTTP/1.1 without Host", post().replace(b"Host: 127.0.0.1\r\n", b""), (400,)),
        ("HTTP/1.0 without Host", post().replace(b"HTTP/1.1", b"HTTP/1.0").replace(b"Host: 127.0.0.1\r\n", b""), (202,)),
        ("HTTP/0.9", b"GET /events\r\n\r\n", (400,)),
        ("garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64 + b"\r\n\r\n", (400,)),
        ("a space in the target", b"GET /ev ents HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", (400, 404)),
        ("a body 100,000 levels deep", post(body=b"[" * 100000), (400,)),
        ("PUT /events", post().replace(b"POST", b"PUT", 1), (405,)),
        ("PROPFIND /events", post().replace(b"POST", b"PROPFIND", 1), (405,)),
        ("DELETE /events/stats", get(b"/events/stats").replace(b"GET", b"DELETE", 1), (405,)),
        ("POST /metrics", post(path=b"/metrics"), (405,)),
        # RFC 9110 9.1 and 15.6.6: the protocol's own answers, from lighttpd.
        ("an unknown method", post().replace(b"POST", b"FROB", 1), (501,)),
        ("HTTP/2.0 in a request line", get(b"/events").replace(b"HTTP/1.1", b"HTTP/2.0"), (505,)),
]:
    check(name, req, allowed)
ok("malformed requests: 400, 405, or the protocol's 501 and 505")
print("%d hostile requests" % checks)
EOF
ok "hostile requests answered"

expect_eq "$PROGS" "$(programs)" "FastCGI programs after the hostile requests"
! grep -E 'child (signalled|exited)|died' "$SVC_DIR/log/lighttpd-error.log" ||
    fail "a FastCGI program died"
ok "no FastCGI program died"
