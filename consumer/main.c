/*
 * event-consumer: options and start-up; the cycle is loop.c's, the
 * handling of stop signals stop.c's.
 *
 *   event-consumer [--config FILE] [--name NAME] [--shard LIST] [--once]
 *                  [--max-seconds N]
 *   event-consumer [--config FILE] [--shard LIST] --replay-dead
 *   event-consumer [--config FILE] --check-config
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumer.h"
#include "log.h"
#include "metrics.h"
#include "timeutil.h"

/* The synopsis on out, then exit: 0 when asked for (--help, on
 * standard output), 2 after a bad option (on standard error). */
static void
usage(FILE *out, int status)
{
	fprintf(out,
	    "usage: event-consumer [--config FILE] [--name NAME] [--shard LIST] [--once]\n"
	    "                      [--max-seconds N]\n"
	    "       event-consumer [--config FILE] [--shard LIST] --replay-dead\n"
	    "       event-consumer [--config FILE] --check-config\n");
	exit(status);
}

int
main(int argc, char *argv[])
{
	struct consumer c;
	const char *path = NULL, *name = NULL, *shards = NULL;
	unsigned char *want = NULL;
	char err[ERRBUF_LEN], msg[CONF_STR_LEN * 3];
	enum log_level lvl;
	long max_seconds = 0;
	char bound[40];		/* " for at most N s" */
	int i, replay = 0, check = 0, rc = 1;
	size_t nargs;
	char *end;

	log_init("event-consumer", LOG_LEVEL_INFO);
	memset(&c, 0, sizeof(c));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--shard") == 0 && i + 1 < argc)
			shards = argv[++i];
		else if (strcmp(argv[i], "--once") == 0)
			c.once = 1;
		else if (strcmp(argv[i], "--replay-dead") == 0)
			replay = 1;
		else if (strcmp(argv[i], "--check-config") == 0)
			check = 1;
		else if (strcmp(argv[i], "--max-seconds") == 0 && i + 1 < argc) {
			errno = 0;
			max_seconds = strtol(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0' || end == argv[i] ||
			    max_seconds < 1 || max_seconds > 31L * 24 * 3600) {
				fprintf(stderr, "event-consumer: --max-seconds: bad value \"%.32s\" "
				    "(a whole number of seconds from 1)\n", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			usage(stdout, 0);
		else
			usage(stderr, 2);
	}
	if (conf_load(&c.conf, path, err, sizeof(err)) != 0) {
		log_error("configuration: %s", err);
		return 1;
	}
	if (name != NULL &&
	    conf_set(&c.conf, "consumer_name", name, "--name", err, sizeof(err)) != 0) {
		log_error("%s", err);
		return 1;
	}
	if (log_level_parse(c.conf.log_level, &lvl) == 0)
		log_set_level(lvl);

	stop_init();

	/* EVALSHA sha numkeys, 4 keys, 4 arguments, then id and reason
	 * for every entry of a batch. */
	nargs = 16 + 2 * (size_t)c.conf.batch_size;
	c.argv = calloc(nargs, sizeof(*c.argv));
	c.argvlen = calloc(nargs, sizeof(*c.argvlen));
	if (c.argv == NULL || c.argvlen == NULL ||
	    batch_init(&c.b, (size_t)c.conf.batch_size) != 0) {
		log_error("out of memory");
		goto out;
	}
	if ((c.m = shardmap_new(&c.conf, err, sizeof(err))) == NULL) {
		log_error("configuration: %s", err);
		goto out;
	}
	if (shards != NULL) {
		if ((want = calloc(shardmap_count(c.m), 1)) == NULL) {
			log_error("out of memory");
			goto out;
		}
		if (shards_parse(shards, shardmap_count(c.m), want, err, sizeof(err)) != 0) {
			log_error("%s", err);
			rc = 2;
			goto out;
		}
	}
	if (shards_init(&c, want) != 0) {
		log_error("out of memory");
		goto out;
	}
	shardmap_key(c.m, 0, c.conf.stream, EXPIRE_PASS_KEY_SUFFIX, c.expire_key,
	    sizeof(c.expire_key));
	shardmap_key(c.m, 0, c.conf.stream, METRICS_KEY_SUFFIX, c.expire_metrics_key,
	    sizeof(c.expire_metrics_key));
	shardmap_key(c.m, 0, c.conf.stream, FILL_PASS_KEY_SUFFIX, c.fill_key,
	    sizeof(c.fill_key));

	/* The whole configuration read as every program reads it, Redis
	 * and the store named but not reached. */
	if (check) {
		if ((c.store = store_new(&c.conf, "event-consumer", STORE_WRITER,
		    err, sizeof(err))) == NULL) {
			log_error("configuration: %s", err);
			goto out;
		}
		printf("event-consumer: the configuration is valid\n");
		rc = 0;
		goto out;
	}
	if (replay) {
		rc = deadletter_replay(&c);
		goto out;
	}

	switch (lock_take(c.conf.lock_dir, c.conf.consumer_name, msg, sizeof(msg))) {
	case -2:
		log_info("%s", msg);
		rc = 0;
		goto out;
	case -1:
		log_error("lock_dir: %s", msg);
		goto out;
	default:
		break;	/* held until exit */
	}
	if (c.conf.spool_path[0] != '\0' && (c.spool_q = enqueue_new(&c.conf)) == NULL) {
		log_error("out of memory");
		goto out;
	}
	if ((c.store = store_new(&c.conf, "event-consumer", STORE_WRITER,
	    err, sizeof(err))) == NULL) {
		log_error("configuration: %s", err);
		goto out;
	}
	c.started = time_mono_ms();
	if (max_seconds > 0)
		c.deadline = c.started + max_seconds * 1000;
	bound[0] = '\0';
	if (max_seconds > 0)
		snprintf(bound, sizeof(bound), " for at most %ld s", max_seconds);
	if (shardmap_count(c.m) == 1)
		log_info("%s stream %s (group %s) as %s into %s%s",
		    c.once ? "draining" : "following", c.conf.stream, c.conf.group,
		    c.conf.consumer_name, store_where(c.store), bound);
	else
		log_info("%s %zu of %u shards of stream %s (group %s) as %s into %s%s",
		    c.once ? "draining" : "following", c.nsh, shardmap_count(c.m),
		    c.conf.stream, c.conf.group, c.conf.consumer_name, store_where(c.store),
		    bound);
	rc = consumer_run(&c);
	log_info("stopping after %.1f s: %llu stored, %llu already stored, %llu refusals, %llu dead-lettered, %llu expired, %llu counts filled",
	    (double)(time_mono_ms() - c.started) / 1000,
	    (unsigned long long)c.n_stored, (unsigned long long)c.n_dup,
	    (unsigned long long)c.n_refused, (unsigned long long)c.n_dead,
	    (unsigned long long)c.n_expired, (unsigned long long)c.n_filled);
out:
	batch_free(&c.b);
	store_free(c.store);
	if (c.store != NULL)
		store_cleanup();
	shards_free(&c);
	shardmap_free(c.m);
	free(want);
	enqueue_free(c.spool_q);
	free(c.argv);
	free(c.argvlen);
	return rc;
}
