/* The Prometheus text format, version 0.0.4 (see prometheus.h). */
#include "config.h"

#include <string.h>

#include "prometheus.h"

/* s with \ and newline escaped, and " too when quote is set. */
static void
escaped(struct buf *b, const char *s, int quote)
{
	size_t n;

	while (*s != '\0') {
		n = strcspn(s, quote ? "\\\"\n" : "\\\n");
		buf_add(b, s, n);
		s += n;
		if (*s == '\0')
			break;
		buf_add(b, *s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\", 2);
		s++;
	}
}

void
prom_family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s ", name);
	escaped(b, help, 0);
	buf_printf(b, "\n# TYPE %s %s\n", name, type);
}

static void
name_and_labels(struct buf *b, const char *name, const struct prom_label *l,
    size_t n)
{
	size_t i;

	buf_adds(b, name);
	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		buf_adds(b, i == 0 ? "{" : ",");
		buf_adds(b, l[i].name);
		buf_add(b, "=\"", 2);
		escaped(b, l[i].value, 1);
		buf_add(b, "\"", 1);
	}
	buf_add(b, "}", 1);
}

void
prom_sample(struct buf *b, const char *name, const struct prom_label *l,
    size_t n, long long v)
{
	name_and_labels(b, name, l, n);
	buf_printf(b, " %lld\n", v);
}

void
prom_sample_real(struct buf *b, const char *name, const struct prom_label *l,
    size_t n, double v)
{
	name_and_labels(b, name, l, n);
	buf_printf(b, " %.3f\n", v);
}
