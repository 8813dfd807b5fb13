#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redisaddr.h"

static int
is_sep(char ch)
{
	return ch == ' ' || ch == '\t' || ch == ',' || ch == '\n' || ch == '\r';
}

const char *
redisaddr_word(const char **p, size_t *len)
{
	const char *s = *p, *w;

	while (*s && is_sep(*s))
		s++;
	if (*s == '\0') {
		*p = s;
		return NULL;
	}
	for (w = s; *s && !is_sep(*s); s++)
		;
	*len = (size_t)(s - w);
	*p = s;
	return w;
}

static int
parse_port(const char *s, size_t len, int *port)
{
	char buf[8], *end;
	long n;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	n = strtol(buf, &end, 10);
	if (errno || *end || buf[0] < '0' || buf[0] > '9' || n < 1 || n > 65535)
		return -1;
	*port = (int)n;
	return 0;
}

int
redisaddr_parse(const char *w, size_t len, int default_port, struct redisaddr *a,
    char *why, size_t whylen)
{
	const char *colon, *host = w, *end;
	size_t hostlen;
	size_t i;

	memset(a, 0, sizeof(*a));
	if (len == 0 || len >= REDISADDR_HOST_LEN) {
		snprintf(why, whylen, "an address of 1 to %d characters", REDISADDR_HOST_LEN - 1);
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)w[i] <= ' ' || (unsigned char)w[i] >= 0x7f) {
			snprintf(why, whylen, "no spaces or control characters in an address");
			return -1;
		}
	if (w[0] == '/') {
		memcpy(a->host, w, len);
		a->port = 0;
		return 0;
	}
	if (w[0] == '[') {
		/* RFC 3986 3.2.2: an IPv6 literal in brackets, then the port. */
		if ((end = memchr(w, ']', len)) == NULL || end == w + 1) {
			snprintf(why, whylen, "\"[\" without \"]\" in an IPv6 address");
			return -1;
		}
		host = w + 1;
		hostlen = (size_t)(end - host);
		colon = end + 1 < w + len ? end + 1 : NULL;
		if (colon != NULL && *colon != ':') {
			snprintf(why, whylen, "\":port\" expected after \"]\"");
			return -1;
		}
	} else {
		colon = NULL;
		for (i = 0; i < len; i++)
			if (w[i] == ':') {
				if (colon != NULL) {
					snprintf(why, whylen,
					    "an IPv6 address goes in brackets: [::1]:6379");
					return -1;
				}
				colon = w + i;
			}
		hostlen = colon != NULL ? (size_t)(colon - w) : len;
	}
	if (hostlen == 0) {
		snprintf(why, whylen, "a host before the port");
		return -1;
	}
	memcpy(a->host, host, hostlen);
	a->host[hostlen] = '\0';
	if (colon == NULL) {
		if (default_port == 0) {
			snprintf(why, whylen, "host:port");
			return -1;
		}
		a->port = default_port;
		return 0;
	}
	if (parse_port(colon + 1, (size_t)(w + len - colon - 1), &a->port) != 0) {
		snprintf(why, whylen, "a port from 1 to 65535");
		return -1;
	}
	return 0;
}

int
redisaddr_list(const char *s, int default_port, struct redisaddr *out, size_t max,
    char *why, size_t whylen)
{
	const char *w;
	size_t len, n = 0;
	char sub[160];

	while ((w = redisaddr_word(&s, &len)) != NULL) {
		if (n == max) {
			snprintf(why, whylen, "at most %zu addresses", max);
			return -1;
		}
		if (redisaddr_parse(w, len, default_port, &out[n], sub, sizeof(sub)) != 0) {
			snprintf(why, whylen, "\"%.*s\": %s", (int)(len > 64 ? 64 : len), w, sub);
			return -1;
		}
		n++;
	}
	return (int)n;
}

const char *
redisaddr_str(const struct redisaddr *a, char *buf, size_t len)
{
	if (a->port == 0)
		snprintf(buf, len, "%s", a->host);
	else if (strchr(a->host, ':') != NULL)
		snprintf(buf, len, "[%s]:%d", a->host, a->port);
	else
		snprintf(buf, len, "%s:%d", a->host, a->port);
	return buf;
}
