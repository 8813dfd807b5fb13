# fuzz/: libFuzzer targets that drive the real parsers
# (./configure CC=clang --enable-fuzzing; scripts/fuzz runs them).
EXTRA_DIST += fuzz/events.dict fuzz/corpus
if FUZZING
FUZZ_TARGETS = fuzz/fuzz-event fuzz/fuzz-query fuzz/fuzz-spool fuzz/fuzz-conf \
	fuzz/fuzz-storedoc
noinst_PROGRAMS += $(FUZZ_TARGETS)
fuzz_fuzz_event_SOURCES = fuzz/fuzz-event.c
fuzz_fuzz_event_LDADD = $(LIBEVENTS) $(MONGOC_LIBS)
fuzz_fuzz_event_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_query_SOURCES = fuzz/fuzz-query.c
fuzz_fuzz_query_LDADD = $(LIBEVENTS)
fuzz_fuzz_query_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_spool_SOURCES = fuzz/fuzz-spool.c
fuzz_fuzz_spool_LDADD = $(LIBEVENTS)
fuzz_fuzz_spool_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_conf_SOURCES = fuzz/fuzz-conf.c
fuzz_fuzz_conf_LDADD = $(LIBEVENTS)
fuzz_fuzz_conf_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
fuzz_fuzz_storedoc_SOURCES = fuzz/fuzz-storedoc.c
fuzz_fuzz_storedoc_LDADD = $(LIBEVENTS) $(MONGOC_LIBS)
fuzz_fuzz_storedoc_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif
