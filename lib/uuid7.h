/*
 * UUID version 7 (RFC 9562 section 5.7): 48-bit ms timestamp, random rest.
 *
 * Ownership: nothing is allocated; out is the caller's.
 */
#ifndef EVENTS_UUID7_H
#define EVENTS_UUID7_H

#include <stdint.h>

#define UUID7_STRLEN 37		/* 36 characters and the NUL */

/* Write a new UUIDv7 for time ms into out.  0, or -1 if no randomness
 * could be had. */
int	uuid7_make(int64_t ms, char out[UUID7_STRLEN]);

#endif
