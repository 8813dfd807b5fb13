/* A minimal harness for the C unit tests: CHECK counts failures, each
 * test program returns check_exit() from main (0, or 1 on any failure). */
#ifndef EVENTS_TESTS_CHECK_H
#define EVENTS_TESTS_CHECK_H

#include <stdio.h>

static int check_failed, check_run;

#define CHECK(cond, ...) do {						\
	check_run++;							\
	if (!(cond)) {							\
		check_failed++;						\
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

static inline int
check_exit(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, check_run, check_failed);
	return check_failed ? 1 : 0;
}

#endif
