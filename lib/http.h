/*
 * One request, whether the program runs under FastCGI or as plain CGI
 * (RFC 3875): the same binary decides at start-up (libfcgi's
 * FCGX_IsCGI: is standard input a listening socket?).  Handlers see only
 * this interface.
 *
 * Under FastCGI a program may serve several requests at once, one per
 * thread, all accepting connections on the one listening socket the web
 * server handed over (FastCGI specification 2.2; libfcgi's FCGX_Accept_r
 * is made for it).  Each thread has its own struct http_req and its own
 * handler argument: a handler shares nothing with the other threads but
 * what it only reads.
 *
 * Ownership: a struct http_req and what http_param returns belong to
 * libfcgi for the request: valid until the handler returns.  Handler
 * arguments stay the caller's.  http_send_json reads obj and leaves it to
 * the caller to put.
 */
#ifndef EVENTS_HTTP_H
#define EVENTS_HTTP_H

#include <stddef.h>
#include <sys/types.h>

#include <fcgiapp.h>
#include <json-c/json.h>

struct http_req {
	FCGX_Request	*fcgi;	/* NULL under plain CGI */
};

typedef void (*http_handler)(struct http_req *req, void *arg);

/* Most threads one process may serve requests with. */
#define HTTP_MAX_THREADS	64
/* Most body bytes a plain CGI program reads and drops after its answer,
 * so that mod_cgid delivers it (lib/http.c): Apache's LimitRequestBody
 * in the set-ups is 2 MiB. */
#define HTTP_CGI_DRAIN_MAX	(4ULL * 1024 * 1024)

/* Serve requests until the process is told to stop (FastCGI) or the one
 * request is answered (CGI).  Returns the process exit status. */
int		 http_serve(http_handler h, void *arg);

/*
 * The same with nthreads threads (1 to HTTP_MAX_THREADS) under FastCGI,
 * thread i calling h with args[i]; under plain CGI the one request gets
 * args[0].  The args stay the caller's.  With more than one thread, the
 * calling thread serves none: it waits for SIGTERM, SIGINT, SIGHUP or
 * SIGUSR1, then lets the requests being answered finish (10 s at most)
 * and returns; a thread may then still hold its args, so the process
 * should exit without freeing them.  Returns the process exit status (1
 * when no thread could be started).
 */
int		 http_serve_threads(http_handler h, void *const args[], int nthreads);

/* A CGI meta-variable ("REQUEST_METHOD", "CONTENT_LENGTH", ...) or NULL. */
const char	*http_param(struct http_req *req, const char *name);

/* Read up to n body bytes; returns the count, 0 at the end, -1 on error. */
ssize_t		 http_read(struct http_req *req, char *buf, size_t n);

/* Write raw response bytes (headers and body). 0 or -1. */
int		 http_write(struct http_req *req, const char *buf, size_t n);

/* Send a complete response: status, Content-Type, any extra header lines
 * (each ending in "\r\n", or NULL), the body (len bytes; body may be
 * NULL when len is 0).  A 204 carries no content (RFC 9110 15.3.5): it
 * is sent without Content-Type, Content-Length or body, and ctype and
 * body are ignored.  A HEAD request gets the headers alone (9.3.2). */
void		 http_send(struct http_req *req, int status, const char *ctype,
		    const char *extra_headers, const char *body, size_t len);

/* Send obj as the JSON body. */
void		 http_send_json(struct http_req *req, int status,
		    const char *extra_headers, json_object *obj);

/* Send {"error": {"code": code, "message": msg}}. */
void		 http_send_error(struct http_req *req, int status,
		    const char *extra_headers, const char *code, const char *msg);

/*
 * A program that cannot start (a bad configuration, no memory): under
 * plain CGI a client waits for this very process, so answer it 500
 * {"error": {"code": "misconfigured", ...}} without the details, which
 * are for the operator's log only.  Under FastCGI nothing: no request
 * has been accepted, and the server answers for a program that is down.
 */
void		 http_startup_failed(void);

/*
 * The read token (RFC 6750 section 2.1): 0 when token is "" (the
 * operator set none) or the request's Authorization header carries it
 * as a bearer token, compared in constant time.  Otherwise answers 401
 * with WWW-Authenticate: Bearer and returns -1: the caller stops there.
 */
int		 http_check_bearer(struct http_req *req, const char *token);

/*
 * A read-only resource (RFC 9110 section 15.5.6): 0 for GET and HEAD;
 * for any other method answers 405 method_not_allowed with "Allow: GET,
 * HEAD" and the message hint (how to do what the client wanted; not
 * NULL), and returns -1: the caller stops there.
 */
int		 http_check_read_method(struct http_req *req, const char *hint);

/* 1 for a HEAD request: http_send then writes the headers alone. */
int		 http_is_head(struct http_req *req);

/*
 * The preconditions of RFC 9110 13.1 and 13.2.2, for a resource that has
 * a current representation and no entity tag (no answer here carries
 * ETag or Last-Modified): If-Match "*" holds and any list of entity tags
 * fails; If-None-Match "*" fails and any list holds; If-Unmodified-Since
 * and If-Modified-Since are ignored (13.1.3, 13.1.4: no modification
 * date).  An empty field counts as absent.  0 when the request may go
 * on; else the answer it gets instead: 412, or 304 for a GET or HEAD
 * whose If-None-Match fails.  http_send applies it to every 2xx answer
 * to GET and HEAD (a safe method: the work done is only thrown away), so
 * a failed one is answered as a 2xx would not be, and a 4xx or 5xx
 * stays as it is (13.2.1); a method that changes state calls it before
 * it does (event-ingest, before the body is read).
 */
int		 http_precondition(struct http_req *req);
/* The 412 precondition_failed's message, for every program. */
#define HTTP_PRECONDITION_FAILED \
	"a precondition failed: no answer here has an entity tag, so If-Match " \
	"with one never holds (If-Match: * does), and the resource exists, so " \
	"If-None-Match: * never holds"


/* Reason phrase for a status code (RFC 9110 section 15). */
const char	*http_reason(int status);

#endif
