/* Unit tests that need an OpenSSL without SIPHASH (tests/check.h first). */
#ifndef EVENTS_TESTS_CHECK_OPENSSL_H
#define EVENTS_TESTS_CHECK_OPENSSL_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Run fn in a child whose OpenSSL has no SIPHASH (the base provider
 * alone, tests/openssl-base-only.cnf under $top_srcdir, else ..).  Call
 * it before anything in this process uses OpenSSL, which reads its
 * configuration once.  Returns the child's exit status: 0 when its
 * checks all passed, else 1 (their lines are on standard error).
 */
static inline int
check_without_siphash(void (*fn)(void))
{
	char cnf[1024];
	const char *src = getenv("top_srcdir");
	pid_t pid;
	int st;

	snprintf(cnf, sizeof(cnf), "%s/tests/openssl-base-only.cnf", src ? src : "..");
	if ((pid = fork()) == 0) {
		setenv("OPENSSL_CONF", cnf, 1);
		fn();
		_exit(check_failed > 0 ? 1 : 0);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) ?
	    WEXITSTATUS(st) : 1;
}

#endif
