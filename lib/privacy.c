#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

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

/* OpenSSL's SipHash, fetched once for the process (EVP_MAC objects may
 * be shared between threads; each hash has its own EVP_MAC_CTX). */
static EVP_MAC *siphash_mac;
static pthread_once_t siphash_once = PTHREAD_ONCE_INIT;

static void
siphash_fetch(void)
{
	siphash_mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
}

int
privacy_hash_ready(char *err, size_t errlen)
{
	unsigned char key[16] = { 0 };
	uint64_t h;

	if (siphash24(key, "", 0, &h) == 0)
		return 0;
	snprintf(err, errlen, "OpenSSL's SIPHASH MAC is not available: %s",
	    ERR_reason_error_string(ERR_peek_last_error()) ?
	    ERR_reason_error_string(ERR_peek_last_error()) : "no reason given");
	return -1;
}

int
siphash24(const unsigned char key[16], const void *in, size_t len, uint64_t *out)
{
	unsigned int c_rounds = 2, d_rounds = 4;
	size_t size = 8, outl = 0;
	OSSL_PARAM params[] = {
		OSSL_PARAM_size_t(OSSL_MAC_PARAM_SIZE, &size),
		OSSL_PARAM_uint(OSSL_MAC_PARAM_C_ROUNDS, &c_rounds),
		OSSL_PARAM_uint(OSSL_MAC_PARAM_D_ROUNDS, &d_rounds),
		OSSL_PARAM_END
	};
	EVP_MAC_CTX *ctx = NULL;
	unsigned char d[8];
	int i, rc = -1;

	*out = 0;
	if (pthread_once(&siphash_once, siphash_fetch) != 0 || siphash_mac == NULL)
		return -1;
	if ((ctx = EVP_MAC_CTX_new(siphash_mac)) == NULL ||
	    !EVP_MAC_init(ctx, key, 16, params) ||
	    !EVP_MAC_update(ctx, in, len) ||
	    !EVP_MAC_final(ctx, d, &outl, sizeof(d)) || outl != sizeof(d))
		goto out;
	/* The digest is the 64-bit result in little-endian order (the
	 * reference implementation's, and this function's before). */
	for (i = 7; i >= 0; i--)
		*out = (*out << 8) | d[i];
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	return rc;
}

/* The day's key: two SipHashes of the day number under a key folded
 * from the secret.  0, or -1 when a hash cannot be made. */
static int
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
		if (siphash24(base, msg, (size_t)n, &h) != 0)
			return -1;
		memcpy(out + 8 * i, &h, 8);
	}
	return 0;
}

int
privacy_ip(enum ip_mode m, const char *secret, int64_t day_ms,
    const char *addr, char out[PRIVACY_IP_LEN])
{
	unsigned char key[16];
	uint64_t h;

	out[0] = '\0';
	if (addr == NULL || m == IP_DROP)
		return 0;
	if (m == IP_TRUNCATE) {
		(void)ipanon(addr, out, PRIVACY_IP_LEN);
		return 0;
	}
	/* hash: only real addresses, so junk cannot pose as one */
	if (ipanon(addr, out, PRIVACY_IP_LEN) != 0)
		return 0;
	out[0] = '\0';
	if (day_key(secret, day_ms, key) != 0 ||
	    siphash24(key, addr, strlen(addr), &h) != 0)
		return -1;
	snprintf(out, PRIVACY_IP_LEN, "h:%016llx", (unsigned long long)h);
	return 0;
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
