/*
 * The configuration's key table, shared by lib/conf.c and its unit test
 * (tests/test-conf.c, which hands conf_apply_defaults a table of its own
 * to see a default that does not apply stop the load).
 *
 * Ownership: the tables are static and borrowed; nothing is allocated.
 */
#ifndef EVENTS_CONF_IMPL_H
#define EVENTS_CONF_IMPL_H

#include <stddef.h>

#include "conf.h"

enum conf_type { CT_STR, CT_LONG };

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	size_t		 off;		/* in struct conf */
	long		 min, max;	/* CT_LONG bounds, inclusive */
	const char	*def;		/* CT_STR default */
	long		 def_n;		/* CT_LONG default */
	int		 (*check)(const char *v, char *why, size_t whylen);	/* CT_STR, optional */
};

/*
 * c zeroed, then each of the n keys set to its default through the same
 * checks as a value from a file.  0, or -1 with err naming the key, its
 * default and "built-in default": the program was built wrong and must
 * not start.
 */
int	conf_apply_defaults(struct conf *c, const struct conf_key *keys, size_t n,
	    char *err, size_t errlen);

#endif
