/*
 * Times as int64 milliseconds since the Unix epoch, UTC.
 *
 * Ownership: nothing is allocated; time_format_rfc3339 writes into the
 * caller's buf and returns it.
 */
#ifndef EVENTS_TIMEUTIL_H
#define EVENTS_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Wall clock now, in ms. */
int64_t	time_now_ms(void);
/* Monotonic clock, in ms, for timeouts and intervals. */
int64_t	time_mono_ms(void);

/*
 * Parse an RFC 3339 date-time (section 5.6) of len bytes into *ms, the
 * instant in ms since the epoch (negative before 1970).  The grammar is
 * the RFC's exactly:
 *
 *	full-date "T" partial-time ["." 1*DIGIT] ("Z" / ("+" / "-") hh ":" mm)
 *
 * with "t", "z" and a space instead of "T" accepted, as section 5.6's
 * note allows; any year 0000-9999; days checked against the month and
 * leap years; offsets -23:59..+23:59 ("-00:00" is UTC); fractions of any
 * length, truncated to ms.  A second of 60 is accepted only where a leap
 * second was inserted (section 5.7 and Appendix D, and the IERS list
 * since: 23:59:60 UTC, shifted by the offset) and read as the last ms of
 * the second before it, so times stay in order.
 *
 * Returns 0, or -1 with a message saying what is wrong in err (which
 * may be NULL).  The result may lie a day outside years 0000-9999 UTC,
 * by the offset.
 */
int	time_rfc3339_parse(const char *s, size_t len, int64_t *ms, char *err,
	    size_t errlen);

/* time_rfc3339_parse() for the event model's range: -1 also when the
 * instant is before 1970 or after TIME_MS_MAX. */
int	time_parse_rfc3339(const char *s, size_t len, int64_t *ms);

/* Format ms as "2026-02-11T15:47:39.000Z" into buf (at least 25 bytes),
 * a time outside years 0000-9999 as the nearest end of that range.
 * Returns buf. */
#define TIME_RFC3339_LEN 25
char	*time_format_rfc3339(int64_t ms, char *buf, size_t len);

/* 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z in ms: the
 * range RFC 3339 can write in UTC. */
#define TIME_MS_MIN	(-62167219200000LL)
#define TIME_MS_MAX	253402300799999LL
/* The digits of TIME_MS_MAX: no time in range is written with more. */
#define TIME_MS_DIGITS	15

#endif
