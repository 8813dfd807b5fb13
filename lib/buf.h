/*
 * A growable byte buffer, for answers built up piece by piece (CSV,
 * the Prometheus text, the queue's JSON).  Not NUL-terminated unless
 * the caller adds one.
 *
 * Ownership: the buffer owns p; buf_free() releases it and leaves an
 * empty buffer, which may be used again.  A zeroed struct buf (BUF_INIT)
 * is an empty buffer; no allocation happens before the first add.
 *
 * Errors: an add that cannot grow the buffer (out of memory, or a size
 * past SIZE_MAX) returns -1 and sets failed; from then on every add
 * returns -1 and the contents are short, so a caller may add many
 * pieces and check failed once at the end.
 */
#ifndef EVENTS_BUF_H
#define EVENTS_BUF_H

#include <stddef.h>

struct buf {
	char	*p;
	size_t	 len;		/* bytes used */
	size_t	 cap;		/* bytes at p */
	int	 failed;	/* an add failed: the contents are short */
};

#define BUF_INIT	{ NULL, 0, 0, 0 }

/* Room for n more bytes past len (the capacity at least doubles, from
 * 1 KiB).  0, or -1 as above. */
int	buf_reserve(struct buf *b, size_t n);

/* Append s[0..n) (n may be 0); the C string s; printf-formatted text.
 * 0, or -1 as above. */
int	buf_add(struct buf *b, const void *s, size_t n);
int	buf_adds(struct buf *b, const char *s);
int	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Empty b for the next use, keeping its memory; clears failed. */
void	buf_reset(struct buf *b);

/* Release the bytes; b is an empty buffer again.  NULL is a no-op. */
void	buf_free(struct buf *b);

#endif
