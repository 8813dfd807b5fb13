#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"

struct store {
	mongoc_client_t		*client;
	mongoc_collection_t	*coll;
	bson_t			*bulk_opts;	/* {ordered: false} */
	bson_t			*insert_opts;	/* {validate: false} */
	char			 coll_name[CONF_STR_LEN];
	char			 where[1024];
};

/* libmongoc's own messages join ours on stderr: its warnings (FerretDB
 * answers "endSessions" with "no such command" at every exit) only at
 * debug level, its errors as warnings. */
static void
log_from_mongoc(mongoc_log_level_t level, const char *domain, const char *msg,
    void *arg)
{
	switch (level) {
	case MONGOC_LOG_LEVEL_ERROR:
	case MONGOC_LOG_LEVEL_CRITICAL:
		log_warn("libmongoc %s: %s", domain, msg);
		break;
	case MONGOC_LOG_LEVEL_WARNING:
	case MONGOC_LOG_LEVEL_MESSAGE:
		log_debug("libmongoc %s: %s", domain, msg);
		break;
	default:
		break;
	}
}

/* Set a timeout option unless the URI already has one. */
static void
uri_default(mongoc_uri_t *uri, const char *opt, int32_t ms)
{
	if (!mongoc_uri_has_option(uri, opt))
		mongoc_uri_set_option_as_int32(uri, opt, ms);
}

static mongoc_write_concern_t *
make_wc(const char *spec, char *err, size_t errlen)
{
	mongoc_write_concern_t *wc;
	char *end;
	long w;

	if ((wc = mongoc_write_concern_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (strcmp(spec, "majority") == 0) {
		mongoc_write_concern_set_w(wc, MONGOC_WRITE_CONCERN_W_MAJORITY);
		mongoc_write_concern_set_wtimeout_int64(wc, STORE_WTIMEOUT_MS);
		return wc;
	}
	errno = 0;
	w = strtol(spec, &end, 10);
	/* w: 0 would have the store answer before it has the document, and
	 * the consumer would acknowledge events it may never have stored. */
	if (errno != 0 || *end != '\0' || end == spec || w < 1 || w > 50) {
		snprintf(err, errlen,
		    "write_concern: bad value \"%.32s\" (\"majority\" or a number from 1 to 50)",
		    spec);
		mongoc_write_concern_destroy(wc);
		return NULL;
	}
	mongoc_write_concern_set_w(wc, (int32_t)w);
	if (w > 1)
		mongoc_write_concern_set_wtimeout_int64(wc, STORE_WTIMEOUT_MS);
	return wc;
}

static void
make_where(struct store *s, const mongoc_uri_t *uri, const struct conf *c)
{
	const mongoc_host_list_t *h;
	char hosts[512];
	size_t used = 0;
	int n;

	hosts[0] = '\0';
	for (h = mongoc_uri_get_hosts(uri); h != NULL; h = h->next) {
		n = snprintf(hosts + used, sizeof(hosts) - used, "%s%s",
		    used ? "," : "", h->host_and_port);
		if (n < 0 || (size_t)n >= sizeof(hosts) - used)
			break;
		used += (size_t)n;
	}
	if (used == 0)	/* mongodb+srv:// before resolution */
		snprintf(hosts, sizeof(hosts), "%.200s",
		    mongoc_uri_get_srv_hostname(uri) ? mongoc_uri_get_srv_hostname(uri) : "?");
	snprintf(s->where, sizeof(s->where), "%.500s/%.200s.%.200s", hosts,
	    c->mongo_db, c->mongo_collection);
}

void
store_init(void)
{
	/* No shared-memory counters: a process killed by SIGKILL (as the
	 * consumer may be) would leave its /dev/shm/mongoc-PID behind, and
	 * a later process given the same PID warns about it. */
	setenv("MONGOC_DISABLE_SHM", "1", 0);
	/* The handler first: mongoc_init() itself may warn, and stderr is
	 * our log. */
	mongoc_log_set_handler(log_from_mongoc, NULL);
	mongoc_init();
}

struct store *
store_new(const struct conf *c, const char *appname, char *err, size_t errlen)
{
	struct store *s;
	mongoc_uri_t *uri = NULL;
	mongoc_write_concern_t *wc = NULL;
	bson_error_t e;

	store_init();
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((uri = mongoc_uri_new_with_error(c->mongo_uri, &e)) == NULL) {
		/* e.message may quote the URI, password and all: do not. */
		snprintf(err, errlen, "mongo_uri: not a usable MongoDB URI");
		goto err;
	}
	uri_default(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, STORE_SELECT_MS);
	uri_default(uri, MONGOC_URI_CONNECTTIMEOUTMS, STORE_CONNECT_MS);
	uri_default(uri, MONGOC_URI_SOCKETTIMEOUTMS, STORE_SOCKET_MS);
	/* A single-threaded client that fails to reach a server once would
	 * otherwise leave it alone for a 5 s cooldown (Server Selection
	 * spec); trying again within STORE_SELECT_MS resumes sooner. */
	if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTRYONCE))
		mongoc_uri_set_option_as_bool(uri, MONGOC_URI_SERVERSELECTIONTRYONCE, false);
	if (mongoc_uri_get_appname(uri) == NULL && appname != NULL)
		mongoc_uri_set_appname(uri, appname);
	if ((wc = make_wc(c->write_concern, err, errlen)) == NULL)
		goto err;
	if ((s->client = mongoc_client_new_from_uri_with_error(uri, &e)) == NULL) {
		snprintf(err, errlen, "mongo_uri: %s", e.message);
		goto err;
	}
	/* Version 2: server errors come as MONGOC_ERROR_SERVER with the
	 * server's code, network ones as MONGOC_ERROR_STREAM. */
	mongoc_client_set_error_api(s->client, MONGOC_ERROR_API_VERSION_2);
	s->coll = mongoc_client_get_collection(s->client, c->mongo_db,
	    c->mongo_collection);
	mongoc_collection_set_write_concern(s->coll, wc);
	/* The documents are checked before they get here (storedoc.c);
	 * libmongoc's own check would fail the whole batch for one. */
	s->bulk_opts = BCON_NEW("ordered", BCON_BOOL(false));
	s->insert_opts = BCON_NEW("validate", BCON_BOOL(false));
	if (s->coll == NULL || s->bulk_opts == NULL || s->insert_opts == NULL) {
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	snprintf(s->coll_name, sizeof(s->coll_name), "%s", c->mongo_collection);
	make_where(s, uri, c);
	mongoc_write_concern_destroy(wc);
	mongoc_uri_destroy(uri);
	return s;
err:
	mongoc_write_concern_destroy(wc);
	mongoc_uri_destroy(uri);
	store_free(s);
	return NULL;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	bson_destroy(s->bulk_opts);
	bson_destroy(s->insert_opts);
	mongoc_collection_destroy(s->coll);
	mongoc_client_destroy(s->client);
	free(s);
}

void
store_cleanup(void)
{
	mongoc_cleanup();
}

const char *
store_where(const struct store *s)
{
	return s->where;
}

mongoc_collection_t *
store_collection(struct store *s)
{
	return s->coll;
}

/* An error that says the store could not be reached or did not answer,
 * as opposed to one about what was sent. */
static int
unreachable(const bson_error_t *e)
{
	switch (e->domain) {
	case MONGOC_ERROR_CLIENT:
	case MONGOC_ERROR_STREAM:
	case MONGOC_ERROR_PROTOCOL:
	case MONGOC_ERROR_SASL:
	case MONGOC_ERROR_SCRAM:
	case MONGOC_ERROR_SERVER_SELECTION:
	case MONGOC_ERROR_WRITE_CONCERN:
		return 1;
	default:
		return 0;
	}
}

/*
 * Server error codes that describe the server's state, not the document:
 * a replica set election, a shutdown, a timeout, a lock.  A write error
 * with one of these is retried like an outage, never counted against the
 * event.  (src/mongo/base/error_codes.yml in the MongoDB sources.)
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

/* Number of elements of the array field name in reply, or 0. */
static uint32_t
array_len(const bson_t *reply, const char *name, bson_iter_t *arr)
{
	bson_iter_t it;
	uint32_t n = 0;

	if (!bson_iter_init_find(&it, reply, name) || !BSON_ITER_HOLDS_ARRAY(&it) ||
	    !bson_iter_recurse(&it, arr))
		return 0;
	{
		bson_iter_t count = *arr;
		while (bson_iter_next(&count))
			n++;
	}
	return n;
}

/* One writeErrors element: its index, code and message; *other_key is
 * set when a duplicate-key error names a unique index other than _id's. */
static int
write_error(bson_iter_t *el, int32_t *index, int32_t *code, const char **msg,
    int *other_key)
{
	bson_iter_t d, kp;

	*index = -1;
	*code = 0;
	*msg = "";
	*other_key = 0;
	if (!BSON_ITER_HOLDS_DOCUMENT(el) || !bson_iter_recurse(el, &d))
		return -1;
	while (bson_iter_next(&d)) {
		if (strcmp(bson_iter_key(&d), "index") == 0 && BSON_ITER_HOLDS_INT(&d))
			*index = (int32_t)bson_iter_as_int64(&d);
		else if (strcmp(bson_iter_key(&d), "code") == 0 && BSON_ITER_HOLDS_INT(&d))
			*code = (int32_t)bson_iter_as_int64(&d);
		else if (strcmp(bson_iter_key(&d), "errmsg") == 0 && BSON_ITER_HOLDS_UTF8(&d))
			*msg = bson_iter_utf8(&d, NULL);
		else if (strcmp(bson_iter_key(&d), "keyPattern") == 0 &&
		    BSON_ITER_HOLDS_DOCUMENT(&d) && bson_iter_recurse(&d, &kp))
			/* MongoDB 4.4+: {_id: 1} for the primary key. */
			*other_key = !bson_iter_next(&kp) ||
			    strcmp(bson_iter_key(&kp), "_id") != 0 || bson_iter_next(&kp);
	}
	/* Older servers and FerretDB: only the message may name the index
	 * ("... index: _id_ dup key: ..."; FerretDB names none). */
	if (*code == MONGOC_ERROR_DUPLICATE_KEY && strstr(*msg, " index: ") != NULL &&
	    strstr(*msg, " index: _id_ ") == NULL)
		*other_key = 1;
	return *index >= 0 ? 0 : -1;
}

/*
 * Sort out a failed bulk write.  Each element of writeErrors names the
 * document by its position in the bulk; every document it does not name
 * was stored.  MongoDB and FerretDB 1.24 both answer a duplicate _id in
 * an unordered insert this way, with code 11000, and go on with the rest
 * (FerretDB's errmsg is "E11000 duplicate key error collection: db.coll",
 * without the index; MongoDB adds keyPattern).  FerretDB also refuses
 * some documents MongoDB takes, one by one with code 2 ("nested arrays
 * are not supported"): those are refusals like any other.
 */
static enum store_status
classify(const struct store *s, const bson_t *reply, const bson_error_t *e,
    struct store_item *items, const size_t *map, size_t nmap, char *err,
    size_t errlen)
{
	bson_iter_t arr;
	const char *msg;
	int32_t index, code;
	size_t i;
	int other_key;

	if (unreachable(e) || mongoc_error_has_label(reply, "RetryableWriteError")) {
		snprintf(err, errlen, "store %s: %s", s->where, e->message);
		return STORE_OUTAGE;
	}
	if (array_len(reply, "writeConcernErrors", &arr) > 0) {
		snprintf(err, errlen, "store %s: write concern not met: %s", s->where,
		    e->message);
		return STORE_OUTAGE;
	}
	if (array_len(reply, "writeErrors", &arr) == 0) {
		/* The command failed as a whole (not primary, unauthorised,
		 * ...): nothing to hold against any one event. */
		snprintf(err, errlen, "store %s: %s", s->where, e->message);
		return STORE_OUTAGE;
	}
	while (bson_iter_next(&arr)) {
		if (write_error(&arr, &index, &code, &msg, &other_key) != 0 ||
		    (size_t)index >= nmap) {
			snprintf(err, errlen, "store %s: unreadable write error in the reply",
			    s->where);
			return STORE_OUTAGE;
		}
		if (transient_code(code)) {
			snprintf(err, errlen, "store %s: code %d: %s", s->where, (int)code, msg);
			return STORE_OUTAGE;
		}
		i = map[index];
		/* A duplicate _id: this event is stored already.  A clash on
		 * some other unique index someone added is a refusal. */
		if (code == MONGOC_ERROR_DUPLICATE_KEY && !other_key)
			items[i].result = STORE_DUPLICATE;
		else {
			items[i].result = STORE_REJECTED;
			snprintf(items[i].reason, sizeof(items[i].reason),
			    "store refused the document: code %d: %.200s", (int)code, msg);
		}
	}
	return STORE_OK;
}

enum store_status
store_insert(struct store *s, struct store_item *items, size_t n, char *err,
    size_t errlen)
{
	mongoc_bulk_operation_t *bulk;
	bson_error_t e;
	bson_t reply;
	size_t *map, i, nmap = 0;
	enum store_status st = STORE_OK;

	for (i = 0; i < n; i++) {
		items[i].result = STORE_STORED;
		items[i].reason[0] = '\0';
	}
	if (n == 0)
		return STORE_OK;
	/* map[bulk position] = item, for items libmongoc takes. */
	if ((map = calloc(n, sizeof(*map))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_OUTAGE;
	}
	bulk = mongoc_collection_create_bulk_operation_with_opts(s->coll, s->bulk_opts);
	for (i = 0; i < n; i++) {
		if (!mongoc_bulk_operation_insert_with_opts(bulk, items[i].doc,
		    s->insert_opts, &e)) {
			items[i].result = STORE_REJECTED;
			snprintf(items[i].reason, sizeof(items[i].reason),
			    "libmongoc refused the document: %.200s", e.message);
			continue;
		}
		map[nmap++] = i;
	}
	if (nmap > 0 && !mongoc_bulk_operation_execute(bulk, &reply, &e)) {
		st = classify(s, &reply, &e, items, map, nmap, err, errlen);
		bson_destroy(&reply);
	} else if (nmap > 0)
		bson_destroy(&reply);
	mongoc_bulk_operation_destroy(bulk);
	free(map);
	return st;
}

int
store_auth_error(const bson_error_t *e)
{
	return e->domain == MONGOC_ERROR_CLIENT && e->code == MONGOC_ERROR_CLIENT_AUTHENTICATE;
}

enum store_status
store_ping(struct store *s, char *err, size_t errlen)
{
	bson_t *cmd = BCON_NEW("ping", BCON_INT32(1));
	bson_t reply;
	bson_error_t e;
	enum store_status st = STORE_OK;

	if (cmd == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_OUTAGE;
	}
	if (!mongoc_collection_command_simple(s->coll, cmd, NULL, &reply, &e)) {
		/* e.message never holds the password (libmongoc says only
		 * "Authentication failed."). */
		st = store_auth_error(&e) ? STORE_AUTH : STORE_OUTAGE;
		snprintf(err, errlen, "store %s: %s", s->where, e.message);
	}
	bson_destroy(&reply);
	bson_destroy(cmd);
	return st;
}

/* One createIndexes command for one index. */
static enum store_status
create_index(struct store *s, const bson_t *key, const char *name, char *err,
    size_t errlen)
{
	bson_t *cmd;
	bson_t reply;
	bson_error_t e;
	enum store_status st = STORE_OK;

	cmd = BCON_NEW("createIndexes", BCON_UTF8(s->coll_name),
	    "indexes", "[", "{", "key", BCON_DOCUMENT(key), "name", BCON_UTF8(name), "}", "]");
	if (cmd == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_OUTAGE;
	}
	if (!mongoc_collection_write_command_with_opts(s->coll, cmd, NULL, &reply, &e)) {
		st = unreachable(&e) ? STORE_OUTAGE : STORE_FAILED;
		snprintf(err, errlen, "store %s: createIndexes %s: %s", s->where, name,
		    e.message);
	}
	bson_destroy(&reply);
	bson_destroy(cmd);
	return st;
}

enum store_status
store_ensure_indexes(struct store *s, char *err, size_t errlen)
{
	bson_t *by_time, *by_type;
	enum store_status st;

	/* Newest first, _id breaking ties: the query side's paging order.
	 * By type, newest first: its filter by type. */
	by_time = BCON_NEW("createdAt", BCON_INT32(-1), "_id", BCON_INT32(-1));
	by_type = BCON_NEW("type", BCON_INT32(1), "createdAt", BCON_INT32(-1));
	/*
	 * One command per index: FerretDB 1.24 drops the connection (a
	 * panic in validateIndexesForCreation, which deletes from its list
	 * at the wrong position) when a createIndexes that names two or
	 * more indexes finds them all there already.
	 */
	st = create_index(s, by_time, "createdAt_-1__id_-1", err, errlen);
	if (st == STORE_OK)
		st = create_index(s, by_type, "type_1_createdAt_-1", err, errlen);
	bson_destroy(by_time);
	bson_destroy(by_type);
	return st;
}
