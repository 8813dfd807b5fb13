/*
 * The store connection of event-query and the conversion of stored
 * values to JSON.  One mongoc client per process (FastCGI handles one
 * request at a time, so no pool); after a failure it is dropped and the
 * next request makes a new one, which skips libmongoc's cooldown after a
 * failed connection and so recovers as soon as the store is back.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "log.h"
#include "query.h"
#include "timeutil.h"

int
store_open(struct query *q, char *err, size_t errlen)
{
	bson_error_t e;

	if (q->client != NULL)
		return 0;
	q->client = mongoc_client_new_from_uri_with_error(q->uri, &e);
	if (q->client == NULL) {
		snprintf(err, errlen, "%s", e.message);
		return -1;
	}
	mongoc_client_set_error_api(q->client, MONGOC_ERROR_API_VERSION_2);
	q->coll = mongoc_client_get_collection(q->client, q->conf.mongo_db,
	    q->conf.mongo_collection);
	return 0;
}

static void
store_drop(struct query *q)
{
	mongoc_collection_destroy(q->coll);
	mongoc_client_destroy(q->client);
	q->coll = NULL;
	q->client = NULL;
}

enum store_fail
store_failed(struct query *q, const bson_error_t *e, const char *what)
{
	enum store_fail f = STORE_ERROR;

	if (e->domain == MONGOC_ERROR_SERVER_SELECTION ||
	    e->domain == MONGOC_ERROR_STREAM)
		f = STORE_UNAVAILABLE;
	else if (e->domain == MONGOC_ERROR_CLIENT && e->code == MONGOC_ERROR_CLIENT_AUTHENTICATE) {
		/* A configuration error, but to the client the store is
		 * simply not there: 503, and the reason in the log. */
		log_error("store refused our credentials (%s): %s; check the user and password in mongo_uri",
		    what, e->message);
		store_drop(q);
		return STORE_UNAVAILABLE;
	}
	else if (e->domain == MONGOC_ERROR_SERVER || e->domain == MONGOC_ERROR_QUERY) {
		switch (e->code) {
		case 50:	/* MaxTimeMSExpired: too slow now, try later */
		case 91:	/* ShutdownInProgress */
		case 189:	/* PrimarySteppedDown */
		case 10107:	/* NotWritablePrimary */
		case 11600:	/* InterruptedAtShutdown */
		case 11602:	/* InterruptedDueToReplStateChange */
		case 13435:	/* NotPrimaryNoSecondaryOk */
		case 13436:	/* NotPrimaryOrSecondary */
			f = STORE_UNAVAILABLE;
			break;
		case 168:	/* InvalidPipelineOperator */
		case 238:	/* NotImplemented (FerretDB) */
		case 40324:	/* Unrecognized pipeline stage name */
			f = STORE_NOT_SUPPORTED;
			break;
		}
	}
	switch (f) {
	case STORE_UNAVAILABLE:
		log_warn("store unavailable (%s): %s", what, e->message);
		store_drop(q);
		break;
	case STORE_NOT_SUPPORTED:
		log_info("store does not support %s: %s", what, e->message);
		break;
	case STORE_ERROR:
		log_error("store error (%s): %u.%u %s", what, e->domain, e->code,
		    e->message);
		store_drop(q);
		break;
	}
	return f;
}

void
store_send_error(struct http_req *req, enum store_fail f)
{
	if (f == STORE_UNAVAILABLE)
		http_send_error(req, 503, "Retry-After: 1\r\n", "store_unavailable",
		    "the event store is unreachable or too slow; retry later");
	else
		http_send_error(req, 500, NULL, "store_error",
		    "the event store failed to answer; see the server log");
}

json_object *
time_to_json(int64_t ms)
{
	char buf[TIME_RFC3339_LEN + 1];

	return json_object_new_string(time_format_rfc3339(ms, buf, sizeof(buf)));
}

/*
 * The value at it as JSON.  Documents written by the consumer hold only
 * what came from JSON plus dates; anything else is shown as its text or
 * null rather than dropped silently.  Recursion stops at LIMIT_DOC_DEPTH.
 */
json_object *
doc_to_json(const bson_iter_t *it, int depth)
{
	json_object *o;
	bson_iter_t child;
	char oid[25];
	double d;
	uint32_t len;
	const char *s;

	switch (bson_iter_type(it)) {
	case BSON_TYPE_UTF8:
		s = bson_iter_utf8(it, &len);
		return json_object_new_string_len(s, (int)len);
	case BSON_TYPE_INT32:
		return json_object_new_int64(bson_iter_int32(it));
	case BSON_TYPE_INT64:
		return json_object_new_int64(bson_iter_int64(it));
	case BSON_TYPE_DOUBLE:
		d = bson_iter_double(it);
		return isfinite(d) ? json_object_new_double(d) : NULL;
	case BSON_TYPE_BOOL:
		return json_object_new_boolean(bson_iter_bool(it));
	case BSON_TYPE_DATE_TIME:
		return time_to_json(bson_iter_date_time(it));
	case BSON_TYPE_OID:
		bson_oid_to_string(bson_iter_oid(it), oid);
		return json_object_new_string(oid);
	case BSON_TYPE_DOCUMENT:
	case BSON_TYPE_ARRAY:
		if (depth >= LIMIT_DOC_DEPTH || !bson_iter_recurse(it, &child))
			return NULL;
		if (bson_iter_type(it) == BSON_TYPE_ARRAY) {
			o = json_object_new_array();
			while (o != NULL && bson_iter_next(&child))
				json_object_array_add(o, doc_to_json(&child, depth + 1));
		} else {
			o = json_object_new_object();
			while (o != NULL && bson_iter_next(&child))
				json_object_object_add(o, bson_iter_key(&child),
				    doc_to_json(&child, depth + 1));
		}
		return o;
	default:
		return NULL;
	}
}
