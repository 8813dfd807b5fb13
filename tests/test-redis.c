/* The Redis address lists of the configuration (redisaddr.c): words,
 * host:port, IPv6 in brackets, unix sockets, default ports, and every
 * kind of bad address refused with a reason.  Redis Cluster's pure parts
 * (cluster.c): key slots with hash tags, redirections, shard tags. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cluster.h"
#include "redisaddr.h"

static void
test_addr(void)
{
	static const struct {
		const char *in;
		int def;
		const char *host;
		int port;	/* -1: refused */
	} cases[] = {
		{ "10.0.0.5:26379", 0, "10.0.0.5", 26379 },
		{ "redis.example", 6379, "redis.example", 6379 },
		{ "redis.example", 0, NULL, -1 },
		{ "[::1]:7000", 0, "::1", 7000 },
		{ "[fe80::1]", 26379, "fe80::1", 26379 },
		{ "/run/redis/redis.sock", 0, "/run/redis/redis.sock", 0 },
		{ "::1:7000", 0, NULL, -1 },
		{ "[::1", 0, NULL, -1 },
		{ "[::1]x", 0, NULL, -1 },
		{ "[]:1", 0, NULL, -1 },
		{ "h:0", 0, NULL, -1 },
		{ "h:65536", 0, NULL, -1 },
		{ "h:-1", 0, NULL, -1 },
		{ "h:+1", 0, NULL, -1 },
		{ "h:12x", 0, NULL, -1 },
		{ "h:", 0, NULL, -1 },
		{ ":6379", 0, NULL, -1 },
		{ "h\x01:1", 0, NULL, -1 },
	};
	struct redisaddr a;
	char why[200], buf[300];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		rc = redisaddr_parse(cases[i].in, strlen(cases[i].in), cases[i].def, &a,
		    why, sizeof(why));
		if (cases[i].port < 0) {
			CHECK(rc == -1 && why[0], "\"%s\" accepted", cases[i].in);
			continue;
		}
		CHECK(rc == 0, "\"%s\" refused: %s", cases[i].in, why);
		CHECK(rc == 0 && strcmp(a.host, cases[i].host) == 0 && a.port == cases[i].port,
		    "\"%s\": got %s port %d", cases[i].in, a.host, a.port);
	}
	redisaddr_parse("[::1]:7000", 10, 0, &a, why, sizeof(why));
	CHECK(strcmp(redisaddr_str(&a, buf, sizeof(buf)), "[::1]:7000") == 0, "v6 shown: %s", buf);
	redisaddr_parse("/s", 2, 0, &a, why, sizeof(why));
	CHECK(strcmp(redisaddr_str(&a, buf, sizeof(buf)), "/s") == 0, "socket shown: %s", buf);
	memset(buf, 'h', 300);
	CHECK(redisaddr_parse(buf, 256, 1, &a, why, sizeof(why)) == -1, "256-byte host refused");
	CHECK(redisaddr_parse(buf, 255, 1, &a, why, sizeof(why)) == 0 && strlen(a.host) == 255,
	    "255-byte host taken");
}

static void
test_list(void)
{
	struct redisaddr a[4];
	char why[200], many[400];
	const char *p, *w;
	size_t len, i;
	int n;

	n = redisaddr_list(" a:1,b ,\t[::1]:3\n/x ", 26379, a, 4, why, sizeof(why));
	CHECK(n == 4, "four addresses: %d %s", n, why);
	CHECK(n == 4 && strcmp(a[1].host, "b") == 0 && a[1].port == 26379 &&
	    strcmp(a[2].host, "::1") == 0 && a[2].port == 3 && a[3].port == 0,
	    "list values");
	CHECK(redisaddr_list("", 1, a, 4, why, sizeof(why)) == 0, "empty list");
	CHECK(redisaddr_list(" , ", 1, a, 4, why, sizeof(why)) == 0, "only separators");
	CHECK(redisaddr_list("a:1 b:x", 1, a, 4, why, sizeof(why)) == -1 &&
	    strstr(why, "\"b:x\""), "bad word named: %s", why);
	many[0] = '\0';
	for (i = 0; i < 5; i++)
		strcat(many, "h:1 ");
	CHECK(redisaddr_list(many, 1, a, 4, why, sizeof(why)) == -1 &&
	    strstr(why, "at most 4"), "too many: %s", why);

	p = "one, two";
	w = redisaddr_word(&p, &len);
	CHECK(w && len == 3 && strncmp(w, "one", 3) == 0, "first word");
	w = redisaddr_word(&p, &len);
	CHECK(w && len == 3 && strncmp(w, "two", 3) == 0, "second word");
	CHECK(redisaddr_word(&p, &len) == NULL, "end of list");
}

static void
test_cluster(void)
{
	struct redisaddr to;
	unsigned slot, i, seen[8] = { 0 };
	char tag[24], tag2[24];

	/* The specification's test vector, and its hash-tag examples. */
	CHECK(cluster_keyslot("123456789", 9) == 0x31C3, "CRC16 of 123456789");
	CHECK(cluster_keyslot("{user1000}.following", 20) ==
	    cluster_keyslot("{user1000}.followers", 20), "same tag, same slot");
	CHECK(cluster_keyslot("{user1000}.following", 20) == cluster_keyslot("user1000", 8),
	    "the tag alone is hashed");
	CHECK(cluster_keyslot("foo{}{bar}", 10) != cluster_keyslot("bar", 3),
	    "empty first tag: the whole key");
	CHECK(cluster_keyslot("foo{{bar}}zap", 13) == cluster_keyslot("{bar", 4),
	    "tag up to the first }");
	CHECK(cluster_keyslot("foo{bar}{zap}", 13) == cluster_keyslot("bar", 3),
	    "the first tag only");
	CHECK(cluster_keyslot("events{3}:metrics", 17) == cluster_keyslot("events:dead{3}", 14),
	    "a shard's keys share a slot");

	CHECK(cluster_redirect("MOVED 3999 127.0.0.1:6381", &slot, &to) == CLUSTER_MOVED &&
	    slot == 3999 && strcmp(to.host, "127.0.0.1") == 0 && to.port == 6381, "MOVED");
	CHECK(cluster_redirect("ASK 3999 [::1]:7000", &slot, &to) == CLUSTER_ASK &&
	    strcmp(to.host, "::1") == 0 && to.port == 7000, "ASK to IPv6");
	CHECK(cluster_redirect("MOVED 16384 h:1", &slot, &to) == CLUSTER_NO_REDIRECT, "slot out of range");
	CHECK(cluster_redirect("MOVED x h:1", &slot, &to) == CLUSTER_NO_REDIRECT, "no slot");
	CHECK(cluster_redirect("MOVED 1 h", &slot, &to) == CLUSTER_NO_REDIRECT, "no port");
	CHECK(cluster_redirect("ERR MOVED 1 h:1", &slot, &to) == CLUSTER_NO_REDIRECT, "another error");

	/* Shard tags: stable, and the first 2^k shards spread one to each
	 * 1/2^k of the slots. */
	CHECK(strcmp(cluster_shard_tag(5, tag, sizeof(tag)),
	    cluster_shard_tag(5, tag2, sizeof(tag2))) == 0, "tags are stable");
	for (i = 0; i < 8; i++) {
		cluster_shard_tag(i, tag, sizeof(tag));
		seen[cluster_keyslot(tag, strlen(tag)) / 2048]++;
	}
	for (i = 0; i < 8; i++)
		CHECK(seen[i] == 1, "eighth %u of the slots has %u of the first 8 shards", i, seen[i]);
	cluster_shard_tag(1023, tag, sizeof(tag));
	CHECK(strncmp(tag, "1023.", 5) == 0, "tag of shard 1023: %s", tag);
}

int
main(void)
{
	test_addr();
	test_list();
	test_cluster();
	return check_exit("test-redis");
}
