/*
 * One running copy per consumer name: an exclusive flock(2) on
 * <lock_dir>/event-consumer-<name>.lock, held until the process exits
 * (the kernel releases it however the process ends, SIGKILL included, so
 * a stale file never blocks the next run).  The file holds the holder's
 * PID, for the message the next copy prints.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "consumer.h"

int
lock_take(const char *dir, const char *name, char *msg, size_t msglen)
{
	char path[CONF_STR_LEN * 2 + 32], pid[32];
	ssize_t n;
	int fd, len;

	snprintf(path, sizeof(path), "%s/event-consumer-%s.lock", dir, name);
	/* O_NOFOLLOW: lock_dir may be /tmp, where anyone can plant a link. */
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644)) == -1) {
		snprintf(msg, msglen, "lock file %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			snprintf(msg, msglen,
			    "another event-consumer named %s is running%s%s%s (lock %s); exiting",
			    name, pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "", path);
			close(fd);
			return -2;
		}
		snprintf(msg, msglen, "lock file %s: flock: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, (size_t)len, 0) != len) {
		/* The lock holds without the PID in the file. */
	}
	return fd;
}
