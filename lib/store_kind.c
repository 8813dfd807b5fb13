/*
 * Which server is behind mongo_uri, from its buildInfo answer: MongoDB,
 * FerretDB built with this project's patch (its reads use the indexes),
 * or a stock FerretDB (its reads scan the collection).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store_impl.h"

/* The mark of our patched FerretDB in its version (scripts/ferretdb/). */
#define FERRETDB_EVENTS_MARK	"-events."

const char *
store_kind_name(enum store_kind k)
{
	switch (k) {
	case STORE_KIND_MONGODB:		return "mongodb";
	case STORE_KIND_FERRETDB_EVENTS:	return "ferretdb-events";
	case STORE_KIND_FERRETDB:		return "ferretdb";
	case STORE_KIND_UNKNOWN:		break;
	}
	return "unknown";
}

const char *
store_kind_text(enum store_kind k)
{
	switch (k) {
	case STORE_KIND_MONGODB:		return "MongoDB";
	case STORE_KIND_FERRETDB_EVENTS:	return "FerretDB with the events patch";
	case STORE_KIND_FERRETDB:		return "stock FerretDB";
	case STORE_KIND_UNKNOWN:		break;
	}
	return "an unknown MongoDB-compatible server";
}

/* The string field name of reply into out; 0, or -1 if absent. */
static int
str_field(const bson_t *reply, const char *name, char *out, size_t outlen)
{
	bson_iter_t it;
	uint32_t len;
	const char *v;

	if (!bson_iter_init_find(&it, reply, name) || !BSON_ITER_HOLDS_UTF8(&it))
		return -1;
	v = bson_iter_utf8(&it, &len);
	snprintf(out, outlen, "%.*s", (int)(len < outlen ? len : outlen - 1), v);
	return 0;
}

void
store_kind_from_buildinfo(const bson_t *reply, struct store_server *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = STORE_KIND_UNKNOWN;
	/* FerretDB answers "version" with the MongoDB version it imitates
	 * and adds "ferretdbVersion"; MongoDB has no such field. */
	if (str_field(reply, "ferretdbVersion", out->version, sizeof(out->version)) == 0)
		out->kind = strstr(out->version, FERRETDB_EVENTS_MARK) != NULL ?
		    STORE_KIND_FERRETDB_EVENTS : STORE_KIND_FERRETDB;
	else if (str_field(reply, "version", out->version, sizeof(out->version)) == 0)
		out->kind = STORE_KIND_MONGODB;
}

enum store_status
store_server(struct store *s, struct store_server *out, char *err, size_t errlen)
{
	mongoc_collection_t *coll;
	bson_t *cmd;
	bson_t reply;
	bson_error_t e;
	enum store_status st = STORE_OK;

	if (s->server_known) {
		*out = s->server;
		return STORE_OK;
	}
	if ((coll = store_coll(s, err, errlen)) == NULL)
		return STORE_REFUSED;
	if ((cmd = BCON_NEW("buildInfo", BCON_INT32(1))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_REFUSED;
	}
	if (mongoc_collection_command_simple(coll, cmd, NULL, &reply, &e)) {
		store_kind_from_buildinfo(&reply, &s->server);
		s->server_known = 1;
		*out = s->server;
	} else {
		st = store_fail(s, &e, &reply, "buildInfo", err, errlen);
		/* A server that answers but will not say: unknown, and not
		 * asked again on this connection. */
		if (st == STORE_REFUSED || st == STORE_UNSUPPORTED) {
			memset(&s->server, 0, sizeof(s->server));
			s->server_known = 1;
			*out = s->server;
			st = STORE_OK;
		}
	}
	bson_destroy(&reply);
	bson_destroy(cmd);
	return st;
}
