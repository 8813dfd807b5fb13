/*
 * Client address anonymisation before anything is stored: IPv4 keeps its
 * first three octets (the last is zeroed), IPv6 its first 48 bits (the
 * last 80 are zeroed).  IPv4-mapped IPv6 addresses are treated as IPv4.
 *
 * Ownership: nothing is allocated; out is the caller's.
 */
#ifndef EVENTS_IPANON_H
#define EVENTS_IPANON_H

#include <stddef.h>

#define IPANON_LEN 46	/* INET6_ADDRSTRLEN */

/* Write the anonymised form of addr into out.  0, or -1 (out set to "")
 * when addr is not an IP address. */
int	ipanon(const char *addr, char *out, size_t outlen);

#endif
