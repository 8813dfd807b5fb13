/*
 * The client's address behind reverse proxies.  Pure: no I/O.
 *
 * trusted_proxies lists the proxies whose word is taken: addresses and
 * CIDR blocks, IPv4 or IPv6, separated by spaces or commas:
 *
 *	trusted_proxies = 127.0.0.1 10.0.0.0/8 2001:db8::/32
 *
 * Only when the peer (REMOTE_ADDR) is one of them is the client address
 * read from the header the proxies write (forwarded_header:
 * X-Forwarded-For, or Forwarded as RFC 7239 defines it): the rightmost
 * address in it that is not itself a trusted proxy.  Whatever stands
 * left of that address was written by the client and is never read, so
 * a client cannot choose its address by sending the header itself.  A
 * hop that is not an address ("unknown", an obfuscated name, a
 * malformed entry) ends the walk: the client is then the last trusted
 * hop, the address the request came from as far as is known.  With no
 * trusted proxies, or a peer that is not one, the headers are ignored.
 *
 * Only the header the proxies write may be read: a proxy passes the
 * other one on from the client unchanged, and reading it would let the
 * client choose its address.
 *
 * Ownership: nothing is allocated; struct proxies is the caller's
 * (proxies_parse fills it), and out buffers are the caller's.
 */
#ifndef EVENTS_PROXIES_H
#define EVENTS_PROXIES_H

#include <stddef.h>

#include "bounds.h"

/* Entries in trusted_proxies (hops followed in one header: bounds.h's
 * LIMIT_FORWARDED_HOPS). */
#define PROXIES_MAX		64

/* Room for any address as text, NUL included (INET6_ADDRSTRLEN). */
#define PROXIES_ADDR_LEN	46

enum proxies_header {
	PROXIES_X_FORWARDED_FOR,	/* "x-forwarded-for": a, b, c */
	PROXIES_FORWARDED		/* "forwarded": RFC 7239 for= */
};

struct proxies_net {
	unsigned char	addr[16];	/* IPv4 as ::ffff:a.b.c.d */
	unsigned	bits;		/* prefix length over the 128 bits */
};

struct proxies {
	size_t			n;	/* 0: no proxy is trusted */
	struct proxies_net	nets[PROXIES_MAX];
	enum proxies_header	header;
};

/* Parse a trusted_proxies value into p (zeroed first; p->header is
 * X-Forwarded-For).  A block with bits set past its prefix is refused,
 * as likely a typing error.  0, or -1 with a message in err. */
int	proxies_parse(struct proxies *p, const char *spec, char *err, size_t errlen);

/* Parse a forwarded_header value ("x-forwarded-for" or "forwarded",
 * any case).  0, or -1. */
int	proxies_header_parse(const char *s, enum proxies_header *h);

/* 1 if addr (IPv4 or IPv6 text) is in one of p's blocks. */
int	proxies_trusted(const struct proxies *p, const char *addr);

/*
 * The client's address into out: peer itself unless it is trusted,
 * else found in the header value hdr (the one p->header names; NULL
 * when absent) as the comment at the top says.  An address taken from
 * the header is written in its normal form (IPv4 dotted, IPv6 as
 * inet_ntop(3) writes it, an IPv4-mapped IPv6 address as IPv4, without
 * brackets or port).  peer NULL gives "".
 */
void	proxies_client(const struct proxies *p, const char *peer, const char *hdr,
	    char out[PROXIES_ADDR_LEN]);

#endif
