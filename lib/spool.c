#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "bounds.h"
#include "spool.h"
#include "timeutil.h"

#define SPOOL_MAGIC	"EVSPOOL1 "
#define SPOOL_HDR_MAX	40

uint32_t
spool_crc(const char *buf, size_t len)
{
	/* zlib's CRC-32 is the one spool files have always carried (the
	 * reflected 0xEDB88320 polynomial, all ones in and out). */
	return (uint32_t)crc32_z(0L, (const Bytef *)buf, len);
}

/* Is the open file fd still the one at path (not renamed away for a
 * replay)?  1 or 0. */
static int
same_file(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	    a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* Open path for appending, locked, and still the file at path. */
static int
open_locked(const char *path, char *err, size_t errlen)
{
	int fd, tries;

	for (tries = 0; tries < 10; tries++) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			snprintf(err, errlen, "spool %s: %s", path, strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX) != 0) {
			snprintf(err, errlen, "spool %s: lock: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (same_file(fd, path))
			return fd;
		close(fd);	/* renamed away for replay: open the new one */
	}
	snprintf(err, errlen, "spool %s: keeps being replaced", path);
	return -1;
}

int
spool_append(const char *path, off_t max_bytes, const struct event_batch *b,
    char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t plen = 0, off, i;
	ssize_t w;
	int fd = -1, n, rc = -1;

	for (i = 0; i < b->n; i++)
		plen += b->ev[i].json_len + 1;
	if ((buf = malloc(SPOOL_HDR_MAX + plen + 1)) == NULL) {
		snprintf(err, errlen, "spool: out of memory");
		return -1;
	}
	off = SPOOL_HDR_MAX;
	for (i = 0; i < b->n; i++) {
		memcpy(buf + off, b->ev[i].json, b->ev[i].json_len);
		off += b->ev[i].json_len;
		buf[off++] = '\n';
	}
	plen--;		/* the payload excludes the record's final newline */
	n = snprintf(buf, SPOOL_HDR_MAX, SPOOL_MAGIC "%zu %08x\n", plen,
	    (unsigned)spool_crc(buf + SPOOL_HDR_MAX, plen));
	memmove(buf + n, buf + SPOOL_HDR_MAX, plen + 1);
	off = (size_t)n + plen + 1;

	if ((fd = open_locked(path, err, errlen)) < 0)
		goto out;
	if (fstat(fd, &st) != 0 || st.st_size + (off_t)off > max_bytes) {
		snprintf(err, errlen, "spool %s: full (%lld bytes, limit %lld)", path,
		    (long long)st.st_size, (long long)max_bytes);
		goto out;
	}
	for (i = 0; i < off; i += (size_t)w) {
		if ((w = write(fd, buf + i, off - i)) < 0) {
			if (errno == EINTR) {
				w = 0;
				continue;
			}
			snprintf(err, errlen, "spool %s: write: %s", path, strerror(errno));
			/* Leave no torn record behind for the next writer. */
			if (ftruncate(fd, st.st_size) != 0)
				(void)0;
			goto out;
		}
	}
	if (fdatasync(fd) != 0) {
		snprintf(err, errlen, "spool %s: fdatasync: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);	/* releases the lock */
	free(buf);
	return rc;
}

int
spool_parse(const char *buf, size_t len, spool_emit emit, void *arg,
    size_t *events, size_t *skipped)
{
	struct event_batch b;
	struct event_out ev[LIMIT_EVENTS];
	const char *p = buf, *end = buf + len, *nl, *line, *q;
	unsigned long plen;
	unsigned crc;
	char hdr[SPOOL_HDR_MAX + 1], *e;
	size_t hl;

	while (p < end) {
		/* A header, else skip to the next place one could start. */
		nl = memchr(p, '\n', (size_t)(end - p));
		hl = nl ? (size_t)(nl - p) : 0;
		if (nl == NULL || hl > SPOOL_HDR_MAX || hl < sizeof(SPOOL_MAGIC) ||
		    memcmp(p, SPOOL_MAGIC, sizeof(SPOOL_MAGIC) - 1) != 0)
			goto resync;
		memcpy(hdr, p, hl);
		hdr[hl] = '\0';
		errno = 0;
		plen = strtoul(hdr + sizeof(SPOOL_MAGIC) - 1, &e, 10);
		if (errno || *e != ' ' || strlen(e + 1) != 8 ||
		    sscanf(e + 1, "%8x", &crc) != 1)
			goto resync;
		q = nl + 1;
		if (plen > (size_t)(end - q) || (size_t)(end - q) - plen < 1 ||
		    q[plen] != '\n' || spool_crc(q, plen) != crc)
			goto resync;
		/* A good record: one event a line. */
		b.n = 0;
		b.ev = ev;
		for (line = q; line < q + plen; line = nl + 1) {
			nl = memchr(line, '\n', (size_t)(q + plen - line));
			if (nl == NULL)
				nl = q + plen;
			if (nl > line && b.n < LIMIT_EVENTS) {
				ev[b.n].json = (char *)(uintptr_t)line;
				ev[b.n].json_len = (size_t)(nl - line);
				ev[b.n].id[0] = '\0';
				b.n++;
			}
		}
		if (b.n > 0) {
			if (emit(arg, &b) != 0)
				return -1;
			*events += b.n;
		}
		p = q + plen + 1;
		continue;
resync:
		/* The next header may follow a torn record without a line
		 * break; a false one inside a payload fails its checksum. */
		q = p + 1;
		while (q < end && !((size_t)(end - q) >= sizeof(SPOOL_MAGIC) - 1 &&
		    memcmp(q, SPOOL_MAGIC, sizeof(SPOOL_MAGIC) - 1) == 0))
			q++;
		*skipped += (size_t)(q - p);
		p = q;
	}
	return 0;
}

/*
 * Read the whole of file into *out (malloc'd, NUL-terminated; the
 * caller frees).  A replay file is never written once renamed away, so
 * anything but exactly its size in bytes, read to the end, is an
 * error: then nothing of it may be trusted, nor the file removed.
 */
static int
read_file(int fd, const char *file, char **out, size_t *outlen, char *err,
    size_t errlen)
{
	struct stat st;
	char *buf;
	size_t got = 0, size;
	ssize_t r;

	*out = NULL;
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "spool %s: stat: %s", file, strerror(errno));
		return -1;
	}
	size = (size_t)st.st_size;
	/* One byte more than the size, to see the end of the file. */
	if ((buf = malloc(size + 2)) == NULL) {
		snprintf(err, errlen, "spool %s: out of memory for %zu bytes", file, size);
		return -1;
	}
	for (;;) {
		r = read(fd, buf + got, size + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "spool %s: read after %zu of %zu bytes: %s",
			    file, got, size, strerror(errno));
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > size)
			break;
	}
	if (got != size) {
		snprintf(err, errlen, "spool %s: read %s%zu bytes of %zu", file,
		    got > size ? "more than " : "", got > size ? size : got, size);
		free(buf);
		return -1;
	}
	buf[got] = '\0';
	*out = buf;
	*outlen = got;
	return 0;
}

/*
 * Emit every record of file, then remove it.  A file that cannot be
 * read whole, or whose emit stops, is kept for the next replay.  One
 * with damaged records is kept too, renamed to "<file>.damaged" out of
 * the replay's way: it holds events that may have been answered 202,
 * for the operator to look at.
 */
static int
replay_file(const char *file, spool_emit emit, void *arg, size_t *events,
    size_t *skipped, char *err, size_t errlen)
{
	char *buf = NULL, damaged[PATH_MAX + 16];
	size_t len, skip = 0;
	int fd, rc = -1;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "spool %s: %s", file, strerror(errno));
		return -1;
	}
	if (read_file(fd, file, &buf, &len, err, errlen) != 0)
		goto out;
	if (spool_parse(buf, len, emit, arg, events, &skip) != 0) {
		snprintf(err, errlen, "spool %s: replay stopped; kept for the next try", file);
		goto out;
	}
	*skipped += skip;
	if (skip > 0) {
		snprintf(damaged, sizeof(damaged), "%s.damaged", file);
		if (rename(file, damaged) != 0) {
			snprintf(err, errlen, "spool %s: rename: %s", file, strerror(errno));
			goto out;
		}
	} else if (unlink(file) != 0) {
		snprintf(err, errlen, "spool %s: unlink: %s", file, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

/* 1 if name is a file kept aside as damaged: its name ends in
 * ".damaged" (replay_file adds the suffix).  ".damaged" elsewhere in the
 * name, as in a spool path "x.damaged.spool", is not the mark. */
static int
is_damaged(const char *name)
{
	size_t n = strlen(name), s = sizeof(".damaged") - 1;

	return n >= s && strcmp(name + n - s, ".damaged") == 0;
}

/* Calls fn for each "<base>.replay.*" file in path's directory but the
 * damaged ones, all of them even if one fails.  -1 if any did. */
static int
each_replay_file(const char *path, int (*fn)(const char *, void *), void *arg)
{
	char dcopy[PATH_MAX], bcopy[PATH_MAX], file[PATH_MAX * 2], prefix[PATH_MAX + 16];
	const char *dir, *base;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	snprintf(dcopy, sizeof(dcopy), "%s", path);
	snprintf(bcopy, sizeof(bcopy), "%s", path);
	dir = dirname(dcopy);
	base = basename(bcopy);
	snprintf(prefix, sizeof(prefix), "%s.replay.", base);
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
		    is_damaged(de->d_name))
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
		/* One file that fails holds up none of the others. */
		if (fn(file, arg) != 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

struct replay_ctx {
	spool_emit	 emit;
	void		*arg;
	size_t		*events, *skipped;
	char		*err;
	size_t		 errlen;
};

static int
replay_one(const char *file, void *arg)
{
	struct replay_ctx *c = arg;

	return replay_file(file, c->emit, c->arg, c->events, c->skipped, c->err, c->errlen);
}

/* Names taken by this process: two replays in one millisecond must not
 * take the same name, or the second would replace the first's file. */
static atomic_uint taken_seq;

/*
 * Rename the live file path to a replay name of its own,
 * "<path>.replay.<ms>.<pid>.<n>": n counts this process's renames, so
 * no two of them take one name, and another process has another pid.
 * The name into taken (len bytes).  0, or -1 with errno.
 */
static int
take_name(const char *path, char *taken, size_t len)
{
	snprintf(taken, len, "%s.replay.%lld.%ld.%u", path, (long long)time_now_ms(),
	    (long)getpid(), atomic_fetch_add(&taken_seq, 1));
	return rename(path, taken);
}

int
spool_replay(const char *path, spool_emit emit, void *arg, size_t *events,
    size_t *skipped, char *err, size_t errlen)
{
	struct replay_ctx c = { emit, arg, events, skipped, err, errlen };
	char taken[PATH_MAX + 64];
	struct stat st;
	int fd, left;

	*events = *skipped = 0;
	/* Leftovers of a replay that died or failed first, in any order:
	 * each event carries its id, so order does not matter to the
	 * store.  A leftover that fails again does not keep the live file
	 * from its turn. */
	left = each_replay_file(path, replay_one, &c);
	if (stat(path, &st) != 0 || st.st_size == 0)
		return left;
	/* Take the live file under the writers' lock. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if (flock(fd, LOCK_EX) != 0) {
		snprintf(err, errlen, "spool %s: lock: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* Another replay (a consumer beside this one) may have taken the
	 * file between the open and the lock, and a writer made a new one:
	 * that one is not locked by this replay, and its writer may be in
	 * the middle of a record.  It waits for the next replay. */
	if (!same_file(fd, path)) {
		close(fd);
		return left;
	}
	if (take_name(path, taken, sizeof(taken)) != 0) {
		snprintf(err, errlen, "spool %s: rename: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (replay_file(taken, emit, arg, events, skipped, err, errlen) != 0)
		return -1;
	return left;
}

static int
add_size(const char *file, void *arg)
{
	struct stat st;

	if (stat(file, &st) == 0)
		*(off_t *)arg += st.st_size;
	return 0;
}

off_t
spool_size(const char *path)
{
	off_t total = 0;

	(void)add_size(path, &total);
	(void)each_replay_file(path, add_size, &total);
	return total;
}
