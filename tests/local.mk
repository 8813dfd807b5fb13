# tests/: unit tests (C), plain-CGI tests and integration tests (sh).
# Each block below belongs to one part of the system; add to your block.

## unit tests (event model, configuration)
UNIT_TESTS = tests/test-event tests/test-conf tests/test-util tests/test-access tests/test-spool \
	tests/test-proxies tests/test-coding
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
tests_test_event_SOURCES = tests/test-event.c tests/check.h
tests_test_event_LDADD = $(LIBEVENTS)
tests_test_conf_SOURCES = tests/test-conf.c tests/check.h tests/check-openssl.h
tests_test_conf_LDADD = $(LIBEVENTS)
EXTRA_DIST += tests/openssl-base-only.cnf
tests_test_util_SOURCES = tests/test-util.c tests/check.h
tests_test_util_LDADD = $(LIBEVENTS)
tests_test_access_SOURCES = tests/test-access.c tests/check.h tests/check-openssl.h
tests_test_access_LDADD = $(LIBEVENTS)
tests_test_coding_SOURCES = tests/test-coding.c tests/check.h
tests_test_coding_LDADD = $(LIBEVENTS)
tests_test_proxies_SOURCES = tests/test-proxies.c tests/check.h
tests_test_proxies_LDADD = $(LIBEVENTS)
tests_test_spool_SOURCES = tests/test-spool.c tests/check.h
tests_test_spool_LDADD = $(LIBEVENTS)
# read(2) as lib/spool.c calls it goes through the test's __wrap_read,
# which can fail part-way on demand (a disk error, a short read);
# rename(2) through __wrap_rename, which holds the replay at the moment
# it takes the live file until the writers wait for its lock; flock(2)
# through __wrap_flock, where another replay can race this one, and
# time_now_ms through __wrap_time_now_ms, whose clock can stand still.
tests_test_spool_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=read -Wl,--wrap=rename -Wl,--wrap=flock \
	-Wl,--wrap=time_now_ms

## the spool's record format, as earlier releases wrote it
# (In UNIT_TESTS, so scripts/test runs it under valgrind too.)
check_PROGRAMS += tests/test-spool-format
UNIT_TESTS += tests/test-spool-format
tests_test_spool_format_SOURCES = tests/test-spool-format.c tests/check.h
tests_test_spool_format_LDADD = $(LIBEVENTS)

## every x_free() of lib/ takes NULL
check_PROGRAMS += tests/test-free
UNIT_TESTS += tests/test-free
tests_test_free_SOURCES = tests/test-free.c tests/check.h
tests_test_free_LDADD = $(LIBEVENTS) $(MONGOC_LIBS)

## the store layer's pure parts (error classes; later the index and
## retention decisions)
# (In UNIT_TESTS, so scripts/test runs it under valgrind too.)
check_PROGRAMS += tests/test-store
UNIT_TESTS += tests/test-store
tests_test_store_SOURCES = tests/test-store.c tests/check.h
tests_test_store_LDADD = $(LIBEVENTS) $(MONGOC_LIBS)
# the stored document against the one set of rules (lib/rules.c)
check_PROGRAMS += tests/test-storedoc
UNIT_TESTS += tests/test-storedoc
tests_test_storedoc_SOURCES = tests/test-storedoc.c tests/check.h tests/bson-keys.h
tests_test_storedoc_LDADD = $(LIBEVENTS) $(MONGOC_LIBS)

## plain CGI tests
TESTS += tests/cgi-ingest.sh tests/cgi-read.sh
EXTRA_DIST += tests/cgi-ingest.sh tests/cgi-read.sh

## service harness and HTTP integration tests (redis, store, lighttpd)
# tests/services.sh starts the services on private ports; see its header.
TESTS += tests/lighttpd-conf.sh tests/http-ingest.sh tests/http-outage.sh \
	tests/http-threads.sh tests/http-unread.sh tests/store-smoke.sh \
	tests/defaults.sh
EXTRA_DIST += tests/services.sh tests/lighttpd-conf.sh tests/http-ingest.sh \
	tests/http-outage.sh tests/http-threads.sh tests/http-unread.sh \
	tests/store-smoke.sh tests/defaults.sh
check_PROGRAMS += tests/store-smoke tests/conf-defaults
tests_conf_defaults_SOURCES = tests/conf-defaults.c
tests_conf_defaults_LDADD = $(LIBEVENTS)
tests_store_smoke_SOURCES = tests/store-smoke.c
tests_store_smoke_LDADD = $(MONGOC_LIBS)

## which store is behind the programs (logs, /health); a read's time
## budget over all its batches
TESTS += tests/store-kind.sh tests/store-budget.sh
EXTRA_DIST += tests/store-kind.sh tests/store-budget.sh
check_PROGRAMS += tests/store-budget
tests_store_budget_SOURCES = tests/store-budget.c
tests_store_budget_LDADD = $(LIBEVENTS) $(MONGOC_LIBS)

## our FerretDB patch against FerretDB's own evaluation (differential)
TESTS += tests/store-pushdown.sh tests/store-downgrade.sh
EXTRA_DIST += tests/store-pushdown.sh tests/store-downgrade.sh
check_PROGRAMS += tests/store-diff
tests_store_diff_SOURCES = tests/store-diff.c
tests_store_diff_LDADD = $(MONGOC_LIBS)

## consumer tests
# tests/store-read reads the store back (count, ids, dump, indexes).
CONSUMER_TESTS = tests/consumer-exactly-once.sh tests/consumer-crash.sh \
	tests/consumer-outage.sh tests/consumer-poison.sh \
	tests/consumer-shared.sh tests/consumer-modes.sh \
	tests/consumer-retention.sh
TESTS += $(CONSUMER_TESTS)
EXTRA_DIST += $(CONSUMER_TESTS) tests/consumer-lib.sh
check_PROGRAMS += tests/store-read
tests_store_read_SOURCES = tests/store-read.c
tests_store_read_LDADD = $(MONGOC_LIBS)

## query and browser tests
check_PROGRAMS += tests/test-query-params
TESTS += tests/test-query-params
tests_test_query_params_SOURCES = tests/test-query-params.c tests/check.h
tests_test_query_params_LDADD = $(LIBEVENTS)
check_PROGRAMS += tests/test-stats-fold
UNIT_TESTS += tests/test-stats-fold
tests_test_stats_fold_SOURCES = tests/test-stats-fold.c tests/check.h
tests_test_stats_fold_LDADD = $(LIBEVENTS)
check_PROGRAMS += tests/test-stats-tally
UNIT_TESTS += tests/test-stats-tally
tests_test_stats_tally_SOURCES = tests/test-stats-tally.c tests/check.h
tests_test_stats_tally_LDADD = $(LIBEVENTS)
# the output writers: the growable buffer, CSV fields and the formula
# guard, the Prometheus text format
check_PROGRAMS += tests/test-buf tests/test-csv tests/test-prometheus
UNIT_TESTS += tests/test-buf tests/test-csv tests/test-prometheus
tests_test_buf_SOURCES = tests/test-buf.c tests/check.h
tests_test_buf_LDADD = $(LIBEVENTS)
tests_test_csv_SOURCES = tests/test-csv.c tests/check.h
tests_test_csv_LDADD = $(LIBEVENTS)
tests_test_prometheus_SOURCES = tests/test-prometheus.c tests/check.h
tests_test_prometheus_LDADD = $(LIBEVENTS)
TESTS += tests/query-api.sh
EXTRA_DIST += tests/query-api.sh tests/query-helpers.py
TESTS += tests/query-params.sh tests/query-outage.sh tests/query-breakdown.sh
EXTRA_DIST += tests/query-params.sh tests/query-outage.sh tests/query-breakdown.sh
# The counts cache behind /events/stats on FerretDB (gdb stops a consumer
# between its insert and its XACK).
TESTS += tests/query-stats-cache.sh tests/store-counts.sh
EXTRA_DIST += tests/query-stats-cache.sh tests/stats-check.py tests/store-counts.sh
check_PROGRAMS += tests/store-counts
tests_store_counts_SOURCES = tests/store-counts.c
tests_store_counts_LDADD = $(LIBEVENTS) $(MONGOC_LIBS)
# The consumer fills the counts cache in the background: the sweep pass
# by pass (store-fill), and the consumer doing it without any read.
TESTS += tests/store-fill.sh tests/consumer-counts-fill.sh
EXTRA_DIST += tests/store-fill.sh tests/consumer-counts-fill.sh
check_PROGRAMS += tests/store-fill
tests_store_fill_SOURCES = tests/store-fill.c
tests_store_fill_LDADD = $(LIBEVENTS) $(MONGOC_LIBS)
# Chromium (Debian's chromium, driven by playwright-core; axe-core): the
# tracker's rules against event-ingest's, its delivery, and the page.
# The npm packages come from scripts/test's set-up (tests/browser/browser.sh).
BROWSER_TESTS = tests/browser/rules.sh tests/browser/tracker.sh tests/browser/page.sh
TESTS += $(BROWSER_TESTS)
EXTRA_DIST += $(BROWSER_TESTS) tests/browser/browser.sh tests/browser/lib.js \
	tests/browser/rules.js tests/browser/rules-cases.js tests/browser/tracker.js \
	tests/browser/page.js tests/browser/package.json tests/browser/package-lock.json

## what the browser tests leave in the build tree (screenshots)
clean-local: clean-browser
clean-browser:
	-rm -rf tests/browser/artefacts
.PHONY: clean-browser

## protection and operations tests
# Keys, CORS, read token, rate limits, backpressure, the disk spool,
# privacy, /health, /metrics and hostile HTTP, against the real services;
# tests/schemathesis.sh checks docs/openapi.yaml against the live stack.
PROTECT_TESTS = tests/protect-limits.sh tests/protect-access.sh \
	tests/protect-spool.sh tests/protect-health.sh tests/protect-privacy.sh \
	tests/protect-metrics.sh tests/protect-hostile.sh tests/schemathesis.sh \
	tests/protect-proxies.sh
TESTS += $(PROTECT_TESTS)
EXTRA_DIST += $(PROTECT_TESTS) tests/protect-lib.sh tests/schemathesis-hooks.py \
	tests/schemathesis-requirements.txt
EXTRA_DIST += docs/openapi.yaml
# What Schemathesis leaves in the build tree (its virtual environment is
# made by scripts/test's set-up in tests/schemathesis-venv/ of the source
# tree).
clean-local: clean-schemathesis
clean-schemathesis:
	-rm -rf .hypothesis .schemathesis
.PHONY: clean-schemathesis

## web servers: the HTTP tests through each Apache set-up of apache/
# tests/apache-*.sh run http-ingest, http-outage, query-api, query-params
# and http-server unchanged with EVENTS_TEST_SERVER set
# (tests/apache-run.sh; tests/apache.sh starts Apache).  http-server.sh
# checks what any set-up must do around the programs (lighttpd here).
APACHE_TESTS = tests/apache-fcgid.sh tests/apache-proxy-fcgi.sh \
	tests/apache-cgi.sh tests/apache-cgid.sh tests/apache-htaccess.sh
TESTS += tests/http-server.sh tests/http-errors.sh $(APACHE_TESTS)
EXTRA_DIST += tests/http-server.sh tests/http-errors.sh tests/raw-request.py \
	$(APACHE_TESTS) tests/apache.sh tests/apache-run.sh
# Expected to fail until the programs ignore their command line under

## the manual pages: mandoc -Tlint, every configuration key documented
TESTS += tests/man-lint.sh
EXTRA_DIST += tests/man-lint.sh

## connections (Redis by socket, password, ACL user; an authenticated
## store) and cron supervision of the consumer
TESTS += tests/connections.sh tests/cron.sh tests/store-auth.sh
EXTRA_DIST += tests/connections.sh tests/cron.sh tests/store-auth.sh

## scaling out: Redis address lists (unit), failover with Sentinel
## (tests/redis-lib.sh starts replicas and Sentinels; tests/load-client.py
## sends events with ids and resends until 202)
check_PROGRAMS += tests/test-redis
TESTS += tests/test-redis
tests_test_redis_SOURCES = tests/test-redis.c tests/check.h
tests_test_redis_LDADD = $(LIBEVENTS)
TESTS += tests/redis-sentinel.sh
EXTRA_DIST += tests/redis-sentinel.sh tests/redis-lib.sh tests/load-client.py
## the sharded queue: one Redis and two independent masters; a Redis
## Cluster of three masters and three replicas (slot migration, failover)
TESTS += tests/redis-shards.sh tests/redis-cluster.sh
EXTRA_DIST += tests/redis-shards.sh tests/redis-cluster.sh
## several hosts in network namespaces (root and ip(8); exit 77 without):
## two web hosts, a master with two replicas, three Sentinels, two
## consumer hosts, a store host, a client; the master killed, a web
## host's link cut, a consumer host killed
TESTS += tests/hosts-netns.sh
EXTRA_DIST += tests/hosts-netns.sh

## the local stack: scripts/start from a private folder (as root: the
## web server's user cannot reach it), one stack per data folder; and
## every shell example of the README, run as written
TESTS += tests/start.sh tests/readme.sh
EXTRA_DIST += tests/start.sh tests/readme.sh
