/*
 * What json-c hides in a JSON text it accepts, found on the text itself.
 * Pure: no I/O.
 *
 * json-c (0.16) parses these without a word, and what it hands back is
 * not what was sent:
 *   - a key holding \u0000 is cut at it ({"type\u0000x": ...} is "type");
 *   - an escaped lone UTF-16 surrogate ("\ud83c") becomes U+FFFD;
 *   - of two equal keys in one object, the last wins;
 *   - a control character (U+0001-U+001F: a tab, a line feed) written
 *     as it is inside a string, which RFC 8259 section 7 says must be
 *     escaped (even in strict mode);
 *   - NaN, Infinity and -Infinity as values, which JSON has no numbers
 *     for (RFC 8259 section 6), and numbers written otherwise than
 *     section 6 says ("1.", "-.5", "01", "1.e5"), even in strict mode.
 * So every string the text holds, key or value, at any depth, is checked
 * here for a NUL, for lone surrogates and for raw control characters,
 * and the keys of each object for duplicates (compared as decoded, so
 * "a" and "\u0061" are equal).  Anything else (the syntax, a raw NUL
 * byte, UTF-8) is json-c's and utf8_valid()'s to refuse: the text is
 * scanned once json-c accepted it.
 *
 * Ownership: a scanner (jsonscan_new) is freed with jsonscan_free
 * (NULL is a no-op).  A result's path steps point into the scanned text,
 * so they last as long as the caller keeps it.
 */
#ifndef EVENTS_JSONSCAN_H
#define EVENTS_JSONSCAN_H

#include <stddef.h>

#include "bounds.h"

enum jsonscan_fault {
	JSONSCAN_OK = 0,
	JSONSCAN_NUL,		/* a string holds \u0000 */
	JSONSCAN_SURROGATE,	/* an escaped lone surrogate */
	JSONSCAN_DUPLICATE,	/* a key given twice in one object */
	JSONSCAN_CONTROL,	/* a raw control character in a string: not JSON */
	JSONSCAN_NONFINITE,	/* NaN or Infinity as a value: not JSON */
	JSONSCAN_NUMBER,	/* a number JSON does not write (1., 01): not JSON */
	JSONSCAN_NOMEM
};

/* One step of the path from the top to the fault: an array index, or a
 * member's key as written in the text (escapes and all, not NUL-ended). */
struct jsonscan_step {
	int		 is_index;
	size_t		 index;
	const char	*key;
	size_t		 keylen;
};

struct jsonscan_result {
	enum jsonscan_fault	fault;
	int			in_key;	/* the fault is the last step's key */
	/* The path to the faulty value, or with in_key to the faulty key
	 * (its last step); steps point into the scanned text. */
	size_t			depth;
	struct jsonscan_step	path[LIMIT_JSON_DEPTH + 1];
};

/* A scanner keeps its buffers from text to text (one per thread). */
struct jsonscan;

/* NULL on out of memory. */
struct jsonscan	*jsonscan_new(void);
/* NULL is a no-op. */
void		 jsonscan_free(struct jsonscan *js);

/*
 * Scan s[0..len), a JSON text json-c accepted (nesting at most
 * LIMIT_JSON_DEPTH).  Returns r->fault: JSONSCAN_OK, or the first fault
 * with r->path saying where.
 */
enum jsonscan_fault jsonscan_text(struct jsonscan *js, const char *s, size_t len,
		    struct jsonscan_result *r);

/*
 * The path steps r->path[from..depth) as text into buf: keys as written
 * (escapes kept, each cut at LIMIT_QUOTE_LEN bytes), joined by '.', indexes as [N]:
 * "metadata.tags[2].k\u0000x".  Returns the length.
 */
size_t		 jsonscan_path(const struct jsonscan_result *r, size_t from,
		    char *buf, size_t buflen);

/* A fault's words: "holds a NUL character (\u0000)" and the like. */
const char	*jsonscan_fault_text(enum jsonscan_fault f);
/* What the fault is in, for a message ("the %s %s"): "key", "string" or
 * "value". */
const char	*jsonscan_subject(const struct jsonscan_result *r);
/* 1 if the fault means the text is not JSON (RFC 8259), 0 if it is JSON
 * the store cannot keep as sent. */
int		 jsonscan_not_json(enum jsonscan_fault f);

#endif
