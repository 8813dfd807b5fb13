/*
 * A test's own statement of what the store takes as a key, checked on
 * what lib/storedoc.c builds (tests/test-storedoc.c, fuzz/fuzz-event.c,
 * fuzz/fuzz-storedoc.c): no NUL, no '$' first, no '.' (MongoDB's field
 * names, BSON spec), at every depth.
 */
#ifndef EVENTS_TESTS_BSON_KEYS_H
#define EVENTS_TESTS_BSON_KEYS_H

#include <string.h>

#include <bson/bson.h>

/* 1 if every key of doc and of its documents and arrays is so, else 0. */
static int
bson_keys_ok(const bson_t *doc)
{
	const uint8_t *d;
	uint32_t len;
	bson_iter_t it;
	const char *k;
	bson_t sub;

	if (!bson_iter_init(&it, doc))
		return 0;
	while (bson_iter_next(&it)) {
		k = bson_iter_key(&it);
		if (bson_iter_key_len(&it) != strlen(k) || k[0] == '$' || strchr(k, '.') != NULL)
			return 0;
		if (BSON_ITER_HOLDS_DOCUMENT(&it) || BSON_ITER_HOLDS_ARRAY(&it)) {
			if (BSON_ITER_HOLDS_DOCUMENT(&it))
				bson_iter_document(&it, &len, &d);
			else
				bson_iter_array(&it, &len, &d);
			if (!bson_init_static(&sub, d, len) || !bson_keys_ok(&sub))
				return 0;
		}
	}
	return 1;
}

#endif
