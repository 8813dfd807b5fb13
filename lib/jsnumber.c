#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsnumber.h"

int
jsnumber_digits(double d, char *digits, int *exp10)
{
	char buf[40], *e;
	int prec, k = 0;
	const char *p;

	/* The nearest decimal of each precision in turn: the first that
	 * reads back is the shortest (17 always does, IEEE 754 binary64). */
	for (prec = 1;; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
		if (prec == 17 || strtod(buf, NULL) == d)
			break;
	}
	e = strchr(buf, 'e');
	*exp10 = atoi(e + 1);
	for (p = buf; p < e; p++)
		if (*p >= '0' && *p <= '9')
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
