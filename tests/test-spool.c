/* The disk spool: concurrent appends from several processes, replay,
 * damaged records, a file renamed away under waiting writers, and reads
 * that fail part-way. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "spool.h"

/*
 * Linked with -Wl,--wrap=read: lib/spool.c's read(2) comes here.  While
 * fail_after >= 0, the read that would pass that many bytes (counted
 * over the calls since it was set) returns what fits and the next one
 * fails with fail_errno, or 0 (an early end of file) if fail_errno is 0;
 * then reads are real again.
 * eintr_once makes one call fail with EINTR first.
 */
ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n);

static long fail_after = -1, read_so_far;
static int fail_errno, eintr_once;

ssize_t
__wrap_read(int fd, void *buf, size_t n)
{
	ssize_t r;

	if (eintr_once) {
		eintr_once = 0;
		errno = EINTR;
		return -1;
	}
	if (fail_after < 0)
		return __real_read(fd, buf, n);
	if (read_so_far >= fail_after) {
		fail_after = -1;	/* once: the next file reads well */
		if (fail_errno == 0)
			return 0;
		errno = fail_errno;
		return -1;
	}
	if (n > (size_t)(fail_after - read_so_far))
		n = (size_t)(fail_after - read_so_far);
	r = __real_read(fd, buf, n);
	if (r > 0)
		read_so_far += r;
	return r;
}

static void
inject(long after, int err)
{
	fail_after = after;
	fail_errno = err;
	read_so_far = 0;
}

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

/*
 * Linked with -Wl,--wrap=rename too: while before_rename is set, the
 * next rename(2) calls it first (once), then renames.
 */
int __real_rename(const char *from, const char *to);
int __wrap_rename(const char *from, const char *to);

static void (*before_rename)(void);

/* Linked with -Wl,--wrap=flock: lib/spool.c's flock(2) comes here; a
 * hook set runs once, before the lock is taken. */
int __real_flock(int fd, int op);
int __wrap_flock(int fd, int op);

static void (*before_flock)(void);

int
__wrap_flock(int fd, int op)
{
	void (*hook)(void) = before_flock;

	before_flock = NULL;
	if (hook != NULL)
		hook();
	return __real_flock(fd, op);
}

int
__wrap_rename(const char *from, const char *to)
{
	void (*hook)(void) = before_rename;

	before_rename = NULL;
	if (hook != NULL)
		hook();
	return __real_rename(from, to);
}

/*
 * Linked with -Wl,--wrap=time_now_ms: lib/spool.c's clock.  While
 * frozen_ms is not 0 it stands still there, so two replays fall in one
 * millisecond whenever a test wants them to.
 */
int64_t __real_time_now_ms(void);
int64_t __wrap_time_now_ms(void);

static int64_t frozen_ms;

int64_t
__wrap_time_now_ms(void)
{
	return frozen_ms != 0 ? frozen_ms : __real_time_now_ms();
}

/* Writer p appends the first half of its batches, says so on `half`,
 * waits for a byte on `go`, then appends the rest. */
static void
writer(const char *path, int p, int half, int go)
{
	struct event_batch b;
	struct event_out ev[PER];
	char bufs[PER][64], err[256], c;
	int bb;

	for (bb = 0; bb < BATCHES; bb++) {
		if (bb == BATCHES / 2 && (write(half, "h", 1) != 1 || read(go, &c, 1) != 1))
			_exit(2);
		make_batch(&b, ev, bufs, p, bb);
		if (spool_append(path, 1 << 24, &b, err, sizeof(err)) != 0) {
			fprintf(stderr, "append: %s\n", err);
			_exit(1);
		}
	}
	_exit(0);
}

/* What the concurrent test shares with its hooks. */
static struct {
	pid_t	pids[PROCS];
	int	go;		/* write end: one byte lets one writer go on */
	int	blocked;	/* writers seen waiting for the old file's lock */
	int	reaped;		/* writers waited for */
	int	status[PROCS];
} conc;

/* Writers of conc.pids waiting for a flock(2) lock (/proc/locks marks
 * a waiter "->"); -1 if /proc/locks cannot be read. */
static int
lock_waiters(void)
{
	char line[256];
	FILE *f;
	long pid;
	int n = 0, p;

	if ((f = fopen("/proc/locks", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *w = strstr(line, "-> FLOCK");
		if (w == NULL || sscanf(w, "-> FLOCK %*s %*s %ld", &pid) != 1)
			continue;
		for (p = 0; p < PROCS; p++)
			n += conc.pids[p] == (pid_t)pid;
	}
	fclose(f);
	return n;
}

/* Called by the replay holding the live file's lock, just before it
 * renames the file away: let every writer go on, and wait until each
 * has opened the old name and waits for its lock (polls, 60 s at
 * most). */
static void
hold_writers_at_rename(void)
{
	int p, n = 0, tries;

	for (p = 0; p < PROCS; p++)
		if (write(conc.go, "g", 1) != 1)
			return;
	for (tries = 0; tries < 60000 && (n = lock_waiters()) < PROCS; tries++)
		usleep(1000);
	conc.blocked = n;
}

/* The replay's emit, once it has read the renamed file: first let
 * every writer finish, so that an append which went to the old file
 * after the read would be lost. */
static int
emit_after_writers(void *arg, const struct event_batch *b)
{
	int p;

	if (!conc.reaped) {
		conc.reaped = 1;
		for (p = 0; p < PROCS; p++)
			waitpid(conc.pids[p], &conc.status[p], 0);
	}
	return emit(arg, b);
}

/*
 * Writers that opened the live file and wait for its lock while the
 * replay renames it away must notice and append to the new file: none
 * of their events goes into the renamed one (it is read only once),
 * none is lost, none doubled.  Each writer appends half of its batches
 * before the replay, the rest after; the hooks above hold each step
 * until the state it needs is there.
 */
static void
test_concurrent(const char *dir)
{
	static struct seen s;
	char path[512], err[256], c;
	size_t events, skipped;
	int p, bb, i, bad = 0, early = 0, fds[2], half[2];

	snprintf(path, sizeof(path), "%s/spool", dir);
	if (pipe(fds) != 0 || pipe(half) != 0) {
		CHECK(0, "pipe");
		return;
	}
	memset(&conc, 0, sizeof(conc));
	conc.go = fds[1];
	for (p = 0; p < PROCS; p++)
		if ((conc.pids[p] = fork()) == 0) {
			close(fds[1]);
			close(half[0]);
			writer(path, p, half[1], fds[0]);
		}
	close(fds[0]);
	close(half[1]);
	for (p = 0; p < PROCS; p++)
		CHECK(read(half[0], &c, 1) == 1, "writer %d: half-way", p);
	close(half[0]);

	memset(&s, 0, sizeof(s));
	s.stop_after = -1;
	CHECK(lock_waiters() == 0, "no writer waits before the replay");
	before_rename = hold_writers_at_rename;
	CHECK(spool_replay(path, emit_after_writers, &s, &events, &skipped, err,
	    sizeof(err)) == 0, "replay during writes: %s", err);
	close(fds[1]);
	CHECK(conc.blocked == PROCS, "%d of %d writers waited for the lock at the rename",
	    conc.blocked, PROCS);
	CHECK(conc.reaped, "the replay emitted nothing");
	/* The renamed file held the first halves, and only them. */
	for (p = 0; p < PROCS; p++)
		for (bb = 0; bb < BATCHES; bb++)
			for (i = 0; i < PER; i++)
				early += s.count[p][bb][i] != (bb < BATCHES / 2);
	CHECK(early == 0, "%d events of the first replay not the first halves", early);
	for (p = 0; p < PROCS; p++)
		CHECK(WIFEXITED(conc.status[p]) && WEXITSTATUS(conc.status[p]) == 0,
		    "writer %d", p);
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

/* Files in dir whose name starts with prefix and holds part. */
static int
count_files(const char *dir, const char *prefix, const char *part)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 &&
		    strstr(de->d_name, part) != NULL)
			n++;
	closedir(d);
	return n;
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
	/* Kept aside for the operator, out of the replay's way. */
	CHECK(count_files(dir, "damaged.replay.", ".damaged") == 1, "damaged file kept");
	CHECK(spool_size(path) == 0, "a damaged file is not counted as waiting");
	s.stop_after = -1;
	CHECK(spool_replay(path, emit, &s, &events, &skipped, err, sizeof(err)) == 0 &&
	    events == 0, "a damaged file is not replayed again");
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

/* 1 if s saw batches [0, n) of writer p exactly `times` times each. */
static int
seen_all(const struct seen *s, int p, int n, int times)
{
	int bb, i;

	for (bb = 0; bb < n; bb++)
		for (i = 0; i < PER; i++)
			if (s->count[p][bb][i] != times)
				return 0;
	return 1;
}

/*
 * A replay whose read fails part-way, or ends early, emits nothing and
 * deletes nothing; the next one replays it all.  Kinds: an I/O error
 * at the first byte, in the middle and at the last byte; an early end
 * of file; EINTR (retried, not an error).
 */
static void
test_read_errors(const char *dir)
{
	static const struct { long after; int err; const char *what; } cases[] = {
		{ 0, EIO, "error before the first byte" },
		{ 100, EIO, "error part-way" },
		{ -2, EIO, "error at the last byte" },
		{ 100, 0, "end of file part-way" },
		{ -2, 0, "end of file a byte early" },
		{ 4096, ENOMEM, "error after the first page" },
	};
	static struct seen s;
	struct event_batch b;
	struct event_out ev[PER];
	char bufs[PER][64], path[512], err[256], prefix[64], base[64];
	size_t events, skipped, k;
	off_t size;
	int bb, round;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		snprintf(path, sizeof(path), "%s/readerr%zu", dir, k);
		for (bb = 0; bb < 40; bb++) {
			make_batch(&b, ev, bufs, 2, bb);
			CHECK(spool_append(path, 1 << 20, &b, err, sizeof(err)) == 0, "append: %s", err);
		}
		size = spool_size(path);
		memset(&s, 0, sizeof(s));
		s.stop_after = -1;
		inject(cases[k].after == -2 ? (long)size - 1 : cases[k].after, cases[k].err);
		err[0] = '\0';
		CHECK(spool_replay(path, emit, &s, &events, &skipped, err, sizeof(err)) == -1,
		    "%s: replay reported success", cases[k].what);
		inject(-1, 0);
		CHECK(strstr(err, "read") != NULL, "%s: message \"%s\"", cases[k].what, err);
		CHECK(events == 0 && s.calls == 0, "%s: %zu events emitted from a partial read",
		    cases[k].what, events);
		CHECK(spool_size(path) == size, "%s: %lld bytes left of %lld", cases[k].what,
		    (long long)spool_size(path), (long long)size);
		/* The next replay sends it all, once, and removes it. */
		CHECK(spool_replay(path, emit, &s, &events, &skipped, err, sizeof(err)) == 0,
		    "%s: replay after: %s", cases[k].what, err);
		CHECK(events == 40 * PER && seen_all(&s, 2, 40, 1), "%s: %zu events after",
		    cases[k].what, events);
		CHECK(spool_size(path) == 0, "%s: not removed", cases[k].what);
	}

	/* EINTR is retried. */
	snprintf(path, sizeof(path), "%s/eintr", dir);
	make_batch(&b, ev, bufs, 2, 0);
	CHECK(spool_append(path, 1 << 20, &b, err, sizeof(err)) == 0, "append: %s", err);
	memset(&s, 0, sizeof(s));
	s.stop_after = -1;
	eintr_once = 1;
	CHECK(spool_replay(path, emit, &s, &events, &skipped, err, sizeof(err)) == 0 &&
	    events == PER, "EINTR: %s", err);
	eintr_once = 0;

	/* A leftover that fails to read does not hold up the live file.
	 * The clock stands still: the two replays of a round fall in one
	 * millisecond, and the second must not take the first's name (and
	 * replace its file).  A few rounds, each with its own files. */
	frozen_ms = __real_time_now_ms();
	for (round = 0; round < 3; round++) {
		snprintf(path, sizeof(path), "%s/leftover%d", dir, round);
		snprintf(prefix, sizeof(prefix), "leftover%d.replay.", round);
		snprintf(base, sizeof(base), "leftover%d", round);
		for (bb = 0; bb < 3; bb++) {
			make_batch(&b, ev, bufs, 3, bb);
			CHECK(spool_append(path, 1 << 20, &b, err, sizeof(err)) == 0, "append: %s", err);
		}
		memset(&s, 0, sizeof(s));
		s.stop_after = -1;
		inject(10, EIO);
		CHECK(spool_replay(path, emit, &s, &events, &skipped, err, sizeof(err)) == -1,
		    "leftover: first read fails");
		inject(-1, 0);
		CHECK(count_files(dir, prefix, "") == 1, "leftover kept");
		for (bb = 3; bb < 6; bb++) {
			make_batch(&b, ev, bufs, 3, bb);
			CHECK(spool_append(path, 1 << 20, &b, err, sizeof(err)) == 0, "append: %s", err);
		}
		/* The leftover fails again (the first read of this replay is its);
		 * the live file is replayed all the same, and the leftover kept. */
		inject(10, EIO);
		CHECK(spool_replay(path, emit, &s, &events, &skipped, err, sizeof(err)) == -1,
		    "leftover fails again");
		inject(-1, 0);
		CHECK(s.count[3][0][0] == 0 && s.count[3][3][0] == 1 && s.count[3][5][0] == 1,
		    "live file replayed past a failing leftover");
		CHECK(count_files(dir, prefix, "") == 1 && spool_size(path) > 0,
		    "the failing leftover kept, the live one removed");
		CHECK(spool_replay(path, emit, &s, &events, &skipped, err, sizeof(err)) == 0,
		    "leftover at last: %s", err);
		CHECK(seen_all(&s, 3, 6, 1), "every batch once");
		CHECK(spool_size(path) == 0 && count_files(dir, base, "") == 0, "all gone");
	}
	frozen_ms = 0;
}

/* What the racing replay's hook works on. */
static char race_path[512], race_away[600];

/* Between the replay's open of the live file and its lock: another
 * replay takes that file away, and a writer starts a new one. */
static void
race_other_replay(void)
{
	struct event_batch b;
	struct event_out ev[PER];
	char bufs[PER][64], err[256];

	CHECK(__real_rename(race_path, race_away) == 0, "the other replay's rename");
	make_batch(&b, ev, bufs, 3, 1);
	CHECK(spool_append(race_path, 1 << 20, &b, err, sizeof(err)) == 0, "append: %s", err);
}

/* Two replays at once (consumers sharing a spool): the one that locked
 * a file the other has taken leaves the new live file alone. */
static void
test_replay_race(const char *dir)
{
	static struct seen s;
	struct event_batch b;
	struct event_out ev[PER];
	char bufs[PER][64], err[256];
	size_t events, skipped;

	snprintf(race_path, sizeof(race_path), "%s/race", dir);
	snprintf(race_away, sizeof(race_away), "%s/race.replay.other", dir);
	make_batch(&b, ev, bufs, 3, 0);
	CHECK(spool_append(race_path, 1 << 20, &b, err, sizeof(err)) == 0, "append: %s", err);
	memset(&s, 0, sizeof(s));
	s.stop_after = -1;
	before_flock = race_other_replay;
	CHECK(spool_replay(race_path, emit, &s, &events, &skipped, err, sizeof(err)) == 0,
	    "race: replay: %s", err);
	CHECK(before_flock == NULL, "race: the hook ran");
	CHECK(events == 0 && s.count[3][1][0] == 0, "race: %zu events taken from a file not locked",
	    events);
	CHECK(spool_size(race_path) > 0 && access(race_path, F_OK) == 0,
	    "race: the new live file left in place");
	/* The next replay takes both, each batch once. */
	CHECK(spool_replay(race_path, emit, &s, &events, &skipped, err, sizeof(err)) == 0,
	    "race: replay after: %s", err);
	CHECK(seen_all(&s, 3, 2, 1), "race: every batch once");
	CHECK(spool_size(race_path) == 0, "race: all gone");
}

/* A spool path with ".damaged" inside its name: its leftovers are
 * still replayed; only a name that ends in ".damaged" is kept aside. */
static void
test_damaged_in_name(const char *dir)
{
	static struct seen s;
	struct event_batch b;
	struct event_out ev[PER];
	char bufs[PER][64], path[512], err[256];
	size_t events, skipped;

	snprintf(path, sizeof(path), "%s/x.damaged.spool", dir);
	make_batch(&b, ev, bufs, 2, 0);
	CHECK(spool_append(path, 1 << 20, &b, err, sizeof(err)) == 0, "name: append: %s", err);
	/* Redis is away: the replay fails and leaves a leftover file... */
	memset(&s, 0, sizeof(s));
	s.stop_after = 0;
	CHECK(spool_replay(path, emit, &s, &events, &skipped, err, sizeof(err)) == -1,
	    "name: replay fails");
	CHECK(spool_size(path) > 0, "name: the leftover counts as waiting");
	/* ...which the next replay sends. */
	s.stop_after = -1;
	CHECK(spool_replay(path, emit, &s, &events, &skipped, err, sizeof(err)) == 0,
	    "name: replay again: %s", err);
	CHECK(events == PER && seen_all(&s, 2, 1, 1), "name: %zu events replayed", events);
	CHECK(spool_size(path) == 0, "name: all gone");
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
	test_read_errors(dir);
	test_replay_race(dir);
	test_damaged_in_name(dir);
	if (check_failed == 0) {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 99;
	}
	return check_exit("test-spool");
}
