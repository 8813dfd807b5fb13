#!/bin/sh
# GET /health through lighttpd and event-status, with health_max_lag_s=4:
# 503 listing why before any consumer has run, 200 once one has, 503 again
# when the store is down or hangs, when no consumer has run for 4 s, when an event
# waits longer than that, when Redis is down and when dead letters are
# there; 200 after each recovery.  So `curl -f` in cron alerts.
. "$(dirname "$0")/protect-lib.sh"
protect_init store
EVENTS_HEALTH_MAX_LAG_S=4
export EVENTS_HEALTH_MAX_LAG_S
http_restart

# health: GET /health; its body's problems one a line in $SVC_DIR/problems.
health()
{
	req GET "$BASE_URL/health"
	expect_eq application/json "$(http_header Content-Type)" "/health Content-Type"
	json_get '"\n".join(d["problems"])' >"$SVC_DIR/problems"
}

# expect_problem TEXT WHAT: one of the problems holds TEXT.
expect_problem()
{
	grep -q "$1" "$SVC_DIR/problems" ||
	    fail "$2: no problem \"$1\" in: $(cat "$SVC_DIR/http.body")"
}

# expect_healthy WHAT: 200, status ok, no problems.
expect_healthy()
{
	health
	expect_eq 200 "$HTTP_STATUS" "$1: status ($(cat "$SVC_DIR/http.body"))"
	expect_eq ok "$(json_get 'd["status"]')" "$1: status field"
	expect_eq '[]' "$(json_get 'd["problems"]')" "$1: problems"
}

# expect_attention WHAT: 503, status attention.
expect_attention()
{
	health
	expect_eq 503 "$HTTP_STATUS" "$1: status ($(cat "$SVC_DIR/http.body"))"
	expect_eq attention "$(json_get 'd["status"]')" "$1: status field"
}

# wait_problem SINCE TEXT WHAT: poll /health until it answers 503 with
# a problem holding TEXT (15 s at most), and fail if that came before
# health_max_lag_s had passed since SINCE (date +%s.%N, taken before
# what starts the clock).
wait_problem()
{
	_problem()
	{
		health
		[ "$HTTP_STATUS" = 503 ] && grep -q "$1" "$SVC_DIR/problems"
	}
	svc_until 15 _problem "$2" || fail "$3: no problem \"$2\" after 15 s: $(cat "$SVC_DIR/http.body")"
	_after=$(awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	awk -v t="$_after" -v lag="$EVENTS_HEALTH_MAX_LAG_S" 'BEGIN { exit !(t >= lag - 0.1) }' ||
	    fail "$3: 503 after $_after s, before health_max_lag_s ($EVENTS_HEALTH_MAX_LAG_S s)"
	echo "$3: 503 after $_after s"
}

## before any consumer

expect_attention "no consumer yet"
expect_problem "no consumer has run in the last 4 s" "no consumer yet"
expect_eq '{}' "$(json_get 'd["consumers"]')" "no consumer yet: consumers"
expect_eq 'null' "$(json_get 'd["lastBatchAt"]')" "no consumer yet: lastBatchAt"
curl -fsS --max-time 10 -o /dev/null "$BASE_URL/health" 2>/dev/null &&
    fail "curl -f succeeded on a 503"
ok "503 before any consumer has run"

## all well: an event stored, the consumer just ran

post_json '{"type":"h","id":"h-1"}'
expect_eq 202 "$HTTP_STATUS" "POST"
consumer_once
expect_healthy "after the consumer"
python3 - "$SVC_DIR/http.body" "$STORE_KIND" <<'EOF' || fail "the /health fields: $(cat "$SVC_DIR/http.body")"
import json, re, sys
d = json.load(open(sys.argv[1]))
want = ["status", "problems", "warnings", "redis", "store", "storeServer", "backlog",
        "oldestAgeSeconds", "deadLetters", "spoolBytes", "lastBatchAt", "consumers",
        "shards"]
assert list(d) == want, list(d)
assert d["shards"] == [{"shard": 0, "up": True, "backlog": 0, "deadLetters": 0}], d["shards"]
assert d["redis"] is True and d["store"] is True, d
assert d["storeServer"]["kind"] == sys.argv[2] and d["storeServer"]["version"], d["storeServer"]
# A stock FerretDB is worth a warning, never a 503.
assert (d["warnings"] != []) == (sys.argv[2] == "ferretdb"), d["warnings"]
assert d["backlog"] == 0 and d["oldestAgeSeconds"] is None, d
assert d["deadLetters"] == 0 and d["spoolBytes"] == 0, d
T = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
assert T.match(d["lastBatchAt"]), d["lastBatchAt"]
assert list(d["consumers"]) == ["consumer"] and T.match(d["consumers"]["consumer"]), d["consumers"]
EOF
consumer_once	# the checks above may take seconds on a loaded machine
curl -fsS --max-time 10 -o /dev/null "$BASE_URL/health" || fail "curl -f failed on a 200"
req HEAD "$BASE_URL/health" --head
expect_eq 200 "$HTTP_STATUS" "HEAD /health"
# Preconditions (RFC 9110 13.2.2) on the 200: no entity tag here.
req GET "$BASE_URL/health" -H 'If-Match: "v1"'
expect_error 412 precondition_failed "/health with If-Match"
req GET "$BASE_URL/health" -H 'If-None-Match: *'
expect_eq 304 "$HTTP_STATUS" "/health with If-None-Match: *"
req GET "$BASE_URL/health" -H 'If-Match: *'
expect_eq 200 "$HTTP_STATUS" "/health with If-Match: *"
ok "200 with every field once the consumer has run; 412 and 304 on its preconditions"

## the store down

svc_store_stop
# A 503 stays one whatever the preconditions (13.2.1).
req GET "$BASE_URL/health" -H 'If-Match: "v1"'
expect_eq 503 "$HTTP_STATUS" "/health with If-Match, the store down"
expect_attention "store down"
expect_problem "the store is unreachable" "store down"
expect_eq false "$(json_get 'd["store"]')" "store down: store"
expect_eq null "$(json_get 'd["storeServer"]')" "store down: storeServer"
expect_eq true "$(json_get 'd["redis"]')" "store down: redis"
metrics
expect_metric 'events_up{service="store"}' 0 "store down"
expect_metric 'events_up{service="redis"}' 1 "store down"
ok "503 when the store is down, and events_up{service=\"store\"} 0"
svc_store_start
consumer_once
# At once: event-status makes a new store client after a failed ping
# rather than wait out libmongoc's 5 s cooldown.
expect_healthy "store back"
ok "200 as soon as the store is back"

## the store hangs: it takes the connection and never answers

# event-status holds a connection from the last request; the ping on it
# gives up after STORE_PROBE_SOCKET_MS (lib/store.h), well inside the
# 10 s req allows (a reader's 15 s socket time-out would not be).
kill -STOP "$(svc_pid store)"
expect_attention "store hangs"
expect_problem "the store is unreachable" "store hangs"
echo "/health answered in ${HTTP_TIME}s with the store hung"
kill -CONT "$(svc_pid store)"
# The hang outlasted health_max_lag_s: a consumer's run ends that problem.
consumer_once
expect_healthy "store no longer hangs"
ok "503 within seconds when the store hangs, 200 once it answers again"

## no consumer for longer than health_max_lag_s

# SINCE before the consumer runs: the time it records is no earlier.
since=$(date +%s.%N)
consumer_once
expect_healthy "the consumer just ran"
wait_problem "$since" "no consumer has run in the last 4 s" "consumer gone quiet"
expect_attention "consumer gone quiet"
expect_problem "no consumer has run in the last 4 s" "consumer gone quiet"
consumer_once
expect_healthy "consumer ran again"
ok "503 when no consumer has run for health_max_lag_s, 200 when one has"

## an event waiting longer than health_max_lag_s

since=$(date +%s.%N)
post_json '{"type":"h","id":"h-2"}'
wait_problem "$since" "the oldest queued event waits for [0-9]* s" "an event waits"
expect_attention "an event waits"
expect_problem "the oldest queued event waits for [0-9]* s" "an event waits"
expect_eq 1 "$(json_get 'd["backlog"]')" "an event waits: backlog"
python3 -c 'import json, sys
a = json.load(open(sys.argv[1]))["oldestAgeSeconds"]
sys.exit(not (4 <= a < 30))' "$SVC_DIR/http.body" ||
    fail "oldestAgeSeconds: $(json_get 'd["oldestAgeSeconds"]')"
consumer_once
expect_healthy "the event stored"
expect_eq 2 "$(stored)" "stored"
ok "503 while an event waits longer than health_max_lag_s"

## Redis down

svc_redis_stop
expect_attention "Redis down"
expect_problem "redis is unreachable" "Redis down"
expect_eq false "$(json_get 'd["redis"]')" "Redis down: redis"
expect_eq null "$(json_get 'd["backlog"]')" "Redis down: backlog"
expect_eq null "$(json_get 'd["deadLetters"]')" "Redis down: deadLetters"
# /metrics leaves out what it cannot know rather than say 0.
metrics
expect_metric 'events_up{service="redis"}' 0 "Redis down"
for series in events_accepted_total events_stored_total events_backlog \
    events_dead_letters events_oldest_age_seconds events_last_batch_timestamp_seconds; do
	! grep -q "^$series " "$SVC_DIR/metrics.txt" ||
	    fail "Redis down: /metrics gives $(grep "^$series " "$SVC_DIR/metrics.txt")"
done
grep -q '^# TYPE events_accepted_total counter' "$SVC_DIR/metrics.txt" ||
    fail "Redis down: the families are gone from /metrics"
svc_redis_start
consumer_once
# event-status tries Redis again REDISCONN_RETRY_MS (lib/redisconn.h)
# after a failed connect: wait for it to see Redis back.
svc_until 5 sh -c 'curl -fsS --max-time 5 "$1/health" | grep -q "\"redis\":true"' sh "$BASE_URL" ||
    fail "Redis back: /health never says redis true"
expect_healthy "Redis back"
ok "503 when Redis is down (and /metrics without Redis's series), 200 once it is back"

## dead letters

rcli XADD events:dead '*' e '{"bad":true}' reason test >/dev/null
expect_attention "a dead letter"
expect_problem "1 events in the dead-letter stream events:dead" "a dead letter"
expect_eq 1 "$(json_get 'd["deadLetters"]')" "a dead letter: deadLetters"
rcli DEL events:dead >/dev/null
# A consumer run just before, so a slow machine's seconds spent above do
# not exceed the 4 s lag window.
consumer_once
expect_healthy "dead letters gone"
ok "503 while dead letters wait"

# Methods other than GET and HEAD.
req POST "$BASE_URL/health" -d x
expect_error 405 method_not_allowed "POST /health"
ok "405 for POST /health"
