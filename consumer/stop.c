/*
 * Stopping and time in the consumer: the stop signals, waits that a
 * stop cuts short, and the --max-seconds deadline.
 *
 * SIGTERM and SIGINT are blocked for the whole run (stop_init) and
 * collected with sigtimedwait() between batches and during waits: a
 * batch in flight is never interrupted inside hiredis or libmongoc, it
 * is stored and acknowledged, then the program exits 0.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <time.h>

#include "consumer.h"
#include "log.h"
#include "timeutil.h"

static sigset_t stop_signals;
static int stop_seen;

void
stop_init(void)
{
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void
note_signal(int sig)
{
	if (sig > 0 && !stop_seen) {
		stop_seen = 1;
		log_info("%s: finishing the batch in flight, then exiting",
		    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	}
}

int
consumer_stopping(void)
{
	struct timespec zero = { 0, 0 };

	if (!stop_seen)
		note_signal(sigtimedwait(&stop_signals, NULL, &zero));
	return stop_seen;
}

int
consumer_sleep(int64_t ms)
{
	struct timespec ts;
	int64_t end = time_mono_ms() + ms;
	int sig;

	while (!stop_seen && ms > 0) {
		ts.tv_sec = (time_t)(ms / 1000);
		ts.tv_nsec = (long)(ms % 1000) * 1000000L;
		sig = sigtimedwait(&stop_signals, NULL, &ts);
		if (sig > 0)
			note_signal(sig);
		else if (errno != EINTR)
			break;		/* EAGAIN: the time is up */
		ms = end - time_mono_ms();
	}
	return stop_seen;
}

int
consumer_time_up(const struct consumer *c)
{
	return c->deadline != 0 && time_mono_ms() >= c->deadline;
}

int64_t
consumer_clamp_ms(const struct consumer *c, int64_t ms)
{
	int64_t left;

	if (c->deadline != 0 && ms > (left = c->deadline - time_mono_ms()))
		return left;
	return ms;
}
