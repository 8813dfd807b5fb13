#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mediatype.h"

void
mediatype_type(const char *ctype, char *out, size_t outlen)
{
	size_t i = 0;

	if (outlen == 0)
		return;
	if (ctype != NULL) {
		while (*ctype == ' ' || *ctype == '\t')
			ctype++;
		for (; ctype[i] && ctype[i] != ';' && ctype[i] != ' ' &&
		    ctype[i] != '\t' && i + 1 < outlen; i++)
			out[i] = (char)tolower((unsigned char)ctype[i]);
	}
	out[i] = '\0';
}

/* RFC 9110 5.6.2 tchar. */
static int
is_tchar(int c)
{
	return c > 0x20 && c < 0x7f && strchr("\"(),/:;<=>?@[\\]{}", c) == NULL;
}

int
mediatype_charset(const char *ctype, char *out, size_t outlen)
{
	const char *p = ctype, *name;
	char v[MEDIATYPE_CHARSET_LEN];
	size_t namelen, n;
	int is_charset, found = 0;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (p == NULL || (p = strchr(p, ';')) == NULL)
		return 0;
	/* *( OWS ";" OWS [ name "=" value ] ); another parameter that does
	 * not parse is passed over up to the next ';'. */
	while (*p == ';') {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ';' || *p == '\0')
			continue;
		for (name = p; is_tchar((unsigned char)*p); p++)
			;
		namelen = (size_t)(p - name);
		is_charset = namelen == 7 && strncasecmp(name, "charset", 7) == 0;
		n = 0;
		if (namelen == 0 || *p != '=')
			goto bad;
		p++;
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				else if (*p == '\0')
					return -1;	/* the rest is unreadable */
				if (n + 1 < sizeof(v))
					v[n++] = (char)tolower((unsigned char)*p);
			}
			p++;
		} else {
			if (!is_tchar((unsigned char)*p))
				goto bad;
			for (; is_tchar((unsigned char)*p); p++)
				if (n + 1 < sizeof(v))
					v[n++] = (char)tolower((unsigned char)*p);
		}
		v[n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ';' && *p != '\0')
			goto bad;
		if (is_charset) {
			/* utf8 is a common spelling of utf-8 */
			if (strcmp(v, "utf8") == 0)
				snprintf(v, sizeof(v), "utf-8");
			if (v[0] == '\0' || (found && strcmp(v, out) != 0))
				return -1;
			snprintf(out, outlen, "%s", v);
			found = 1;
		}
		continue;
bad:
		if (is_charset)
			return -1;
		while (*p != ';' && *p != '\0')
			p++;
	}
	return 0;
}
