/*
 * store-budget: a read through lib/store_read.c is held to its time
 * budget as a whole, not batch by batch.  Against $EVENTS_MONGO_URI,
 * whose events collection holds at least 3 * BATCH documents
 * (tests/store-budget.sh loads them):
 *   - with the default budget, a find in batches of BATCH reads them all
 *     and ends STORE_OK;
 *   - with a budget spent before the second batch arrives, the same find
 *     stops early and ends STORE_TRANSIENT, "not done within".
 * Exit 0, or 1 with a message.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "store.h"

#define BATCH	100

static int
read_all(struct store *s, long *n, char *err, size_t errlen)
{
	const bson_t *doc;
	mongoc_cursor_t *cur;
	bson_t *filter = bson_new();
	bson_t *opts = BCON_NEW("batchSize", BCON_INT32(BATCH));
	struct timespec pause = { 0, 20 * 1000000L };
	int st;

	*n = 0;
	cur = store_find(s, filter, opts);
	while (store_cursor_next(s, cur, &doc)) {
		/* A slow reader: the budget runs out between batches. */
		if (++*n % BATCH == 0)
			nanosleep(&pause, NULL);
	}
	st = store_cursor_end(s, cur, "find", err, errlen);
	bson_destroy(filter);
	bson_destroy(opts);
	return st;
}

int
main(void)
{
	static struct conf c;
	struct store *s;
	char err[256];
	long n, all;
	int st, rc = 1;

	if (conf_load(&c, NULL, err, sizeof(err)) != 0 ||
	    (s = store_new(&c, "store-budget", STORE_READER, err, sizeof(err))) == NULL) {
		fprintf(stderr, "store-budget: %s\n", err);
		return 1;
	}
	if ((st = read_all(s, &all, err, sizeof(err))) != STORE_OK || all < 3 * BATCH) {
		fprintf(stderr, "store-budget: default budget: %s, %ld documents (%s)\n",
		    store_status_name(st), all, st ? err : "");
		goto out;
	}
	store_read_budget(s, 30);
	st = read_all(s, &n, err, sizeof(err));
	if (st != STORE_TRANSIENT || n >= all || strstr(err, "not done within 30 ms") == NULL) {
		fprintf(stderr, "store-budget: 30 ms budget: %s after %ld of %ld documents (%s)\n",
		    store_status_name(st), n, all, err);
		goto out;
	}
	/* The next read has its own budget again. */
	store_read_budget(s, 0);
	if ((st = read_all(s, &n, err, sizeof(err))) != STORE_OK || n != all) {
		fprintf(stderr, "store-budget: after a late read: %s, %ld documents\n",
		    store_status_name(st), n);
		goto out;
	}
	printf("store-budget: %ld documents within the budget; a 30 ms budget stops the read "
	    "(%s)\n", all, err);
	rc = 0;
out:
	store_free(s);
	store_cleanup();
	return rc;
}
