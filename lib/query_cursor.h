/*
 * The paging cursor of GET /events, handed to clients as "next" and
 * taken back as ?cursor=.  Pure: bytes in, bytes out.
 *
 * Ownership: nothing is allocated; out and id are the caller's.
 */
#ifndef EVENTS_QUERY_CURSOR_H
#define EVENTS_QUERY_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "bounds.h"

/*
 * The cursor: base64url without padding (RFC 4648 section 5) of
 * "1:<createdAt ms>:<id>".  Opaque to clients; the "1" leaves room for
 * another layout later.  encode writes at most LIMIT_CURSOR_LEN + 1
 * bytes; returns 0 or -1 if out is too small or the id is not a valid
 * event id.  decode returns 0, or -1 for anything that is not a cursor
 * this code could have made.
 */
int		 query_cursor_encode(int64_t ms, const char *id, char *out,
		    size_t outlen);
int		 query_cursor_decode(const char *s, size_t len, int64_t *ms,
		    char *id, size_t idlen);

#endif
