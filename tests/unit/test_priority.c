#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "priority.h"

static enum priority
classify(const struct priority_rules *r, const char *path, long size)
{
	return priority_classify(r, path, strlen(path), size >= 0,
	    size >= 0 ? (size_t)size : 0, false);
}

static void
test_defaults(void **state)
{
	struct priority_rules r;

	(void)state;
	priority_rules_default(&r);
	assert_int_equal(classify(&r, "/", -1), PRIO_PAGE);
	assert_int_equal(
	    classify(&r, "/2021/12/31/las-vegas-aws-reinvent-04/", 4096),
	    PRIO_PAGE);
	assert_int_equal(classify(&r, "/tags/index.gmi", 900000), PRIO_PAGE);
	assert_int_equal(classify(&r, "/atom.xml", 300000), PRIO_LIGHT);
	assert_int_equal(classify(&r, "/search", -1), PRIO_LIGHT);
	assert_int_equal(classify(&r, "/robots.txt", 100), PRIO_LIGHT);
	assert_int_equal(classify(&r, "/a/photo.jpeg", 100), PRIO_HEAVY);
	assert_int_equal(classify(&r, "/a/data.bin", 100), PRIO_LIGHT);
	assert_int_equal(classify(&r, "/a/data.bin", 64 * 1024), PRIO_HEAVY);
	assert_int_equal(classify(&r, "/missing", -1), PRIO_LIGHT);
	assert_int_equal(
	    priority_classify(&r, "/", 1, false, 0, true), PRIO_OVER);
	assert_string_equal(priority_name(PRIO_HEAVY), "heavy");
	priority_rules_free(&r);
}

static void
test_configured(void **state)
{
	struct priority_rules r;
	const char *pages[] = {"/posts/*"};
	const char *heavy[] = {"/big/*", "*.tar.gz"};
	char longpath[1100];

	(void)state;
	priority_rules_default(&r);
	priority_rules_set(&r.page, pages, 1);
	priority_rules_set(&r.heavy, heavy, 2);
	priority_rules_set(&r.light, NULL, 0);
	r.heavy_size = 10;
	assert_int_equal(classify(&r, "/posts/x.jpg", 5), PRIO_PAGE);
	assert_int_equal(classify(&r, "/", 5), PRIO_LIGHT);
	assert_int_equal(classify(&r, "/big/a.txt", 1), PRIO_HEAVY);
	assert_int_equal(classify(&r, "/x/y.tar.gz", 1), PRIO_HEAVY);
	assert_int_equal(classify(&r, "/atom.xml", 10), PRIO_HEAVY);
	/* A path longer than any request is classified by size only. */
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(classify(&r, longpath, 1), PRIO_LIGHT);
	/* Bytes after a NUL are not seen by the patterns. */
	assert_int_equal(
	    priority_classify(&r, "/posts/\0x", 9, true, 100, false),
	    PRIO_PAGE);
	priority_rules_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_configured),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
