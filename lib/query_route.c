/*
 * Which handler of event-query serves a request, from the CGI variables
 * (see query_route.h).  Pure.
 */
#include "config.h"

#include <string.h>

#include "query_route.h"

/* The last segment of path[0..len) once trailing slashes are gone. */
static void
last_segment(const char *path, size_t len, const char **seg, size_t *seglen)
{
	size_t end = len, start;

	while (end > 0 && path[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	*seg = path + start;
	*seglen = end - start;
}

static int
seg_is(const char *seg, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(seg, word, len) == 0;
}

/* Does path[0..len) hold an encoded slash, %2F? */
static int
encoded_slash(const char *path, size_t len)
{
	size_t i;

	for (i = 0; i + 2 < len; i++)
		if (path[i] == '%' && path[i + 1] == '2' && (path[i + 2] == 'f' || path[i + 2] == 'F'))
			return 1;
	return 0;
}

enum query_route
query_route(const char *path_info, const char *script_name,
    const char *request_uri)
{
	const char *path, *seg;
	size_t len, seglen;

	/* An encoded slash is part of a segment, not a separator (RFC
	 * 3986, 2.2): "/events%2Fstats" is no path of ours, though the
	 * server decodes it into PATH_INFO "/stats". */
	if (request_uri != NULL && encoded_slash(request_uri, strcspn(request_uri, "?#")))
		return QUERY_ROUTE_NONE;
	if (path_info != NULL && *path_info != '\0') {
		last_segment(path_info, strlen(path_info), &seg, &seglen);
		if (seglen == 0 || seg_is(seg, seglen, "events"))
			return QUERY_ROUTE_EVENTS;
		if (seg_is(seg, seglen, "stats"))
			return QUERY_ROUTE_STATS;
		return QUERY_ROUTE_NONE;
	}
	if (request_uri != NULL && *request_uri != '\0') {
		path = request_uri;
		len = strcspn(request_uri, "?#");
	} else if (script_name != NULL) {
		path = script_name;
		len = strlen(script_name);
	} else
		return QUERY_ROUTE_EVENTS;
	last_segment(path, len, &seg, &seglen);
	return seg_is(seg, seglen, "stats") ? QUERY_ROUTE_STATS : QUERY_ROUTE_EVENTS;
}
