/*
 * Numbers as ECMAScript writes them (ECMA-262, Number::toString, 6.1.6.1.20),
 * which is how JSON.stringify writes a finite number: the shortest
 * decimal digits that read back as the same binary64 value, in plain
 * notation from 1e-7 up to 1e21 and in exponent notation ("1e+21",
 * "1.5e-7") outside that.  The tracker measures metadata with
 * JSON.stringify; lib/rules.c measures it the same way with these.
 * Pure; nothing is allocated.
 */
#ifndef EVENTS_JSNUMBER_H
#define EVENTS_JSNUMBER_H

#include <stddef.h>

/* The shortest round-trip digits of d (finite; 0 is "0"): 1 to 17 of them,
 * without sign or point, into digits (at least 18 bytes, NUL-ended);
 * *exp10 is the decimal exponent of the first one (d = ±d.ddd × 10^exp10).
 * Returns how many digits. */
int	jsnumber_digits(double d, char *digits, int *exp10);

/* The length in bytes of ECMAScript's Number::toString(d) for a finite d:
 * 1 for 0 and -0 ("0"), 3 for 100 and 1.0, 5 for 1e21 ("1e+21"),
 * 8 for -1.5e-7 ("-1.5e-7"). */
size_t	jsnumber_len(double d);

#endif
