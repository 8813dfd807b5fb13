#include "config.h"

#include <ctype.h>
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

void
mediatype_charset(const char *ctype, char *out, size_t outlen)
{
	const char *p = ctype, *name;
	size_t namelen, n;
	int want;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (p == NULL || (p = strchr(p, ';')) == NULL)
		return;
	/* *( OWS ";" OWS [ name "=" value ] ); a parameter that does not
	 * parse is passed over up to the next ';'. */
	while (*p == ';') {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ';' || *p == '\0')
			continue;
		for (name = p; is_tchar((unsigned char)*p); p++)
			;
		namelen = (size_t)(p - name);
		want = namelen == 7 && strncasecmp(name, "charset", 7) == 0 && out[0] == '\0';
		n = 0;
		if (namelen == 0 || *p != '=')
			goto skip;
		p++;
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				else if (*p == '\0')
					goto skip;
				if (want && n + 1 < outlen)
					out[n++] = (char)tolower((unsigned char)*p);
			}
			p++;
		} else {
			if (!is_tchar((unsigned char)*p))
				goto skip;
			for (; is_tchar((unsigned char)*p); p++)
				if (want && n + 1 < outlen)
					out[n++] = (char)tolower((unsigned char)*p);
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ';' && *p != '\0')
			goto skip;
		if (want)
			out[n] = '\0';
		continue;
skip:
		if (want)
			out[0] = '\0';
		while (*p != ';' && *p != '\0')
			p++;
	}
}
