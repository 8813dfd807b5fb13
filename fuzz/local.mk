# fuzz/: fuzz targets that drive the real parsers, linked with the real
# objects of lib/.  Each target is fuzz/fuzz-NAME.c, its seeds are in
# fuzz/corpus/NAME/.
EXTRA_DIST += fuzz/events.dict fuzz/corpus
FUZZ_TARGETS = fuzz/fuzz-event fuzz/fuzz-query fuzz/fuzz-spool fuzz/fuzz-conf \
	fuzz/fuzz-storedoc
fuzz_fuzz_event_SOURCES = fuzz/fuzz-event.c tests/bson-keys.h
fuzz_fuzz_event_LDADD = $(LIBEVENTS) $(MONGOC_LIBS)
fuzz_fuzz_query_SOURCES = fuzz/fuzz-query.c
fuzz_fuzz_query_LDADD = $(LIBEVENTS)
fuzz_fuzz_spool_SOURCES = fuzz/fuzz-spool.c
fuzz_fuzz_spool_LDADD = $(LIBEVENTS)
fuzz_fuzz_conf_SOURCES = fuzz/fuzz-conf.c
fuzz_fuzz_conf_LDADD = $(LIBEVENTS)
fuzz_fuzz_storedoc_SOURCES = fuzz/fuzz-storedoc.c tests/bson-keys.h
fuzz_fuzz_storedoc_LDADD = $(LIBEVENTS) $(MONGOC_LIBS)
if FUZZING
# ./configure CC=clang --enable-fuzzing: libFuzzer's main; scripts/fuzz
# runs each target for a while.
noinst_PROGRAMS += $(FUZZ_TARGETS)
fuzz_fuzz_event_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_query_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_spool_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_conf_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_storedoc_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
else
# Any other build: fuzz/driver.c's plain main, and make check runs each
# target on its seeds and every prefix of them (under the sanitizers in
# scripts/test's build-asan/), so a change that breaks a target, or
# that a seed now crashes, fails at once.
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += $(FUZZ_TARGETS)
fuzz_fuzz_event_SOURCES += fuzz/driver.c
fuzz_fuzz_query_SOURCES += fuzz/driver.c
fuzz_fuzz_spool_SOURCES += fuzz/driver.c
fuzz_fuzz_conf_SOURCES += fuzz/driver.c
fuzz_fuzz_storedoc_SOURCES += fuzz/driver.c
endif
