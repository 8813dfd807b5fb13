/*
 * Events per bucket and type for GET /events/stats (see stats_fold.h):
 * one row per (type, bucket) the store answered, a total per type, and
 * the fold into the busiest types plus "(other)".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "stats_fold.h"

struct group {
	size_t	 type;		/* index into types */
	size_t	 bucket;
	int64_t	 n;
};

struct type_total {
	char	 name[LIMIT_TYPE_LEN + 1];
	int64_t	 total;
};

struct stats_fold {
	int64_t			 from, to, w;
	size_t			 nbuckets;
	json_object		*index;		/* type name -> index, a hash */
	struct type_total	*types;
	size_t			 ntypes, captypes;
	struct group		*groups;
	size_t			 ngroups, capgroups;
	int			 truncated;
};

struct stats_fold *
stats_fold_new(int64_t from_ms, int64_t to_ms, int64_t width_ms, size_t nbuckets)
{
	struct stats_fold *f;

	if (width_ms <= 0 || (f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->from = from_ms;
	f->to = to_ms;
	f->w = width_ms;
	f->nbuckets = nbuckets;
	if ((f->index = json_object_new_object()) == NULL) {
		free(f);
		return NULL;
	}
	return f;
}

void
stats_fold_free(struct stats_fold *f)
{
	if (f == NULL)
		return;
	json_object_put(f->index);
	free(f->types);
	free(f->groups);
	free(f);
}

void
stats_fold_reset(struct stats_fold *f)
{
	size_t i;

	for (i = 0; i < f->ntypes; i++)
		json_object_object_del(f->index, f->types[i].name);
	f->ngroups = f->ntypes = 0;
	f->truncated = 0;
}

int
stats_fold_truncated(const struct stats_fold *f)
{
	return f->truncated;
}

int
stats_fold_add(struct stats_fold *f, const char *name, size_t len,
    int64_t at_ms, int64_t n)
{
	char key[LIMIT_TYPE_LEN + 1];
	json_object *idx;
	size_t t, b;
	void *p;

	if (len == 0 || len > LIMIT_TYPE_LEN || n <= 0 || at_ms < f->from ||
	    at_ms >= f->to)
		return 0;	/* not an event this system stored */
	b = (size_t)((at_ms - f->from) / f->w);
	if (b >= f->nbuckets)
		return 0;
	if (f->ngroups >= LIMIT_STATS_GROUPS) {
		f->truncated = 1;
		return 0;
	}
	memcpy(key, name, len);
	key[len] = '\0';
	if (json_object_object_get_ex(f->index, key, &idx))
		t = (size_t)json_object_get_int64(idx);
	else {
		if (f->ntypes == f->captypes) {
			size_t cap = f->captypes ? f->captypes * 2 : 16;

			if ((p = reallocarray(f->types, cap, sizeof(*f->types))) == NULL)
				return -1;
			f->types = p;
			f->captypes = cap;
		}
		if ((idx = json_object_new_int64((int64_t)f->ntypes)) == NULL ||
		    json_object_object_add(f->index, key, idx) != 0) {
			json_object_put(idx);
			return -1;
		}
		t = f->ntypes++;
		memcpy(f->types[t].name, key, len + 1);
		f->types[t].total = 0;
	}
	if (f->ngroups == f->capgroups) {
		size_t cap = f->capgroups ? f->capgroups * 2 : 64;

		if ((p = reallocarray(f->groups, cap, sizeof(*f->groups))) == NULL)
			return -1;
		f->groups = p;
		f->capgroups = cap;
	}
	f->groups[f->ngroups].type = t;
	f->groups[f->ngroups].bucket = b;
	f->groups[f->ngroups].n = n;
	f->ngroups++;
	f->types[t].total += n;
	return 0;
}

/* Most events first, then by name. */
static int
by_total(const void *a, const void *b)
{
	const struct type_total *x = *(const struct type_total *const *)a;
	const struct type_total *y = *(const struct type_total *const *)b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->name, y->name);
}

int
stats_fold_table(const struct stats_fold *f, size_t maxtypes,
    struct stats_table *t)
{
	const struct type_total **order = NULL;
	size_t *slot = NULL, i, nshown;
	int64_t other = 0;

	memset(t, 0, sizeof(*t));
	if ((order = calloc(f->ntypes + 1, sizeof(*order))) == NULL ||
	    (slot = calloc(f->ntypes + 1, sizeof(*slot))) == NULL)
		goto err;
	for (i = 0; i < f->ntypes; i++)
		order[i] = &f->types[i];
	qsort(order, f->ntypes, sizeof(*order), by_total);
	nshown = f->ntypes < maxtypes ? f->ntypes : maxtypes;
	for (i = 0; i < f->ntypes; i++)
		slot[order[i] - f->types] = i < nshown ? i : nshown;
	for (i = nshown; i < f->ntypes; i++)
		other += order[i]->total;

	t->nbuckets = f->nbuckets;
	t->nshown = nshown;
	t->ncols = nshown + (other > 0);
	if ((t->names = calloc(t->ncols + 1, sizeof(*t->names))) == NULL ||
	    (t->totals = calloc(t->ncols + 1, sizeof(*t->totals))) == NULL ||
	    (t->cells = calloc(f->nbuckets ? f->nbuckets : 1,
	    (t->ncols ? t->ncols : 1) * sizeof(*t->cells))) == NULL)
		goto err;
	for (i = 0; i < nshown; i++) {
		t->names[i] = order[i]->name;
		t->totals[i] = order[i]->total;
	}
	if (other > 0) {
		t->names[nshown] = STATS_OTHER_TYPE;
		t->totals[nshown] = other;
	}
	for (i = 0; i < f->ngroups; i++)
		t->cells[f->groups[i].bucket * t->ncols + slot[f->groups[i].type]] +=
		    f->groups[i].n;
	free(order);
	free(slot);
	return 0;
err:
	free(order);
	free(slot);
	stats_table_free(t);
	return -1;
}

void
stats_table_free(struct stats_table *t)
{
	if (t == NULL)
		return;
	free(t->names);
	free(t->totals);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
