#include "config.h"

#include <string.h>
#include <sys/random.h>

#include "uuid7.h"

/*
 * Random bytes come from a buffer refilled from getrandom(2) 4 KiB at a
 * time, so a batch of 500 ids costs one system call, not 500.  One
 * buffer per thread: threads that serve requests at once never share.
 */
static _Thread_local unsigned char pool[4096];
static _Thread_local size_t pool_left;

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

/*
 * The last id's time and counter, per thread: ids a thread makes in one
 * millisecond count up (RFC 9562 section 6.2, method 1: rand_a a 12-bit
 * counter, started at a random value below 2048 each new millisecond
 * so that it has room).  A counter that runs out, or a clock that steps
 * back, moves the id's time on past the last: ids stay in the order made.
 */
static _Thread_local int64_t last_ms = -1;
static _Thread_local unsigned seq;

int
uuid7_make(int64_t ms, char out[UUID7_STRLEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	int i, o = 0;

	if (random_bytes(b + 6, 10) != 0)
		return -1;
	if (ms > last_ms || ++seq > 0xfff) {
		if (ms <= last_ms)
			ms = last_ms + 1;
		last_ms = ms;
		seq = ((unsigned)b[6] << 8 | b[7]) & 0x7ff;
	} else
		ms = last_ms;
	for (i = 0; i < 6; i++)
		b[i] = (unsigned char)((uint64_t)ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | seq >> 8);	/* version 7, counter */
	b[7] = (unsigned char)(seq & 0xff);
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));	/* variant 10 */
	/* 8-4-4-4-12 hex digits (RFC 9562 section 4) */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0f];
	}
	out[o] = '\0';
	return 0;
}
