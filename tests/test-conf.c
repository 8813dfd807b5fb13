/* Configuration: defaults, the file format, EVENTS_<KEY> overrides, and
 * every kind of bad input stopping with a message naming key, value and
 * source. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bounds.h"
#include "check.h"
#include "check-openssl.h"
#include "conf.h"
#include "conf_impl.h"

struct bad {
	const char *text;
	const char *msg;	/* substrings the message must hold */
	const char *msg2;
};

static const struct bad bads[] = {
	{ "nosuchkey = 1\n", "t.conf:1", "unknown key \"nosuchkey\"" },
	{ "# c\n\nredis_port = 0\n", "t.conf:3", "redis_port: bad value \"0\"" },
	{ "redis_port = 65536\n", "redis_port", "\"65536\"" },
	{ "redis_port = 12x\n", "redis_port", "\"12x\"" },
	{ "redis_port =\n", "redis_port", "bad value \"\"" },
	{ "redis_port = 99999999999999999999999\n", "redis_port", "whole number" },
	{ "redis_port 6379\n", "t.conf:1", "key = value" },
	{ "stream = a b\n", "stream", "\"a b\"" },
	{ "stream = \n", "stream", "bad value" },
	{ "max_events = 501\n", "max_events", "1 to 500" },
	{ "max_body_bytes = 1048577\n", "max_body_bytes", "\"1048577\"" },
	{ "batch_size = 0\n", "batch_size", "\"0\"" },
	{ "write_concern = most\n", "write_concern", "\"most\"" },
	{ "write_concern = 0\n", "write_concern", "from 1 to 50" },
	{ "log_level = loud\n", "log_level", "\"loud\"" },
	{ "mongo_uri =\n", "mongo_uri", "bad value" },
	{ "mongo_uri = not-a-uri\n", "t.conf:1: mongo_uri: bad value \"(hidden)\"", "mongodb://" },
	{ "mongo_uri = \"mongodb://u:secret@h/\"\n", "t.conf:1: mongo_uri", "unquoted" },
	{ "mongo_uri = http://u:secret@h/\n", "mongo_uri: bad value \"(hidden)\"", "mongodb+srv://" },
	{ "redis_sentinels = a:1 b:0\n", "redis_sentinels", "\"b:0\"" },
	{ "redis_sentinels = ::1:26379\n", "redis_sentinels", "brackets" },
	{ "redis_master_name =\n", "redis_master_name", "one or more names" },
	{ "redis_master_name = a b/c\n", "redis_master_name", "letters" },
	{ "redis_min_replicas = -1\n", "redis_min_replicas", "0 to 100" },
	{ "redis_replica_timeout_ms = 5\n", "redis_replica_timeout_ms", "10 to 60000" },
	{ "trusted_proxies = 10.0.0.0/8 proxy.example\n", "trusted_proxies",
	    "\"proxy.example\" is not an IPv4 or IPv6 address" },
	{ "trusted_proxies = 10.1.0.0/8\n", "trusted_proxies", "bits set past its /8 prefix" },
	{ "trusted_proxies = ::/200\n", "trusted_proxies", "0 to 128" },
	{ "forwarded_header = x-real-ip\n", "forwarded_header", "x-forwarded-for or forwarded" },
	{ "ip_hash_secret = short\n", "ip_hash_secret", "(hidden)" },
	/* an unknown key names the one nearest it, if one is */
	{ "batchsize = 100\n", "t.conf:1: unknown key \"batchsize\"", "(did you mean batch_size?)" },
	{ "redis_prot = 1\n", "unknown key \"redis_prot\"", "(did you mean redis_port?)" },
	/* one key twice, whichever values: keep one */
	{ "max_events = 10\n# more\nmax_events = 20\n", "t.conf:3: max_events is set twice",
	    "first on line 1" },
	{ "stream = a\nbatch_size = 5\n  stream=a\n", "t.conf:3: stream is set twice", "line 1" },
	/* a byte order mark only at the very start */
	{ "batch_size = 5\n\xef\xbb\xbfstream = a\n", "t.conf:2", "unknown key" },
};

/* What conf_load refuses for keys that go together, from the file or the
 * environment: each message names what is missing. */
static void
test_combinations(void)
{
	static const struct {
		const char *mode, *secret, *rate;
		const char *why;	/* NULL: accepted */
	} cases[] = {
		{ "truncate", "", "0", NULL },
		{ "drop", "", "0", NULL },
		{ "hash", "", "0", "\"hash\" needs ip_hash_secret" },
		{ "hash", "0123456789abcdef", "0", NULL },
		{ "truncate", "", "10", "rate_limit_ip needs ip_hash_secret" },
		{ "drop", "", "10", "rate_limit_ip needs ip_hash_secret" },
		{ "hash", "", "10", "needs ip_hash_secret" },
		{ "truncate", "0123456789abcdef", "10", NULL },
		{ "drop", "0123456789abcdef", "10", NULL },
		{ "hash", "0123456789abcdef", "10", NULL },
	};
	struct conf c;
	char err[512];
	size_t i;
	int r;

	unsetenv("EVENTS_CONF");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setenv("EVENTS_IP_MODE", cases[i].mode, 1);
		setenv("EVENTS_IP_HASH_SECRET", cases[i].secret, 1);
		setenv("EVENTS_RATE_LIMIT_IP", cases[i].rate, 1);
		err[0] = '\0';
		r = conf_load(&c, NULL, err, sizeof(err));
		if (cases[i].why == NULL)
			CHECK(r == 0, "%s, secret \"%s\", rate %s: %s", cases[i].mode,
			    cases[i].secret, cases[i].rate, err);
		else
			CHECK(r == -1 && strstr(err, cases[i].why) != NULL,
			    "%s, secret \"%s\", rate %s: %d \"%s\"", cases[i].mode,
			    cases[i].secret, cases[i].rate, r, err);
	}
	unsetenv("EVENTS_IP_MODE");
	unsetenv("EVENTS_IP_HASH_SECRET");
	unsetenv("EVENTS_RATE_LIMIT_IP");
}

static void
test_defaults(void)
{
	struct conf c;

	/* Every default applies to its own key (a refused one would stop
	 * every program at start-up). */
	CHECK(conf_defaults(&c) == 0, "a default does not apply");
	CHECK(strcmp(c.redis_host, "127.0.0.1") == 0, "redis_host default");
	CHECK(c.redis_port == 6379, "redis_port default");
	CHECK(strcmp(c.stream, "events") == 0, "stream default");
	/* The ceilings of bounds.h are the defaults of the keys they bound. */
	CHECK(c.max_events == LIMIT_EVENTS && c.max_events == 500, "max_events default");
	CHECK(c.max_body_bytes == LIMIT_BODY_BYTES && c.max_body_bytes == 1048576,
	    "max_body_bytes default");
	CHECK(strcmp(c.mongo_uri, "mongodb://127.0.0.1:27017/") == 0, "mongo_uri default");
	CHECK(strcmp(c.write_concern, "1") == 0, "write_concern default");
}

/* A default that does not apply to its key: the load stops with the key,
 * the value and "built-in default" in the message, whatever the kind. */
static int
refuse_x(const char *v, char *why, size_t whylen)
{
	snprintf(why, whylen, "anything but x");
	return strcmp(v, "x") == 0 ? -1 : 0;
}

static void
test_bad_defaults(void)
{
	static char longstr[CONF_STR_LEN + 1];
	struct conf_key k[] = {
		{ "redis_host", CT_STR, offsetof(struct conf, redis_host), 0, 0, "h", 0, refuse_x },
		{ "redis_port", CT_LONG, offsetof(struct conf, redis_port), 1, 65535, NULL, 6379, NULL },
	};
	struct conf c;
	char err[ERRBUF_LEN], name[CONF_STR_LEN];
	size_t i;

	CHECK(conf_apply_defaults(&c, k, 2, err, sizeof(err)) == 0 &&
	    strcmp(c.redis_host, "h") == 0 && c.redis_port == 6379,
	    "good defaults: %s", err);

	k[0].def = "x";		/* its check refuses it */
	CHECK(conf_apply_defaults(&c, k, 2, err, sizeof(err)) == -1 &&
	    strstr(err, "built-in default: redis_host: bad value \"x\" (anything but x)"),
	    "string default refused by its check: \"%s\"", err);

	memset(longstr, 'a', CONF_STR_LEN);
	k[0].def = longstr;	/* longer than a value may be */
	CHECK(conf_apply_defaults(&c, k, 2, err, sizeof(err)) == -1 &&
	    strstr(err, "built-in default: redis_host: value too long"),
	    "string default too long: \"%s\"", err);

	k[0].def = "h";
	k[1].def_n = 0;		/* outside 1-65535 */
	CHECK(conf_apply_defaults(&c, k, 2, err, sizeof(err)) == -1 &&
	    strstr(err, "built-in default: redis_port: bad value \"0\" (a whole number from 1 to 65535)"),
	    "number default out of range: \"%s\"", err);

	/* The table's names are the keys conf_set and conf_get know, each
	 * once; conf_get gives back what conf_set took. */
	CHECK(conf_defaults(&c) == 0, "defaults");
	for (i = 0; conf_key_name(i) != NULL; i++) {
		CHECK(conf_get(&c, conf_key_name(i), name, sizeof(name)) == 0,
		    "conf_get %s", conf_key_name(i));
		CHECK(conf_set(&c, conf_key_name(i), name, "t", err, sizeof(err)) == 0,
		    "%s: its own default, set again: %s", conf_key_name(i), err);
	}
	CHECK(i >= 40, "only %zu keys", i);
	CHECK(conf_get(&c, "nosuchkey", name, sizeof(name)) == -1, "unknown key");
	CHECK(conf_set(&c, "redis_port", "6380", "t", err, sizeof(err)) == 0 &&
	    conf_get(&c, "redis_port", name, sizeof(name)) == 0 &&
	    strcmp(name, "6380") == 0, "conf_get redis_port: %s", name);
}

static void
test_text(void)
{
	struct conf c;
	char err[256];
	size_t i;

	conf_defaults(&c);
	CHECK(conf_parse_text(&c,
	    "# comment\n  redis_host = redis.example  \n\nredis_port=6380\r\n"
	    "redis_password = p=ss word\nstream = site:events\nwrite_concern = majority\n"
	    "log_level = DEBUG\n", "t.conf", err, sizeof(err)) == 0, "good text: %s", err);
	CHECK(strcmp(c.redis_host, "redis.example") == 0, "host trimmed: [%s]", c.redis_host);
	CHECK(c.redis_port == 6380, "port with CRLF");
	CHECK(strcmp(c.redis_password, "p=ss word") == 0, "value keeps '=' and spaces: [%s]", c.redis_password);
	CHECK(strcmp(c.stream, "site:events") == 0, "stream");
	CHECK(strcmp(c.write_concern, "majority") == 0, "write_concern majority");
	/* A UTF-8 byte order mark before the first key, as some editors
	 * write one. */
	conf_defaults(&c);
	CHECK(conf_parse_text(&c, "\xef\xbb\xbf" "batch_size = 7\n", "t.conf", err, sizeof(err)) == 0 &&
	    c.batch_size == 7, "a byte order mark first: %s", err);

	conf_defaults(&c);
	CHECK(c.redis_sentinels[0] == '\0' && strcmp(c.redis_master_name, "events") == 0 &&
	    c.redis_min_replicas == 0 && c.redis_replica_timeout_ms == 1000,
	    "Sentinel and replica defaults");
	CHECK(conf_parse_text(&c, "redis_sentinels = 10.0.0.5, 10.0.0.6:26380 [::1]:26381\n"
	    "redis_master_name = events-a events_b\nredis_min_replicas = 1\n",
	    "t.conf", err, sizeof(err)) == 0, "Sentinel keys: %s", err);

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		conf_defaults(&c);
		err[0] = '\0';
		CHECK(conf_parse_text(&c, bads[i].text, "t.conf", err, sizeof(err)) == -1,
		    "case %zu accepted: %s", i, bads[i].text);
		CHECK(strstr(err, bads[i].msg) && strstr(err, bads[i].msg2),
		    "case %zu: message \"%s\" lacks \"%s\" or \"%s\"", i, err, bads[i].msg, bads[i].msg2);
	}
}

/* A variable named like a setting but for a slip is told the setting. */
static void
test_env_slips(void)
{
	static const struct {
		const char *name, *near;	/* near NULL: nothing to say */
	} cases[] = {
		{ "EVENTS_MAX_EVENT", "EVENTS_MAX_EVENTS" },
		{ "EVENTS_MAX_EVENTSS", "EVENTS_MAX_EVENTS" },
		{ "EVENTS_REDIS_PROT", "EVENTS_REDIS_PORT" },
		{ "EVENTS_REDIS_HOTS", "EVENTS_REDIS_HOST" },
		{ "EVENTS_BATCHSIZE", "EVENTS_BATCH_SIZE" },
		{ "EVENTS_MONGO_UIR", "EVENTS_MONGO_URI" },
		{ "EVENTS_CONFIG", "EVENTS_CONF" },
		{ "EVENTS_CNF", "EVENTS_CONF" },
		{ "EVENTS_MAX_EVENTS", NULL },		/* a setting */
		{ "EVENTS_REDIS_PORT", NULL },
		{ "EVENTS_CONF", NULL },
		{ "EVENTS_HTTP_PORT", NULL },		/* the scripts' own */
		{ "EVENTS_FCGI_PROCS", NULL },
		{ "EVENTS_REQUIRE_SERVICES", NULL },
		{ "EVENTS_X", NULL },
	};
	char near[128];
	size_t i;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		near[0] = '\0';
		r = conf_env_suggest(cases[i].name, strlen(cases[i].name), near, sizeof(near));
		if (cases[i].near == NULL)
			CHECK(r == 0, "%s: told %s", cases[i].name, near);
		else
			CHECK(r == 1 && strcmp(near, cases[i].near) == 0, "%s: told \"%s\", not %s",
			    cases[i].name, r ? near : "", cases[i].near);
	}
	/* The length counts, not a NUL: "EVENTS_MAX_EVENT=10" as environ has it. */
	CHECK(conf_env_suggest("EVENTS_MAX_EVENT=10", 16, near, sizeof(near)) == 1 &&
	    strcmp(near, "EVENTS_MAX_EVENTS") == 0, "from environ's form: %s", near);
}

static void
test_file_and_env(void)
{
	struct conf c;
	char path[] = "/tmp/test-conf-XXXXXX", err[256];
	FILE *f;
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp");
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	fputs("redis_port = 7000\nstream = from_file\n", f);
	fclose(f);

	unsetenv("EVENTS_CONF");
	unsetenv("EVENTS_REDIS_PORT");
	CHECK(conf_load(&c, path, err, sizeof(err)) == 0, "load: %s", err);
	CHECK(c.redis_port == 7000 && strcmp(c.stream, "from_file") == 0, "file values");

	/* EVENTS_CONF names the file when --config does not. */
	setenv("EVENTS_CONF", path, 1);
	CHECK(conf_load(&c, NULL, err, sizeof(err)) == 0 && c.redis_port == 7000, "EVENTS_CONF");

	/* The environment wins over the file. */
	setenv("EVENTS_REDIS_PORT", "7001", 1);
	setenv("EVENTS_MONGO_URI", "mongodb://u:p@h:1/?authSource=admin", 1);
	CHECK(conf_load(&c, path, err, sizeof(err)) == 0, "load with env: %s", err);
	CHECK(c.redis_port == 7001, "env overrides file");
	CHECK(strcmp(c.mongo_uri, "mongodb://u:p@h:1/?authSource=admin") == 0, "env string");
	CHECK(strcmp(c.stream, "from_file") == 0, "file value kept");

	/* A bad environment value names the variable. */
	setenv("EVENTS_REDIS_PORT", "-1", 1);
	CHECK(conf_load(&c, path, err, sizeof(err)) == -1 &&
	    strstr(err, "environment EVENTS_REDIS_PORT") && strstr(err, "\"-1\""),
	    "bad env: %s", err);
	unsetenv("EVENTS_REDIS_PORT");
	unsetenv("EVENTS_MONGO_URI");

	/* A missing file is an error naming it. */
	unlink(path);
	CHECK(conf_load(&c, path, err, sizeof(err)) == -1 && strstr(err, path) &&
	    strstr(err, "No such file"), "missing file: %s", err);
	unsetenv("EVENTS_CONF");
	CHECK(conf_load(&c, NULL, err, sizeof(err)) == 0, "no file at all: defaults");
}

/* A file of CONF_FILE_MAX bytes loads; one byte more is refused. */
static void
test_file_size(void)
{
	struct conf c;
	char path[] = "/tmp/test-conf-XXXXXX", err[256], line[64];
	FILE *f;
	size_t i;
	int fd;

	memset(line, 'x', sizeof(line));
	line[0] = '#';
	line[sizeof(line) - 1] = '\n';
	fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp");
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	for (i = 0; i < CONF_FILE_MAX / sizeof(line); i++)
		fwrite(line, 1, sizeof(line), f);
	fclose(f);
	unsetenv("EVENTS_CONF");
	CHECK(conf_load(&c, path, err, sizeof(err)) == 0, "%d bytes: %s", CONF_FILE_MAX, err);
	f = fopen(path, "a");
	fputc('\n', f);
	fclose(f);
	CHECK(conf_load(&c, path, err, sizeof(err)) == -1 && strstr(err, "too large"),
	    "%d bytes: %s", CONF_FILE_MAX + 1, err);
	unlink(path);
}

/*
 * Where an address is hashed (ip_mode = hash, rate_limit_ip), an OpenSSL
 * without SIPHASH stops the load, naming the key; elsewhere it is not
 * needed.  In a child with the base provider alone
 * (tests/openssl-base-only.cnf), forked before this process starts
 * OpenSSL (it reads its configuration once).
 */
static void
no_siphash(void)
{
	struct conf c;
	char err[ERRBUF_LEN];

	setenv("EVENTS_IP_HASH_SECRET", "0123456789abcdef-secret", 1);
	CHECK(conf_load(&c, NULL, err, sizeof(err)) == 0, "truncate needs no hash: %s", err);
	setenv("EVENTS_IP_MODE", "hash", 1);
	CHECK(conf_load(&c, NULL, err, sizeof(err)) == -1 &&
	    strstr(err, "ip_mode = hash needs a keyed hash") && strstr(err, "SIPHASH"),
	    "ip_mode = hash without SIPHASH: \"%s\"", err);
	setenv("EVENTS_IP_MODE", "drop", 1);
	setenv("EVENTS_RATE_LIMIT_IP", "10", 1);
	CHECK(conf_load(&c, NULL, err, sizeof(err)) == -1 &&
	    strstr(err, "rate_limit_ip needs a keyed hash") && strstr(err, "SIPHASH"),
	    "rate_limit_ip without SIPHASH: \"%s\"", err);
}

static void
test_no_siphash(void)
{
	CHECK(check_without_siphash(no_siphash) == 0,
	    "without SIPHASH (the child's lines above)");
}

int
main(void)
{
	test_no_siphash();	/* first: before OpenSSL starts here */
	test_env_slips();
	test_defaults();
	test_bad_defaults();
	test_text();
	test_file_and_env();
	test_file_size();
	test_combinations();
	return check_exit("test-conf");
}
