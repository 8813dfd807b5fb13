/*
 * UTF-8 helpers for text that arrives outside JSON (headers).
 *
 * Ownership: nothing is allocated; dst is the caller's.
 */
#ifndef EVENTS_UTF8_H
#define EVENTS_UTF8_H

#include <stddef.h>

/* Length of the longest prefix of s[0..len) that is at most max bytes and
 * ends on a character boundary. */
size_t	utf8_cut(const char *s, size_t len, size_t max);

/* Copy at most max bytes of s into dst (dstlen > max), replacing bytes
 * that are not valid UTF-8, and control characters, with '?'.  Returns
 * the length written. */
size_t	utf8_sanitize(char *dst, size_t dstlen, const char *s, size_t max);

/* 1 if s[0..len) is valid UTF-8 (no overlongs, no surrogates), else 0. */
int	utf8_valid(const char *s, size_t len);

#endif
