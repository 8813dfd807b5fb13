#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proxies.h"

static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* Parse IPv4 or IPv6 text of len bytes into 16 bytes (IPv4 mapped).
 * 0, or -1 if it is neither. */
static int
addr_parse(const char *s, size_t len, unsigned char out[16])
{
	char buf[PROXIES_ADDR_LEN];

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, out + 12) == 1) {
		memcpy(out, v4mapped, 12);
		return 0;
	}
	return inet_pton(AF_INET6, buf, out) == 1 ? 0 : -1;
}

static void
addr_text(const unsigned char a[16], char out[PROXIES_ADDR_LEN])
{
	if (memcmp(a, v4mapped, 12) == 0)
		inet_ntop(AF_INET, a + 12, out, PROXIES_ADDR_LEN);
	else
		inet_ntop(AF_INET6, a, out, PROXIES_ADDR_LEN);
}

static int
in_net(const struct proxies_net *n, const unsigned char a[16])
{
	unsigned full = n->bits / 8, rest = n->bits % 8;

	if (memcmp(n->addr, a, full) != 0)
		return 0;
	return rest == 0 ||
	    ((n->addr[full] ^ a[full]) & (unsigned char)(0xff << (8 - rest))) == 0;
}

static int
trusted(const struct proxies *p, const unsigned char a[16])
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (in_net(&p->nets[i], a))
			return 1;
	return 0;
}

int
proxies_parse(struct proxies *p, const char *spec, char *err, size_t errlen)
{
	struct proxies_net *n;
	const char *s = spec, *slash, *end;
	unsigned long bits;
	unsigned max, k;
	char *e;

	memset(p, 0, sizeof(*p));
	for (;;) {
		s += strspn(s, " \t,");
		if (*s == '\0')
			return 0;
		end = s + strcspn(s, " \t,");
		if (p->n == PROXIES_MAX) {
			snprintf(err, errlen, "more than %d entries", PROXIES_MAX);
			return -1;
		}
		n = &p->nets[p->n];
		slash = memchr(s, '/', (size_t)(end - s));
		if (addr_parse(s, (size_t)((slash ? slash : end) - s), n->addr) != 0) {
			snprintf(err, errlen, "\"%.*s\" is not an IPv4 or IPv6 address",
			    (int)((slash ? slash : end) - s > 60 ? 60 : (slash ? slash : end) - s), s);
			return -1;
		}
		/* The prefix counts the bits of the form written. */
		max = memchr(s, ':', (size_t)((slash ? slash : end) - s)) ? 128 : 32;
		n->bits = 128;
		if (slash != NULL) {
			bits = strtoul(slash + 1, &e, 10);
			if (e != end || e == slash + 1 || slash[1] == '+' ||
			    slash[1] == '-' || slash[1] == ' ' || bits > max) {
				snprintf(err, errlen, "\"%.*s\": the prefix length must be 0 to %u",
				    (int)(end - s > 60 ? 60 : end - s), s, max);
				return -1;
			}
			n->bits = (unsigned)bits + (128 - max);
			for (k = n->bits; k < 128; k++)
				if (n->addr[k / 8] & (0x80 >> (k % 8))) {
					snprintf(err, errlen,
					    "\"%.*s\" has bits set past its /%lu prefix",
					    (int)(end - s > 60 ? 60 : end - s), s, bits);
					return -1;
				}
		}
		p->n++;
		s = end;
	}
}

int
proxies_header_parse(const char *s, enum proxies_header *h)
{
	if (strcasecmp(s, "x-forwarded-for") == 0)
		*h = PROXIES_X_FORWARDED_FOR;
	else if (strcasecmp(s, "forwarded") == 0)
		*h = PROXIES_FORWARDED;
	else
		return -1;
	return 0;
}

int
proxies_trusted(const struct proxies *p, const char *addr)
{
	unsigned char a[16];

	return addr != NULL && addr_parse(addr, strlen(addr), a) == 0 && trusted(p, a);
}

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* s[0..len) with optional white space (RFC 9110 5.6.3) cut off. */
static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && is_ows(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_ows((*s)[*len - 1]))
		(*len)--;
}

static int
digits_only(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return len > 0;
}

/*
 * One node as the headers write it: "192.0.2.1", "192.0.2.1:8080",
 * "2001:db8::1", "[2001:db8::1]", "[2001:db8::1]:8080" (RFC 7239 6:
 * the port may also be an obfuscated "_name").  0, or -1 if it is not an
 * address ("unknown", "_hidden", anything else).
 */
static int
node_parse(const char *s, size_t len, unsigned char out[16])
{
	const char *close, *colon;

	if (len > 0 && s[0] == '[') {
		if ((close = memchr(s, ']', len)) == NULL ||
		    addr_parse(s + 1, (size_t)(close - s - 1), out) != 0 ||
		    memcmp(out, v4mapped, 12) == 0)
			return -1;
		len -= (size_t)(close + 1 - s);
		s = close + 1;
		return len == 0 || (s[0] == ':' && (digits_only(s + 1, len - 1) ||
		    (len > 2 && s[1] == '_'))) ? 0 : -1;
	}
	colon = memchr(s, ':', len);
	if (colon != NULL && memchr(colon + 1, ':', len - (size_t)(colon + 1 - s)) == NULL) {
		/* One colon: IPv4 and a port. */
		if (!digits_only(colon + 1, len - (size_t)(colon + 1 - s)) &&
		    !(colon[1] == '_' && (size_t)(colon + 2 - s) < len))
			return -1;
		return addr_parse(s, (size_t)(colon - s), out) == 0 &&
		    memcmp(out, v4mapped, 12) == 0 ? 0 : -1;
	}
	return addr_parse(s, len, out);
}

/* RFC 9110 5.6.2 tchar. */
static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/*
 * The for= node of one Forwarded element (RFC 7239 4: pairs separated
 * by ';', each token "=" (token / quoted-string), each parameter at most
 * once).  0 with the address, or -1: no for=, not an address, or the
 * element is malformed.
 */
static int
forwarded_for(const char *s, size_t len, unsigned char out[16])
{
	const char *pair, *end = s + len, *semi, *eq, *v;
	char val[PROXIES_ADDR_LEN + 16];
	size_t plen, vlen, n, i;
	int seen = 0;

	for (pair = s; pair <= end; pair = semi + 1) {
		if ((semi = memchr(pair, ';', (size_t)(end - pair))) == NULL)
			semi = end;
		plen = (size_t)(semi - pair);
		trim(&pair, &plen);
		if (plen == 0)
			continue;	/* RFC 7239 4: [ forwarded-pair ] */
		if ((eq = memchr(pair, '=', plen)) == NULL || eq == pair)
			return -1;
		for (i = 0; pair + i < eq; i++)
			if (!is_tchar((unsigned char)pair[i]))
				return -1;
		v = eq + 1;
		vlen = plen - (size_t)(v - pair);
		n = 0;
		if (vlen > 0 && v[0] == '"') {
			/* quoted-string, with quoted-pairs */
			for (i = 1; i < vlen && v[i] != '"'; i++) {
				if (v[i] == '\\' && ++i == vlen)
					return -1;
				if (n == sizeof(val))
					return -1;
				val[n++] = v[i];
			}
			if (i != vlen - 1)
				return -1;
		} else {
			if (vlen == 0 || vlen > sizeof(val))
				return -1;
			for (i = 0; i < vlen; i++)
				if (!is_tchar((unsigned char)v[i]))
					return -1;
			memcpy(val, v, vlen);
			n = vlen;
		}
		if ((size_t)(eq - pair) != 3 || strncasecmp(pair, "for", 3) != 0)
			continue;
		if (seen++ || node_parse(val, n, out) != 0)
			return -1;
	}
	return seen ? 0 : -1;
}

void
proxies_client(const struct proxies *p, const char *peer, const char *hdr,
    char out[PROXIES_ADDR_LEN])
{
	unsigned char cur[16], a[16];
	const char *end, *start, *piece;
	size_t len, hops = 0;

	out[0] = '\0';
	if (peer == NULL)
		return;
	if (p->n == 0 || hdr == NULL || addr_parse(peer, strlen(peer), cur) != 0 ||
	    !trusted(p, cur)) {
		snprintf(out, PROXIES_ADDR_LEN, "%s", peer);
		return;
	}
	/* From the right: each hop was appended by the one after it.  No
	 * hop a proxy writes holds a comma, even quoted, so a plain split
	 * is exact for every hop that is read; what is left of the client
	 * is never looked at. */
	for (end = hdr + strlen(hdr);; end = start - 1) {
		for (start = end; start > hdr && start[-1] != ','; start--)
			;
		piece = start;
		len = (size_t)(end - start);
		trim(&piece, &len);
		if (len > 0) {	/* RFC 9110 5.6.1: empty list elements */
			if (++hops > LIMIT_FORWARDED_HOPS)
				break;
			if ((p->header == PROXIES_FORWARDED ?
			    forwarded_for(piece, len, a) : node_parse(piece, len, a)) != 0)
				break;		/* unknown: the last trusted hop */
			memcpy(cur, a, 16);
			if (!trusted(p, a))
				break;		/* the client */
		}
		if (start == hdr)
			break;
	}
	addr_text(cur, out);
}
