#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "ipanon.h"

int
ipanon(const char *addr, char *out, size_t outlen)
{
	unsigned char b[16];
	static const unsigned char mapped[12] =
	    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (outlen > 0)
		out[0] = '\0';
	if (addr == NULL || outlen < IPANON_LEN)
		return -1;
	if (inet_pton(AF_INET, addr, b) == 1) {
		b[3] = 0;
		return inet_ntop(AF_INET, b, out, (socklen_t)outlen) ? 0 : -1;
	}
	if (inet_pton(AF_INET6, addr, b) == 1) {
		if (memcmp(b, mapped, sizeof(mapped)) == 0) {
			b[15] = 0;
			return inet_ntop(AF_INET, b + 12, out, (socklen_t)outlen) ? 0 : -1;
		}
		memset(b + 6, 0, 10);
		return inet_ntop(AF_INET6, b, out, (socklen_t)outlen) ? 0 : -1;
	}
	return -1;
}
