/*
 * A batch of stream entries, from the reply that holds their bytes to
 * the store documents made from them.  Everything a batch owns is
 * allocated and released here: its arrays (batch_init, batch_free), the
 * Redis reply (batch_take_reply), the BSON documents (batch_convert),
 * and all of it given back between batches (batch_clear).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumer.h"
#include "log.h"
#include "storedoc.h"

int
batch_init(struct batch *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->cap = cap;
	b->e = calloc(cap, sizeof(*b->e));
	b->docs = calloc(cap, sizeof(*b->docs));
	b->items = calloc(cap, sizeof(*b->items));
	b->minutes = calloc(cap, sizeof(*b->minutes));
	if (b->e == NULL || b->docs == NULL || b->items == NULL || b->minutes == NULL) {
		batch_free(b);
		return -1;
	}
	return 0;
}

void
batch_clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->nitems; i++)
		bson_destroy(&b->docs[i]);
	b->nitems = 0;
	b->n = 0;
	if (b->reply != NULL) {
		freeReplyObject(b->reply);
		b->reply = NULL;
	}
}

void
batch_free(struct batch *b)
{
	batch_clear(b);
	free(b->e);
	free(b->docs);
	free(b->items);
	free(b->minutes);
	memset(b, 0, sizeof(*b));
}

void
batch_take_reply(struct batch *b, redisReply *r)
{
	b->reply = r;
}

static int
is_str(const redisReply *r)
{
	return r != NULL && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS);
}

/* Add one [id, [field, value, ...]] element to the batch. */
static void
take_entry(struct batch *b, const redisReply *el)
{
	const redisReply *id, *fv;
	struct entry *e;
	char clip[LIMIT_LOG_CLIP_LEN];

	if (el == NULL || el->type != REDIS_REPLY_ARRAY || el->elements != 2 ||
	    !is_str(el->element[0]) || el->element[0]->len >= STREAM_ID_LEN)
		return;		/* not an entry: nothing to ack either */
	id = el->element[0];
	fv = el->element[1];
	e = &b->e[b->n++];
	memcpy(e->id, id->str, id->len);
	e->id[id->len] = '\0';
	e->json = NULL;
	e->len = 0;
	e->reason[0] = '\0';
	if (fv == NULL || fv->type == REDIS_REPLY_NIL) {
		/* Pending, but deleted from the stream (XDEL by hand, or
		 * stored and deleted by a consumer that had claimed it). */
		e->fate = ENTRY_GONE;
		return;
	}
	e->fate = ENTRY_BAD;
	if (fv->type != REDIS_REPLY_ARRAY || fv->elements != 2 ||
	    !is_str(fv->element[0]) || !is_str(fv->element[1]) ||
	    strcmp(fv->element[0]->str, "e") != 0 || fv->element[0]->len != 1) {
		snprintf(e->reason, sizeof(e->reason),
		    "entry has %zu field(s), the first \"%s\"; expected one field \"e\"",
		    fv->type == REDIS_REPLY_ARRAY ? fv->elements / 2 : 0,
		    fv->type == REDIS_REPLY_ARRAY && fv->elements > 0 && is_str(fv->element[0]) ?
		    log_clip(clip, sizeof(clip), fv->element[0]->str, fv->element[0]->len) : "");
		return;
	}
	e->fate = ENTRY_STORE;
	e->json = fv->element[1]->str;
	e->len = fv->element[1]->len;
}

size_t
batch_add_entries(struct batch *b, const redisReply *entries)
{
	size_t i;

	for (i = 0; i < entries->elements && b->n < b->cap; i++)
		take_entry(b, entries->element[i]);
	return b->n;
}

size_t
batch_convert(struct batch *b)
{
	struct entry *e;
	size_t i;

	for (i = 0; i < b->n; i++) {
		e = &b->e[i];
		if (e->fate != ENTRY_STORE)
			continue;
		bson_init(&b->docs[b->nitems]);
		if (storedoc_from_json(e->json, e->len, &b->docs[b->nitems],
		    e->reason, sizeof(e->reason)) != 0) {
			bson_destroy(&b->docs[b->nitems]);
			e->fate = ENTRY_BAD;
			continue;
		}
		b->items[b->nitems].doc = &b->docs[b->nitems];
		e->item = b->nitems++;
	}
	return b->nitems;
}
