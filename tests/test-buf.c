/* The growable buffer (lib/buf.c): adds, printf across the growth
 * boundary, the sticky failure, reuse after buf_free. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "check.h"

static void
test_add(void)
{
	struct buf b = BUF_INIT;
	char big[3000];
	size_t i;

	CHECK(buf_add(&b, "", 0) == 0 && b.len == 0, "empty add");
	CHECK(buf_adds(&b, "ab") == 0 && buf_add(&b, "cdef", 2) == 0, "adds");
	CHECK(b.len == 4 && memcmp(b.p, "abcd", 4) == 0, "contents %.*s", (int)b.len, b.p);
	memset(big, 'x', sizeof(big));
	/* Past the first 1 KiB and again past the doubled size. */
	for (i = 0; i < 3; i++)
		CHECK(buf_add(&b, big, sizeof(big)) == 0, "big add %zu", i);
	CHECK(b.len == 4 + 3 * sizeof(big) && b.cap >= b.len, "len %zu cap %zu", b.len, b.cap);
	CHECK(b.p[3] == 'd' && b.p[4] == 'x' && b.p[b.len - 1] == 'x', "kept across growth");
	CHECK(!b.failed, "not failed");
	buf_free(&b);
	CHECK(b.p == NULL && b.len == 0 && b.cap == 0, "freed");
	/* Usable again after buf_free. */
	CHECK(buf_adds(&b, "z") == 0 && b.len == 1 && b.p[0] == 'z', "reuse");
	buf_free(&b);
	buf_free(NULL);
}

static void
test_printf(void)
{
	struct buf b = BUF_INIT;
	char want[2100];
	size_t i;

	CHECK(buf_printf(&b, "%d-%s", 42, "x") == 0 && b.len == 4 &&
	    memcmp(b.p, "42-x", 4) == 0, "printf into an empty buffer");
	/* A text that crosses the capacity: written whole, once. */
	memset(want, 'y', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	CHECK(buf_printf(&b, "%s", want) == 0, "long printf");
	CHECK(b.len == 4 + strlen(want) && memcmp(b.p + 4, want, strlen(want)) == 0,
	    "long printf contents, len %zu", b.len);
	/* Exactly filling the room: the NUL vsnprintf writes needs room too. */
	buf_free(&b);
	for (i = 0; i < 1023; i++)
		buf_add(&b, "a", 1);
	CHECK(buf_printf(&b, "%s", "b") == 0 && b.len == 1024 && b.p[1023] == 'b',
	    "printf at the edge: len %zu", b.len);
	buf_free(&b);
}

static void
test_failure(void)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "abc");
	/* A size no allocation can hold: fails, and stays failed. */
	CHECK(buf_reserve(&b, SIZE_MAX - 1) == -1 && b.failed, "huge reserve fails");
	CHECK(buf_adds(&b, "d") == -1 && b.len == 3, "sticky: add");
	CHECK(buf_printf(&b, "%d", 1) == -1 && b.len == 3, "sticky: printf");
	buf_free(&b);
	CHECK(!b.failed && buf_adds(&b, "e") == 0, "buf_free clears the failure");
	buf_free(&b);
}

int
main(void)
{
	test_add();
	test_printf();
	test_failure();
	return check_exit("test-buf");
}
