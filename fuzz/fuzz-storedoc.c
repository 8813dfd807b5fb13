/*
 * libFuzzer target: the stored-document check the consumer runs on a
 * stream entry's event JSON (storedoc.c, with the rules of rules.c).
 * Anyone who can reach Redis can write an entry: whatever the bytes, no
 * crash, a reason for every refusal, and every document it makes has no
 * key that holds a NUL, starts with '$' or holds a '.', at any depth.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bson/bson.h>

#include "storedoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
keys_ok(const bson_t *doc)
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
			if (!bson_init_static(&sub, d, len) || !keys_ok(&sub))
				return 0;
		}
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	bson_t doc;

	bson_init(&doc);
	err[0] = '\0';
	if (storedoc_from_json((const char *)data, size, &doc, err, sizeof(err)) != 0) {
		if (err[0] == '\0' || !bson_empty(&doc))
			abort();
	} else if (!keys_ok(&doc))
		abort();
	bson_destroy(&doc);
	return 0;
}
