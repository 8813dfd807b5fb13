#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "uuid7.h"

/*
 * Random bytes come from a per-process buffer refilled from getrandom(2)
 * 4 KiB at a time, so a batch of 500 ids costs one system call, not 500.
 */
static unsigned char pool[4096];
static size_t pool_left;

static int
random_bytes(unsigned char *out, size_t n)
{
	ssize_t r;

	if (pool_left < n) {
		r = getrandom(pool, sizeof(pool), 0);
		if (r != (ssize_t)sizeof(pool))
			return -1;
		pool_left = sizeof(pool);
	}
	memcpy(out, pool + sizeof(pool) - pool_left, n);
	/* Do not leave used bytes behind for a later reader of memory. */
	memset(pool + sizeof(pool) - pool_left, 0, n);
	pool_left -= n;
	return 0;
}

int
uuid7_make(int64_t ms, char out[UUID7_STRLEN])
{
	unsigned char b[16];
	int i;

	if (random_bytes(b + 6, 10) != 0)
		return -1;
	for (i = 0; i < 6; i++)
		b[i] = (unsigned char)((uint64_t)ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | (b[6] & 0x0f));	/* version 7 */
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));	/* variant 10 */
	snprintf(out, UUID7_STRLEN,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
	    b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}
