/*
 * Lists of Redis addresses and names in the configuration: Sentinels
 * ("10.0.0.5:26379 10.0.0.6:26379"), independent masters or Redis
 * Cluster seed nodes ("10.0.0.3:6379, /run/redis/b.sock"), Sentinel
 * master names ("events-a events-b").  Words are separated by spaces,
 * tabs or commas.  Pure functions: no I/O.
 *
 * Ownership: nothing is allocated; redisaddr_word returns a pointer
 * into the list it walks, the rest write into the caller's structs and
 * buffers.
 */
#ifndef EVENTS_REDISADDR_H
#define EVENTS_REDISADDR_H

#include <stddef.h>

/* Words in one list, and the length of a host name (RFC 1035: 253). */
#define REDISADDR_MAX		64
#define REDISADDR_HOST_LEN	256
/* A Sentinel master name, in bytes. */
#define REDISADDR_NAME_LEN	200

/* The ports a word without one means: Redis's and Redis Sentinel's. */
#define REDISADDR_PORT		6379
#define REDISADDR_SENTINEL_PORT	26379

/* A TCP address (port 1-65535), or a unix socket path (port 0). */
struct redisaddr {
	char	host[REDISADDR_HOST_LEN];	/* name, IPv4, IPv6 (no brackets), or path */
	int	port;
};

/*
 * The next word of the list at *p: its start, its length in *len, and *p
 * moved past it; NULL at the end.
 */
const char	*redisaddr_word(const char **p, size_t *len);

/*
 * One address: "host:port", "[v6]:port", "host" (default_port; 0 means
 * the port is required) or "/path" (a unix socket).  0, or -1 with why.
 */
int		 redisaddr_parse(const char *word, size_t len, int default_port,
		    struct redisaddr *a, char *why, size_t whylen);

/*
 * A whole list into out[0..max).  Returns the number of addresses (0 for
 * an empty list), or -1 with why (a bad word, or more than max).
 */
int		 redisaddr_list(const char *s, int default_port, struct redisaddr *out,
		    size_t max, char *why, size_t whylen);

/* "host:port", "[v6]:port" or the path, for messages. */
const char	*redisaddr_str(const struct redisaddr *a, char *buf, size_t len);

#endif
