/* trusted_proxies: the list, and the client's address from
 * X-Forwarded-For and Forwarded (RFC 7239), spoofed chains included. */
#include "config.h"

#include <string.h>

#include "check.h"
#include "proxies.h"

static void
test_parse(void)
{
	static const struct { const char *spec; size_t n; const char *why; } cases[] = {
		{ "", 0, NULL },
		{ "  ", 0, NULL },
		{ "127.0.0.1", 1, NULL },
		{ "10.0.0.0/8 192.168.0.0/16,::1", 3, NULL },
		{ "0.0.0.0/0 ::/0", 2, NULL },
		{ "2001:db8::/32\t fd00::/8", 2, NULL },
		{ "::ffff:10.0.0.0/104", 1, NULL },
		{ "10.0.0.0/33", 0, "prefix length must be 0 to 32" },
		{ "::/129", 0, "0 to 128" },
		{ "10.0.0.0/", 0, "prefix length" },
		{ "10.0.0.0/8x", 0, "prefix length" },
		{ "10.0.0.0/-1", 0, "prefix length" },
		{ "10.1.2.3/8", 0, "bits set past its /8 prefix" },
		{ "2001:db8::1/32", 0, "bits set past" },
		{ "localhost", 0, "not an IPv4 or IPv6 address" },
		{ "10.0.0", 0, "not an IPv4" },
		{ "fe80::1%eth0", 0, "not an IPv4" },
		{ "[::1]", 0, "not an IPv4" },
	};
	struct proxies p;
	char err[256];
	size_t i;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		r = proxies_parse(&p, cases[i].spec, err, sizeof(err));
		if (cases[i].why == NULL)
			CHECK(r == 0 && p.n == cases[i].n, "\"%s\": %d, %zu entries, %s",
			    cases[i].spec, r, p.n, err);
		else
			CHECK(r == -1 && strstr(err, cases[i].why) != NULL,
			    "\"%s\": %d, \"%s\"", cases[i].spec, r, err);
	}
}

static void
test_trusted(void)
{
	static const struct { const char *addr; int want; } cases[] = {
		{ "10.0.0.1", 1 }, { "10.255.255.255", 1 }, { "11.0.0.0", 0 },
		{ "192.168.1.5", 1 }, { "192.168.1.6", 0 },
		{ "172.16.0.1", 1 }, { "172.31.255.255", 1 }, { "172.32.0.0", 0 },
		{ "2001:db8::1", 1 }, { "2001:db9::1", 0 }, { "::1", 1 }, { "::2", 0 },
		{ "::ffff:10.1.2.3", 1 }, { "::ffff:11.1.2.3", 0 },
		{ "", 0 }, { "junk", 0 }, { "10.0.0.1 ", 0 },
	};
	struct proxies p;
	char err[256];
	size_t i;

	CHECK(proxies_parse(&p, "10.0.0.0/8 192.168.1.5 172.16.0.0/12 2001:db8::/32 ::1",
	    err, sizeof(err)) == 0, "parse: %s", err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(proxies_trusted(&p, cases[i].addr) == cases[i].want, "%s: want %d",
		    cases[i].addr, cases[i].want);
	CHECK(proxies_trusted(&p, NULL) == 0, "NULL");
}

/* The proxies in these cases: a load balancer 10.0.0.5, a CDN range
 * 203.0.113.0/24, an IPv6 proxy 2001:db8::/64. */
#define TRUSTED	"10.0.0.5 203.0.113.0/24 2001:db8::/64"

struct client_case {
	const char	*peer, *hdr, *want;
};

static const struct client_case xff[] = {
	/* the peer is not trusted: the header is ignored, whatever it says */
	{ "198.51.100.7", "1.2.3.4", "198.51.100.7" },
	{ "198.51.100.7", NULL, "198.51.100.7" },
	{ "10.0.0.6", "1.2.3.4", "10.0.0.6" },
	/* one trusted proxy */
	{ "10.0.0.5", "198.51.100.7", "198.51.100.7" },
	{ "10.0.0.5", NULL, "10.0.0.5" },
	{ "10.0.0.5", "", "10.0.0.5" },
	{ "10.0.0.5", "  198.51.100.7  ", "198.51.100.7" },
	/* spoofed: the client sent its own header, the proxy appended */
	{ "10.0.0.5", "6.6.6.6, 198.51.100.7", "198.51.100.7" },
	{ "10.0.0.5", "10.0.0.5, 198.51.100.7", "198.51.100.7" },
	{ "10.0.0.5", "garbage, \"quoted, 198.51.100.7", "198.51.100.7" },
	{ "10.0.0.5", "6.6.6.6,198.51.100.7", "198.51.100.7" },
	/* spoofed with a trusted address right of a forged one: still the
	 * rightmost untrusted */
	{ "10.0.0.5", "6.6.6.6, 203.0.113.9, 198.51.100.7", "198.51.100.7" },
	/* chains of trusted proxies */
	{ "10.0.0.5", "198.51.100.7, 203.0.113.9", "198.51.100.7" },
	{ "10.0.0.5", "6.6.6.6, 198.51.100.7, 203.0.113.9, 203.0.113.10", "198.51.100.7" },
	{ "10.0.0.5", "203.0.113.9, 203.0.113.10", "203.0.113.9" },
	/* forms: ports, IPv6, brackets, mapped */
	{ "10.0.0.5", "198.51.100.7:51234", "198.51.100.7" },
	{ "10.0.0.5", "2001:db9::7", "2001:db9::7" },
	{ "10.0.0.5", "[2001:db9::7]", "2001:db9::7" },
	{ "10.0.0.5", "[2001:db9::7]:443", "2001:db9::7" },
	{ "10.0.0.5", "2001:DB9:0:0:0:0:0:7", "2001:db9::7" },
	{ "10.0.0.5", "::ffff:198.51.100.7", "198.51.100.7" },
	{ "2001:db8::1", "198.51.100.7", "198.51.100.7" },
	{ "::ffff:10.0.0.5", "198.51.100.7", "198.51.100.7" },
	/* empty list elements */
	{ "10.0.0.5", "198.51.100.7, ,", "198.51.100.7" },
	{ "10.0.0.5", ",,", "10.0.0.5" },
	/* a hop that is not an address ends the walk at the last trusted */
	{ "10.0.0.5", "unknown", "10.0.0.5" },
	{ "10.0.0.5", "198.51.100.7, unknown", "10.0.0.5" },
	{ "10.0.0.5", "198.51.100.7, 203.0.113.9, junk", "10.0.0.5" },
	{ "10.0.0.5", "198.51.100.7, junk, 203.0.113.9", "203.0.113.9" },
	{ "10.0.0.5", "198.51.100.7 203.0.113.9", "10.0.0.5" },
	{ "10.0.0.5", "fe80::1%eth0", "10.0.0.5" },
	{ "10.0.0.5", "[198.51.100.7]", "10.0.0.5" },
	{ "10.0.0.5", "198.51.100.7:", "10.0.0.5" },
	{ "10.0.0.5", "198.51.100.7:80:80", "10.0.0.5" },
	{ "10.0.0.5", "[2001:db9::7", "10.0.0.5" },
	{ "10.0.0.5", "[2001:db9::7]x", "10.0.0.5" },
	{ "10.0.0.5", "for=198.51.100.7", "10.0.0.5" },
	/* a peer that is not an address is kept as it is */
	{ "not-an-address", "198.51.100.7", "not-an-address" },
	{ NULL, "198.51.100.7", "" },
};

static const struct client_case fwd[] = {
	{ "198.51.100.7", "for=1.2.3.4", "198.51.100.7" },
	{ "10.0.0.5", "for=198.51.100.7", "198.51.100.7" },
	{ "10.0.0.5", NULL, "10.0.0.5" },
	/* RFC 7239 section 4 and 7.4 examples */
	{ "10.0.0.5", "for=\"_gazonk\"", "10.0.0.5" },
	{ "10.0.0.5", "For=\"[2001:db9:cafe::17]:4711\"", "2001:db9:cafe::17" },
	{ "10.0.0.5", "for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60" },
	{ "10.0.0.5", "for=192.0.2.43, for=198.51.100.17", "198.51.100.17" },
	{ "10.0.0.5", "for=192.0.2.43,for=\"[2001:db9:cafe::17]\",for=unknown", "10.0.0.5" },
	{ "10.0.0.5", "for=\"192.0.2.43:47011\"", "192.0.2.43" },
	{ "10.0.0.5", "for=\"192.0.2.43:_abc\"", "192.0.2.43" },
	/* spoofed chains: the client's own elements stand left */
	{ "10.0.0.5", "for=6.6.6.6, for=198.51.100.7", "198.51.100.7" },
	{ "10.0.0.5", "for=6.6.6.6;for=7.7.7.7, for=198.51.100.7", "198.51.100.7" },
	{ "10.0.0.5", "for=\"6.6.6.6, for=198.51.100.7", "198.51.100.7" },
	{ "10.0.0.5", "for=\"x,for=6.6.6.6;a=\"\", for=198.51.100.7", "198.51.100.7" },
	{ "10.0.0.5", "for=6.6.6.6, for=198.51.100.7, for=203.0.113.9", "198.51.100.7" },
	/* parameters in any order and case, with white space */
	{ "10.0.0.5", "proto=https; FOR=198.51.100.7 ;by=10.0.0.5", "198.51.100.7" },
	{ "10.0.0.5", "host=\"a.example\";for=198.51.100.7", "198.51.100.7" },
	{ "10.0.0.5", ";;for=198.51.100.7;", "198.51.100.7" },
	{ "10.0.0.5", "for=\"198.51.100.\\7\"", "198.51.100.7" },
	/* malformed elements are unknown hops */
	{ "10.0.0.5", "for=198.51.100.7;for=198.51.100.8", "10.0.0.5" },
	{ "10.0.0.5", "proto=https", "10.0.0.5" },
	{ "10.0.0.5", "for=", "10.0.0.5" },
	{ "10.0.0.5", "for=\"198.51.100.7", "10.0.0.5" },
	{ "10.0.0.5", "for=198.51.100.7\"", "10.0.0.5" },
	{ "10.0.0.5", "for=[2001:db9::7]", "10.0.0.5" },
	{ "10.0.0.5", "f r=198.51.100.7", "10.0.0.5" },
	{ "10.0.0.5", "=198.51.100.7", "10.0.0.5" },
	{ "10.0.0.5", "198.51.100.7", "10.0.0.5" },
	{ "10.0.0.5", "for=\"198.51.100.7\"x", "10.0.0.5" },
	{ "10.0.0.5", "for=\"\\", "10.0.0.5" },
};

static void
run(const char *name, const struct client_case *c, size_t n, enum proxies_header h)
{
	struct proxies p;
	char err[256], out[PROXIES_ADDR_LEN];
	size_t i;

	CHECK(proxies_parse(&p, TRUSTED, err, sizeof(err)) == 0, "parse: %s", err);
	p.header = h;
	for (i = 0; i < n; i++) {
		memset(out, 'x', sizeof(out));
		proxies_client(&p, c[i].peer, c[i].hdr, out);
		CHECK(strcmp(out, c[i].want) == 0, "%s %zu: peer %s, \"%s\": got %s, want %s",
		    name, i, c[i].peer ? c[i].peer : "NULL", c[i].hdr ? c[i].hdr : "NULL",
		    out, c[i].want);
	}
	/* No trusted proxies: the headers are never read. */
	CHECK(proxies_parse(&p, "", err, sizeof(err)) == 0, "empty");
	p.header = h;
	proxies_client(&p, "10.0.0.5", "for=198.51.100.7, 198.51.100.7", out);
	CHECK(strcmp(out, "10.0.0.5") == 0, "%s: none trusted: %s", name, out);
}

/* Hops past LIMIT_FORWARDED_HOPS are not followed: the client behind
 * LIMIT_FORWARDED_HOPS - 1 trusted hops is found, one more is not. */
static void
test_hops(void)
{
	struct proxies p;
	char err[256], out[PROXIES_ADDR_LEN], hdr[4096];
	size_t i, n, extra;

	CHECK(proxies_parse(&p, "10.0.0.0/8", err, sizeof(err)) == 0, "parse");
	for (extra = 0; extra < 2; extra++) {
		n = (size_t)snprintf(hdr, sizeof(hdr), "198.51.100.7");
		for (i = 0; i + 1 < LIMIT_FORWARDED_HOPS + extra; i++)
			n += (size_t)snprintf(hdr + n, sizeof(hdr) - n, ", 10.0.%zu.1", i);
		proxies_client(&p, "10.9.9.9", hdr, out);
		CHECK(strcmp(out, extra ? "10.0.0.1" : "198.51.100.7") == 0, "%zu hops: %s",
		    LIMIT_FORWARDED_HOPS + extra, out);
	}
}

int
main(void)
{
	enum proxies_header h;

	test_parse();
	test_trusted();
	run("x-forwarded-for", xff, sizeof(xff) / sizeof(xff[0]), PROXIES_X_FORWARDED_FOR);
	run("forwarded", fwd, sizeof(fwd) / sizeof(fwd[0]), PROXIES_FORWARDED);
	test_hops();
	CHECK(proxies_header_parse("X-Forwarded-For", &h) == 0 && h == PROXIES_X_FORWARDED_FOR, "xff");
	CHECK(proxies_header_parse("forwarded", &h) == 0 && h == PROXIES_FORWARDED, "fwd");
	CHECK(proxies_header_parse("x-real-ip", &h) == -1, "x-real-ip");
	return check_exit("test-proxies");
}
