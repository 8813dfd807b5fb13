/* Times as int64 milliseconds since the Unix epoch, UTC. */
#ifndef EVENTS_TIMEUTIL_H
#define EVENTS_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Wall clock now, in ms. */
int64_t	time_now_ms(void);
/* Monotonic clock, in ms, for timeouts and intervals. */
int64_t	time_mono_ms(void);

/*
 * Parse an RFC 3339 date-time ("2026-02-11T15:47:39Z",
 * "2026-02-11T15:47:39.123+01:00"; 't', 'z' and ' ' accepted as the RFC
 * allows) of len bytes into ms.  Fractions beyond ms are truncated.
 * Years 1970..9999 only.  Returns 0, or -1 if it is not one.
 */
int	time_parse_rfc3339(const char *s, size_t len, int64_t *ms);

/* Format ms as "2026-02-11T15:47:39.000Z" into buf (at least 25 bytes).
 * Returns buf. */
#define TIME_RFC3339_LEN 25
char	*time_format_rfc3339(int64_t ms, char *buf, size_t len);

/* Years 1970..9999 in ms: the range the event model accepts. */
#define TIME_MS_MAX	253402300799999LL

#endif
