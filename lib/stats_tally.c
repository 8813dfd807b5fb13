/* Events per value of one field for GET /events/stats?by= (see
 * stats_tally.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "stats_tally.h"

struct value {
	json_object	*v;		/* the value (NULL: null), owned */
	char		*text;		/* its JSON text, owned */
	int64_t		 n;
};

struct stats_tally {
	json_object	*index;		/* JSON text -> slot in vals */
	struct value	*vals;
	size_t		 n, cap;
	int64_t		 total;
	int		 truncated;
};

struct stats_tally *
stats_tally_new(void)
{
	struct stats_tally *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->index = json_object_new_object()) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
stats_tally_free(struct stats_tally *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		json_object_put(t->vals[i].v);
		free(t->vals[i].text);
	}
	free(t->vals);
	json_object_put(t->index);
	free(t);
}

int
stats_tally_add(struct stats_tally *t, json_object *v, int64_t n)
{
	json_object *slot;
	const char *text;
	char *copy = NULL;
	void *p;

	if (n <= 0)
		goto done;
	text = v != NULL ? json_object_to_json_string_ext(v, RULES_JSON_FLAGS) : "null";
	if (text == NULL)
		goto nomem;
	t->total += n;
	if (json_object_object_get_ex(t->index, text, &slot)) {
		t->vals[json_object_get_int64(slot)].n += n;
		goto done;
	}
	if (t->n >= LIMIT_STATS_GROUPS) {
		/* In the total all the same: it shows as "other". */
		t->truncated = 1;
		goto done;
	}
	if (t->n == t->cap) {
		if ((p = reallocarray(t->vals, t->cap ? t->cap * 2 : 64, sizeof(*t->vals))) == NULL)
			goto nomem;
		t->vals = p;
		t->cap = t->cap ? t->cap * 2 : 64;
	}
	if ((copy = strdup(text)) == NULL ||
	    json_object_object_add(t->index, copy, json_object_new_int64((int64_t)t->n)) != 0)
		goto nomem;
	t->vals[t->n].v = v;
	t->vals[t->n].text = copy;
	t->vals[t->n].n = n;
	t->n++;
	return 0;
nomem:
	free(copy);
	json_object_put(v);
	return -1;
done:
	json_object_put(v);
	return 0;
}

static int
by_count(const void *a, const void *b)
{
	const struct value *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->text, y->text);
}

void
stats_tally_sort(struct stats_tally *t)
{
	/* Not qsort(NULL, 0, ...): the array may not exist yet. */
	if (t->n > 1)
		qsort(t->vals, t->n, sizeof(*t->vals), by_count);
}

size_t
stats_tally_distinct(const struct stats_tally *t)
{
	return t->n;
}

int64_t
stats_tally_total(const struct stats_tally *t)
{
	return t->total;
}

int
stats_tally_truncated(const struct stats_tally *t)
{
	return t->truncated;
}

json_object *
stats_tally_value(const struct stats_tally *t, size_t i, int64_t *n)
{
	*n = t->vals[i].n;
	return t->vals[i].v;
}
