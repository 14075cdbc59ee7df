#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "strpool.h"

/* Every copy stays whole and NUL-terminated while later ones fill block
 * after block (ASan would see a copy written past its block). */
static void
test_copies_survive_growth(void **state)
{
	struct strpool p = STRPOOL_INIT;
	char *copies[3000], want[16];
	size_t i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		snprintf(want, sizeof(want), "link-%zu", i);
		copies[i] = strpool_dup(&p, want, strlen(want));
	}
	for (i = 0; i < 3000; i++) {
		snprintf(want, sizeof(want), "link-%zu", i);
		assert_string_equal(copies[i], want);
	}
	strpool_free(&p);
	assert_null(p.blocks);
	assert_int_equal(p.left, 0);
}

/* Only n bytes are copied (s need not end there), embedded NULs kept; a
 * string longer than any block gets one of its own, and the pool goes on
 * after it. */
static void
test_lengths(void **state)
{
	struct strpool p = STRPOOL_INIT;
	size_t big = 200 * 1024;
	char *s = malloc(big), *c, *after;

	(void)state;
	assert_non_null(s);
	memset(s, 'x', big);
	c = strpool_dup(&p, "abcdef", 3);
	assert_string_equal(c, "abc");
	c = strpool_dup(&p, "a\0b", 3);
	assert_memory_equal(c, "a\0b", 4);
	c = strpool_dup(&p, "", 0);
	assert_string_equal(c, "");
	c = strpool_dup(&p, s, big);
	assert_memory_equal(c, s, big);
	assert_int_equal(c[big], '\0');
	after = strpool_dup(&p, "after", 5);
	assert_string_equal(after, "after");
	assert_memory_equal(c, s, big);
	strpool_free(&p);
	/* Empty again, and usable. */
	assert_string_equal(strpool_dup(&p, "again", 5), "again");
	strpool_free(&p);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_copies_survive_growth),
	    cmocka_unit_test(test_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
