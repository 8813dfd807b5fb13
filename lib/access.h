/*
 * Who may write and read.  Pure: no I/O.
 *
 * Write keys are public, per site, and sent by the tracker in the query
 * string (?key=..., since navigator.sendBeacon cannot set headers) or in
 * an X-Events-Key header.  Each key may name the origins its pages are
 * served from; a browser's Origin header must then be one of them.  The
 * configuration value is a space-separated list of sites:
 *
 *	write_keys = pk_shop=https://shop.example,https://m.shop.example pk_cli
 *
 * (a key with no '=' accepts any origin).  With no write keys configured,
 * POST is open to all, as the local stack is.
 *
 * The read token is a secret compared in constant time.
 *
 * Ownership: nothing is allocated.  struct access is the caller's
 * (access_parse fills it); access_bearer returns a pointer into its
 * argument.
 */
#ifndef EVENTS_ACCESS_H
#define EVENTS_ACCESS_H

#include <stddef.h>

#include "bounds.h"

#define ACCESS_MAX_SITES	64
#define ACCESS_MAX_ORIGINS	16

struct access_site {
	char	key[LIMIT_WRITE_KEY_LEN + 1];
	size_t	norigins;		/* 0: any origin */
	char	origins[ACCESS_MAX_ORIGINS][LIMIT_ORIGIN_LEN + 1];
};

struct access {
	size_t			nsites;	/* 0: writes are open */
	struct access_site	sites[ACCESS_MAX_SITES];
};

/* Parse a write_keys value into a (zeroed first).  0, or -1 with err. */
int	access_parse(struct access *a, const char *spec, char *err, size_t errlen);

enum access_verdict {
	ACCESS_OK,
	ACCESS_NO_KEY,		/* 401: keys are configured, none was sent */
	ACCESS_BAD_KEY,		/* 403: not a configured key */
	ACCESS_BAD_ORIGIN	/* 403: Origin not allowed for the key */
};

/*
 * May a request with this key (NULL: none) and Origin (NULL: none, as
 * from curl) write?  *site is set to the matched site or NULL.
 */
enum access_verdict	access_check(const struct access *a, const char *key,
			    const char *origin, const struct access_site **site);

/* 1 if a equals b, in time that depends on b's length only. */
int	access_token_equal(const char *given, const char *secret);

/* The bearer token of an Authorization header value, or NULL. */
const char *access_bearer(const char *authorization);

#endif
