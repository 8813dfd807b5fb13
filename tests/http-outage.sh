#!/bin/sh
# Redis goes away under a running lighttpd: POST /events answers 503 with
# Retry-After within a second, the FastCGI processes stay up, and once
# Redis is back on the same port the next POST is queued, with no restart
# of lighttpd or of the programs.
. "$(dirname "$0")/services.sh"
svc_init
svc_redis_start
# One program, so every request below goes through the same process and
# the same kept-open Redis connection.
EVENTS_FCGI_PROCS=1
svc_http_start
URL=$BASE_URL/events

# The PIDs of the FastCGI programs the web server runs.
programs()
{
	svc_http_programs | tr -d ' ' | sort | tr '\n' ' '
}

# within_1s WHAT: the last request took less than a second.
within_1s()
{
	python3 -c 'import sys; sys.exit(float(sys.argv[1]) >= 1.0)' "$HTTP_TIME" ||
	    fail "$1: answered in ${HTTP_TIME}s, more than 1 s"
}

http_post "$URL" application/json '{"type":"before","id":"o-1"}'
expect_eq 202 "$HTTP_STATUS" "before the outage"
PROGS=$(programs)
[ -n "$PROGS" ] || fail "no FastCGI program under lighttpd"
ok "queued before the outage"

svc_redis_stop
for i in 1 2 3 4 5; do
	http_post "$URL" application/json '{"type":"during","id":"o-d'"$i"'"}'
	expect_error 503 queue_unavailable "POST $i while Redis is down"
	expect_eq 1 "$(http_header Retry-After)" "503: Retry-After"
	within_1s "POST $i while Redis is down"
done
expect_eq "$PROGS" "$(programs)" "FastCGI programs after the 503s"
ok "503 with Retry-After in under 1 s, the same program still serving"

# Wrong requests are still answered as usual while Redis is down.
http_post "$URL" application/json '{"type":'
expect_error 400 invalid_json "bad JSON while Redis is down"

# post_until_202 BODY: POST until it is answered 202 (the program
# retries the connection at most every REDISCONN_RETRY_MS; a 503 queues
# nothing, so the same event can be sent again); 10 s at most.
post_until_202()
{
	_end=$(( $(date +%s) + 10 ))
	http_post "$URL" application/json "$1"
	while [ "$HTTP_STATUS" = 503 ] && [ "$(date +%s)" -lt "$_end" ]; do
		sleep 0.05
		http_post "$URL" application/json "$1"
	done
}

svc_redis_start
post_until_202 '{"type":"after","id":"o-2"}'
expect_eq 202 "$HTTP_STATUS" "after Redis came back"
expect_eq "$PROGS" "$(programs)" "FastCGI programs after the recovery"
# Redis kept what it had (AOF), and nothing from the outage was queued.
expect_eq "o-1 o-2" "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --json XRANGE events - + |
    python3 -c 'import json, sys
print(" ".join(json.loads(e[1][1])["id"] for e in json.load(sys.stdin)))')" "stream after the outage"
ok "recovered by itself: 202, no restart"

# Redis that accepts connections but never answers (stopped with SIGSTOP):
# the answer still comes within a second (redis_timeout_ms).
kill -STOP "$(svc_pid redis)"
http_post "$URL" application/json '{"type":"hung"}'
kill -CONT "$(svc_pid redis)"
expect_error 503 queue_unavailable "POST while Redis hangs"
within_1s "POST while Redis hangs"
expect_eq "$PROGS" "$(programs)" "FastCGI programs after the hang"
post_until_202 '{"type":"after-hang"}'
expect_eq 202 "$HTTP_STATUS" "after Redis resumed"
ok "a hung Redis: 503 within 1 s, then recovery"
