/*
 * What is kept of a client.  Pure: no I/O.
 *
 *  - The address, by ip_mode: "truncate" (IPv4 /24, IPv6 /48; the
 *    default), "hash" (a keyed SipHash-2-4 of the full address whose key
 *    is derived from ip_hash_secret and the UTC day, so hashes can be
 *    counted within a day and not linked across days), or "drop".
 *  - Do Not Track ("DNT: 1") and Global Privacy Control ("Sec-GPC: 1").
 *  - Known crawlers, recognised by their User-Agent.
 *
 * Ownership: out is the caller's; privacy_bot's name and reason are
 * static strings.  OpenSSL's SIPHASH MAC is fetched once per process and
 * kept until it exits; each hash makes and frees its own context.
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
 * whose key to use.  0, or -1 when the hash cannot be made (OpenSSL
 * out of memory): out is then "", never the address.
 */
int	privacy_ip(enum ip_mode m, const char *secret, int64_t day_ms,
	    const char *addr, char out[PRIVACY_IP_LEN]);

/* 0 when privacy_ip can hash (OpenSSL has SIPHASH: checked at start-up
 * where ip_mode is hash or rate_limit_ip is set), else -1 with err. */
int	privacy_hash_ready(char *err, size_t errlen);

/* 1 when the request asks not to be tracked (DNT: 1 or Sec-GPC: 1). */
int	privacy_opted_out(const char *dnt, const char *gpc);

/*
 * If ua is a known crawler, 1 with its name ("googlebot") and the reason
 * ("known_crawler" or "crawler_url") set; else 0.
 */
int	privacy_bot(const char *ua, const char **name, const char **reason);

/* SipHash-2-4 (Aumasson and Bernstein, 2012: 2 compression and 4
 * finalization rounds, a 64-bit result) of in[0..len) under a 16-byte
 * key, into *out; OpenSSL's EVP_MAC "SIPHASH".  0, or -1 (*out 0) when
 * OpenSSL cannot make it. */
int	siphash24(const unsigned char key[16], const void *in, size_t len,
	    uint64_t *out);

#endif
