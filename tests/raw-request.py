"""tests/raw-request.py URL REQUEST-FILE BODY-OUT HEADERS-OUT

Send the bytes of REQUEST-FILE as they are to URL's host and port (a
malformed request curl would refuse or repair), read one answer, write
its body (decoded from chunks if chunked) to BODY-OUT and its status line
and header lines to HEADERS-OUT, and print the status code.  Exits 1 if
no answer comes within 30 s.
"""
import socket
import sys
import urllib.parse


def main():
    url, req, body_out, headers_out = sys.argv[1:5]
    u = urllib.parse.urlsplit(url)
    data = open(req, "rb").read()
    s = socket.create_connection((u.hostname, u.port), timeout=30)
    try:
        s.sendall(data)
    except OSError:
        pass  # the server may answer and close before reading it all
    try:
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    got = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
            head, sep, rest = got.partition(b"\r\n\r\n")
            if sep and b"content-length:" in head.lower():
                for line in head.split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        if len(rest) >= int(v.strip()):
                            raise StopIteration
    except StopIteration:
        pass
    except OSError as e:
        if not got:
            print("no answer: %s" % e, file=sys.stderr)
            sys.exit(1)
    s.close()
    head, _, rest = got.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    if not lines[0].startswith(b"HTTP/"):
        print("no HTTP answer: %r" % got[:200], file=sys.stderr)
        sys.exit(1)
    status = lines[0].split()[1].decode()
    chunked = any(l.lower().startswith(b"transfer-encoding:") and b"chunked" in l.lower()
                  for l in lines[1:])
    if chunked:
        body, r = b"", rest
        while r:
            size, _, r = r.partition(b"\r\n")
            n = int(size.split(b";")[0], 16)
            if n == 0:
                break
            body, r = body + r[:n], r[n + 2:]
        rest = body
    open(body_out, "wb").write(rest)
    open(headers_out, "wb").write(head + b"\r\n")
    print(status)


main()
