/* The spool's record format across releases: the CRC-32 its headers
 * carry (once computed by hand, now by zlib) is the same for the same
 * bytes, a file written by an earlier release replays whole, and a
 * record written today is byte for byte what an earlier release wrote.
 * The expected values below were made by the hand-written CRC-32 that
 * lib/spool.c had before it used zlib's. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "spool.h"

#define EV_A	"{\"type\":\"a\"}"
#define EV_1	"{\"type\":\"a\",\"id\":\"1\"}"
#define EV_2	"{\"type\":\"b\",\"id\":\"2\"}"

/* A file as the earlier release wrote it: two records, three events. */
static const char old_file[] =
    "EVSPOOL1 12 4d5cfe24\n" EV_A "\n"
    "EVSPOOL1 43 740844fd\n" EV_1 "\n" EV_2 "\n";

struct got {
	size_t	n;
	char	ev[8][64];
};

static int
keep(void *arg, const struct event_batch *b)
{
	struct got *g = arg;
	size_t i;

	for (i = 0; i < b->n && g->n < 8; i++, g->n++)
		snprintf(g->ev[g->n], sizeof(g->ev[0]), "%.*s",
		    (int)b->ev[i].json_len, b->ev[i].json);
	return 0;
}

static void
test_values(void)
{
	static char all[256], big[100000];
	size_t i;

	/* The CRC-32 check value (CRC-32/ISO-HDLC of "123456789"). */
	CHECK(spool_crc("123456789", 9) == 0xcbf43926u, "check value: %08x",
	    (unsigned)spool_crc("123456789", 9));
	CHECK(spool_crc("", 0) == 0, "empty: %08x", (unsigned)spool_crc("", 0));
	CHECK(spool_crc(EV_A, strlen(EV_A)) == 0x4d5cfe24u, "one event: %08x",
	    (unsigned)spool_crc(EV_A, strlen(EV_A)));
	CHECK(spool_crc(EV_1 "\n" EV_2, strlen(EV_1 "\n" EV_2)) == 0x740844fdu,
	    "two events: %08x", (unsigned)spool_crc(EV_1 "\n" EV_2, strlen(EV_1 "\n" EV_2)));
	for (i = 0; i < sizeof(all); i++)
		all[i] = (char)i;
	CHECK(spool_crc(all, sizeof(all)) == 0x29058c73u, "bytes 0-255: %08x",
	    (unsigned)spool_crc(all, sizeof(all)));
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)((i * 31 + 7) & 0xff);
	CHECK(spool_crc(big, sizeof(big)) == 0x92858800u, "100000 bytes: %08x",
	    (unsigned)spool_crc(big, sizeof(big)));
}

static void
test_old_file(void)
{
	struct got g;
	char bad[sizeof(old_file)];
	size_t events = 0, skipped = 0;

	memset(&g, 0, sizeof(g));
	CHECK(spool_parse(old_file, sizeof(old_file) - 1, keep, &g, &events, &skipped) == 0,
	    "parse");
	CHECK(events == 3 && skipped == 0 && g.n == 3, "old file: %zu events, %zu bytes skipped",
	    events, skipped);
	CHECK(strcmp(g.ev[0], EV_A) == 0 && strcmp(g.ev[1], EV_1) == 0 &&
	    strcmp(g.ev[2], EV_2) == 0, "old file's events: %s %s %s", g.ev[0], g.ev[1], g.ev[2]);

	/* The check is still made: a CRC one off loses its record only. */
	memcpy(bad, old_file, sizeof(old_file));
	bad[19] = '5';		/* 4d5cfe24 -> 4d5cfe25 */
	memset(&g, 0, sizeof(g));
	events = skipped = 0;
	CHECK(spool_parse(bad, sizeof(bad) - 1, keep, &g, &events, &skipped) == 0 &&
	    events == 2 && skipped > 0 && strcmp(g.ev[0], EV_1) == 0,
	    "a wrong CRC: %zu events, %zu bytes skipped", events, skipped);
}

static void
test_written(void)
{
	struct event_out ev[2];
	struct event_batch b;
	char dir[] = "/tmp/test-spool-format-XXXXXX", path[64], buf[256], err[256];
	const char want[] = "EVSPOOL1 43 740844fd\n" EV_1 "\n" EV_2 "\n";
	ssize_t n;
	int fd;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/spool", dir);
	memset(ev, 0, sizeof(ev));
	ev[0].json = (char *)EV_1;
	ev[0].json_len = strlen(EV_1);
	ev[1].json = (char *)EV_2;
	ev[1].json_len = strlen(EV_2);
	b.n = 2;
	b.ev = ev;
	CHECK(spool_append(path, 1 << 20, &b, err, sizeof(err)) == 0, "append: %s", err);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	if (fd >= 0)
		close(fd);
	CHECK(n == (ssize_t)sizeof(want) - 1 && memcmp(buf, want, sizeof(want) - 1) == 0,
	    "written as before: %.*s", (int)(n > 0 ? n : 0), buf);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	test_values();
	test_old_file();
	test_written();
	return check_exit("test-spool-format");
}
