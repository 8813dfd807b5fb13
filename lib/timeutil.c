#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timeutil.h"

int64_t
time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), after
 * Howard Hinnant's days_from_civil. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Year, month and day of a day count from 1970-01-01 (Howard Hinnant's
 * civil_from_days). */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/*
 * The UTC days that ended in a leap second, 23:59:60: RFC 3339
 * Appendix D and the IERS Bulletin C announcements since (the last one
 * 2016-12-31; none has been announced after it).
 */
static const struct { short y; char m, d; } leap_days[] = {
	{ 1972, 6, 30 }, { 1972, 12, 31 }, { 1973, 12, 31 }, { 1974, 12, 31 },
	{ 1975, 12, 31 }, { 1976, 12, 31 }, { 1977, 12, 31 }, { 1978, 12, 31 },
	{ 1979, 12, 31 }, { 1981, 6, 30 }, { 1982, 6, 30 }, { 1983, 6, 30 },
	{ 1985, 6, 30 }, { 1987, 12, 31 }, { 1989, 12, 31 }, { 1990, 12, 31 },
	{ 1992, 6, 30 }, { 1993, 6, 30 }, { 1994, 6, 30 }, { 1995, 12, 31 },
	{ 1997, 6, 30 }, { 1998, 12, 31 }, { 2005, 12, 31 }, { 2008, 12, 31 },
	{ 2012, 6, 30 }, { 2015, 6, 30 }, { 2016, 12, 31 },
};

static int
leap_day(int64_t day)
{
	size_t i;

	for (i = 0; i < sizeof(leap_days) / sizeof(leap_days[0]); i++)
		if (days_from_civil(leap_days[i].y, (unsigned)leap_days[i].m,
		    (unsigned)leap_days[i].d) == day)
			return 1;
	return 0;
}

/* n digits at s[*i], into *out; -1 if s is shorter or one is not a digit. */
static int
digits(const char *s, size_t len, size_t *i, size_t n, int *out)
{
	int v = 0;
	size_t k;

	if (len - *i < n)
		return -1;
	for (k = 0; k < n; k++) {
		if (s[*i + k] < '0' || s[*i + k] > '9')
			return -1;
		v = v * 10 + (s[*i + k] - '0');
	}
	*i += n;
	*out = v;
	return 0;
}

/* 1 if s[i] is c. */
static int
at(const char *s, size_t len, size_t i, char c)
{
	return i < len && s[i] == c;
}

static const char *const month_name[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

#define FAIL(...) do {							\
	if (err != NULL && errlen > 0)					\
		snprintf(err, errlen, __VA_ARGS__);			\
	return -1;							\
} while (0)

int
time_rfc3339_parse(const char *s, size_t len, int64_t *ms, char *err,
    size_t errlen)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 1, frac = 0;
	size_t i = 0, fd = 0;
	int64_t t, day;

	if (digits(s, len, &i, 4, &y) != 0)
		FAIL("must start with a 4-digit year (YYYY-MM-DDTHH:MM:SSZ)");
	if (!at(s, len, i++, '-'))
		FAIL("expected '-' after the year");
	if (digits(s, len, &i, 2, &mo) != 0)
		FAIL("the month must be 2 digits");
	if (mo < 1 || mo > 12)
		FAIL("month %02d is not 01-12", mo);
	if (!at(s, len, i++, '-'))
		FAIL("expected '-' after the month");
	if (digits(s, len, &i, 2, &d) != 0)
		FAIL("the day must be 2 digits");
	if (d < 1 || d > mdays[mo - 1] + (mo == 2 && is_leap(y)))
		FAIL("day %02d does not exist in %s %04d", d, month_name[mo - 1], y);
	if (i >= len)
		FAIL("a time must follow the date (YYYY-MM-DDTHH:MM:SSZ)");
	if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
		FAIL("expected 'T' between the date and the time");
	i++;
	if (digits(s, len, &i, 2, &h) != 0)
		FAIL("the hour must be 2 digits");
	if (h > 23)
		FAIL("hour %02d is not 00-23", h);
	if (!at(s, len, i++, ':'))
		FAIL("expected ':' after the hour");
	if (digits(s, len, &i, 2, &mi) != 0)
		FAIL("the minute must be 2 digits");
	if (mi > 59)
		FAIL("minute %02d is not 00-59", mi);
	if (!at(s, len, i++, ':'))
		FAIL("expected ':' after the minute (seconds are required)");
	if (digits(s, len, &i, 2, &sec) != 0)
		FAIL("the second must be 2 digits");
	if (sec > 60)
		FAIL("second %02d is not 00-59 (60 only for a leap second)", sec);
	if (at(s, len, i, '.')) {
		i++;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, fd++)
			if (fd < 3)
				frac = frac * 10 + (s[i] - '0');
		if (fd == 0)
			FAIL("a '.' must be followed by digits (fractions of a second)");
		for (; fd < 3; fd++)
			frac *= 10;
	}
	if (i >= len)
		FAIL("a time offset must follow: Z, or +HH:MM / -HH:MM");
	if (s[i] == 'Z' || s[i] == 'z')
		i++;
	else if (s[i] == '+' || s[i] == '-') {
		sign = s[i++] == '+' ? 1 : -1;
		if (digits(s, len, &i, 2, &oh) != 0 || !at(s, len, i++, ':') ||
		    digits(s, len, &i, 2, &om) != 0)
			FAIL("the offset must be Z, or +HH:MM / -HH:MM");
		if (oh > 23 || om > 59)
			FAIL("offset %c%02d:%02d is not -23:59 to +23:59",
			    sign > 0 ? '+' : '-', oh, om);
	} else
		FAIL("a time offset must follow: Z, or +HH:MM / -HH:MM");
	if (i != len)
		FAIL("unexpected text after the time offset");

	day = days_from_civil(y, (unsigned)mo, (unsigned)d);
	t = day * 86400 + h * 3600 + mi * 60 + (sec == 60 ? 59 : sec) -
	    sign * (oh * 3600 + om * 60);
	if (sec == 60) {
		/* Section 5.7: in UTC the leap second is 23:59:60 at the end
		 * of a day that had one; an offset shifts that point.  t is
		 * now the UTC second before it. */
		if ((t + 1) % 86400 != 0 || !leap_day((t + 1) / 86400 - 1))
			FAIL("second 60 is a leap second only at 23:59:60 UTC on a day that had one (e.g. 2016-12-31T23:59:60Z)");
		*ms = t * 1000 + 999;
		return 0;
	}
	*ms = t * 1000 + frac;
	return 0;
}

int
time_parse_rfc3339(const char *s, size_t len, int64_t *ms)
{
	int64_t t;

	if (time_rfc3339_parse(s, len, &t, NULL, 0) != 0 || t < 0 ||
	    t > TIME_MS_MAX)
		return -1;
	*ms = t;
	return 0;
}

char *
time_format_rfc3339(int64_t ms, char *buf, size_t len)
{
	int64_t day, secs, y;
	unsigned m, d;
	int rem;

	if (ms < TIME_MS_MIN)
		ms = TIME_MS_MIN;
	if (ms > TIME_MS_MAX)
		ms = TIME_MS_MAX;
	/* Floor division: 1969-12-31T23:59:59.999Z is -1. */
	day = (ms >= 0 ? ms : ms - 86399999) / 86400000;
	rem = (int)(ms - day * 86400000);
	secs = rem / 1000;
	civil_from_days(day, &y, &m, &d);
	snprintf(buf, len, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", (int)y, m, d,
	    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), rem % 1000);
	return buf;
}
