/*
 * libmongoc set-up, the connection with its time-outs and reconnect
 * policy (see store.h), and ping.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_impl.h"

/* libmongoc's own messages join ours on stderr: its warnings (FerretDB
 * answers "endSessions" with "no such command" whenever a client is
 * dropped) only at debug level, its errors as warnings. */
static void
log_from_mongoc(mongoc_log_level_t level, const char *domain, const char *msg,
    void *arg)
{
	(void)arg;
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

void
store_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	/* No shared-memory counters: a process killed by SIGKILL (as the
	 * consumer may be) would leave its /dev/shm/mongoc-PID behind, and
	 * a later process given the same PID warns about it. */
	setenv("MONGOC_DISABLE_SHM", "1", 0);
	/* The handler first: mongoc_init() itself may warn, and stderr is
	 * our log. */
	mongoc_log_set_handler(log_from_mongoc, NULL);
	mongoc_init();
}

void
store_cleanup(void)
{
	mongoc_cleanup();
}

/* Set a time-out unless the URI already has one. */
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
	long w;

	if ((wc = mongoc_write_concern_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* conf_load has checked it; w=0 would have the consumer acknowledge
	 * events the store may never have written. */
	if (conf_write_concern(spec, &w) != 0) {
		snprintf(err, errlen,
		    "write_concern: bad value \"%.32s\" (\"majority\" or a number from 1 to %d)",
		    spec, CONF_WC_MAX);
		mongoc_write_concern_destroy(wc);
		return NULL;
	}
	if (w == 0) {
		mongoc_write_concern_set_w(wc, MONGOC_WRITE_CONCERN_W_MAJORITY);
		mongoc_write_concern_set_wtimeout_int64(wc, STORE_WTIMEOUT_MS);
		return wc;
	}
	mongoc_write_concern_set_w(wc, (int32_t)w);
	if (w > 1)
		mongoc_write_concern_set_wtimeout_int64(wc, STORE_WTIMEOUT_MS);
	return wc;
}

static void
make_where(struct store *s, const struct conf *c)
{
	const mongoc_host_list_t *h;
	const char *srv;
	char hosts[512];
	size_t used = 0;
	int n;

	hosts[0] = '\0';
	for (h = mongoc_uri_get_hosts(s->uri); h != NULL; h = h->next) {
		n = snprintf(hosts + used, sizeof(hosts) - used, "%s%s",
		    used ? "," : "", h->host_and_port);
		if (n < 0 || (size_t)n >= sizeof(hosts) - used)
			break;
		used += (size_t)n;
	}
	if (used == 0) {	/* mongodb+srv:// before resolution */
		srv = mongoc_uri_get_srv_hostname(s->uri);
		snprintf(hosts, sizeof(hosts), "%.200s", srv != NULL ? srv : "?");
	}
	snprintf(s->where, sizeof(s->where), "%.500s/%.200s.%.200s", hosts,
	    c->mongo_db, c->mongo_collection);
}

struct store *
store_new(const struct conf *c, const char *appname, enum store_role role,
    char *err, size_t errlen)
{
	struct store *s;
	bson_error_t e;

	store_init();
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((s->uri = mongoc_uri_new_with_error(c->mongo_uri, &e)) == NULL) {
		/* e.message may quote the URI, password and all: do not. */
		snprintf(err, errlen, "mongo_uri: not a usable MongoDB URI");
		goto err;
	}
	uri_default(s->uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, STORE_SELECT_MS);
	uri_default(s->uri, MONGOC_URI_CONNECTTIMEOUTMS, STORE_CONNECT_MS);
	uri_default(s->uri, MONGOC_URI_SOCKETTIMEOUTMS,
	    role == STORE_WRITER ? STORE_WRITE_SOCKET_MS :
	    role == STORE_PROBER ? STORE_PROBE_SOCKET_MS : STORE_READ_SOCKET_MS);
	if (!mongoc_uri_has_option(s->uri, MONGOC_URI_SERVERSELECTIONTRYONCE))
		mongoc_uri_set_option_as_bool(s->uri, MONGOC_URI_SERVERSELECTIONTRYONCE, false);
	if (mongoc_uri_get_appname(s->uri) == NULL && appname != NULL)
		mongoc_uri_set_appname(s->uri, appname);
	if ((s->wc = make_wc(c->write_concern, err, errlen)) == NULL)
		goto err;
	/* The documents are checked before they get here (storedoc.c);
	 * libmongoc's own check would fail the whole batch for one. */
	s->bulk_opts = BCON_NEW("ordered", BCON_BOOL(false));
	s->insert_opts = BCON_NEW("validate", BCON_BOOL(false));
	if (s->bulk_opts == NULL || s->insert_opts == NULL) {
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	snprintf(s->db, sizeof(s->db), "%s", c->mongo_db);
	snprintf(s->coll_name, sizeof(s->coll_name), "%s", c->mongo_collection);
	snprintf(s->counts_name, sizeof(s->counts_name), "%s%s", c->mongo_collection,
	    STORE_COUNTS_SUFFIX);
	make_where(s, c);
	/* The first client now, so that a URI libmongoc cannot use (a TLS
	 * option, say) is a configuration error at start-up. */
	if ((s->client = mongoc_client_new_from_uri_with_error(s->uri, &e)) == NULL) {
		snprintf(err, errlen, "mongo_uri: %s", e.message);
		goto err;
	}
	if (store_coll(s, err, errlen) == NULL)
		goto err;
	return s;
err:
	store_free(s);
	return NULL;
}

mongoc_collection_t *
store_coll(struct store *s, char *err, size_t errlen)
{
	bson_error_t e;

	if (s->coll != NULL)
		return s->coll;
	if (s->client == NULL &&
	    (s->client = mongoc_client_new_from_uri_with_error(s->uri, &e)) == NULL) {
		snprintf(err, errlen, "store %s: no client: %s", s->where, e.message);
		return NULL;
	}
	/* Version 2: server errors come as MONGOC_ERROR_SERVER with the
	 * server's code, network ones as MONGOC_ERROR_STREAM. */
	mongoc_client_set_error_api(s->client, MONGOC_ERROR_API_VERSION_2);
	if ((s->coll = mongoc_client_get_collection(s->client, s->db, s->coll_name)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mongoc_collection_set_write_concern(s->coll, s->wc);
	return s->coll;
}

mongoc_collection_t *
store_counts_coll(struct store *s, char *err, size_t errlen)
{
	if (s->counts != NULL)
		return s->counts;
	if (store_coll(s, err, errlen) == NULL)
		return NULL;
	if ((s->counts = mongoc_client_get_collection(s->client, s->db,
	    s->counts_name)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mongoc_collection_set_write_concern(s->counts, s->wc);
	return s->counts;
}

void
store_drop(struct store *s)
{
	mongoc_collection_destroy(s->counts);
	s->counts = NULL;
	mongoc_collection_destroy(s->coll);
	mongoc_client_destroy(s->client);
	s->coll = NULL;
	s->client = NULL;
	s->server_known = 0;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	store_drop(s);
	bson_destroy(s->bulk_opts);
	bson_destroy(s->insert_opts);
	mongoc_write_concern_destroy(s->wc);
	mongoc_uri_destroy(s->uri);
	free(s);
}

const char *
store_where(const struct store *s)
{
	return s->where;
}

enum store_status
store_ping(struct store *s, char *err, size_t errlen)
{
	mongoc_collection_t *coll;
	bson_t *cmd;
	bson_t reply;
	bson_error_t e;
	enum store_status st = STORE_OK;

	if ((coll = store_coll(s, err, errlen)) == NULL)
		return STORE_REFUSED;
	if ((cmd = BCON_NEW("ping", BCON_INT32(1))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_REFUSED;
	}
	/* e.message never holds the password (libmongoc says only
	 * "Authentication failed."). */
	if (!mongoc_collection_command_simple(coll, cmd, NULL, &reply, &e))
		st = store_fail(s, &e, &reply, "ping", err, errlen);
	bson_destroy(&reply);
	bson_destroy(cmd);
	return st;
}
