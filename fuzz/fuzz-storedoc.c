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
#include "../tests/bson-keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	} else if (!bson_keys_ok(&doc))
		abort();
	bson_destroy(&doc);
	return 0;
}
