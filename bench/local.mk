# bench/: benchmarks (see bench/README or the README's performance table).

## ingest: the no-op FastCGI responder that is the ceiling of FastCGI
noinst_PROGRAMS += bench/bench-noop-fcgi
bench_bench_noop_fcgi_SOURCES = bench/noop-fcgi.c
bench_bench_noop_fcgi_LDADD = $(FCGI_LIBS)
