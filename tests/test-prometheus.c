/* The Prometheus text format writer (lib/prometheus.c): families,
 * samples with and without labels, escaping of label values and help. */
#include "config.h"

#include <string.h>

#include "check.h"
#include "prometheus.h"

static void
expect(struct buf *b, const char *want, const char *what)
{
	CHECK(!b->failed && b->len == strlen(want) && memcmp(b->p, want, b->len) == 0,
	    "%s: got \"%.*s\"", what, (int)b->len, b->p);
	b->len = 0;
}

int
main(void)
{
	struct buf b = BUF_INIT;
	struct prom_label l[2] = { { "reason", "no_key" }, { "agent", "bot" } };

	prom_family(&b, "events_up", "gauge", "Whether a service answers (1) or not (0).");
	expect(&b, "# HELP events_up Whether a service answers (1) or not (0).\n"
	    "# TYPE events_up gauge\n", "family");
	prom_family(&b, "x", "counter", "back\\slash\nnew \"line\"");
	expect(&b, "# HELP x back\\\\slash\\nnew \"line\"\n# TYPE x counter\n",
	    "help: \\ and newline escaped, quotes not");
	prom_sample(&b, "events_backlog", NULL, 0, 42);
	expect(&b, "events_backlog 42\n", "no labels");
	prom_sample(&b, "events_backlog", NULL, 0, -1);
	expect(&b, "events_backlog -1\n", "negative");
	prom_sample(&b, "events_rejected_total", l, 1, 3);
	expect(&b, "events_rejected_total{reason=\"no_key\"} 3\n", "one label");
	prom_sample(&b, "events_bot_events_total", l, 2, 7);
	expect(&b, "events_bot_events_total{reason=\"no_key\",agent=\"bot\"} 7\n", "two labels");
	l[0].value = "a\\b\"c\nd";
	prom_sample(&b, "m", l, 1, 1);
	expect(&b, "m{reason=\"a\\\\b\\\"c\\nd\"} 1\n", "label value escaped");
	l[0].value = "";
	prom_sample(&b, "m", l, 1, 0);
	expect(&b, "m{reason=\"\"} 0\n", "empty label value");
	prom_sample_real(&b, "events_oldest_age_seconds", NULL, 0, 1.5);
	expect(&b, "events_oldest_age_seconds 1.500\n", "real");
	prom_sample_real(&b, "t", NULL, 0, 0.0);
	expect(&b, "t 0.000\n", "real zero");
	buf_free(&b);
	return check_exit("test-prometheus");
}
