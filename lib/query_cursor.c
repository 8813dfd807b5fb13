/*
 * The paging cursor of GET /events (see query_cursor.h): base64url
 * (RFC 4648 section 5, no padding) of "1:<createdAt ms>:<id>".  Pure.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "event.h"
#include "query_cursor.h"
#include "timeutil.h"

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
b64url_val(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(b64url, c)) == NULL)
		return -1;
	return (int)(p - b64url);
}

int
query_cursor_encode(int64_t ms, const char *id, char *out, size_t outlen)
{
	char raw[2 + 20 + 1 + LIMIT_ID_LEN + 1];
	size_t n, i, o = 0;
	unsigned v;
	int r;

	if (ms < 0 || ms > TIME_MS_MAX || !event_id_valid(id, strlen(id)))
		return -1;
	r = snprintf(raw, sizeof(raw), "1:%lld:%s", (long long)ms, id);
	if (r < 0 || (size_t)r >= sizeof(raw))
		return -1;
	n = (size_t)r;
	/* 4 characters per 3 bytes, no padding. */
	if ((n * 4 + 2) / 3 + 1 > outlen || (n * 4 + 2) / 3 > LIMIT_CURSOR_LEN)
		return -1;
	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned char)raw[i] << 16 | (unsigned char)raw[i + 1] << 8 |
		    (unsigned char)raw[i + 2];
		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		out[o++] = b64url[v >> 6 & 63];
		out[o++] = b64url[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned char)raw[i] << 16;
		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (unsigned char)raw[i] << 16 | (unsigned char)raw[i + 1] << 8;
		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		out[o++] = b64url[v >> 6 & 63];
	}
	out[o] = '\0';
	return 0;
}

int
query_cursor_decode(const char *s, size_t len, int64_t *ms, char *id,
    size_t idlen)
{
	char raw[LIMIT_CURSOR_LEN];
	size_t i, n = 0, digits;
	unsigned v = 0;
	int bits = 0, c;
	int64_t t = 0;
	const char *p, *idp;

	/* A length of 1 mod 4 cannot come from whole bytes. */
	if (len == 0 || len > LIMIT_CURSOR_LEN || len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		if ((c = b64url_val(s[i])) < 0)
			return -1;
		v = (v << 6 | (unsigned)c) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			raw[n++] = (char)(v >> bits & 0xff);
		}
	}
	/* The bits left over must be zero, as an encoder leaves them, so
	 * each cursor has exactly one spelling. */
	if ((v & ((1u << bits) - 1)) != 0)
		return -1;
	if (n < 5 || raw[0] != '1' || raw[1] != ':')
		return -1;
	p = raw + 2;
	for (digits = 0; p + digits < raw + n && p[digits] >= '0' && p[digits] <= '9'; digits++) {
		if (digits >= TIME_MS_DIGITS)
			return -1;
		t = t * 10 + (p[digits] - '0');
	}
	if (digits == 0 || (digits > 1 && p[0] == '0') || t > TIME_MS_MAX)
		return -1;
	idp = p + digits;
	if (idp >= raw + n || *idp != ':')
		return -1;
	idp++;
	len = (size_t)(raw + n - idp);
	if (!event_id_valid(idp, len) || len + 1 > idlen)
		return -1;
	memcpy(id, idp, len);
	id[len] = '\0';
	*ms = t;
	return 0;
}
