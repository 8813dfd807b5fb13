/* Every x_free() of lib/ takes NULL and does nothing (STYLE: "x_free(NULL)
 * is a no-op"), so a cleanup path may free whatever it holds without
 * asking what was made; and a buffer or table freed once may be freed
 * again.  A free that reads its argument crashes here. */
#include "config.h"

#include <stddef.h>

#include "buf.h"
#include "check.h"
#include "cluster.h"
#include "enqueue.h"
#include "event.h"
#include "jsonscan.h"
#include "redisconn.h"
#include "sentinel.h"
#include "shard.h"
#include "stats_fold.h"
#include "stats_tally.h"
#include "store.h"

int
main(void)
{
	struct buf b = BUF_INIT;
	struct stats_table t = { 0 };

	buf_free(NULL);
	cluster_free(NULL);
	enqueue_free(NULL);
	event_batch_free(NULL);
	event_parser_free(NULL);
	jsonscan_free(NULL);
	redisconn_free(NULL);
	sentinel_free(NULL);
	shardmap_free(NULL);
	stats_fold_free(NULL);
	stats_table_free(NULL);
	stats_tally_free(NULL);
	store_free(NULL);
	CHECK(1, "every free took NULL");

	/* Emptied by a free, freed again. */
	CHECK(buf_adds(&b, "x") == 0, "buf_adds");
	buf_free(&b);
	buf_free(&b);
	CHECK(b.p == NULL && b.len == 0, "buf emptied");
	stats_table_free(&t);
	stats_table_free(&t);
	CHECK(t.names == NULL && t.cells == NULL, "table emptied");
	return check_exit("test-free");
}
