#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "buf.h"
#include "conf.h"
#include "conf_impl.h"
#include "http.h"
#include "bounds.h"
#include "log.h"
#include "privacy.h"
#include "proxies.h"
#include "redisaddr.h"



static int
check_name(const char *v, char *why, size_t whylen)
{
	/* Redis keys, group and consumer names: keep them to a safe
	 * alphabet so they are obvious in logs and lock file names. */
	snprintf(why, whylen, "letters, digits and _ . : - only");
	if (*v == '\0')
		return -1;
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && strchr("_.:-", *v) == NULL)
			return -1;
	return 0;
}

/* Sentinel master names: a list of names (redisaddr.h). */
static int
check_names(const char *v, char *why, size_t whylen)
{
	const char *w;
	size_t len, i, n = 0;

	snprintf(why, whylen, "one or more names of letters, digits and _ . - only");
	while ((w = redisaddr_word(&v, &len)) != NULL) {
		if (++n > REDISADDR_MAX || len > REDISADDR_NAME_LEN)
			return -1;
		for (i = 0; i < len; i++)
			if (!isalnum((unsigned char)w[i]) && strchr("_.-", w[i]) == NULL)
				return -1;
	}
	return n > 0 ? 0 : -1;
}

/* A list of addresses, "" for none. */
static int
check_addrs(const char *v, int port, char *why, size_t whylen)
{
	struct redisaddr *a;
	int n;

	if ((a = calloc(REDISADDR_MAX, sizeof(*a))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	n = redisaddr_list(v, port, a, REDISADDR_MAX, why, whylen);
	free(a);
	return n < 0 ? -1 : 0;
}

static int
check_sentinels(const char *v, char *why, size_t whylen)
{
	return check_addrs(v, REDISADDR_SENTINEL_PORT, why, whylen);
}

static int
check_servers(const char *v, char *why, size_t whylen)
{
	return check_addrs(v, REDISADDR_PORT, why, whylen);
}

/* How many words a list has (redisaddr.h). */
static size_t
words(const char *v)
{
	size_t n = 0, len;

	while (redisaddr_word(&v, &len) != NULL)
		n++;
	return n;
}

/* Keys that only make sense together.  0, or -1 with err set. */
static int
check_together(const struct conf *c, const char *file, char *err, size_t errlen)
{
	size_t masters;

	if (c->redis_cluster && c->redis_sentinels[0]) {
		snprintf(err, errlen, "%s: redis_cluster: a Redis Cluster fails over by itself; "
		    "leave redis_sentinels empty", file);
		return -1;
	}
	if (c->redis_cluster && c->redis_db != 0) {
		snprintf(err, errlen, "%s: redis_db: a Redis Cluster has database 0 only", file);
		return -1;
	}
	if (c->redis_servers[0] && c->redis_sentinels[0]) {
		snprintf(err, errlen, "%s: redis_servers: with redis_sentinels, name the "
		    "masters in redis_master_name instead", file);
		return -1;
	}
	masters = c->redis_cluster ? 0 : c->redis_sentinels[0] ? words(c->redis_master_name) :
	    words(c->redis_servers);
	if (masters > (size_t)c->shards) {
		snprintf(err, errlen, "%s: shards: %ld shards for %zu masters; each master "
		    "needs a shard at least", file, c->shards, masters);
		return -1;
	}
	return 0;
}

static int
check_level(const char *v, char *why, size_t whylen)
{
	enum log_level l;

	snprintf(why, whylen, "one of error, warn, info, debug");
	return log_level_parse(v, &l);
}

int
conf_write_concern(const char *v, long *w)
{
	char *end;

	*w = 0;
	if (strcmp(v, "majority") == 0)
		return 0;
	errno = 0;
	*w = strtol(v, &end, 10);
	return (errno || *end || end == v || *w < 1 || *w > CONF_WC_MAX) ? -1 : 0;
}

static int
check_wc(const char *v, char *why, size_t whylen)
{
	long w;

	snprintf(why, whylen, "majority, or a number of nodes from 1 to %d", CONF_WC_MAX);
	return conf_write_concern(v, &w);
}

static int
check_nonempty(const char *v, char *why, size_t whylen)
{
	snprintf(why, whylen, "must not be empty");
	return *v ? 0 : -1;
}

static int
check_write_keys(const char *v, char *why, size_t whylen)
{
	static struct access a;		/* large: not on the stack */

	return access_parse(&a, v, why, whylen);
}

static int
check_ip_mode(const char *v, char *why, size_t whylen)
{
	enum ip_mode m;

	snprintf(why, whylen, "one of truncate, hash, drop");
	return privacy_ip_mode(v, &m);
}

static int
check_proxies(const char *v, char *why, size_t whylen)
{
	static struct proxies p;	/* large: not on the stack */

	return proxies_parse(&p, v, why, whylen);
}

static int
check_forwarded_header(const char *v, char *why, size_t whylen)
{
	enum proxies_header h;

	snprintf(why, whylen, "x-forwarded-for or forwarded");
	return proxies_header_parse(v, &h);
}

static int
check_secret(const char *v, char *why, size_t whylen)
{
	snprintf(why, whylen, "a secret of at least %d characters", PRIVACY_SECRET_MIN);
	return (*v == '\0' || strlen(v) >= PRIVACY_SECRET_MIN) ? 0 : -1;
}

/* A MongoDB connection string's scheme (the Connection String spec):
 * libmongoc reads the rest when the store is first used. */
static int
check_mongo_uri(const char *v, char *why, size_t whylen)
{
	snprintf(why, whylen, "a MongoDB connection string, mongodb://HOST[:PORT][/?OPTIONS] "
	    "or mongodb+srv://HOST, unquoted");
	return strncmp(v, "mongodb://", 10) == 0 || strncmp(v, "mongodb+srv://", 14) == 0 ?
	    0 : -1;
}

/*
 * The defaults are here and nowhere else (events.conf.example and
 * events.conf(5) quote them; tests/defaults.sh holds them to this table):
 * a number as a number, a bound from bounds.h where the key is its
 * ceiling.  A number outside its key's range does not compile (the
 * array of negative size in L); a string its check refuses, or any
 * default set_key() refuses, stops every program at start-up
 * (conf_load) rather than leaving the key unset.
 */
#define S(k, d, chk)	{ #k, CT_STR, offsetof(struct conf, k), 0, 0, d, 0, chk }
#define L(k, lo, hi, d)	{ #k, CT_LONG, offsetof(struct conf, k), lo, hi, NULL,	\
			  (d) + 0 * (long)sizeof(char[(d) >= (lo) && (d) <= (hi) ? 1 : -1]), \
			  NULL }

static const struct conf_key keys[] = {
	S(redis_host, "127.0.0.1", check_nonempty),
	L(redis_port, 1, 65535, REDISADDR_PORT),
	S(redis_socket, "", NULL),
	S(redis_user, "", NULL),
	S(redis_password, "", NULL),
	L(redis_db, 0, 1000000, 0),
	L(redis_timeout_ms, 10, 60000, 500),
	S(redis_sentinels, "", check_sentinels),
	S(redis_master_name, "events", check_names),
	S(redis_sentinel_user, "", NULL),
	S(redis_sentinel_password, "", NULL),
	L(shards, 1, 1024, 1),
	S(redis_servers, "", check_servers),
	L(redis_cluster, 0, 1, 0),
	L(redis_min_replicas, 0, 100, 0),
	L(redis_replica_timeout_ms, 10, 60000, 1000),
	S(stream, "events", check_name),
	S(group, "store", check_name),
	S(dead_stream, "events:dead", check_name),
	S(mongo_uri, "mongodb://127.0.0.1:27017/", check_mongo_uri),
	S(mongo_db, "events", check_name),
	S(mongo_collection, "events", check_name),
	L(max_body_bytes, 1024, LIMIT_BODY_BYTES, LIMIT_BODY_BYTES),
	L(max_events, 1, LIMIT_EVENTS, LIMIT_EVENTS),
	L(fcgi_threads, 1, HTTP_MAX_THREADS, 16),
	L(fcgi_sched_batch, 0, 1, 1),
	S(consumer_name, "consumer", check_name),
	L(batch_size, 1, 10000, 500),
	L(claim_idle_ms, 1000, 86400000, 60000),
	L(max_attempts, 1, 1000, 5),
	S(write_concern, "1", check_wc),
	L(backoff_max_ms, 100, 600000, 10000),
	S(lock_dir, "/tmp", check_nonempty),
	/* expireAfterSeconds is a 32-bit number of seconds: 24855 days at
	 * most; 10000 (27 years) is plenty. */
	L(retention_days, 0, 10000, 0),
	/* A week of hours is 168 hour and 10,080 minute documents. */
	L(counts_fill_days, 0, 10000, 7),
	S(log_level, "info", check_level),
	S(write_keys, "", check_write_keys),
	S(read_token, "", check_secret),
	L(rate_limit_ip, 0, 1000000000, 0),
	L(rate_limit_key, 0, 1000000000, 0),
	L(rate_window_s, 1, 86400, 60),
	L(max_backlog, 0, 1000000000, 0),
	S(spool_path, "", NULL),
	L(spool_max_bytes, 4096, 1099511627776L, 67108864),
	S(ip_mode, "truncate", check_ip_mode),
	S(ip_hash_secret, "", check_secret),
	L(honour_dnt, 0, 1, 0),
	L(drop_bots, 0, 1, 1),
	S(trusted_proxies, "", check_proxies),
	S(forwarded_header, "x-forwarded-for", check_forwarded_header),
	L(health_max_lag_s, 1, 86400, 300),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const struct conf_key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* Edits (insert, delete, change a character) from a[0..an) to
 * b[0..bn), both under 64 bytes; more than 2 is told as 3. */
static int
edits(const char *a, size_t an, const char *b, size_t bn)
{
	int row[64], prev, cur, best;
	size_t i, j;

	if (an >= 64 || bn >= 64 || (an > bn ? an - bn : bn - an) > 2)
		return 3;
	for (j = 0; j <= bn; j++)
		row[j] = (int)j;
	for (i = 1; i <= an; i++) {
		prev = row[0];
		row[0] = (int)i;
		best = row[0];
		for (j = 1; j <= bn; j++) {
			cur = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (cur + 1 < row[j])
				row[j] = cur + 1;
			if (row[j] < best)
				best = row[j];
			prev = cur;
		}
		if (best > 2)
			return 3;
	}
	return row[bn] > 2 ? 3 : row[bn];
}

/* The key nearest name[0..len), at most 2 edits away, or NULL; a key
 * itself is 0 edits away. */
static const char *
near_key(const char *name, size_t len)
{
	const char *best = NULL;
	size_t i;
	int d, most = 3;

	for (i = 0; i < NKEYS; i++)
		if ((d = edits(name, len, keys[i].name, strlen(keys[i].name))) < most) {
			most = d;
			best = keys[i].name;
		}
	return best;
}

static int
set_key(struct conf *c, const struct conf_key *k, const char *value,
    const char *where, char *err, size_t errlen)
{
	char *p = (char *)c + k->off;
	char *end, why[200];
	long n;

	if (k->type == CT_STR) {
		if (strlen(value) >= CONF_STR_LEN) {
			snprintf(err, errlen, "%s: %s: value too long (%zu bytes, at most %d)",
			    where, k->name, strlen(value), CONF_STR_LEN - 1);
			return -1;
		}
		why[0] = '\0';
		if (k->check != NULL && k->check(value, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s: %s: bad value \"%.64s\" (%s)",
			    where, k->name,
			    /* a URI may hold a password */
			    k->check == check_secret || k->check == check_mongo_uri ? "(hidden)" : value,
			    why);
			return -1;
		}
		memcpy(p, value, strlen(value) + 1);
		return 0;
	}
	errno = 0;
	n = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || n < k->min || n > k->max) {
		snprintf(err, errlen, "%s: %s: bad value \"%.64s\" (a whole number from %ld to %ld)",
		    where, k->name, value, k->min, k->max);
		return -1;
	}
	*(long *)(void *)p = n;
	return 0;
}

int
conf_set(struct conf *c, const char *key, const char *value,
    const char *where, char *err, size_t errlen)
{
	const struct conf_key *k;

	if ((k = find_key(key)) == NULL) {
		const char *near = near_key(key, strlen(key));

		snprintf(err, errlen, "%s: unknown key \"%.64s\"%s%s%s", where, key,
		    near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
		return -1;
	}
	return set_key(c, k, value, where, err, errlen);
}

int
conf_apply_defaults(struct conf *c, const struct conf_key *k, size_t n,
    char *err, size_t errlen)
{
	char num[24];
	const char *v;
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < n; i++) {
		v = k[i].def;
		if (k[i].type == CT_LONG) {
			snprintf(num, sizeof(num), "%ld", k[i].def_n);
			v = num;
		}
		if (v == NULL || set_key(c, &k[i], v, "built-in default", err, errlen) != 0) {
			if (v == NULL)
				snprintf(err, errlen, "built-in default: %s: none", k[i].name);
			return -1;
		}
	}
	return 0;
}

int
conf_defaults(struct conf *c)
{
	char err[ERRBUF_LEN];

	if (conf_apply_defaults(c, keys, NKEYS, err, sizeof(err)) == 0)
		return 0;
	log_error("configuration: %s", err);
	return -1;
}

const char *
conf_key_name(size_t i)
{
	return i < NKEYS ? keys[i].name : NULL;
}

int
conf_get(const struct conf *c, const char *key, char *buf, size_t len)
{
	const struct conf_key *k;
	const char *p;

	if ((k = find_key(key)) == NULL)
		return -1;
	p = (const char *)c + k->off;
	if (k->type == CT_STR)
		snprintf(buf, len, "%s", p);
	else
		snprintf(buf, len, "%ld", *(const long *)(const void *)p);
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
conf_parse_text(struct conf *c, const char *text, const char *file,
    char *err, size_t errlen)
{
	char where[512];
	char *copy, *line, *next, *eq, *key, *val;
	const struct conf_key *k;
	int seen[NKEYS] = { 0 };	/* the line each key was set on */
	int lineno = 0, rc = -1;

	/* A UTF-8 byte order mark, as some editors write one, is no part
	 * of the first key. */
	if (strncmp(text, "\xef\xbb\xbf", 3) == 0)
		text += 3;
	if ((copy = strdup(text)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	for (line = copy; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%d", file, lineno);
		if ((eq = strchr(line, '=')) == NULL) {
			snprintf(err, errlen, "%s: expected \"key = value\", got \"%.64s\"",
			    where, line);
			goto out;
		}
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		/* A key set twice is a mistake either way round: say so
		 * rather than keep one silently. */
		if ((k = find_key(key)) != NULL && seen[k - keys] != 0) {
			snprintf(err, errlen, "%s: %s is set twice (first on line %d): keep one",
			    where, k->name, seen[k - keys]);
			goto out;
		}
		if (conf_set(c, key, val, where, err, errlen) != 0)
			goto out;
		seen[k - keys] = lineno;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

static int
load_file(struct conf *c, const char *path, char *err, size_t errlen)
{
	FILE *f;
	struct buf b = BUF_INIT;
	size_t n;
	int rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Read in steps of at least 4 KiB, with room for the NUL. */
	do {
		if (b.len > CONF_FILE_MAX) {
			snprintf(err, errlen, "%s: file too large (at most %d bytes)", path,
			    CONF_FILE_MAX);
			goto out;
		}
		if (buf_reserve(&b, 4096 + 1) != 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto out;
		}
		n = fread(b.p + b.len, 1, b.cap - b.len - 1, f);
		b.len += n;
	} while (n > 0);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	b.p[b.len] = '\0';
	if (memchr(b.p, '\0', b.len) != NULL) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		goto out;
	}
	rc = conf_parse_text(c, b.p, path, err, errlen);
out:
	buf_free(&b);
	fclose(f);
	return rc;
}

/* The variable of keys[i]: "EVENTS_" and the key in upper case. */
static void
key_var(size_t i, char *var, size_t len)
{
	size_t j;

	snprintf(var, len, "EVENTS_");
	for (j = 0; keys[i].name[j] && j + 8 < len; j++)
		var[7 + j] = (char)toupper((unsigned char)keys[i].name[j]);
	var[7 + j] = '\0';
}

int
conf_env_suggest(const char *name, size_t len, char *out, size_t outlen)
{
	char var[128];
	size_t i;
	int d, best = 3;

	/* EVENTS_CONF, which names the file, is one of them too. */
	for (i = 0; i <= NKEYS; i++) {
		if (i == NKEYS)
			snprintf(var, sizeof(var), "EVENTS_CONF");
		else
			key_var(i, var, sizeof(var));
		if (strlen(var) == len && strncmp(var, name, len) == 0)
			return 0;	/* a setting */
		if ((d = edits(name, len, var, strlen(var))) < best) {
			best = d;
			snprintf(out, outlen, "%s", var);
		}
	}
	return best <= 2;
}

/* A variable named like a setting, but for a slip, is ignored: say so. */
static void
warn_env_slips(void)
{
	extern char **environ;
	char **e, near[128];
	size_t n;

	for (e = environ; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, "EVENTS_", 7) != 0)
			continue;
		n = strcspn(*e, "=");
		if (conf_env_suggest(*e, n, near, sizeof(near)))
			log_warn("environment %.*s is ignored, no setting has that name: did you mean %s?",
			    (int)(n < 64 ? n : 64), *e, near);
	}
}

int
conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
	char where[160], var[128], why[ERRBUF_LEN];
	size_t i;
	const char *v;

	if (conf_apply_defaults(c, keys, NKEYS, err, errlen) != 0)
		return -1;
	/* First, so that it is said even when the file is refused. */
	warn_env_slips();
	if (path == NULL || *path == '\0')
		path = getenv("EVENTS_CONF");
	if (path != NULL && *path != '\0' && load_file(c, path, err, errlen) != 0)
		return -1;
	for (i = 0; i < NKEYS; i++) {
		key_var(i, var, sizeof(var));
		if ((v = getenv(var)) == NULL)
			continue;
		snprintf(where, sizeof(where), "environment %s", var);
		if (set_key(c, &keys[i], v, where, err, errlen) != 0)
			return -1;
	}
	if (check_together(c, path != NULL && *path ? path : "configuration", err,
	    errlen) != 0)
		return -1;
	if (strcmp(c->ip_mode, "hash") == 0 && c->ip_hash_secret[0] == '\0') {
		snprintf(err, errlen, "%s: ip_mode: \"hash\" needs ip_hash_secret",
		    path != NULL && *path ? path : "configuration");
		return -1;
	}
	/* The per-address counters live in Redis, named by a keyed hash of
	 * the address: under a key anyone could know, whoever reads Redis
	 * would recover every address by trying them all. */
	if (c->rate_limit_ip > 0 && c->ip_hash_secret[0] == '\0') {
		snprintf(err, errlen, "%s: rate_limit_ip needs ip_hash_secret (at least %d "
		    "characters): the per-address counters in Redis are named by a hash "
		    "of the address keyed by it",
		    path != NULL && *path ? path : "configuration", PRIVACY_SECRET_MIN);
		return -1;
	}
	/* Both hash addresses (OpenSSL's SipHash): a missing MAC stops the
	 * program here rather than drop every address later. */
	if ((strcmp(c->ip_mode, "hash") == 0 || c->rate_limit_ip > 0) &&
	    privacy_hash_ready(why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s: %s needs a keyed hash: %s",
		    path != NULL && *path ? path : "configuration",
		    c->rate_limit_ip > 0 ? "rate_limit_ip" : "ip_mode = hash", why);
		return -1;
	}
	return 0;
}
