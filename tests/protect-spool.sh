#!/bin/sh
# The disk spool, through lighttpd, event-ingest, Redis, event-consumer
# and the store: while Redis is down, POST still answers 202 and each
# batch is appended to spool_path (the file grows, /health says so); two
# FastCGI processes appending at once, and processes SIGKILLed while they
# append, leave a file the replay reads; a torn record and a record with a
# bad checksum, written by hand, are skipped and everything around them
# replayed.  Once Redis is back, event-consumer --once queues the spool
# again: the store then holds every event answered 202 exactly once, the
# spool is gone, and replaying the same file a second time adds nothing.
# Past spool_max_bytes the answer is 503 queue_unavailable.
. "$(dirname "$0")/protect-lib.sh"
protect_init store
SPOOL=$SVC_DIR/spool/events.spool
protect_writable_dir "$SVC_DIR/spool"
EVENTS_SPOOL_PATH=$SPOOL
export EVENTS_SPOOL_PATH
http_restart
IDS=$SVC_DIR/ids		# every id answered 202
: >"$IDS"

# load PREFIX BATCHES PER THREADS [PAUSE]: POST BATCHES NDJSON batches of
# PER events ("id": PREFIX-b-i) from THREADS threads, each waiting PAUSE
# seconds between its requests; the ids answered 202 go to $IDS.  Prints
# the number of events answered 202 and of requests that failed.
load()
{
	python3 - "$URL" "$IDS" "$@" <<'EOF' || fail "load $*"
import http.client, json, sys, threading, time, urllib.parse
url, out, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
batches, per, threads = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
pause = float(sys.argv[7]) if len(sys.argv) > 7 else 0
u = urllib.parse.urlsplit(url)
lock = threading.Lock()
accepted, other = [], []
def work(t):
    for b in range(t, batches, threads):
        body = "".join(json.dumps({"type": "spool", "id": "%s-%d-%d" % (prefix, b, i),
                                   "metadata": {"b": b, "i": i}}) + "\n" for i in range(per))
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        try:
            c.request("POST", u.path, body, {"Content-Type": "application/x-ndjson"})
            r = c.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException) as e:
            with lock:
                other.append(str(e))
            continue
        finally:
            c.close()
        with lock:
            if r.status == 202:
                ids = json.loads(data)["ids"]
                assert len(ids) == per, data
                accepted.extend(ids)
            else:
                other.append(r.status)
        time.sleep(pause)
ts = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
with open(out, "a") as f:
    f.write("".join(i + "\n" for i in accepted))
print(len(accepted), len(other))
EOF
}

spool_size()
{
	if [ -f "$SPOOL" ]; then stat -c %s "$SPOOL"; else echo 0; fi
}

## Redis up: queued as usual, no spool

expect_eq "3 0" "$(load before 1 3 1)" "a batch with Redis up"
expect_eq 3 "$(queued)" "queued"
[ ! -e "$SPOOL" ] || fail "a spool file while Redis is up"

## Redis down: 202, and the file grows with each batch

svc_redis_stop
last=0
for b in 1 2 3 4 5; do
	expect_eq "10 0" "$(load "down$b" 1 10 1)" "batch $b with Redis down"
	size=$(spool_size)
	[ "$size" -gt "$last" ] || fail "spool after batch $b: $size bytes, was $last"
	last=$size
done
ok "Redis down: 202 for each batch, the spool grows ($last bytes)"

req GET "$BASE_URL/health"
expect_eq 503 "$HTTP_STATUS" "/health with Redis down and a spool"
expect_eq "$last" "$(json_get 'd["spoolBytes"]')" "/health spoolBytes"
json_get 'd["problems"]' | grep -q 'redis is unreachable' ||
    fail "/health problems: $(json_get 'd["problems"]')"
json_get 'd["problems"]' | grep -q "$last bytes spooled" ||
    fail "/health problems: $(json_get 'd["problems"]')"
ok "/health: 503, Redis unreachable and $last bytes spooled"

# Two FastCGI processes appending at once, 8 clients.
expect_eq "320 0" "$(load para 16 20 8)" "16 batches from 8 clients at once"

# A record cut short, as a crash in the middle of write(2) leaves it: the
# next append starts right after it, without a line break.
printf 'EVSPOOL1 4000 0badc0de\n{"id":"torn-1","type":"torn","createdAt":1,"receivedAt":1}\n{"id":"torn-2","ty' >>"$SPOOL"
expect_eq "10 0" "$(load after-torn 1 10 1)" "a batch after the torn record"
# A whole record whose checksum does not match its payload.
python3 - "$SPOOL" <<'EOF'
import sys
payload = b'{"id":"badcrc-1","type":"badcrc","createdAt":1764000000000,"receivedAt":1764000000000}'
with open(sys.argv[1], "ab") as f:
    f.write(b"EVSPOOL1 %d %08x\n" % (len(payload), 0x12345678) + payload + b"\n")
EOF
expect_eq "5 0" "$(load after-bad 1 5 1)" "a batch after the bad checksum"

# SIGKILL the ingest processes again and again while they spool.  Clients
# whose process died get an error from lighttpd; every 202 must survive.
load killed 200 5 4 0.05 >"$SVC_DIR/killed.out" &
load_pid=$!
kills=0
while kill -0 $load_pid 2>/dev/null && [ $kills -lt 12 ]; do
	victim=$(ps -o pid=,args= --ppid "$(svc_pid lighttpd)" |
	    awk '/event-ingest/ { print $1 }' | shuf -n 1)
	[ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null && kills=$((kills + 1))
	# lighttpd respawns it, and sends nothing to that socket for a second.
	sleep 0.25
done
wait $load_pid || fail "the load under SIGKILL failed"
read -r killed_ok killed_err <"$SVC_DIR/killed.out"
echo "under $kills SIGKILLs: $killed_ok events answered 202, $killed_err requests failed"
cp "$SPOOL" "$SVC_DIR/spool.copy"
N=$(wc -l <"$IDS")
SPOOLED=$((N - 3))
ok "$SPOOLED events spooled, with concurrent appends, a torn record, a bad checksum and SIGKILLs"

## Redis back: the consumer replays the spool, each event stored once

svc_redis_start
consumer_once
grep -q "queued [0-9]* events again from the spool" "$SVC_DIR/log/consumer-once.log" ||
    fail "the consumer did not replay the spool (log: $(tail -n 5 "$SVC_DIR/log/consumer-once.log"))"
grep -q "bytes of damaged records skipped" "$SVC_DIR/log/consumer-once.log" ||
    fail "the consumer did not report the damaged records"
"$STORE_READ" ids | sort >"$SVC_DIR/stored-ids" || fail "store-read ids"
sort "$IDS" >"$SVC_DIR/want-ids"
dups=$(uniq -d "$SVC_DIR/stored-ids" | head -n 3)
[ -z "$dups" ] || fail "stored twice: $dups"
# Events answered with an error by a process killed after its append may
# be stored too (they were spooled whole): at least once for those.
missing=$(comm -23 "$SVC_DIR/want-ids" "$SVC_DIR/stored-ids" | head -n 5)
[ -z "$missing" ] || fail "answered 202, not stored: $missing"
extra=$(comm -13 "$SVC_DIR/want-ids" "$SVC_DIR/stored-ids" | grep -v '^killed-' | head -n 5)
[ -z "$extra" ] || fail "stored, never sent or not answered 202: $extra"
STORED=$(stored)
echo "$N events answered 202; $STORED stored"
expect_eq 0 "$(queued)" "stream after the replay"
[ ! -e "$SPOOL" ] || fail "the spool is still there: $(ls -l "$SPOOL")"
# What is left is the file with the damaged records, kept aside.
leftover=$(ls "$SVC_DIR/spool" | grep -v '\.replay\.[0-9]*\.[0-9]*\.[0-9]*\.damaged$' || true)
[ -z "$leftover" ] || fail "files left in the spool folder: $leftover"
[ "$(ls "$SVC_DIR/spool" | wc -l)" -eq 1 ] || fail "no damaged file kept: $(ls "$SVC_DIR/spool")"
ok "replayed: every event answered 202 stored exactly once, damaged records skipped and kept aside, the spool gone"

metrics
REPLAYED=$(metric events_replayed_total)
expect_eq "$(metric events_spooled_total)" "$REPLAYED" "spooled and replayed"
expect_eq $((STORED - 3)) "$REPLAYED" "events replayed"
expect_metric events_spool_bytes 0 "after the replay"
req GET "$BASE_URL/health"
expect_eq 200 "$HTTP_STATUS" "/health after the replay: $(cat "$SVC_DIR/http.body")"
ok "metrics: $REPLAYED spooled and replayed; /health 200"

# The same file replayed again (a replay cut short and run twice): the
# ids make it harmless.
dup0=$(metric events_duplicates_total)
cp "$SVC_DIR/spool.copy" "$SPOOL"
consumer_once
expect_eq "$STORED" "$(stored)" "documents after replaying the same spool again"
metrics
expect_eq $((dup0 + REPLAYED)) "$(metric events_duplicates_total)" "duplicates after the second replay"
[ ! -e "$SPOOL" ] || fail "the spool is still there after the second replay"
ok "the same spool replayed twice: nothing stored twice"

## a full spool: 503

svc_redis_stop
EVENTS_SPOOL_MAX_BYTES=4096
export EVENTS_SPOOL_MAX_BYTES
EVENTS_FCGI_PROCS=1
http_restart
: >"$IDS"
i=0
while :; do
	i=$((i + 1))
	[ $i -le 10 ] || fail "the spool never filled up"
	printf '{"type":"full","id":"full-%d","metadata":{"pad":"%0500d"}}' $i 0 >"$SVC_DIR/one.json"
	http_post_file "$URL" application/json "$SVC_DIR/one.json" --max-time 10
	[ "$HTTP_STATUS" = 202 ] || break
	echo "full-$i" >>"$IDS"
done
expect_error 503 queue_unavailable "POST with the spool full"
expect_header Retry-After 1 "503 with the spool full"
[ "$(spool_size)" -le 4096 ] || fail "spool of $(spool_size) bytes, over spool_max_bytes"
ok "spool_max_bytes: 503 queue_unavailable once the spool is full ($((i - 1)) events spooled)"

svc_redis_start
consumer_once
"$STORE_READ" ids | grep '^full-' | sort >"$SVC_DIR/stored-ids"
sort "$IDS" | cmp -s - "$SVC_DIR/stored-ids" || fail "the full spool's events: $(cat "$SVC_DIR/stored-ids")"
ok "the full spool replayed"
