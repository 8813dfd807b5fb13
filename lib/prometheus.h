/*
 * The Prometheus text exposition format, version 0.0.4
 * (prometheus.io/docs/instrumenting/exposition_formats/): one metric
 * family at a time, "# HELP" and "# TYPE" lines, then its samples, each
 * "name{label="value",...} value" and a newline.  Pure: text into a
 * struct buf (buf.h), whose errors it keeps (check b->failed at the end).
 *
 * Metric and label names are the caller's constants and are written as
 * given; label values and help text may hold anything and are escaped
 * as the format says (label values: \\, \" and \n; help: \\ and \n).
 *
 * Ownership: the caller's struct buf grows (buf.h says who frees
 * it); nothing else is allocated.
 */
#ifndef EVENTS_PROMETHEUS_H
#define EVENTS_PROMETHEUS_H

#include <stddef.h>

#include "buf.h"

/* The Content-Type of the format. */
#define PROM_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct prom_label {
	const char	*name;
	const char	*value;		/* any bytes up to a NUL */
};

/* "# HELP name help" and "# TYPE name type" (type "counter", "gauge"). */
void	prom_family(struct buf *b, const char *name, const char *type,
	    const char *help);

/* One sample with nlabels labels (labels may be NULL when 0): an
 * integer; a number of seconds (or any real) with three decimals. */
void	prom_sample(struct buf *b, const char *name,
	    const struct prom_label *labels, size_t nlabels, long long v);
void	prom_sample_real(struct buf *b, const char *name,
	    const struct prom_label *labels, size_t nlabels, double v);

#endif
