#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsnumber.h"

/* 1 if the p digits m (a whole number of p digits) times 10^(e - p + 1)
 * read back as d. */
static int
reads_back(double d, unsigned long long m, int p, int e)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%s%llue%d", d < 0 ? "-" : "", m, e - p + 1);
	return strtod(buf, NULL) == d;
}

int
jsnumber_digits(double d, char *digits, int *exp10)
{
	char buf[40], *e;
	unsigned long long m = 0, lim;
	int prec, k = 0, ex, i;
	const char *p;

	/* At each precision in turn, the nearest decimal; where d is a
	 * power of two its neighbours below lie twice as close as those
	 * above, so the next decimal up may read back when the nearest does
	 * not (2^-24: 5.960464477539063e-8, not 5.9604644775390625e-8).
	 * The first precision with one that reads back is the shortest
	 * (ECMA-262 6.1.6.1.20, k as small as possible; of two, the nearer);
	 * 17 digits always do (IEEE 754 binary64). */
	for (prec = 1;; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
		e = strchr(buf, 'e');
		ex = atoi(e + 1);
		for (m = 0, p = buf; p < e; p++)
			if (*p >= '0' && *p <= '9')
				m = m * 10 + (unsigned long long)(*p - '0');
		if (prec == 17 || strtod(buf, NULL) == d)
			break;
		for (lim = 1, i = 1; i < prec; i++)
			lim *= 10;	/* the smallest number of prec digits */
		if (m + 1 < lim * 10 && reads_back(d, m + 1, prec, ex)) {
			m++;
			break;
		}
		if (m - 1 >= lim && reads_back(d, m - 1, prec, ex)) {
			m--;
			break;
		}
	}
	*exp10 = ex;
	snprintf(buf, sizeof(buf), "%llu", m);
	for (p = buf; *p; p++)
		digits[k++] = *p;
	/* At the shortest precision the last digit is not 0 (one digit
	 * fewer would read back too), but for 0 itself and where the loop
	 * stopped at 17. */
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	return k;
}

/* How many decimal digits |v| has, v < 1000 (an exponent). */
static size_t
exp_width(int v)
{
	v = v < 0 ? -v : v;
	return v >= 100 ? 3 : v >= 10 ? 2 : 1;
}

size_t
jsnumber_len(double d)
{
	char digits[20];
	int k, n, exp10;
	size_t sign;

	if (d == 0 || !isfinite(d))
		return 1;	/* "0"; the others are no JSON number */
	sign = d < 0;
	k = jsnumber_digits(d, digits, &exp10);
	n = exp10 + 1;		/* ECMA-262's n: d = 0.digits x 10^n */
	if (k <= n && n <= 21)
		return sign + (size_t)n;		/* digits, then n - k zeros */
	if (0 < n && n <= 21)
		return sign + (size_t)k + 1;		/* a point among the digits */
	if (-6 < n && n <= 0)
		return sign + 2 + (size_t)-n + (size_t)k;	/* "0.", -n zeros, digits */
	/* d[.ddd]e±x */
	return sign + (size_t)k + (k > 1) + 2 + exp_width(n - 1);
}
