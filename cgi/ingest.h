/* event-ingest's internal interface: one program, a few files. */
#ifndef EVENTS_CGI_INGEST_H
#define EVENTS_CGI_INGEST_H

#include "access.h"
#include "conf.h"
#include "enqueue.h"
#include "http.h"
#include "privacy.h"
#include "proxies.h"

struct ingest {
	struct conf	 conf;
	struct access	 access;
	enum ip_mode	 ip_mode;
	struct proxies	 proxies;	/* trusted_proxies, forwarded_header */
	struct enqueue	*q;
	char		*body;		/* conf.max_body_bytes + 1 */
	int		 redis_down;	/* for logging changes of state only */
};

/* ingest_cors.c */

/* The CORS and access part of a request, decided before the body. */
struct ingest_access {
	const char	*origin;	/* HTTP_ORIGIN or NULL */
	const char	*key;		/* ?key= or X-Events-Key, or NULL */
	char		 keybuf[ACCESS_KEY_LEN + 1];
	char		 headers[ACCESS_ORIGIN_LEN + 256];	/* CORS lines */
};

/*
 * Fill a from the request; on refusal answer it (401/403) and return -1.
 * On success a->headers holds the CORS response header lines.
 */
int	ingest_access(struct ingest *in, struct http_req *req, struct ingest_access *a);

/* Answer an OPTIONS preflight (Fetch standard, CORS protocol). */
void	ingest_preflight(struct ingest *in, struct http_req *req);

#endif
