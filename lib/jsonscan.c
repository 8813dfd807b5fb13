#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonscan.h"
#include "utf8.h"

/* A key of an open object, decoded into js->keys. */
struct key {
	size_t		 off, len;	/* in js->keys */
	const char	*src;		/* as written, for messages */
	size_t		 srclen;
};

/* A key ready for sorting: the arena no longer moves then. */
struct sortkey {
	const char	*dec;
	size_t		 len;
	size_t		 at;		/* its index among the object's keys */
};

struct jsonscan {
	char		*keys;		/* decoded keys of the open objects */
	size_t		 keys_used, keys_size;
	struct key	*ents;
	size_t		 nents, ents_cap;
	struct sortkey	*sort;
	size_t		 sort_cap;
};

/* An open container. */
struct level {
	int	object;
	int	want_key;		/* an object, before a member's key */
	size_t	first_key;		/* its keys: ents[first_key..] */
	size_t	keys_start;		/* and js->keys[keys_start..] */
};

struct jsonscan *
jsonscan_new(void)
{
	return calloc(1, sizeof(struct jsonscan));
}

void
jsonscan_free(struct jsonscan *js)
{
	if (js == NULL)
		return;
	free(js->keys);
	free(js->ents);
	free(js->sort);
	free(js);
}

const char *
jsonscan_fault_text(enum jsonscan_fault f)
{
	switch (f) {
	case JSONSCAN_OK:		return "ok";
	case JSONSCAN_NUL:		return "holds a NUL character (\\u0000)";
	case JSONSCAN_SURROGATE:	return "holds a lone UTF-16 surrogate (\\ud800-\\udfff alone is no character)";
	case JSONSCAN_DUPLICATE:	return "is given twice in one object";
	case JSONSCAN_CONTROL:		return "holds a control character not escaped (JSON wants \\t, \\n or \\u0001 for U+0001-U+001F)";
	case JSONSCAN_NONFINITE:	return "is NaN or Infinity, which JSON has no numbers for (RFC 8259, 6)";
	case JSONSCAN_NUMBER:		return "is not a number as JSON writes one (RFC 8259, 6: no leading zero, a digit on each side of '.', digits after 'e')";
	case JSONSCAN_NOMEM:		return "out of memory";
	}
	return "?";
}

const char *
jsonscan_subject(const struct jsonscan_result *r)
{
	if (r->in_key)
		return "key";
	return r->fault == JSONSCAN_NONFINITE || r->fault == JSONSCAN_NUMBER ? "value" : "string";
}

int
jsonscan_not_json(enum jsonscan_fault f)
{
	return f == JSONSCAN_CONTROL || f == JSONSCAN_NONFINITE || f == JSONSCAN_NUMBER;
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 64;
	while (ncap < need)
		ncap *= 2;
	if ((np = reallocarray(*p, ncap, size)) == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

static int
key_byte(struct jsonscan *js, const char *b, size_t n)
{
	if (grow((void **)&js->keys, &js->keys_size, js->keys_used + n, 1) != 0)
		return -1;
	memcpy(js->keys + js->keys_used, b, n);
	js->keys_used += n;
	return 0;
}

static int
hex4(const char *s, unsigned *v)
{
	unsigned i, d;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = (unsigned)(s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = (unsigned)(s[i] - 'a' + 10);
		else if (s[i] >= 'A' && s[i] <= 'F')
			d = (unsigned)(s[i] - 'A' + 10);
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

/* Code point cp as UTF-8 into b; the length. */
static size_t
utf8_put(char b[4], unsigned cp)
{
	if (cp < 0x80) {
		b[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (char)(0xf0 | cp >> 18);
	b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	b[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * The string whose opening quote is s[*i]: checked for NUL, lone
 * surrogates and raw control characters, decoded into js->keys when it
 * is a key.  *i ends past the closing quote.  JSONSCAN_OK or the fault.
 */
static enum jsonscan_fault
string(struct jsonscan *js, const char *s, size_t len, size_t *i, int key)
{
	unsigned cp, lo;
	size_t j = *i + 1, start;
	char b[4];
	char c;

	while (j < len && s[j] != '"') {
		if (s[j] != '\\') {
			start = j;
			while (j < len && s[j] != '"' && s[j] != '\\') {
				if ((unsigned char)s[j] < 0x20)
					return JSONSCAN_CONTROL;
				j++;
			}
			if (key && key_byte(js, s + start, j - start) != 0)
				return JSONSCAN_NOMEM;
			continue;
		}
		if (j + 1 >= len)
			break;
		c = s[j + 1];
		if (c != 'u') {
			switch (c) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			default: break;		/* '"', '\\', '/' */
			}
			if (key && key_byte(js, &c, 1) != 0)
				return JSONSCAN_NOMEM;
			j += 2;
			continue;
		}
		if (j + 6 > len || hex4(s + j + 2, &cp) != 0)
			break;		/* json-c's to refuse */
		j += 6;
		if (cp == 0)
			return JSONSCAN_NUL;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return JSONSCAN_SURROGATE;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (j + 6 > len || s[j] != '\\' || s[j + 1] != 'u' ||
			    hex4(s + j + 2, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
				return JSONSCAN_SURROGATE;
			j += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		if (key && key_byte(js, b, utf8_put(b, cp)) != 0)
			return JSONSCAN_NOMEM;
	}
	*i = j + 1;
	return JSONSCAN_OK;
}

/*
 * The number that starts at s[*i], as RFC 8259 section 6 writes one:
 * [ "-" ] ( "0" / 1-9 *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "+" /
 * "-" ] 1*DIGIT ].  json-c's strict mode takes more ("1.", "-.5", "01",
 * "1.e5"), and -Infinity.  *i ends past the token (its digits, signs,
 * points and exponent letters).  JSONSCAN_OK or the fault.
 */
static enum jsonscan_fault
number(const char *s, size_t len, size_t *i)
{
	size_t j = *i, end = *i, d;

	if (j < len && s[j] == '-')
		j++;
	if (j < len && s[j] == 'I')
		return JSONSCAN_NONFINITE;
	while (end < len && ((s[end] >= '0' && s[end] <= '9') || s[end] == '+' ||
	    s[end] == '-' || s[end] == '.' || s[end] == 'e' || s[end] == 'E'))
		end++;
	*i = end;
	/* int */
	if (j < end && s[j] == '0')
		j++;
	else {
		for (d = j; j < end && s[j] >= '0' && s[j] <= '9'; j++)
			;
		if (j == d)
			return JSONSCAN_NUMBER;
	}
	/* frac */
	if (j < end && s[j] == '.') {
		for (d = ++j; j < end && s[j] >= '0' && s[j] <= '9'; j++)
			;
		if (j == d)
			return JSONSCAN_NUMBER;
	}
	/* exp */
	if (j < end && (s[j] == 'e' || s[j] == 'E')) {
		j++;
		if (j < end && (s[j] == '+' || s[j] == '-'))
			j++;
		for (d = j; j < end && s[j] >= '0' && s[j] <= '9'; j++)
			;
		if (j == d)
			return JSONSCAN_NUMBER;
	}
	return j == end ? JSONSCAN_OK : JSONSCAN_NUMBER;
}

static int
sortkey_cmp(const void *a, const void *b)
{
	const struct sortkey *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->dec, y->dec, n);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Objects of at most this many keys are checked pair by pair. */
#define DUP_PAIRWISE_MAX	16

/* Do two of the n keys at ents (decoded, in keys) hold the same bytes? */
static int
any_equal(const char *keys, const struct key *ents, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++)
		for (j = 0; j < i; j++)
			if (ents[i].len == ents[j].len &&
			    memcmp(keys + ents[i].off, keys + ents[j].off, ents[i].len) == 0)
				return 1;
	return 0;
}

/* The keys of the object lv closes: -1 (and *dup, the later of two equal
 * keys) if one is given twice, -2 out of memory, else 0. */
static int
duplicates(struct jsonscan *js, const struct level *lv, size_t *dup)
{
	size_t n = js->nents - lv->first_key, k;
	struct sortkey *sk;
	/* No key bytes yet (every key so far empty): js->keys is still NULL,
	 * and an offset on NULL is undefined even when it is 0. */
	const char *keys = js->keys != NULL ? js->keys : "";

	if (n < 2)
		return 0;
	/* An event's objects hold a few keys: compare each pair, and sort
	 * only to name the duplicate (as below, whatever n). */
	if (n <= DUP_PAIRWISE_MAX && !any_equal(keys, js->ents + lv->first_key, n))
		return 0;
	if (grow((void **)&js->sort, &js->sort_cap, n, sizeof(*js->sort)) != 0)
		return -2;
	sk = js->sort;
	for (k = 0; k < n; k++) {
		sk[k].dec = keys + js->ents[lv->first_key + k].off;
		sk[k].len = js->ents[lv->first_key + k].len;
		sk[k].at = k;
	}
	qsort(sk, n, sizeof(*sk), sortkey_cmp);
	for (k = 1; k < n; k++)
		if (sk[k].len == sk[k - 1].len && memcmp(sk[k].dec, sk[k - 1].dec, sk[k].len) == 0) {
			*dup = lv->first_key + sk[k].at;
			return -1;
		}
	return 0;
}

static void
set_path(struct jsonscan_result *r, const struct jsonscan_step *steps, size_t depth)
{
	r->depth = depth;
	memcpy(r->path, steps, depth * sizeof(*steps));
}

enum jsonscan_fault
jsonscan_text(struct jsonscan *js, const char *s, size_t len,
    struct jsonscan_result *r)
{
	struct level lv[LIMIT_JSON_DEPTH + 1];
	struct jsonscan_step steps[LIMIT_JSON_DEPTH + 1];
	enum jsonscan_fault f;
	struct key *k;
	size_t i = 0, depth = 0, dup, start;
	int d, is_key;

	memset(r, 0, sizeof(*r));
	js->nents = js->keys_used = 0;
	while (i < len) {
		switch (s[i]) {
		case '{':
		case '[':
			if (depth == LIMIT_JSON_DEPTH)
				return r->fault;	/* json-c refuses deeper */
			lv[depth].object = s[i] == '{';
			lv[depth].want_key = lv[depth].object;
			lv[depth].first_key = js->nents;
			lv[depth].keys_start = js->keys_used;
			steps[depth].is_index = !lv[depth].object;
			steps[depth].index = 0;
			steps[depth].key = NULL;
			steps[depth].keylen = 0;
			depth++;
			i++;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return r->fault;
			depth--;
			if (lv[depth].object) {
				d = duplicates(js, &lv[depth], &dup);
				if (d == -2)
					return r->fault = JSONSCAN_NOMEM;
				if (d == -1) {
					steps[depth].is_index = 0;
					steps[depth].key = js->ents[dup].src;
					steps[depth].keylen = js->ents[dup].srclen;
					set_path(r, steps, depth + 1);
					r->in_key = 1;
					return r->fault = JSONSCAN_DUPLICATE;
				}
				js->nents = lv[depth].first_key;
				js->keys_used = lv[depth].keys_start;
			}
			i++;
			break;
		case ',':
			if (depth > 0) {
				if (lv[depth - 1].object)
					lv[depth - 1].want_key = 1;
				else
					steps[depth - 1].index++;
			}
			i++;
			break;
		case '"':
			is_key = depth > 0 && lv[depth - 1].object && lv[depth - 1].want_key;
			start = i;
			if (is_key) {
				if (grow((void **)&js->ents, &js->ents_cap, js->nents + 1,
				    sizeof(*js->ents)) != 0)
					return r->fault = JSONSCAN_NOMEM;
				k = &js->ents[js->nents];
				k->off = js->keys_used;
			}
			if ((f = string(js, s, len, &i, is_key)) != JSONSCAN_OK) {
				if (is_key) {
					/* The key, as far as the text goes. */
					steps[depth - 1].is_index = 0;
					steps[depth - 1].key = s + start + 1;
					steps[depth - 1].keylen = 0;
					while (start + 1 + steps[depth - 1].keylen < len &&
					    s[start + 1 + steps[depth - 1].keylen] != '"')
						steps[depth - 1].keylen +=
						    s[start + 1 + steps[depth - 1].keylen] == '\\' ? 2 : 1;
					if (start + 1 + steps[depth - 1].keylen > len)
						steps[depth - 1].keylen = len - start - 1;
					r->in_key = 1;
				}
				set_path(r, steps, depth);
				return r->fault = f;
			}
			if (is_key) {
				k = &js->ents[js->nents++];
				k->len = js->keys_used - k->off;
				k->src = s + start + 1;
				k->srclen = i - start - 2;
				steps[depth - 1].is_index = 0;
				steps[depth - 1].key = k->src;
				steps[depth - 1].keylen = k->srclen;
				lv[depth - 1].want_key = 0;
			}
			break;
		case 'N':
		case 'I':
			/* Outside strings JSON's only letters are those of
			 * true, false and null, and an exponent's e: json-c's
			 * strict mode takes NaN and Infinity (after '-' too,
			 * see number()) besides, in these spellings only. */
			set_path(r, steps, depth);
			return r->fault = JSONSCAN_NONFINITE;
		case '-': case '+': case '.':
		case '0': case '1': case '2': case '3': case '4':
		case '5': case '6': case '7': case '8': case '9':
			if ((f = number(s, len, &i)) != JSONSCAN_OK) {
				set_path(r, steps, depth);
				return r->fault = f;
			}
			break;
		default:
			i++;	/* white space, ':', literals */
			break;
		}
	}
	return r->fault;
}

size_t
jsonscan_path(const struct jsonscan_result *r, size_t from, char *buf, size_t buflen)
{
	size_t k, n = 0, klen;
	int w;

	if (buflen == 0)
		return 0;
	buf[0] = '\0';
	for (k = from; k < r->depth && n < buflen; k++) {
		if (r->path[k].is_index)
			w = snprintf(buf + n, buflen - n, "[%zu]", r->path[k].index);
		else {
			klen = utf8_cut(r->path[k].key, r->path[k].keylen,
			    LIMIT_QUOTE_LEN);
			w = snprintf(buf + n, buflen - n, "%s%.*s%s", n > 0 ? "." : "",
			    (int)klen, r->path[k].key, klen < r->path[k].keylen ? "..." : "");
		}
		if (w < 0)
			break;
		n += (size_t)w;
	}
	return n < buflen ? n : buflen - 1;
}
