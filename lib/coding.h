/*
 * Content-Encoding of a request body (RFC 9110 section 8.4): identity,
 * gzip (RFC 1952) and deflate (the zlib format of RFC 1950, as RFC 9110
 * 8.4.1.2 defines it, and also raw deflate, RFC 1951, which browsers
 * have sent under that name).  Pure: bytes in, bytes out, with zlib.
 *
 * Decoding is bounded: the decoded bytes count against the caller's
 * limit (max_body_bytes), and decoding stops as soon as they would pass
 * it, so a small body cannot inflate into memory.
 *
 * Ownership: nothing is allocated here but zlib's own state, freed
 * before coding_decode returns; in, out and err are the caller's.
 */
#ifndef EVENTS_CODING_H
#define EVENTS_CODING_H

#include <stddef.h>

enum coding { CODING_IDENTITY, CODING_GZIP, CODING_DEFLATE };

/* The codings taken, for Accept-Encoding on a 415 (RFC 9110 12.5.3). */
#define CODING_ACCEPTED	"gzip, deflate, identity"

/*
 * Parse a Content-Encoding value: codings separated by commas, in the
 * order they were applied, names in any case (x-gzip is gzip, RFC 9110
 * 8.4.1.3), identity anywhere.  At most one coding other than identity.
 * NULL or empty is identity.  0 with *c, or -1 with a message naming the
 * coding refused in err.
 */
int	coding_parse(const char *value, enum coding *c, char *err, size_t errlen);

enum coding_result {
	CODING_OK,
	CODING_TOO_LARGE,	/* more than outmax bytes decoded */
	CODING_BAD,		/* not what the coding says: damaged, cut
				   short, or followed by other bytes */
	CODING_NOMEM
};

/*
 * Decode in[0..inlen), coded c, into out[0..outmax).  *outlen is the
 * decoded length.  A gzip body may hold several members one after the
 * other (RFC 1952 2.2), each decoded in turn.  On CODING_BAD err says
 * what is wrong.
 */
enum coding_result coding_decode(enum coding c, const char *in, size_t inlen,
	    char *out, size_t outmax, size_t *outlen, char *err, size_t errlen);

/* "gzip", "deflate" or "identity". */
const char	*coding_name(enum coding c);

#endif
