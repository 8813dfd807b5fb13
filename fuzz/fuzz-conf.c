/* libFuzzer target: events.conf text.  Never crashes; a good parse
 * leaves every value NUL-terminated within its field. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf c;
	char *text, err[256];

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (conf_defaults(&c) != 0)
		abort();
	if (conf_parse_text(&c, text, "fuzz.conf", err, sizeof(err)) == 0 &&
	    (memchr(c.stream, '\0', sizeof(c.stream)) == NULL || c.redis_port < 1))
		abort();
	free(text);
	return 0;
}
