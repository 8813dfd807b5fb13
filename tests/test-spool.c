/* The disk spool: concurrent appends from several processes, replay,
 * damaged records, and a file renamed away under a writer. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "spool.h"

#define PROCS	4
#define BATCHES	50
#define PER	7

struct seen {
	int	count[PROCS][BATCHES][PER];
	int	stop_after;	/* emit fails after this many calls; -1 never */
	int	calls;
};

/* Events are {"p":P,"b":B,"i":I}. */
static int
emit(void *arg, const struct event_batch *b)
{
	struct seen *s = arg;
	int p, bb, i;
	size_t k;

	if (s->stop_after >= 0 && s->calls >= s->stop_after)
		return -1;
	s->calls++;
	for (k = 0; k < b->n; k++) {
		char line[128];
		size_t n = b->ev[k].json_len < sizeof(line) - 1 ? b->ev[k].json_len : sizeof(line) - 1;
		memcpy(line, b->ev[k].json, n);
		line[n] = '\0';
		if (sscanf(line, "{\"p\":%d,\"b\":%d,\"i\":%d}", &p, &bb, &i) == 3 &&
		    p >= 0 && p < PROCS && bb >= 0 && bb < BATCHES && i >= 0 && i < PER)
			s->count[p][bb][i]++;
	}
	return 0;
}

static void
make_batch(struct event_batch *b, struct event_out *ev, char bufs[][64], int p, int bb)
{
	int i;

	b->n = PER;
	b->ev = ev;
	for (i = 0; i < PER; i++) {
		ev[i].json = bufs[i];
		ev[i].json_len = (size_t)snprintf(bufs[i], 64, "{\"p\":%d,\"b\":%d,\"i\":%d}", p, bb, i);
	}
}

static void
writer(const char *path, int p)
{
	struct event_batch b;
	struct event_out ev[PER];
	char bufs[PER][64], err[256];
	int bb;

	for (bb = 0; bb < BATCHES; bb++) {
		make_batch(&b, ev, bufs, p, bb);
		if (spool_append(path, 1 << 24, &b, err, sizeof(err)) != 0) {
			fprintf(stderr, "append: %s\n", err);
			_exit(1);
		}
	}
	_exit(0);
}

static void
test_concurrent(const char *dir)
{
	static struct seen s;
	char path[512], err[256];
	size_t events, skipped;
	int p, bb, i, status, bad = 0;
	pid_t pids[PROCS];

	snprintf(path, sizeof(path), "%s/spool", dir);
	for (p = 0; p < PROCS; p++)
		if ((pids[p] = fork()) == 0)
			writer(path, p);
	/* Replay while the writers run: a writer holding the old name must
	 * follow the rename, and nothing may be lost between the two. */
	memset(&s, 0, sizeof(s));
	s.stop_after = -1;
	usleep(2000);
	CHECK(spool_replay(path, emit, &s, &events, &skipped, err, sizeof(err)) == 0,
	    "replay during writes: %s", err);
	for (p = 0; p < PROCS; p++) {
		waitpid(pids[p], &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d", p);
	}
	CHECK(spool_replay(path, emit, &s, &events, &skipped, err, sizeof(err)) == 0,
	    "replay after: %s", err);
	CHECK(skipped == 0, "no damaged bytes: %zu", skipped);
	for (p = 0; p < PROCS; p++)
		for (bb = 0; bb < BATCHES; bb++)
			for (i = 0; i < PER; i++)
				bad += s.count[p][bb][i] != 1;
	CHECK(bad == 0, "%d events not seen exactly once", bad);
	CHECK(spool_size(path) == 0, "spool empty after replay");
}

static void
test_damage(const char *dir)
{
	static struct seen s;
	struct event_batch b;
	struct event_out ev[PER];
	char bufs[PER][64], path[512], err[256];
	size_t events, skipped;
	int fd, bb;

	snprintf(path, sizeof(path), "%s/damaged", dir);
	make_batch(&b, ev, bufs, 0, 0);
	CHECK(spool_append(path, 1 << 20, &b, err, sizeof(err)) == 0, "append 0: %s", err);
	/* A writer that died half-way through its record... */
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(write(fd, "EVSPOOL1 500 0000abcd\n{\"p\":0,\"b\":9", 34) == 34, "torn write");
	close(fd);
	/* ...and later writers carry on after it. */
	make_batch(&b, ev, bufs, 0, 1);
	CHECK(spool_append(path, 1 << 20, &b, err, sizeof(err)) == 0, "append 1: %s", err);
	/* A record whose payload was altered fails its checksum. */
	make_batch(&b, ev, bufs, 0, 2);
	bufs[3][2] = 'q';
	CHECK(spool_append(path, 1 << 20, &b, err, sizeof(err)) == 0, "append 2: %s", err);
	fd = open(path, O_RDWR);
	{
		struct stat st;
		char c = 'X';
		fstat(fd, &st);
		CHECK(pwrite(fd, &c, 1, st.st_size - 5) == 1, "flip a byte");
	}
	close(fd);
	make_batch(&b, ev, bufs, 0, 3);
	CHECK(spool_append(path, 1 << 20, &b, err, sizeof(err)) == 0, "append 3: %s", err);

	memset(&s, 0, sizeof(s));
	s.stop_after = -1;
	CHECK(spool_replay(path, emit, &s, &events, &skipped, err, sizeof(err)) == 0, "replay: %s", err);
	CHECK(events == 3 * PER, "good records replayed: %zu events", events);
	CHECK(skipped > 0, "damaged bytes counted");
	for (bb = 0; bb < 4; bb++)
		CHECK(s.count[0][bb][0] == (bb == 2 ? 0 : 1), "batch %d seen %d times", bb, s.count[0][bb][0]);

	/* Size limit. */
	make_batch(&b, ev, bufs, 0, 0);
	CHECK(spool_append(path, 100, &b, err, sizeof(err)) == -1 && strstr(err, "full"),
	    "limit: %s", err);
}

static void
test_interrupted(const char *dir)
{
	static struct seen s;
	struct event_batch b;
	struct event_out ev[PER];
	char bufs[PER][64], path[512], err[256];
	size_t events, skipped;
	int bb, i, bad = 0;

	snprintf(path, sizeof(path), "%s/interrupted", dir);
	for (bb = 0; bb < 10; bb++) {
		make_batch(&b, ev, bufs, 1, bb);
		CHECK(spool_append(path, 1 << 20, &b, err, sizeof(err)) == 0, "append: %s", err);
	}
	/* Redis goes away again after 4 records: the file is kept... */
	memset(&s, 0, sizeof(s));
	s.stop_after = 4;
	CHECK(spool_replay(path, emit, &s, &events, &skipped, err, sizeof(err)) == -1, "stops");
	CHECK(spool_size(path) > 0, "kept for the next try");
	/* ...and the next replay sends all of it: the first 4 twice, which the
	 * event ids make harmless. */
	s.stop_after = -1;
	CHECK(spool_replay(path, emit, &s, &events, &skipped, err, sizeof(err)) == 0, "again: %s", err);
	for (bb = 0; bb < 10; bb++)
		for (i = 0; i < PER; i++)
			bad += s.count[1][bb][i] != (bb < 4 ? 2 : 1);
	CHECK(bad == 0, "%d events with an unexpected count", bad);
	CHECK(spool_size(path) == 0, "empty");
}

int
main(void)
{
	char dir[] = "/tmp/test-spool-XXXXXX";

	if (mkdtemp(dir) == NULL)
		return 99;
	test_concurrent(dir);
	test_damage(dir);
	test_interrupted(dir);
	if (check_failed == 0) {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 99;
	}
	return check_exit("test-spool");
}
