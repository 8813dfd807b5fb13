#include "config.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "log.h"

int
http_serve(http_handler h, void *arg)
{
	FCGX_Request fr;
	struct http_req req;

	/* A client that goes away mid-answer must not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_IsCGI()) {
		req.fcgi = NULL;
		h(&req, arg);
		fflush(stdout);
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		log_error("cannot initialise FastCGI");
		return 1;
	}
	req.fcgi = &fr;
	while (FCGX_Accept_r(&fr) >= 0) {
		h(&req, arg);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
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
http_is_head(struct http_req *req)
{
	const char *m = http_param(req, "REQUEST_METHOD");

	return m != NULL && strcmp(m, "HEAD") == 0;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 411: return "Length Required";
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
	char head[1024];
	int n;

	/* RFC 3875 section 6.3.3: the Status header carries the code. */
	n = snprintf(head, sizeof(head),
	    "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n%s\r\n",
	    status, http_reason(status), ctype, len,
	    extra_headers != NULL ? extra_headers : "");
	if (n < 0 || (size_t)n >= sizeof(head)) {
		log_error("response header too long");
		return;
	}
	/* RFC 9110 9.3.2: HEAD gets the headers GET would, no body. */
	if (http_write(req, head, (size_t)n) != 0 ||
	    (!http_is_head(req) && http_write(req, body, len) != 0))
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

void
http_media_type(const char *ctype, char *out, size_t outlen)
{
	size_t i = 0;

	if (outlen == 0)
		return;
	if (ctype != NULL) {
		while (*ctype == ' ' || *ctype == '\t')
			ctype++;
		for (; ctype[i] && ctype[i] != ';' && ctype[i] != ' ' &&
		    ctype[i] != '\t' && i + 1 < outlen; i++)
			out[i] = (char)tolower((unsigned char)ctype[i]);
	}
	out[i] = '\0';
}
