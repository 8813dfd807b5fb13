#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "http.h"
#include "bounds.h"
#include "log.h"
#include "utf8.h"

/* A serving thread's stack: the handlers keep a few KiB of buffers
 * there and recurse only as deep as the JSON limits allow (bounds.h). */
#define HTTP_THREAD_STACK	(512 * 1024)

/* On a stop signal, how long the requests being answered get. */
#define HTTP_STOP_MS		10000

/*
 * The threads call FCGX_Accept_r at once, without a lock: libfcgi's
 * threaded example serialises it for systems whose accept(2) on a
 * shared socket needs it, but Linux wakes one waiting thread for each
 * connection, and a lock would also serialise the reading of every
 * request's parameters (FCGX_Accept_r reads them) and hand the lock from
 * thread to thread at each request.
 *
 * The threads' state: how many still serve (under state_lock), and
 * which wait in accept(2) (each worker's in_accept), to be woken when
 * the process stops.
 */
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t state_cond = PTHREAD_COND_INITIALIZER;
static int serving;
static pthread_t main_thread;
static atomic_int stopping;

struct worker {
	http_handler	 h;
	void		*arg;
	pthread_t	 tid;
	atomic_int	 started;	/* tid is set */
	atomic_int	 in_accept;	/* in FCGX_Accept_r, or about to be */
};

/*
 * Finish an answered request and close its connection.  When its input
 * has ended (the empty FCGI_STDIN record, which the web server sends
 * right after the body, FastCGI 1.0 section 6.2), the connection is
 * closed at once.  Otherwise libfcgi's close: it sends the answer, shuts
 * down writing and reads what is left, for up to 2 s a read, because a
 * TCP close with unread input resets the connection, which may discard
 * the answer at the web server.  Closing at once saves that shutdown, a
 * poll and a read for every request, and the wait for the web server's
 * close.
 *
 * Whether the input has ended is asked without waiting for more of it:
 * a web server that streams the body (Apache's mod_proxy_fcgi) passes
 * the rest on only as its client sends it, and a client answered before
 * its body was read (413, 415) may wait for that answer first, which is
 * still in libfcgi's buffer here.  The socket is non-blocking for that
 * one read only; a read that would block leaves an error on the input
 * stream, and libfcgi's close follows.
 */
static void
finish(FCGX_Request *fr)
{
	int fl, c;

	fl = fcntl(fr->ipcFd, F_GETFL);
	if (fl != -1 && fcntl(fr->ipcFd, F_SETFL, fl | O_NONBLOCK) == 0) {
		c = FCGX_GetChar(fr->in);
		(void)fcntl(fr->ipcFd, F_SETFL, fl);
		/* EOF without an error: the end of the input. */
		if (c == EOF && FCGX_GetError(fr->in) == 0)
			(void)FCGX_Detach(fr);
	}
	FCGX_Finish_r(fr);
}

/* One thread: accept and answer requests until accepting fails. */
static void
serve_one(struct worker *w)
{
	FCGX_Request fr;
	struct http_req req;

	/* A lone thread stops the way libfcgi has it: its handlers for
	 * SIGTERM and SIGUSR1 end the accept. */
	if (FCGX_InitRequest(&fr, 0, 0) != 0) {
		log_error("cannot initialise a FastCGI request");
		return;
	}
	req.fcgi = &fr;
	while (FCGX_Accept_r(&fr) >= 0) {
		w->h(&req, w->arg);
		finish(&fr);
	}
	FCGX_Free(&fr, 1);
}

/* One of several threads. */
static void *
serve_thread(void *p)
{
	struct worker *w = p;
	FCGX_Request fr;
	struct http_req req;
	int rc;

	/* FCGI_FAIL_ACCEPT_ON_INTR: the signal that wakes a thread from
	 * accept(2) when the process stops ends FCGX_Accept_r. */
	if (FCGX_InitRequest(&fr, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_error("cannot initialise a FastCGI request");
		goto out;
	}
	req.fcgi = &fr;
	for (;;) {
		atomic_store(&w->in_accept, 1);
		if (atomic_load(&stopping)) {
			atomic_store(&w->in_accept, 0);
			break;
		}
		rc = FCGX_Accept_r(&fr);
		atomic_store(&w->in_accept, 0);
		if (rc < 0) {
			if (atomic_load(&stopping))
				break;
			if (rc == -EINTR)
				continue;
			/* The listening socket is gone: stop the process. */
			log_error("FastCGI accept failed: %s", strerror(-rc));
			pthread_kill(main_thread, SIGTERM);
			break;
		}
		w->h(&req, w->arg);
		finish(&fr);
	}
	FCGX_Free(&fr, 1);
out:
	pthread_mutex_lock(&state_lock);
	serving--;
	pthread_cond_signal(&state_cond);
	pthread_mutex_unlock(&state_lock);
	return NULL;
}

/* The signal that interrupts accept(2): it need do nothing else. */
static void
wake(int sig)
{
	(void)sig;
}

/*
 * Wait for a stop signal, then let the threads finish the requests they
 * are answering (for HTTP_STOP_MS at most) while those waiting in
 * accept(2) are woken.
 */
static void
wait_stop(const sigset_t *stop, struct worker *w, int nthreads)
{
	int i;

	struct timespec until, now;
	int sig;

	while (sigwait(stop, &sig) != 0)
		;
	log_debug("signal %d: finishing the requests being answered", sig);
	atomic_store(&stopping, 1);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += HTTP_STOP_MS / 1000;
	pthread_mutex_lock(&state_lock);
	while (serving > 0) {
		/* Again and again: a thread may take the signal just
		 * before it enters accept(2). */
		for (i = 0; i < nthreads; i++)
			if (atomic_load(&w[i].started) && atomic_load(&w[i].in_accept))
				pthread_kill(w[i].tid, SIGRTMIN);
		clock_gettime(CLOCK_REALTIME, &now);
		if (now.tv_sec > until.tv_sec ||
		    (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec)) {
			log_warn("stopping with %d requests unfinished", serving);
			break;
		}
		now.tv_nsec += 50 * 1000 * 1000;
		if (now.tv_nsec >= 1000000000L) {
			now.tv_sec++;
			now.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&state_cond, &state_lock, &now);
	}
	pthread_mutex_unlock(&state_lock);
}

int
http_serve(http_handler h, void *arg)
{
	return http_serve_threads(h, &arg, 1);
}

/* Plain CGI: the body bytes read so far (one request a process). */
static unsigned long long cgi_body_read;

/*
 * Plain CGI, once the answer is written: read what is left of the body
 * (CONTENT_LENGTH, RFC 3875 4.1.2), at most HTTP_CGI_DRAIN_MAX bytes, and
 * drop it.  mod_cgid gives the program one socket for the body and the
 * answer: a program that ends with body bytes unread there has the
 * socket reset, and the answer it gave before reading (401, 403, 412,
 * 413, 415) is lost or cut short.  mod_cgi's pipe takes it either way.
 */
static void
cgi_drain(void)
{
	char buf[16384];
	const char *cl = getenv("CONTENT_LENGTH");
	unsigned long long want;
	char *end;
	size_t n;

	if (cl == NULL || *cl == '\0' || *cl == '-')
		return;
	errno = 0;
	want = strtoull(cl, &end, 10);
	if (errno != 0 || *end != '\0' || want <= cgi_body_read ||
	    want - cgi_body_read > HTTP_CGI_DRAIN_MAX)
		return;
	want -= cgi_body_read;
	while (want > 0) {
		n = fread(buf, 1, want < sizeof(buf) ? (size_t)want : sizeof(buf), stdin);
		if (n == 0)
			return;
		want -= n;
	}
}

int
http_serve_threads(http_handler h, void *const args[], int nthreads)
{
	/* Static: the threads read theirs until the process ends. */
	static struct worker w[HTTP_MAX_THREADS];
	struct sigaction sa;
	sigset_t stop;
	pthread_attr_t attr;
	struct http_req req;
	int i, n, err = 0;

	/* A client that goes away mid-answer must not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_IsCGI()) {
		req.fcgi = NULL;
		h(&req, args[0]);
		cgi_drain();
		fflush(stdout);
		return 0;
	}
	if (nthreads < 1 || nthreads > HTTP_MAX_THREADS) {
		log_error("%d threads: from 1 to %d", nthreads, HTTP_MAX_THREADS);
		return 1;
	}
	if (FCGX_Init() != 0) {
		log_error("cannot initialise FastCGI");
		return 1;
	}
	for (i = 0; i < nthreads; i++) {
		w[i].h = h;
		w[i].arg = args[i];
	}
	if (nthreads == 1) {
		serve_one(&w[0]);
		return 0;
	}
	/*
	 * Several threads: this one takes the stop signals (SIGTERM from
	 * lighttpd, mod_fcgid or spawn-fcgi.sh; SIGUSR1, libfcgi's
	 * graceful stop; SIGINT, SIGHUP), which the others block, and
	 * SIGRTMIN wakes the threads waiting in accept(2).
	 */
	main_thread = pthread_self();
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wake;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: accept(2) returns EINTR */
	sigaction(SIGRTMIN, &sa, NULL);
	i = 0;
	if ((err = pthread_attr_init(&attr)) == 0) {
		(void)pthread_attr_setstacksize(&attr, HTTP_THREAD_STACK);
		/* Joinable, never joined: wait_stop may signal a thread
		 * that has just returned, whose id stays valid so. */
		for (; i < nthreads; i++) {
			pthread_mutex_lock(&state_lock);
			serving++;
			pthread_mutex_unlock(&state_lock);
			if ((err = pthread_create(&w[i].tid, &attr, serve_thread, &w[i])) != 0) {
				pthread_mutex_lock(&state_lock);
				serving--;
				pthread_mutex_unlock(&state_lock);
				break;
			}
		}
		pthread_attr_destroy(&attr);
	}
	if (i == 0) {
		log_error("cannot start a thread: %s", strerror(err));
		return 1;
	}
	if (i < nthreads)
		log_warn("%d of %d threads started: %s", i, nthreads, strerror(err));
	for (n = i; i > 0; i--)
		atomic_store(&w[i - 1].started, 1);
	wait_stop(&stop, w, n);
	return 0;
}

const char *
http_param(struct http_req *req, const char *name)
{
	if (req->fcgi != NULL)
		return FCGX_GetParam(name, req->fcgi->envp);
	return getenv(name);
}

ssize_t
http_read(struct http_req *req, char *buf, size_t n)
{
	size_t got;
	int r;

	if (req->fcgi != NULL) {
		if (n > (size_t)INT32_MAX)
			n = INT32_MAX;
		r = FCGX_GetStr(buf, (int)n, req->fcgi->in);
		if (r < 0 || FCGX_GetError(req->fcgi->in) != 0)
			return -1;
		return r;
	}
	got = fread(buf, 1, n, stdin);
	if (got == 0 && ferror(stdin))
		return -1;
	cgi_body_read += got;
	return (ssize_t)got;
}

int
http_write(struct http_req *req, const char *buf, size_t n)
{
	if (req->fcgi != NULL) {
		if (n > (size_t)INT32_MAX)
			return -1;
		return FCGX_PutStr(buf, (int)n, req->fcgi->out) == (int)n ? 0 : -1;
	}
	return fwrite(buf, 1, n, stdout) == n ? 0 : -1;
}

int
http_check_bearer(struct http_req *req, const char *token)
{
	const char *given;

	if (token[0] == '\0')
		return 0;
	if ((given = access_bearer(http_param(req, "HTTP_AUTHORIZATION"))) != NULL &&
	    access_token_equal(given, token))
		return 0;
	http_send_error(req, 401, "WWW-Authenticate: Bearer\r\n", "unauthorized",
	    "a read token is required: Authorization: Bearer TOKEN");
	return -1;
}

void
http_startup_failed(void)
{
	static const char body[] = "{\"error\":{\"code\":\"misconfigured\","
	    "\"message\":\"the server's configuration is invalid; see its error log\"}}";
	struct http_req req = { NULL };

	if (!FCGX_IsCGI())
		return;
	http_send(&req, 500, "application/json", NULL, body, sizeof(body) - 1);
	fflush(stdout);
}

int
http_check_read_method(struct http_req *req, const char *hint)
{
	const char *m = http_param(req, "REQUEST_METHOD");

	if (m != NULL && (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0))
		return 0;
	http_send_error(req, 405, "Allow: GET, HEAD\r\n", "method_not_allowed", hint);
	return -1;
}

int
http_is_head(struct http_req *req)
{
	const char *m = http_param(req, "REQUEST_METHOD");

	return m != NULL && strcmp(m, "HEAD") == 0;
}

/* 1 if the field value v is "*" (RFC 9110 13.1.1: OWS around it). */
static int
is_star(const char *v)
{
	v += strspn(v, " \t");
	if (*v++ != '*')
		return 0;
	return v[strspn(v, " \t")] == '\0';
}

/* 1 if the field value v is present and not empty. */
static int
given(const char *v)
{
	return v != NULL && v[strspn(v, " \t")] != '\0';
}

/* 1 for GET and HEAD. */
static int
http_is_safe(struct http_req *req)
{
	const char *m = http_param(req, "REQUEST_METHOD");

	return m != NULL && (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0);
}

int
http_precondition(struct http_req *req)
{
	const char *im = http_param(req, "HTTP_IF_MATCH");
	const char *inm = http_param(req, "HTTP_IF_NONE_MATCH");

	if (given(im) && !is_star(im))
		return 412;
	if (given(inm) && is_star(inm))
		return http_is_safe(req) ? 304 : 412;
	return 0;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default:  return "Unknown";
	}
}

void
http_send(struct http_req *req, int status, const char *ctype,
    const char *extra_headers, const char *body, size_t len)
{
	char head[1024], entity[256];
	int n, pre;

	/* A 2xx to GET or HEAD is what the preconditions are judged on:
	 * when they fail, that answer is not given (RFC 9110 13.2.2). */
	if (status >= 200 && status < 300 && http_is_safe(req) &&
	    (pre = http_precondition(req)) != 0) {
		if (pre == 412) {
			http_send_error(req, 412, extra_headers, "precondition_failed",
			    HTTP_PRECONDITION_FAILED);
			return;
		}
		status = 304;
	}
	if (status == 204 || status == 304)
		len = 0;
	/* RFC 9110 15.3.5, 15.4.5 and 8.6: a 204 and a 304 have no
	 * content, and a server sends no Content-Length with a 204; no
	 * content, no Content-Type. */
	entity[0] = '\0';
	if (status != 204 && status != 304)
		snprintf(entity, sizeof(entity), "Content-Type: %s\r\nContent-Length: %zu\r\n",
		    ctype != NULL ? ctype : "application/octet-stream", len);
	/* RFC 3875 section 6.3.3: the Status header carries the code.
	 * Every answer is made afresh, so a byte range of one is no part
	 * of the next: "Accept-Ranges: none" (RFC 9110 14.3) keeps
	 * lighttpd and Apache from cutting a 200 to a Range header. */
	n = snprintf(head, sizeof(head),
	    "Status: %d %s\r\n%s"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	    "Accept-Ranges: none\r\n%s\r\n",
	    status, http_reason(status), entity,
	    extra_headers != NULL ? extra_headers : "");
	if (n < 0 || (size_t)n >= sizeof(head)) {
		log_error("response header too long");
		return;
	}
	/* RFC 9110 9.3.2: HEAD gets the headers GET would, no body. */
	if (http_write(req, head, (size_t)n) != 0 ||
	    (len > 0 && !http_is_head(req) && http_write(req, body, len) != 0))
		log_debug("client went away before the answer was written");
}

void
http_send_json(struct http_req *req, int status, const char *extra_headers,
    json_object *obj)
{
	const char *s;
	size_t len;

	s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL) {
		s = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
		http_send(req, 500, "application/json", NULL, s, strlen(s));
		return;
	}
	http_send(req, status, "application/json", extra_headers, s, len);
}

void
http_send_error(struct http_req *req, int status, const char *extra_headers,
    const char *code, const char *msg)
{
	json_object *root, *e;
	char clean[2 * ERRBUF_LEN];

	/* A message quotes client strings cut to a byte count, which can
	 * split a character: the body must stay valid UTF-8 (RFC 8259 8.1). */
	if (!utf8_valid(msg, strlen(msg))) {
		utf8_sanitize(clean, sizeof(clean), msg, sizeof(clean) - 1);
		msg = clean;
	}
	root = json_object_new_object();
	e = json_object_new_object();
	if (root == NULL || e == NULL) {
		json_object_put(root);
		json_object_put(e);
		http_send(req, 500, "application/json", NULL, "{}", 2);
		return;
	}
	json_object_object_add(e, "code", json_object_new_string(code));
	json_object_object_add(e, "message", json_object_new_string(msg));
	json_object_object_add(root, "error", e);
	http_send_json(req, status, extra_headers, root);
	json_object_put(root);
}

