/*
 * track-rules TEMPLATE: copy the tracker's source TEMPLATE (www/track.js.in)
 * to standard output with the line holding @TRACK_RULES@ replaced by the
 * server's event rules as one JavaScript object literal.  Run by make to
 * build www/track.js, so the tracker checks an event exactly as
 * event-ingest will and the two cannot drift:
 *
 *   - the numbers come from lib/bounds.h;
 *   - the characters allowed in a type, and those a metadata key may not
 *     start with or hold, come from lib/event.c itself: each byte is put
 *     through event_type_valid() and through event_batch_parse() as a key
 *     (so a rule changed there changes the tracker at the next build).
 *
 * The structural rules (no array directly inside an array, no NUL and no
 * lone surrogate in any string, metadata measured as the UTF-8 bytes of
 * its compact JSON) are code in the tracker; tests/browser/rules.sh runs
 * one table of cases through both and checks that they agree.
 *
 * Exit status 0, or 1 with a message on standard error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "bounds.h"

/* 1 if event_batch_parse accepts {"type":"a","metadata":{KEY:1}} where
 * KEY is the JSON string body given (already escaped). */
static int
key_accepted(const char *key)
{
	struct event_ctx ctx = { .received_ms = 1700000000000LL, .max_events = 1 };
	struct event_batch *b = NULL;
	char body[128], err[ERRBUF_LEN];
	enum event_err rc;

	snprintf(body, sizeof(body), "{\"type\":\"a\",\"metadata\":{\"%s\":1}}", key);
	rc = event_batch_parse(body, strlen(body), EVENT_BODY_JSON, &ctx, &b, err,
	    sizeof(err));
	event_batch_free(b);
	if (rc == EVENT_ERR_NOMEM) {
		fprintf(stderr, "track-rules: %s\n", err);
		exit(1);
	}
	return rc == EVENT_OK;
}

/* Print a set of bytes (set[c] != 0, c in 0x01..0x7f) as the inside of a
 * JavaScript regular expression character class, as ranges, every
 * character written as \xNN so none needs escaping. */
static void
put_class(const char set[128])
{
	int c, end;

	for (c = 1; c < 128; c++) {
		if (!set[c])
			continue;
		for (end = c; end + 1 < 128 && set[end + 1]; end++)
			;
		if (end == c)
			printf("\\x%02x", c);
		else
			printf("\\x%02x-\\x%02x", c, end);
		c = end;
	}
}

static void
put_rules(void)
{
	char type_ok[128] = { 0 }, key_first_bad[128] = { 0 }, key_bad[128] = { 0 };
	char one[8], two[16];
	int c, any = 0;

	for (c = 1; c < 256; c++) {
		char ch = (char)c;
		if (event_type_valid(&ch, 1)) {
			if (c >= 128) {
				fprintf(stderr, "track-rules: a type may hold byte 0x%02x; "
				    "the tracker knows ASCII type rules only\n", c);
				exit(1);
			}
			type_ok[c] = 1;
		}
	}
	/* Each ASCII character as a key alone and after a harmless one. */
	for (c = 1; c < 128; c++) {
		snprintf(one, sizeof(one), "\\u%04x", c);
		snprintf(two, sizeof(two), "k\\u%04x", c);
		key_bad[c] = !key_accepted(two);
		key_first_bad[c] = !key_bad[c] && !key_accepted(one);
		any |= key_bad[c] | key_first_bad[c];
	}
	if (!any || key_accepted("")) {
		fprintf(stderr, "track-rules: the probes of the key rules found none\n");
		exit(1);
	}

	printf("{\n");
	printf("\t\ttype: /^[");
	put_class(type_ok);
	printf("]{1,%d}$/,\n", LIMIT_TYPE_LEN);
	printf("\t\tmetadataBytes: %d, metadataDepth: %d, keyBytes: %d,\n",
	    LIMIT_METADATA_BYTES, LIMIT_METADATA_DEPTH, LIMIT_METADATA_KEY_LEN);
	printf("\t\tkeyBadFirst: /^[");
	put_class(key_first_bad);
	printf("]/,\n\t\tkeyBad: /[");
	put_class(key_bad);
	printf("]/,\n");
	printf("\t\tpage: { url: %d, path: %d, referrer: %d, title: %d },\n",
	    LIMIT_PAGE_URL_LEN, LIMIT_PAGE_PATH_LEN, LIMIT_PAGE_REFERRER_LEN,
	    LIMIT_PAGE_TITLE_LEN);
	printf("\t\tevents: %d, bodyBytes: %d\n", LIMIT_EVENTS, LIMIT_BODY_BYTES);
	printf("\t}");
}

int
main(int argc, char *argv[])
{
	FILE *in;
	char line[4096], *at;
	int done = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: track-rules www/track.js.in\n");
		return 1;
	}
	if ((in = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		if ((at = strstr(line, "@TRACK_RULES@")) == NULL) {
			fputs(line, stdout);
			continue;
		}
		/* The marker stands for the value: keep what is around it. */
		fwrite(line, 1, (size_t)(at - line), stdout);
		put_rules();
		fputs(at + strlen("@TRACK_RULES@"), stdout);
		done++;
	}
	if (ferror(in) || fclose(in) != 0 || done != 1 || fflush(stdout) != 0) {
		fprintf(stderr, "track-rules: %s: %s\n", argv[1],
		    done != 1 ? "want exactly one @TRACK_RULES@ line" : "read or write error");
		return 1;
	}
	return 0;
}
