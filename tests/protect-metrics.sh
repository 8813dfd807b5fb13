#!/bin/sh
# GET /metrics through lighttpd and event-status: after a known mix of
# requests (accepted, refused for each reason, ignored for Do Not Track
# and as crawlers) and consumer runs (stored, duplicates, a dead letter),
# every counter and gauge says exactly what was sent and done, in a
# well-formed Prometheus text exposition (format 0.0.4).
. "$(dirname "$0")/protect-lib.sh"
protect_init store
EVENTS_WRITE_KEYS='pk_m pk_r=https://r.example'
EVENTS_RATE_LIMIT_KEY=10
EVENTS_RATE_LIMIT_IP=30
EVENTS_HONOUR_DNT=1
# A window far longer than the test, however slow the machine (ASan,
# load): the counters must still hold what was sent earlier.
EVENTS_RATE_WINDOW_S=3600
EVENTS_IP_HASH_SECRET=metrics-secret-0123456789
export EVENTS_WRITE_KEYS EVENTS_RATE_LIMIT_KEY EVENTS_RATE_LIMIT_IP EVENTS_HONOUR_DNT EVENTS_RATE_WINDOW_S \
    EVENTS_IP_HASH_SECRET
http_restart
KEY=$URL?key=pk_m

# post CTYPE BODY [CURL-ARGS...]: POST under pk_m.
post()
{
	http_post "$KEY" "$@" --max-time 10
}

# events N: a JSON array of N events.
events()
{
	python3 -c 'import json, sys
print(json.dumps([{"type": "m"}] * int(sys.argv[1])))' "$1"
}

## accepted: 7 events under pk_m, 10 under pk_r

for n in 1 2 4; do
	post application/json "$(events $n)"
	expect_eq 202 "$HTTP_STATUS" "$n events"
done
http_post "$URL?key=pk_r" application/json "$(events 10)" --max-time 10 -H 'Origin: https://r.example'
expect_eq 202 "$HTTP_STATUS" "10 events under pk_r"

## refused, one request for each reason (invalid_json twice)

post_json '{"type":"m"}'
expect_error 401 no_key "no key"
http_post "$URL?key=pk_x" application/json '{"type":"m"}' --max-time 10
expect_error 403 bad_key "bad key"
http_post "$URL?key=pk_r" application/json '{"type":"m"}' --max-time 10 -H 'Origin: https://x.example'
expect_error 403 origin_not_allowed "origin"
post application/json '{"type":'
expect_error 400 invalid_json "invalid_json"
post application/json 'nul'
expect_error 400 invalid_json "invalid_json again"
post application/json '{"type":"no spaces"}'
expect_error 400 invalid_event "invalid_event"
post application/json '[]'
expect_error 400 no_events "no_events"
post application/xml '<e/>'
expect_error 415 unsupported_media_type "unsupported_media_type"
python3 -c 'import sys; sys.stdout.write(" " * (1048576 + 1))' >"$SVC_DIR/big"
http_post_file "$KEY" application/json "$SVC_DIR/big" --max-time 10
expect_error 413 body_too_large "body_too_large"
post application/json "$(events 501)"
expect_error 413 too_many_events "too_many_events"
http_post "$URL?key=pk_r" application/json '{"type":"m"}' --max-time 10
expect_error 429 rate_limited "rate_limited_key"
# More than the smallest limit (rate_limit_key, 10) could ever take: a
# final 413, counted with too_many_events (protect-limits counts a 429
# per address).
post application/json "$(events 31)" --interface 127.0.0.9
expect_error 413 too_many_events "31 events, over every rate limit"

## ignored: 3 events for Do Not Track, 4 from crawlers

post application/json "$(events 2)" -H 'DNT: 1'
expect_eq dnt "$(json_get 'd["ignored"]')" "DNT"
post application/json "$(events 1)" -H 'Sec-GPC: 1'
expect_eq dnt "$(json_get 'd["ignored"]')" "GPC"
post application/json "$(events 2)" -A 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'
expect_eq bot "$(json_get 'd["ignored"]')" "Googlebot"
post application/json "$(events 1)" -A 'GPTBot/1.2 (+https://openai.com/gptbot)'
post application/json "$(events 1)" -A 'FooFetcher/1.0 (crawler; +https://foo.example/about)'
ok "a known mix of requests sent"

# check_metrics PYTHON: parse $SVC_DIR/metrics.txt as the Prometheus text
# format, strictly, then run the asserts with m = {series: value}.
check_metrics()
{
	python3 - "$SVC_DIR/metrics.txt" "$1" <<'EOF' || fail "metrics: $(cat "$SVC_DIR/metrics.txt")"
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
assert text.endswith("\n"), "no final newline"
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(\{%s(?:,%s)*\})? (\S+)$" % (NAME, LABEL, LABEL))
types, helps, m, order = {}, {}, {}, []
for line in text.split("\n")[:-1]:
    if line.startswith("# HELP "):
        name, _, doc = line[7:].partition(" ")
        assert re.fullmatch(NAME, name) and doc and name not in helps, line
        helps[name] = doc
    elif line.startswith("# TYPE "):
        name, _, t = line[7:].partition(" ")
        assert t in ("counter", "gauge") and name not in types, line
        assert name in helps, "TYPE before HELP: " + line
        types[name] = t
        order.append(name)
    else:
        s = SAMPLE.match(line)
        assert s, "not a sample: %r" % line
        name = s.group(1)
        # Samples of a family follow its TYPE line, never another's.
        assert order and order[-1] == name, "sample out of its family: " + line
        v = float(s.group(3))
        assert v >= 0 and (types[name] == "gauge" or v == int(v)), line
        series = name + (s.group(2) or "")
        assert series not in m, "series twice: " + series
        m[series] = v
for name, t in types.items():
    assert (t == "counter") == name.endswith("_total"), name
exec(sys.argv[2])
EOF
}

metrics -D "$SVC_DIR/metrics.headers"
grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' "$SVC_DIR/metrics.headers" ||
    fail "/metrics Content-Type: $(grep -i '^Content-Type' "$SVC_DIR/metrics.headers")"
check_metrics '
assert m["events_accepted_total"] == 17, m["events_accepted_total"]
rejected = {k[len("events_rejected_total"):]: v for k, v in m.items() if k.startswith("events_rejected_total")}
want = {"no_key": 1, "bad_key": 1, "origin_not_allowed": 1, "invalid_json": 2,
        "invalid_event": 1, "no_events": 1, "unsupported_media_type": 1,
        "body_too_large": 1, "too_many_events": 2, "rate_limited_key": 1}
assert rejected == {"{reason=\"%s\"}" % k: v for k, v in want.items()}, rejected
assert m["events_ignored_total{reason=\"dnt\"}"] == 3 and m["events_ignored_total{reason=\"bot\"}"] == 4, m
bots = {k: v for k, v in m.items() if k.startswith("events_bot_events_total")}
assert bots == {"events_bot_events_total{reason=\"known_crawler\",agent=\"googlebot\"}": 2,
                "events_bot_events_total{reason=\"known_crawler\",agent=\"gptbot\"}": 1,
                "events_bot_events_total{reason=\"crawler_url\",agent=\"other\"}": 1}, bots
assert m["events_stored_total"] == 0 and m["events_duplicates_total"] == 0, m
assert m["events_backlog"] == 17 and m["events_oldest_age_seconds"] > 0, m
assert m["events_up{service=\"redis\"}"] == 1 and m["events_up{service=\"store\"}"] == 1, m
assert m["events_last_batch_timestamp_seconds"] == 0, m
for name in ("events_dead_lettered_total", "events_spooled_total", "events_replayed_total",
             "events_dead_letters", "events_spool_bytes"):
    assert m[name] == 0, name
'
ok "before the consumer: accepted 17, each refusal by reason, ignored dnt 3 and bot 4 (by crawler), backlog 17"
check_metrics "
info = {k: v for k, v in m.items() if k.startswith('events_store_info')}
assert len(info) == 1 and list(info)[0].startswith('events_store_info{kind=\"$STORE_KIND\",version=\"'), info
assert list(info.values()) == [1], info
"
ok "events_store_info names the store: $STORE_KIND"

## the consumer: stored, duplicates, a dead letter

rcli --json XRANGE events - + COUNT 3 >"$SVC_DIR/first3.json"
consumer_once
python3 -c 'import json, sys
for _, f in json.load(open(sys.argv[1])):
    print(f[1])' "$SVC_DIR/first3.json" | while IFS= read -r line; do
	printf '%s' "$line" | rcli -x XADD events '*' e >/dev/null || exit 1
done || fail "XADD of the first 3 again"
rcli XADD events '*' e '{"id":"poison-1","type":"bad type","createdAt":1,"receivedAt":1}' >/dev/null
EVENTS_MAX_ATTEMPTS=1 consumer_once
expect_eq 17 "$(stored)" "stored"
metrics
check_metrics '
import time
assert m["events_stored_total"] == 17 and m["events_duplicates_total"] == 3, m
assert m["events_dead_lettered_total"] == 1 and m["events_dead_letters"] == 1, m
assert m["events_backlog"] == 0 and m["events_oldest_age_seconds"] == 0, m
assert abs(m["events_last_batch_timestamp_seconds"] - time.time()) < 60, m
assert m["events_accepted_total"] == 17, m
'
ok "after the consumer: stored 17, duplicates 3, dead-lettered 1, backlog 0"
