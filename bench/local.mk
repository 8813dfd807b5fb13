# bench/: benchmarks; bench/run runs them all and prints one table.
EXTRA_DIST += bench/run bench/ingest.sh bench/shards.sh

## ingest: ours beside the seed's ingest at the same Redis durability
EXTRA_DIST += bench/seed.sh

## ingest: instructions an event costs to validate and serialise
## (callgrind; bench/parse-cost.sh)
noinst_PROGRAMS += bench/bench-parse
bench_bench_parse_SOURCES = bench/bench-parse.c
bench_bench_parse_LDADD = $(LIBEVENTS)
EXTRA_DIST += bench/parse-cost.sh

## ingest: the no-op FastCGI responder that is the ceiling of FastCGI
noinst_PROGRAMS += bench/bench-noop-fcgi
bench_bench_noop_fcgi_SOURCES = bench/noop-fcgi.c
bench_bench_noop_fcgi_LDADD = $(FCGI_LIBS)

## query: bulk-load event documents into the store; GET /events latency
noinst_PROGRAMS += bench/bench-load
bench_bench_load_SOURCES = bench/bench-load.c
bench_bench_load_LDADD = $(LIBEVENTS) $(MONGOC_LIBS)
EXTRA_DIST += bench/query-latency.sh

## consumer: queue N events; the consumer's drain rate beside the raw
## bulk-insert rate of the same documents (bench/consumer-drain.sh)
noinst_PROGRAMS += bench/bench-insert
bench_bench_insert_SOURCES = bench/bench-insert.c
bench_bench_insert_LDADD = $(LIBEVENTS) $(MONGOC_LIBS)
EXTRA_DIST += bench/consumer-drain.sh

## web servers: single-event POST through lighttpd and the Apache set-ups
EXTRA_DIST += bench/apache-post.sh bench/post-one.lua
