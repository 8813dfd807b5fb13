#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ipanon.h"
#include "privacy.h"

int
privacy_ip_mode(const char *s, enum ip_mode *m)
{
	if (strcmp(s, "truncate") == 0)
		*m = IP_TRUNCATE;
	else if (strcmp(s, "hash") == 0)
		*m = IP_HASH;
	else if (strcmp(s, "drop") == 0)
		*m = IP_DROP;
	else
		return -1;
	return 0;
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {						\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

static uint64_t
le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* SipHash-2-4 (Aumasson and Bernstein, 2012). */
uint64_t
siphash24(const unsigned char key[16], const void *in, size_t len)
{
	const unsigned char *p = in;
	uint64_t k0 = le64(key), k1 = le64(key + 8), m, b;
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	size_t i, left = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		m = le64(p + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	b = (uint64_t)len << 56;
	for (; left > 0; left--)
		b |= (uint64_t)p[i + left - 1] << (8 * (left - 1));
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* The day's key: two SipHashes of the day number under a key folded
 * from the secret. */
static void
day_key(const char *secret, int64_t day_ms, unsigned char out[16])
{
	unsigned char base[16] = { 0 };
	char msg[40];
	uint64_t h;
	size_t i, len = strlen(secret);
	int n;

	for (i = 0; i < len; i++)
		base[i % 16] = (unsigned char)(base[i % 16] * 31 + (unsigned char)secret[i]);
	for (i = 0; i < 2; i++) {
		n = snprintf(msg, sizeof(msg), "ip-day:%lld:%zu", (long long)(day_ms / 86400000), i);
		h = siphash24(base, msg, (size_t)n);
		memcpy(out + 8 * i, &h, 8);
	}
}

void
privacy_ip(enum ip_mode m, const char *secret, int64_t day_ms,
    const char *addr, char out[PRIVACY_IP_LEN])
{
	unsigned char key[16];

	out[0] = '\0';
	if (addr == NULL || m == IP_DROP)
		return;
	if (m == IP_TRUNCATE) {
		(void)ipanon(addr, out, PRIVACY_IP_LEN);
		return;
	}
	/* hash: only real addresses, so junk cannot pose as one */
	if (ipanon(addr, out, PRIVACY_IP_LEN) != 0)
		return;
	day_key(secret, day_ms, key);
	snprintf(out, PRIVACY_IP_LEN, "h:%016llx",
	    (unsigned long long)siphash24(key, addr, strlen(addr)));
}

int
privacy_opted_out(const char *dnt, const char *gpc)
{
	return (dnt != NULL && strcmp(dnt, "1") == 0) ||
	    (gpc != NULL && strcmp(gpc, "1") == 0);
}

/* Crawlers that say who they are. */
static const char *const crawlers[] = {
	"googlebot", "google-inspectiontool", "adsbot-google", "mediapartners-google",
	"bingbot", "bingpreview", "slurp", "duckduckbot", "baiduspider",
	"yandexbot", "yandex.com/bots", "sogou", "exabot", "facebot",
	"facebookexternalhit", "ia_archiver", "archive.org_bot", "ahrefsbot",
	"semrushbot", "mj12bot", "dotbot", "petalbot", "applebot", "twitterbot",
	"linkedinbot", "slackbot", "discordbot", "telegrambot", "whatsapp",
	"gptbot", "chatgpt-user", "oai-searchbot", "ccbot", "claudebot",
	"anthropic-ai", "perplexitybot", "bytespider", "amazonbot", "seznambot",
	"qwantify", "screaming frog", "uptimerobot", "pingdom",
};

/* Case-insensitive substring search. */
static int
has(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

int
privacy_bot(const char *ua, const char **name, const char **reason)
{
	size_t i;

	if (ua == NULL || *ua == '\0')
		return 0;
	for (i = 0; i < sizeof(crawlers) / sizeof(crawlers[0]); i++)
		if (has(ua, crawlers[i])) {
			*name = crawlers[i];
			*reason = "known_crawler";
			return 1;
		}
	/* Unnamed crawlers that still leave a contact URL:
	 * "compatible; SomeBot/1.0; +https://example.com/bot.html".
	 * Headless browsers are not singled out: the User-Agent is theirs
	 * to change, and synthetic monitoring uses them honestly. */
	if (has(ua, "+http") && (has(ua, "bot") || has(ua, "crawl") || has(ua, "spider"))) {
		*name = "other";
		*reason = "crawler_url";
		return 1;
	}
	return 0;
}
