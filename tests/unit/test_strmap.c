#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "strmap.h"

static void
test_put_get_grow(void **state)
{
	struct strmap m = STRMAP_INIT;
	static int values[5000];
	char key[32];
	int i;

	(void)state;
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "/2021/12/%d/", i);
		strmap_put(&m, key, &values[i]);
	}
	assert_int_equal(m.n, 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "/2021/12/%d/", i);
		assert_ptr_equal(strmap_get(&m, key), &values[i]);
	}
	assert_null(strmap_get(&m, "/2021/12/5000/"));
	assert_false(strmap_has(&m, "/2021/12/"));
	strmap_put(&m, "/2021/12/7/", &values[0]);
	assert_ptr_equal(strmap_get(&m, "/2021/12/7/"), &values[0]);
	assert_int_equal(m.n, 5000);
	strmap_free(&m);
}

static void
test_prefix_keys_and_null_values(void **state)
{
	struct strmap m = STRMAP_INIT;

	(void)state;
	assert_null(strmap_get(&m, "a"));
	strmap_putn(&m, "tags/여행/x", strlen("tags/여행"), NULL);
	assert_true(strmap_has(&m, "tags/여행"));
	assert_false(strmap_has(&m, "tags/여"));
	assert_null(strmap_getn(&m, "tags/여행/x", 4));
	strmap_free(&m);
}

/* Keys longer than a block of copies, and room made beforehand. */
static void
test_long_keys_and_reserve(void **state)
{
	struct strmap m = STRMAP_INIT;
	static char big[200000];
	size_t cap;
	int i;

	(void)state;
	memset(big, 'k', sizeof(big) - 1);
	strmap_reserve(&m, 3000);
	cap = m.cap;
	assert_true(cap * 3 >= 3000 * 4);
	strmap_put(&m, "short", big);
	strmap_put(&m, big, &m);
	big[100] = '\0';
	strmap_put(&m, big, NULL);
	big[100] = 'k';
	for (i = 0; i < 2997; i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%d", i);
		strmap_put(&m, key, NULL);
	}
	assert_int_equal(m.cap, cap);
	assert_int_equal(m.n, 3000);
	assert_ptr_equal(strmap_get(&m, big), &m);
	assert_ptr_equal(strmap_get(&m, "short"), big);
	big[100] = '\0';
	assert_true(strmap_has(&m, big));
	big[99] = '\0';
	assert_false(strmap_has(&m, big));
	strmap_free(&m);
}

/* Keys hashed beforehand: the same as strmap_put()/strmap_get(); a
 * borrowed key is not copied, a hashed one is. */
static void
test_hashed_and_borrowed(void **state)
{
	struct strmap m = STRMAP_INIT;
	char url[] = "/2021/12/31/slug/", title[] = "제목";
	int a, b;

	(void)state;
	strmap_put_borrowed(
	    &m, url, strlen(url), strmap_hash(url, strlen(url)), &a);
	strmap_put_hashed(
	    &m, title, strlen(title), strmap_hash(title, strlen(title)), &b);
	assert_ptr_equal(strmap_get(&m, "/2021/12/31/slug/"), &a);
	assert_ptr_equal(strmap_get_hashed(&m, "제목", strlen("제목"),
			     strmap_hash("제목", strlen("제목"))),
	    &b);
	assert_null(
	    strmap_get_hashed(&m, "/2021/", 6, strmap_hash("/2021/", 6)));
	/* The borrowed key is the caller's memory, the other a copy. */
	url[1] = '3';
	title[0] = 'x';
	assert_null(strmap_get(&m, "/2021/12/31/slug/"));
	assert_ptr_equal(strmap_get(&m, "제목"), &b);
	strmap_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_put_get_grow),
	    cmocka_unit_test(test_prefix_keys_and_null_values),
	    cmocka_unit_test(test_long_keys_and_reserve),
	    cmocka_unit_test(test_hashed_and_borrowed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
