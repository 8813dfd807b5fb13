/*
 * What a failed store operation means (enum store_status), for every
 * program alike, and the reconnect policy that follows from it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store_impl.h"

/*
 * Server error codes (src/mongo/base/error_codes.yml in the MongoDB
 * sources; FerretDB uses the same numbers) that describe the server's
 * state, not what was sent: an election, a shutdown, a time limit, a
 * lock.  The same operation may succeed later.
 */
static int
transient_code(int32_t code)
{
	switch (code) {
	case 6:		/* HostUnreachable */
	case 7:		/* HostNotFound */
	case 24:	/* LockTimeout */
	case 46:	/* LockBusy */
	case 50:	/* MaxTimeMSExpired */
	case 64:	/* WriteConcernFailed */
	case 89:	/* NetworkTimeout */
	case 91:	/* ShutdownInProgress */
	case 112:	/* WriteConflict */
	case 189:	/* PrimarySteppedDown */
	case 202:	/* NetworkInterfaceExceededTimeLimit */
	case 262:	/* ExceededTimeLimit */
	case 9001:	/* SocketException */
	case 10107:	/* NotWritablePrimary */
	case 11600:	/* InterruptedAtShutdown */
	case 11602:	/* InterruptedDueToReplStateChange */
	case 13435:	/* NotPrimaryNoSecondaryOk */
	case 13436:	/* NotPrimaryOrSecondary */
		return 1;
	default:
		return 0;
	}
}

/* Codes that say the server lacks what was asked for. */
static int
unsupported_code(int32_t code)
{
	switch (code) {
	case 59:	/* CommandNotFound */
	case 115:	/* CommandNotSupported */
	case 168:	/* InvalidPipelineOperator */
	case 238:	/* NotImplemented (FerretDB: an option, stage or command) */
	case 40324:	/* Unrecognized pipeline stage name */
		return 1;
	default:
		return 0;
	}
}

/* Number of elements of the array name in reply (0 if none). */
static uint32_t
array_len(const bson_t *reply, const char *name)
{
	bson_iter_t it, arr;
	uint32_t n = 0;

	if (reply == NULL || !bson_iter_init_find(&it, reply, name) ||
	    !BSON_ITER_HOLDS_ARRAY(&it) || !bson_iter_recurse(&it, &arr))
		return 0;
	while (bson_iter_next(&arr))
		n++;
	return n;
}

enum store_status
store_classify(const bson_error_t *e, const bson_t *reply)
{
	if (reply != NULL && (mongoc_error_has_label(reply, "RetryableWriteError") ||
	    array_len(reply, "writeConcernErrors") > 0))
		return STORE_TRANSIENT;
	switch (e->domain) {
	case MONGOC_ERROR_CLIENT:
		/* Credentials refused; the other client errors (a
		 * session, a load balancer, an exhaust cursor) are the
		 * connection's state. */
		return e->code == MONGOC_ERROR_CLIENT_AUTHENTICATE ?
		    STORE_AUTH : STORE_TRANSIENT;
	case MONGOC_ERROR_SASL:
	case MONGOC_ERROR_SCRAM:
		return STORE_AUTH;
	case MONGOC_ERROR_STREAM:
	case MONGOC_ERROR_PROTOCOL:
	case MONGOC_ERROR_SERVER_SELECTION:
	case MONGOC_ERROR_WRITE_CONCERN:
		return STORE_TRANSIENT;
	case MONGOC_ERROR_SERVER:
	case MONGOC_ERROR_QUERY:
		if (e->code == 18)	/* AuthenticationFailed */
			return STORE_AUTH;
		if (transient_code((int32_t)e->code))
			return STORE_TRANSIENT;
		if (unsupported_code((int32_t)e->code))
			return STORE_UNSUPPORTED;
		return STORE_REFUSED;
	default:
		/* Checks libmongoc makes before sending (BSON, command and
		 * collection arguments): what was asked is wrong. */
		return STORE_REFUSED;
	}
}

const char *
store_status_name(enum store_status st)
{
	switch (st) {
	case STORE_OK:		return "ok";
	case STORE_TRANSIENT:	return "transient";
	case STORE_REFUSED:	return "refused";
	case STORE_AUTH:	return "auth";
	case STORE_UNSUPPORTED:	return "unsupported";
	}
	return "?";
}

/* Did the server itself answer?  Then the connection is fine. */
static int
server_answered(const bson_error_t *e)
{
	return e->domain == MONGOC_ERROR_SERVER || e->domain == MONGOC_ERROR_QUERY ||
	    e->domain == MONGOC_ERROR_WRITE_CONCERN;
}

enum store_status
store_fail(struct store *s, const bson_error_t *e, const bson_t *reply,
    const char *what, char *err, size_t errlen)
{
	enum store_status st = store_classify(e, reply);

	snprintf(err, errlen, "store %s: %s: %s", s->where, what, e->message);
	if (st == STORE_TRANSIENT || st == STORE_AUTH || !server_answered(e))
		store_drop(s);
	return st;
}
