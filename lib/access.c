#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "access.h"

static int
valid_key(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > LIMIT_WRITE_KEY_LEN)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* An origin is scheme://host[:port] (RFC 6454), no path. */
static int
valid_origin(const char *s, size_t len)
{
	const char *p;
	size_t i;

	if (len == 0 || len > LIMIT_ORIGIN_LEN)
		return 0;
	if ((len > 7 && strncmp(s, "http://", 7) == 0))
		p = s + 7;
	else if (len > 8 && strncmp(s, "https://", 8) == 0)
		p = s + 8;
	else
		return 0;
	for (i = (size_t)(p - s); i < len; i++)
		if (s[i] == '/' || s[i] <= ' ' || s[i] > '~' || s[i] == ',')
			return 0;
	return 1;
}

int
access_parse(struct access *a, const char *spec, char *err, size_t errlen)
{
	const char *p = spec, *end, *eq, *o, *oe;
	struct access_site *site;
	size_t i;

	memset(a, 0, sizeof(*a));
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			return 0;
		end = p + strcspn(p, " \t");
		if (a->nsites == ACCESS_MAX_SITES) {
			snprintf(err, errlen, "more than %d sites", ACCESS_MAX_SITES);
			return -1;
		}
		site = &a->sites[a->nsites];
		eq = memchr(p, '=', (size_t)(end - p));
		if (!valid_key(p, (size_t)((eq ? eq : end) - p))) {
			snprintf(err, errlen, "key \"%.*s\" must be 1-%d characters of [A-Za-z0-9_-]",
			    (int)((eq ? eq : end) - p > LIMIT_QUOTE_LEN ? LIMIT_QUOTE_LEN :
			    (eq ? eq : end) - p), p, LIMIT_WRITE_KEY_LEN);
			return -1;
		}
		memcpy(site->key, p, (size_t)((eq ? eq : end) - p));
		for (i = 0; i < a->nsites; i++)
			if (strcmp(a->sites[i].key, site->key) == 0) {
				snprintf(err, errlen, "key \"%s\" given twice", site->key);
				return -1;
			}
		if (eq != NULL) {
			for (o = eq + 1; o < end; o = oe + 1) {
				oe = memchr(o, ',', (size_t)(end - o));
				if (oe == NULL)
					oe = end;
				if (site->norigins == ACCESS_MAX_ORIGINS) {
					snprintf(err, errlen, "key \"%s\": more than %d origins",
					    site->key, ACCESS_MAX_ORIGINS);
					return -1;
				}
				if (!valid_origin(o, (size_t)(oe - o))) {
					snprintf(err, errlen,
					    "key \"%s\": origin \"%.*s\" is not scheme://host[:port]",
					    site->key, (int)(oe - o > 60 ? 60 : oe - o), o);
					return -1;
				}
				memcpy(site->origins[site->norigins++], o, (size_t)(oe - o));
			}
			if (site->norigins == 0) {
				snprintf(err, errlen, "key \"%s\": '=' with no origin", site->key);
				return -1;
			}
		}
		a->nsites++;
		p = end;
	}
}

enum access_verdict
access_check(const struct access *a, const char *key, const char *origin,
    const struct access_site **site)
{
	const struct access_site *s = NULL;
	size_t i;

	*site = NULL;
	if (a->nsites == 0)
		return ACCESS_OK;
	if (key == NULL || *key == '\0')
		return ACCESS_NO_KEY;
	for (i = 0; i < a->nsites; i++)
		if (strcmp(a->sites[i].key, key) == 0) {
			s = &a->sites[i];
			break;
		}
	if (s == NULL)
		return ACCESS_BAD_KEY;
	*site = s;
	if (origin == NULL || s->norigins == 0)
		return ACCESS_OK;
	/* RFC 6454 section 6.2: origins compare as strings, scheme and
	 * host in lower case as browsers send them. */
	for (i = 0; i < s->norigins; i++)
		if (strcasecmp(s->origins[i], origin) == 0)
			return ACCESS_OK;
	return ACCESS_BAD_ORIGIN;
}

int
access_token_equal(const char *given, const char *secret)
{
	size_t glen = strlen(given), slen = strlen(secret), i;
	unsigned char diff = (unsigned char)(glen != slen);

	/* Walk the secret's length whatever was given, so the time tells
	 * nothing of where the first difference is. */
	for (i = 0; i < slen; i++)
		diff |= (unsigned char)(secret[i] ^ (i < glen ? given[i] : 0));
	return diff == 0;
}

const char *
access_bearer(const char *h)
{
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}
