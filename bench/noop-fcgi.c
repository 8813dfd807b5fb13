/*
 * bench-noop-fcgi: the ceiling of FastCGI itself.  Reads the request body
 * and answers 202 with a fixed JSON body, touching nothing else: the
 * difference between this and event-ingest is what validation and
 * queueing in Redis cost.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <fcgiapp.h>

int
main(void)
{
	static const char answer[] =
	    "Status: 202 Accepted\r\nContent-Type: application/json\r\n"
	    "Content-Length: 14\r\n\r\n{\"accepted\":1}";
	FCGX_Request r;
	char buf[65536];

	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		while (FCGX_GetStr(buf, sizeof(buf), r.in) > 0)
			;
		FCGX_PutStr(answer, (int)strlen(answer), r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}
