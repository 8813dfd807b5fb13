/* The store layer's pure parts: what each libmongoc or server error
 * means (store_classify), one table for every program; which server a
 * buildInfo answer describes; retention's decisions (TTL index on
 * MongoDB, deletes elsewhere) and the commands they send. */
#include "config.h"

#include <string.h>

#include "check.h"
#include "store.h"

static void
test_classify(void)
{
	static const struct {
		uint32_t		 domain, code;
		enum store_status	 want;
		const char		*what;
	} cases[] = {
		{ MONGOC_ERROR_STREAM, MONGOC_ERROR_STREAM_CONNECT, STORE_TRANSIENT, "connection refused" },
		{ MONGOC_ERROR_STREAM, MONGOC_ERROR_STREAM_SOCKET, STORE_TRANSIENT, "socket time-out" },
		{ MONGOC_ERROR_SERVER_SELECTION, MONGOC_ERROR_SERVER_SELECTION_FAILURE, STORE_TRANSIENT, "no server" },
		{ MONGOC_ERROR_PROTOCOL, MONGOC_ERROR_PROTOCOL_INVALID_REPLY, STORE_TRANSIENT, "bad reply" },
		{ MONGOC_ERROR_WRITE_CONCERN, 64, STORE_TRANSIENT, "write concern" },
		{ MONGOC_ERROR_CLIENT, MONGOC_ERROR_CLIENT_AUTHENTICATE, STORE_AUTH, "credentials" },
		{ MONGOC_ERROR_CLIENT, MONGOC_ERROR_CLIENT_SESSION_FAILURE, STORE_TRANSIENT, "session" },
		{ MONGOC_ERROR_SCRAM, MONGOC_ERROR_SCRAM_PROTOCOL_ERROR, STORE_AUTH, "SCRAM" },
		{ MONGOC_ERROR_SERVER, 18, STORE_AUTH, "AuthenticationFailed" },
		{ MONGOC_ERROR_SERVER, 50, STORE_TRANSIENT, "MaxTimeMSExpired" },
		{ MONGOC_ERROR_SERVER, 91, STORE_TRANSIENT, "ShutdownInProgress" },
		{ MONGOC_ERROR_SERVER, 10107, STORE_TRANSIENT, "NotWritablePrimary" },
		{ MONGOC_ERROR_SERVER, 112, STORE_TRANSIENT, "WriteConflict" },
		{ MONGOC_ERROR_QUERY, 13436, STORE_TRANSIENT, "NotPrimaryOrSecondary, v1 domain" },
		{ MONGOC_ERROR_SERVER, 238, STORE_UNSUPPORTED, "NotImplemented (FerretDB)" },
		{ MONGOC_ERROR_SERVER, 168, STORE_UNSUPPORTED, "InvalidPipelineOperator" },
		{ MONGOC_ERROR_SERVER, 40324, STORE_UNSUPPORTED, "unknown stage" },
		{ MONGOC_ERROR_SERVER, 59, STORE_UNSUPPORTED, "CommandNotFound" },
		{ MONGOC_ERROR_SERVER, 11000, STORE_REFUSED, "duplicate key" },
		{ MONGOC_ERROR_SERVER, 13, STORE_REFUSED, "Unauthorized (a privilege, not the password)" },
		{ MONGOC_ERROR_SERVER, 2, STORE_REFUSED, "BadValue" },
		{ MONGOC_ERROR_SERVER, 27, STORE_REFUSED, "IndexNotFound" },
		{ MONGOC_ERROR_BSON, MONGOC_ERROR_BSON_INVALID, STORE_REFUSED, "bad BSON" },
		{ MONGOC_ERROR_COMMAND, MONGOC_ERROR_COMMAND_INVALID_ARG, STORE_REFUSED, "bad argument" },
	};
	bson_error_t e;
	bson_t *reply;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&e, 0, sizeof(e));
		e.domain = cases[i].domain;
		e.code = cases[i].code;
		CHECK(store_classify(&e, NULL) == cases[i].want, "%s: %s, want %s",
		    cases[i].what, store_status_name(store_classify(&e, NULL)),
		    store_status_name(cases[i].want));
	}

	/* What the reply says wins: a label or write concern errors make a
	 * failure transient whatever its code. */
	memset(&e, 0, sizeof(e));
	e.domain = MONGOC_ERROR_SERVER;
	e.code = 2;
	reply = BCON_NEW("errorLabels", "[", "RetryableWriteError", "]");
	CHECK(store_classify(&e, reply) == STORE_TRANSIENT, "RetryableWriteError label");
	bson_destroy(reply);
	reply = BCON_NEW("writeConcernErrors", "[", "{", "code", BCON_INT32(64), "}", "]");
	CHECK(store_classify(&e, reply) == STORE_TRANSIENT, "writeConcernErrors");
	bson_destroy(reply);
	reply = BCON_NEW("writeErrors", "[", "{", "index", BCON_INT32(0), "code",
	    BCON_INT32(11000), "}", "]");
	CHECK(store_classify(&e, reply) == STORE_REFUSED, "writeErrors alone");
	bson_destroy(reply);

	CHECK(strcmp(store_status_name(STORE_OK), "ok") == 0, "name of ok");
	CHECK(strcmp(store_status_name(STORE_TRANSIENT), "transient") == 0, "name of transient");
	CHECK(strcmp(store_status_name(STORE_REFUSED), "refused") == 0, "name of refused");
	CHECK(strcmp(store_status_name(STORE_AUTH), "auth") == 0, "name of auth");
	CHECK(strcmp(store_status_name(STORE_UNSUPPORTED), "unsupported") == 0, "name of unsupported");
}

/* buildInfo answers, trimmed to what matters, as the servers send them. */
static void
test_kind(void)
{
	static const struct {
		const char		*json;
		enum store_kind		 want;
		const char		*version, *name;
	} cases[] = {
		{ "{\"version\": \"7.0.5\", \"gitVersion\": \"x\", \"ok\": 1}",
		    STORE_KIND_MONGODB, "7.0.5", "mongodb" },
		{ "{\"version\": \"7.0.42\", \"ferretdbVersion\": \"v1.24.2\", \"ok\": 1}",
		    STORE_KIND_FERRETDB, "v1.24.2", "ferretdb" },
		{ "{\"version\": \"7.0.42\", \"ferretdbVersion\": \"v1.24.2-events.1\", \"ok\": 1}",
		    STORE_KIND_FERRETDB_EVENTS, "v1.24.2-events.1", "ferretdb-events" },
		{ "{\"ferretdbVersion\": \"v1.24.2-events\", \"ok\": 1}",
		    STORE_KIND_FERRETDB, "v1.24.2-events", "ferretdb" },
		{ "{\"ok\": 1}", STORE_KIND_UNKNOWN, "", "unknown" },
		{ "{\"version\": 7, \"ok\": 1}", STORE_KIND_UNKNOWN, "", "unknown" },
	};
	struct store_server sv;
	bson_error_t e;
	bson_t *reply;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reply = bson_new_from_json((const uint8_t *)cases[i].json, -1, &e);
		CHECK(reply != NULL, "%s: %s", cases[i].json, e.message);
		if (reply == NULL)
			continue;
		store_kind_from_buildinfo(reply, &sv);
		CHECK(sv.kind == cases[i].want && strcmp(sv.version, cases[i].version) == 0 &&
		    strcmp(store_kind_name(sv.kind), cases[i].name) == 0,
		    "%s: %s %s", cases[i].json, store_kind_name(sv.kind), sv.version);
		bson_destroy(reply);
	}
}

/* Retention: which way for which server, what is sent to the TTL index
 * for each setting and each state of the collection. */
static void
test_expire(void)
{
	static const struct {
		long			 days;
		struct store_ttl_index	 cur;
		enum store_ttl_action	 want;
		const char		*json;	/* the command, NULL for none */
		const char		*what;
	} cases[] = {
		{ 0, { 0, 0, 0 }, STORE_TTL_NOTHING, NULL, "0 days, no index" },
		{ 0, { 1, 1, 86400 }, STORE_TTL_DROP,
		    "{ \"dropIndexes\" : \"ev\", \"index\" : \"createdAt_1\" }",
		    "back to 0 days: dropped" },
		{ 0, { 1, 0, 0 }, STORE_TTL_NOTHING, NULL, "0 days, someone's plain index kept" },
		{ 30, { 0, 0, 0 }, STORE_TTL_CREATE,
		    "{ \"createIndexes\" : \"ev\", \"indexes\" : [ { \"key\" : { \"createdAt\" : 1 }, "
		    "\"name\" : \"createdAt_1\", \"expireAfterSeconds\" : 2592000 } ] }",
		    "30 days, no index: created" },
		{ 30, { 1, 1, 2592000 }, STORE_TTL_NOTHING, NULL, "30 days, as it is" },
		{ 7, { 1, 1, 2592000 }, STORE_TTL_MODIFY,
		    "{ \"collMod\" : \"ev\", \"index\" : { \"name\" : \"createdAt_1\", "
		    "\"expireAfterSeconds\" : 604800 } }",
		    "30 to 7 days: collMod" },
		{ 10000, { 1, 1, 1 }, STORE_TTL_MODIFY,
		    "{ \"collMod\" : \"ev\", \"index\" : { \"name\" : \"createdAt_1\", "
		    "\"expireAfterSeconds\" : 864000000 } }",
		    "the largest setting" },
		{ 1, { 1, 0, 0 }, STORE_TTL_REPLACE,
		    "{ \"dropIndexes\" : \"ev\", \"index\" : \"createdAt_1\" }",
		    "a plain index by that name: dropped first, then created" },
	};
	enum store_ttl_action a;
	bson_t *cmd;
	char *json;
	size_t i;

	CHECK(store_expire_way(STORE_KIND_MONGODB) == STORE_EXPIRE_TTL, "MongoDB: TTL index");
	CHECK(store_expire_way(STORE_KIND_FERRETDB) == STORE_EXPIRE_DELETE, "FerretDB: deletes");
	CHECK(store_expire_way(STORE_KIND_FERRETDB_EVENTS) == STORE_EXPIRE_DELETE,
	    "our FerretDB: deletes");
	CHECK(store_expire_way(STORE_KIND_UNKNOWN) == STORE_EXPIRE_DELETE, "unknown: deletes");

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = store_ttl_plan(cases[i].days, &cases[i].cur);
		CHECK(a == cases[i].want, "%s: action %d, want %d", cases[i].what, (int)a,
		    (int)cases[i].want);
		cmd = store_ttl_command(a, "ev", cases[i].days);
		json = cmd != NULL ? bson_as_relaxed_extended_json(cmd, NULL) : NULL;
		CHECK((json == NULL && cases[i].json == NULL) ||
		    (json != NULL && cases[i].json != NULL && strcmp(json, cases[i].json) == 0),
		    "%s: sends %s, want %s", cases[i].what, json ? json : "nothing",
		    cases[i].json ? cases[i].json : "nothing");
		bson_free(json);
		bson_destroy(cmd);
	}
	/* The second half of a replacement. */
	cmd = store_ttl_command(STORE_TTL_CREATE, "ev", 1);
	json = bson_as_relaxed_extended_json(cmd, NULL);
	CHECK(strstr(json, "\"expireAfterSeconds\" : 86400 }") != NULL, "1 day: %s", json);
	bson_free(json);
	bson_destroy(cmd);
}

int
main(void)
{
	test_classify();
	test_kind();
	test_expire();
	return check_exit("test-store");
}
