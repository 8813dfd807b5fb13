/*
 * The start-up the FastCGI/CGI programs (event-ingest, event-query,
 * event-status) share: logging under the program's name, the command
 * line, the configuration and its log level.
 *
 * Ownership: nothing is allocated; *c is the caller's, and the name
 * must outlive the program's logging (log_init keeps the pointer).
 */
#ifndef EVENTS_CGI_START_H
#define EVENTS_CGI_START_H

#include "conf.h"

/*
 * Start program name (for the log and the usage line) with its command
 * line: "--config FILE" or nothing.  Run as a CGI script
 * (GATEWAY_INTERFACE set), the command line is ignored: RFC 3875 4.4
 * puts the words of a query string without "=" there (GET
 * /events?--config+x), the client's, not the operator's.
 *
 * Fills *c (the caller's) by conf_load() and applies its log_level.
 * Returns 0; or, for a configuration that does not load, logs why,
 * answers a plain-CGI client 500 (http_startup_failed) and returns -1,
 * and the caller exits 1.  A bad command line prints the usage and
 * exits 2 here.
 */
int	cgi_start(const char *name, int argc, char *argv[], struct conf *c);

#endif
