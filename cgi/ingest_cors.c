/*
 * Write keys, allowed origins and CORS for POST /events.
 *
 * The Fetch standard's CORS protocol: a browser posting application/json
 * from another origin first sends OPTIONS with Access-Control-Request-*;
 * text/plain (sendBeacon) goes straight to POST.  Either way the answer
 * must carry Access-Control-Allow-Origin for the page to see it, and
 * Retry-After is exposed so the tracker can honour it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ingest.h"
#include "log.h"
#include "metrics.h"
#include "query_params.h"

#define EXPOSE	"Access-Control-Expose-Headers: Retry-After\r\n"
/* The 401 no_key's challenge: the write key's scheme (README, Protection). */
#define KEY_CHALLENGE	"WWW-Authenticate: Key realm=\"events\"\r\n"

/*
 * Take one key given, s[0..n) (with decode, percent-decoded first:
 * "pk%5Fsite" is "pk_site", RFC 3986 6.2.2.2; one that does not decode,
 * a %00 among them, is kept as written, a key no site has), into buf
 * (len bytes) if none was taken yet.  0, or -1 if it differs from the
 * one taken.  One too long to be a key is kept as a key no site has.
 */
static int
take_key(const char *s, size_t n, int decode, char *buf, size_t len, int *given)
{
	char k[LIMIT_WRITE_KEY_LEN + 2];	/* one byte past a key: none */
	size_t m = n < sizeof(k) - 1 ? n : sizeof(k) - 1;

	if (!decode || query_unescape(s, n, k, sizeof(k), NULL) != 0) {
		memcpy(k, s, m);
		k[m] = '\0';
	}
	if (*given)
		return strcmp(k, buf) == 0 ? 0 : -1;
	*given = 1;
	m = strlen(k);
	if (m < len)
		memcpy(buf, k, m + 1);
	else if (len > 0)
		buf[0] = '\0';
	return 0;
}

/*
 * The write key from the query string (key=..., each time it is given)
 * or X-Events-Key, into buf (len bytes).  NULL when none was given, or
 * when one is too long to be a key; *given is set when one was (a key
 * too long is then one that is not configured, 403, not a missing one),
 * and *conflict when two of them differ.
 */
static const char *
find_key(struct http_req *req, char *buf, size_t len, int *given, int *conflict)
{
	const char *qs = http_param(req, "QUERY_STRING"), *p, *h;
	size_t n;

	*given = *conflict = 0;
	buf[0] = '\0';
	for (p = qs; p != NULL && *p; p += strcspn(p, "&"), p += *p == '&') {
		if (strncmp(p, "key=", 4) != 0)
			continue;
		n = strcspn(p + 4, "&");
		if (n > 0 && take_key(p + 4, n, 1, buf, len, given) != 0)
			*conflict = 1;
	}
	/* A header given twice reaches the program joined by ", " (RFC
	 * 9110 5.3): each key in it counts. */
	for (h = http_param(req, "HTTP_X_EVENTS_KEY"); h != NULL && *h; h += *h == ',') {
		h += strspn(h, " \t");
		n = strcspn(h, ",");
		while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
			n--;
		if (n > 0 && take_key(h, n, 0, buf, len, given) != 0)
			*conflict = 1;
		h += strcspn(h, ",");
	}
	return *given && buf[0] != '\0' ? buf : NULL;
}

/*
 * The CORS lines of an answer: Access-Control-Allow-Origin, with
 * Retry-After exposed.  In open mode "*".  With write keys, the site the
 * request's key names decides when it accepts the Origin ("*" for a key
 * that takes any origin); failing that (no key, a key not configured, an
 * Origin that key does not list, a method not allowed) the Origin is
 * still echoed when some configured key accepts it, so that a page
 * reads why it was refused; an Origin no key accepts gets nothing.  The
 * Origin is echoed only as configured, so no client bytes reach a
 * header; Vary: Origin says the answer depends on it.
 */
static void
cors_lines(const struct ingest *in, const struct access_site *site,
    const char *origin, char *out, size_t len)
{
	const struct access *acc = &in->set->access;
	size_t i, k;

	if (acc->nsites == 0) {
		snprintf(out, len, "Access-Control-Allow-Origin: *\r\n" EXPOSE);
		return;
	}
	snprintf(out, len, "Vary: Origin\r\n");
	if (origin == NULL)
		return;
	for (k = 0; k <= acc->nsites; k++) {
		/* First the request's own site, then any. */
		const struct access_site *s = k == 0 ? site : &acc->sites[k - 1];
		if (s == NULL)
			continue;
		if (s->norigins == 0) {
			snprintf(out, len, "Access-Control-Allow-Origin: *\r\nVary: Origin\r\n" EXPOSE);
			return;
		}
		for (i = 0; i < s->norigins; i++)
			if (strcasecmp(s->origins[i], origin) == 0) {
				snprintf(out, len, "Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n" EXPOSE,
				    s->origins[i]);
				return;
			}
	}
}

void
ingest_cors(struct ingest *in, struct http_req *req, char *out, size_t len)
{
	const char *origin = http_param(req, "HTTP_ORIGIN");

	cors_lines(in, NULL, origin != NULL && *origin ? origin : NULL, out, len);
}

int
ingest_access(struct ingest *in, struct http_req *req, struct ingest_access *a)
{
	const struct access_site *site;
	enum access_verdict v;
	int given, conflict;
	char lines[sizeof(a->headers) + sizeof(KEY_CHALLENGE)];

	a->origin = http_param(req, "HTTP_ORIGIN");
	if (a->origin != NULL && *a->origin == '\0')
		a->origin = NULL;
	a->key = find_key(req, a->keybuf, sizeof(a->keybuf), &given, &conflict);
	v = access_check(&in->set->access, a->key, a->origin, &site);
	if (v == ACCESS_NO_KEY && given)
		v = ACCESS_BAD_KEY;	/* given, but too long to be one */
	if (conflict && in->set->access.nsites > 0) {
		/* Which one would be a guess: neither.  With no write key
		 * configured every key is ignored, two as well as one. */
		site = NULL;
		v = ACCESS_BAD_KEY;
	}
	/* Every answer carries the CORS lines, refusals too. */
	cors_lines(in, site, a->origin, a->headers, sizeof(a->headers));
	switch (v) {
	case ACCESS_OK:
		return 0;
	case ACCESS_NO_KEY:
		/* A 401 names how to authenticate (RFC 9110 11.6.1, 15.5.2):
		 * the scheme "Key", whose credentials go in ?key= or in
		 * X-Events-Key. */
		enqueue_count(in->q, METRIC_REJECTED "no_key", 1);
		snprintf(lines, sizeof(lines), "%s" KEY_CHALLENGE, a->headers);
		http_send_error(req, 401, lines, "no_key",
		    "a write key is required: POST /events?key=YOUR_KEY or an X-Events-Key header");
		return -1;
	case ACCESS_BAD_KEY:
		enqueue_count(in->q, METRIC_REJECTED "bad_key", 1);
		http_send_error(req, 403, a->headers, "bad_key", conflict ?
		    "two different write keys given (key= and X-Events-Key, or key= twice): send one" :
		    "this write key is not configured");
		return -1;
	default:
		enqueue_count(in->q, METRIC_REJECTED "origin_not_allowed", 1);
		http_send_error(req, 403, a->headers, "origin_not_allowed",
		    "this write key does not accept events from this Origin");
		return -1;
	}
}

void
ingest_preflight(struct ingest *in, struct http_req *req)
{
	const struct access_site *site = NULL;
	const char *origin = http_param(req, "HTTP_ORIGIN"), *key;
	char keybuf[LIMIT_WRITE_KEY_LEN + 1], lines[LIMIT_ORIGIN_LEN + 512], cors[LIMIT_ORIGIN_LEN + 256];
	size_t i;
	int given, conflict;

	/* Two keys: the POST says so; the preflight takes any site. */
	key = find_key(req, keybuf, sizeof(keybuf), &given, &conflict);
	if (conflict)
		key = NULL;
	if (in->set->access.nsites > 0 && origin != NULL && *origin) {
		/* With the key in the URL, that site, if it takes the
		 * Origin; else (the key will come in a header the preflight
		 * cannot show, or it is the wrong one) any site that takes
		 * it: the POST then says what is wrong, readable by the
		 * page.  An Origin no key takes is refused here. */
		if (key == NULL || access_check(&in->set->access, key, origin, &site) != ACCESS_OK)
			site = NULL;
		for (i = 0; i < in->set->access.nsites && site == NULL; i++)
			if (access_check(&in->set->access, in->set->access.sites[i].key,
			    origin, &site) != ACCESS_OK)
				site = NULL;
		if (site == NULL) {
			http_send_error(req, 403, "Vary: Origin\r\n", "origin_not_allowed",
			    "no write key accepts events from this Origin");
			return;
		}
	}
	cors_lines(in, site, origin, cors, sizeof(cors));
	snprintf(lines, sizeof(lines),
	    "%sAccess-Control-Allow-Methods: POST, OPTIONS\r\n"
	    "Access-Control-Allow-Headers: Content-Type, Content-Encoding, X-Events-Key\r\n"
	    "Access-Control-Max-Age: 86400\r\nAllow: %s\r\n", cors, in->set->allow);
	http_send(req, 204, NULL, lines, NULL, 0);
}
