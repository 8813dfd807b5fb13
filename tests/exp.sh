#!/bin/sh
. "$(dirname "$0")/services.sh"
svc_init
svc_redis_start
svc_store_start
svc_http_start
B="http://$EVENTS_HTTP_BIND:$EVENTS_HTTP_PORT"
for ae in GZIP Gzip gzip "BR;Q=0, GZIP" "br" "*" "identity"; do
  echo "AE $ae: $(curl -s -o /dev/null -D - -H "Accept-Encoding: $ae" $B/ | grep -i 'content-encoding' | tr -d '\r')"
done
echo "GET:"; curl -s -o /dev/null -D - -H "Accept-Encoding: gzip" $B/events
echo "HEAD:"; curl -s -I -H "Accept-Encoding: gzip" $B/events
echo "GET page:"; curl -s -o /dev/null -D - -H "Accept-Encoding: gzip" $B/
echo "HEAD page:"; curl -s -I -H "Accept-Encoding: gzip" $B/
