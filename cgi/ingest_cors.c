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

#define EXPOSE	"Access-Control-Expose-Headers: Retry-After\r\n"

/* The key from the query string ("key=...") or X-Events-Key.  Only the
 * key alphabet is accepted, so nothing needs decoding. */
static const char *
find_key(struct http_req *req, char *buf, size_t len)
{
	const char *qs = http_param(req, "QUERY_STRING"), *p, *h;
	size_t n;

	for (p = qs; p != NULL && *p; p += strcspn(p, "&"), p += *p == '&') {
		if (strncmp(p, "key=", 4) != 0)
			continue;
		p += 4;
		n = strcspn(p, "&");
		if (n == 0 || n >= len)
			return NULL;
		memcpy(buf, p, n);
		buf[n] = '\0';
		return buf;
	}
	h = http_param(req, "HTTP_X_EVENTS_KEY");
	if (h != NULL && *h && strlen(h) < len) {
		snprintf(buf, len, "%s", h);
		return buf;
	}
	return NULL;
}

/* The CORS lines for an allowed request.  The Origin is echoed only when
 * it matched a configured one, so no client bytes reach a header. */
static void
cors_lines(const struct ingest *in, const struct access_site *site,
    const char *origin, char *out, size_t len)
{
	size_t i;

	if (in->set->access.nsites == 0 || (site != NULL && site->norigins == 0)) {
		snprintf(out, len, "Access-Control-Allow-Origin: *\r\n" EXPOSE);
		return;
	}
	out[0] = '\0';
	if (site == NULL || origin == NULL)
		return;
	for (i = 0; i < site->norigins; i++)
		if (strcasecmp(site->origins[i], origin) == 0) {
			snprintf(out, len, "Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n" EXPOSE,
			    site->origins[i]);
			return;
		}
}

int
ingest_access(struct ingest *in, struct http_req *req, struct ingest_access *a)
{
	const struct access_site *site;
	enum access_verdict v;

	a->origin = http_param(req, "HTTP_ORIGIN");
	if (a->origin != NULL && *a->origin == '\0')
		a->origin = NULL;
	a->key = find_key(req, a->keybuf, sizeof(a->keybuf));
	v = access_check(&in->set->access, a->key, a->origin, &site);
	switch (v) {
	case ACCESS_OK:
		cors_lines(in, site, a->origin, a->headers, sizeof(a->headers));
		return 0;
	case ACCESS_NO_KEY:
		enqueue_count(in->q, METRIC_REJECTED "no_key", 1);
		http_send_error(req, 401, NULL, "no_key",
		    "a write key is required: POST /events?key=YOUR_KEY or an X-Events-Key header");
		return -1;
	case ACCESS_BAD_KEY:
		enqueue_count(in->q, METRIC_REJECTED "bad_key", 1);
		http_send_error(req, 403, NULL, "bad_key", "this write key is not configured");
		return -1;
	default:
		enqueue_count(in->q, METRIC_REJECTED "origin_not_allowed", 1);
		http_send_error(req, 403, NULL, "origin_not_allowed",
		    "this write key does not accept events from this Origin");
		return -1;
	}
}

void
ingest_preflight(struct ingest *in, struct http_req *req)
{
	const struct access_site *site = NULL;
	const char *origin = http_param(req, "HTTP_ORIGIN"), *key;
	char keybuf[ACCESS_KEY_LEN + 1], lines[ACCESS_ORIGIN_LEN + 512], cors[ACCESS_ORIGIN_LEN + 256];
	size_t i;

	key = find_key(req, keybuf, sizeof(keybuf));
	if (in->set->access.nsites > 0 && origin != NULL && *origin) {
		/* With the key in the URL, that site decides; without (it
		 * will come in a header the preflight cannot show), any
		 * site that allows the origin will do. */
		if (key != NULL) {
			if (access_check(&in->set->access, key, origin, &site) != ACCESS_OK)
				site = NULL;
		} else
			for (i = 0; i < in->set->access.nsites && site == NULL; i++)
				if (access_check(&in->set->access, in->set->access.sites[i].key,
				    origin, &site) != ACCESS_OK)
					site = NULL;
		if (site == NULL) {
			http_send_error(req, 403, NULL, "origin_not_allowed",
			    "no write key accepts events from this Origin");
			return;
		}
	}
	cors_lines(in, site, origin, cors, sizeof(cors));
	snprintf(lines, sizeof(lines),
	    "%sAccess-Control-Allow-Methods: POST, OPTIONS\r\n"
	    "Access-Control-Allow-Headers: Content-Type, X-Events-Key\r\n"
	    "Access-Control-Max-Age: 86400\r\nAllow: POST, OPTIONS\r\n", cors);
	http_send(req, 204, "text/plain", lines, "", 0);
}
