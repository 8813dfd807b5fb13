/*
 * What is kept of a client.  Pure: no I/O.
 *
 *  - The address, by ip_mode: "truncate" (IPv4 /24, IPv6 /48; the
 *    default), "hash" (a keyed SipHash-2-4 of the full address whose key
 *    is derived from ip_hash_secret and the UTC day, so hashes can be
 *    counted within a day and not linked across days), or "drop".
 *  - Do Not Track ("DNT: 1") and Global Privacy Control ("Sec-GPC: 1").
 *  - Known crawlers, recognised by their User-Agent.
 */
#ifndef EVENTS_PRIVACY_H
#define EVENTS_PRIVACY_H

#include <stddef.h>
#include <stdint.h>

enum ip_mode { IP_TRUNCATE, IP_HASH, IP_DROP };

#define PRIVACY_IP_LEN	48	/* room for any form, NUL included */
#define PRIVACY_SECRET_MIN 16

int	privacy_ip_mode(const char *s, enum ip_mode *m);

/*
 * The form of addr to store, into out: truncated, "h:" and 16 hex digits,
 * or "" (drop, or not an address).  day_ms is any time in the UTC day
 * whose key to use.
 */
void	privacy_ip(enum ip_mode m, const char *secret, int64_t day_ms,
	    const char *addr, char out[PRIVACY_IP_LEN]);

/* 1 when the request asks not to be tracked (DNT: 1 or Sec-GPC: 1). */
int	privacy_opted_out(const char *dnt, const char *gpc);

/*
 * If ua is a known crawler, 1 with its name ("googlebot") and the reason
 * ("known_crawler" or "crawler_url") set; else 0.
 */
int	privacy_bot(const char *ua, const char **name, const char **reason);

/* SipHash-2-4 of in[0..len) under a 16-byte key. */
uint64_t siphash24(const unsigned char key[16], const void *in, size_t len);

#endif
