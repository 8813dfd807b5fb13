/* event-ingest's internal interface: one program, a few files. */
#ifndef EVENTS_CGI_INGEST_H
#define EVENTS_CGI_INGEST_H

#include <stdatomic.h>

#include "access.h"
#include "conf.h"
#include "enqueue.h"
#include "event.h"
#include "http.h"
#include "privacy.h"
#include "proxies.h"

/* What every thread of the process shares: read-only once serving, but
 * for the one flag that is changed atomically. */
struct ingest_settings {
	struct conf	 conf;
	struct access	 access;
	enum ip_mode	 ip_mode;
	struct proxies	 proxies;	/* trusted_proxies, forwarded_header */
	atomic_int	 redis_down;	/* for logging changes of state only */
	/* The methods /events takes (RFC 9110, 10.2.1): GET and HEAD too
	 * when event-query is installed beside event-ingest, as every
	 * set-up routes them to it then (query_beside, ingest.c). */
	int		 query_beside;
	const char	*allow;		/* the Allow value that follows */
};

/* One serving thread's own: the handler's argument. */
struct ingest {
	struct ingest_settings	*set;
	struct enqueue		*q;	/* its own Redis connection */
	struct event_parser	*parser;
	char			*body;	/* the request's body, kept up to */
	size_t			 body_size;	/* INGEST_BODY_KEEP bytes */
	char			*decoded;	/* a coded body decoded, likewise */
	size_t			 decoded_size;
};

/* A body buffer larger than this is freed after its request, so that one
 * large request does not leave each thread holding its size. */
#define INGEST_BODY_KEEP	(64 * 1024)

/* ingest_cors.c */

/* The CORS and access part of a request, decided before the body. */
struct ingest_access {
	const char	*origin;	/* HTTP_ORIGIN or NULL */
	const char	*key;		/* ?key= or X-Events-Key, or NULL */
	char		 keybuf[LIMIT_WRITE_KEY_LEN + 1];
	char		 headers[LIMIT_ORIGIN_LEN + 256];	/* CORS lines, for every answer */
};

/*
 * Fill a from the request, a->headers with the CORS response header
 * lines (for every answer, refusals included); on refusal answer it
 * (401/403, with them) and return -1.
 */
int	ingest_access(struct ingest *in, struct http_req *req, struct ingest_access *a);

/* The CORS lines for an answer made before ingest_access() (a method
 * not allowed), into out. */
void	ingest_cors(struct ingest *in, struct http_req *req, char *out, size_t len);

/* Answer an OPTIONS preflight (Fetch standard, CORS protocol). */
void	ingest_preflight(struct ingest *in, struct http_req *req);

#endif
