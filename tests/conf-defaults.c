/* Every configuration key with its built-in default, "key = value" a
 * line in the table's order: what tests/defaults.sh holds the
 * documentation to.  Exit 1 when a default does not apply. */
#include "config.h"

#include <stdio.h>

#include "conf.h"

int
main(void)
{
	static struct conf c;	/* large: not on the stack */
	static char v[CONF_STR_LEN];
	const char *k;
	size_t i;

	if (conf_defaults(&c) != 0)
		return 1;
	for (i = 0; (k = conf_key_name(i)) != NULL; i++) {
		if (conf_get(&c, k, v, sizeof(v)) != 0)
			return 1;
		printf("%s = %s\n", k, v);
	}
	return 0;
}
