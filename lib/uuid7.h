/*
 * UUID version 7 (RFC 9562 section 5.7): 48-bit ms timestamp, a 12-bit
 * counter (section 6.2, method 1), 62 random bits.  The ids one thread
 * makes sort in the order it made them, also within a millisecond.
 *
 * Ownership: nothing is allocated; out is the caller's.
 */
#ifndef EVENTS_UUID7_H
#define EVENTS_UUID7_H

#include <stdint.h>

#define UUID7_STRLEN 37		/* 36 characters and the NUL */

/* Write a new UUIDv7 for time ms (Unix epoch milliseconds, 0 to
 * 2^48 - 1) into out.  Its time is ms; or, to keep the order, the
 * time of the thread's last id when ms is earlier (a clock stepped
 * back), plus 1 once the counter has run out (after 2,049 to 4,096 ids
 * in one millisecond: it starts below 2,048 and ends at 4,095).  0, or
 * -1 if no randomness could be had. */
int	uuid7_make(int64_t ms, char out[UUID7_STRLEN]);

#endif
