/* CSV fields (lib/csv.c): RFC 4180 quoting and the formula guard,
 * table-driven. */
#include "config.h"

#include <string.h>

#include "check.h"
#include "csv.h"

static void
test_fields(void)
{
	static const struct { const char *in; int last; const char *out; } cases[] = {
		{ "plain", 0, "plain," },
		{ "plain", 1, "plain\r\n" },
		{ "", 0, "," },
		{ "a,b", 0, "\"a,b\"," },
		{ "say \"hi\"", 0, "\"say \"\"hi\"\"\"," },
		{ "\"", 0, "\"\"\"\"," },
		{ "two\nlines", 1, "\"two\nlines\"\r\n" },
		{ "cr\rhere", 0, "\"cr\rhere\"," },
		/* The formula guard: quoted, with an apostrophe. */
		{ "=1+2", 0, "\"'=1+2\"," },
		{ "+1", 0, "\"'+1\"," },
		{ "-1", 0, "\"'-1\"," },
		{ "@SUM(A1)", 0, "\"'@SUM(A1)\"," },
		{ "\tx", 0, "\"'\tx\"," },
		{ "\rx", 0, "\"'\rx\"," },
		{ "=HYPERLINK(\"x\")", 1, "\"'=HYPERLINK(\"\"x\"\")\"\r\n" },
		/* Only the first byte counts. */
		{ "a=1", 0, "a=1," },
		{ " =1", 0, " =1," },
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b.len = 0;
		csv_field(&b, cases[i].in, strlen(cases[i].in), cases[i].last);
		CHECK(!b.failed && b.len == strlen(cases[i].out) &&
		    memcmp(b.p, cases[i].out, b.len) == 0, "\"%s\": got \"%.*s\"",
		    cases[i].in, (int)b.len, b.p);
	}
	/* A length, not a C string: the bytes past n are not the field's. */
	b.len = 0;
	csv_field(&b, "ab,c", 2, 0);
	CHECK(b.len == 3 && memcmp(b.p, "ab,", 3) == 0, "cut by n");
	buf_free(&b);
	CHECK(!csv_formula("", 0) && !csv_formula("=", 0) && csv_formula("=", 1),
	    "csv_formula on empty fields");
}

int
main(void)
{
	test_fields();
	return check_exit("test-csv");
}
