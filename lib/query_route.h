/*
 * The route of a request to event-query: GET /events or GET
 * /events/stats, whatever way the web server splits the URL.  Pure:
 * strings in, a route out.
 *
 * Ownership: nothing is allocated; the strings are only read.
 */
#ifndef EVENTS_QUERY_ROUTE_H
#define EVENTS_QUERY_ROUTE_H

enum query_route {
	QUERY_ROUTE_EVENTS,	/* GET /events */
	QUERY_ROUTE_STATS,	/* GET /events/stats */
	QUERY_ROUTE_NONE	/* anything else below the program: 404 */
};

/*
 * Which handler serves a request, from the CGI variables (any may be
 * NULL).  Servers disagree on how they split the URL: lighttpd and
 * Apache's ScriptAlias give SCRIPT_NAME=/events and PATH_INFO=/stats,
 * mod_proxy_fcgi gives the whole path in SCRIPT_NAME and no PATH_INFO,
 * some set only REQUEST_URI.  So the decision rests on the last path
 * segment: with a PATH_INFO, "" or "events" is the list, "stats" the
 * statistics and anything else none; without one, the path of
 * REQUEST_URI (else SCRIPT_NAME) ending in "/stats" is the statistics,
 * and anything else the list, wherever the program is mounted.  A
 * REQUEST_URI whose path holds an encoded slash (%2F, RFC 3986 2.2) is
 * none: the server has decoded it into a separator.
 */
enum query_route query_route(const char *path_info, const char *script_name,
		    const char *request_uri);

#endif
