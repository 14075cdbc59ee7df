#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "permalink.h"

/* 2021-12-31 21:28:31 +09:00 is 12:28:31 UTC. */
#define REINVENT_04 ((time_t)1640953711)

static char *
expand(const char *pattern, const char *title, time_t date, int tz,
    const char *category)
{
	struct permalink_vars v = {title, date, tz, category};
	struct buf out = BUF_INIT;
	const char *reason = NULL;

	if (permalink_expand(pattern, &v, &out, &reason) != 0) {
		buf_free(&out);
		return NULL;
	}
	return buf_detach(&out, NULL);
}

static void
check_expand(const char *pattern, const char *title, time_t date, int tz,
    const char *category, const char *want)
{
	char *got = expand(pattern, title, date, tz, category);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_default_pattern(void **state)
{
	(void)state;
	check_expand(PERMALINK_DEFAULT, "las-vegas-aws-reinvent-04",
	    REINVENT_04, 540, NULL, "/2021/12/31/las-vegas-aws-reinvent-04/");
}

static void
test_date_is_local_to_zone(void **state)
{
	(void)state;
	/* 2022-01-01 08:00 +09:00 is still 2021-12-31 in UTC. */
	check_expand(":year/:month/:day/:title/", "x", (time_t)1640991600, 540,
	    NULL, "/2022/01/01/x/");
	check_expand(":year/:month/:day/:title/", "x", (time_t)1640991600, 0,
	    NULL, "/2021/12/31/x/");
}

static void
test_every_variable(void **state)
{
	(void)state;
	/* 2021-03-05 07:08:09 UTC */
	check_expand(
	    ":year-:i_month-:i_day/:month/:day/:hour:minute:second/:name",
	    "slug", (time_t)1614928089, 0, NULL, "/2021-3-5/03/05/070809/slug");
	check_expand("/:category/:title.html", "p", REINVENT_04, 540,
	    "기타/잡동사니", "/기타/잡동사니/p.html");
	check_expand(":category/:title/", "p", REINVENT_04, 540, NULL,
	    "/uncategorized/p/");
}

static void
test_bad_pattern(void **state)
{
	(void)state;
	assert_null(expand(":year/:nonsense/", "p", REINVENT_04, 0, NULL));
	assert_null(expand("/", "p", REINVENT_04, 0, NULL));
}

static void
test_slug(void **state)
{
	char *s;

	(void)state;
	s = permalink_slug("2021-12-31-hello", ":year-:month-:day-:title.md");
	assert_string_equal(s, "hello");
	free(s);
	s = permalink_slug("2021-12-31-hello", ":title.md");
	assert_string_equal(s, "2021-12-31-hello");
	free(s);
	s = permalink_slug("2021-12-3x-hello", ":year-:month-:day-:title.md");
	assert_string_equal(s, "2021-12-3x-hello");
	free(s);
	s = permalink_slug("라스베가스", NULL);
	assert_string_equal(s, "라스베가스");
	free(s);
}

static void
check_page(const char *permalink, const char *want_file, const char *want_url)
{
	char *url, *file = permalink_page_file(permalink, &url);

	assert_string_equal(file, want_file);
	assert_string_equal(url, want_url);
	free(file);
	free(url);
}

static void
test_page_file(void **state)
{
	(void)state;
	check_page(
	    "/2021/12/31/a/", "2021/12/31/a/index.gmi", "/2021/12/31/a/");
	check_page("/2021/a.html", "2021/a.gmi", "/2021/a.gmi");
	check_page("/about", "about/index.gmi", "/about/");
	check_page("/about/index.html", "about/index.gmi", "/about/");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_pattern),
	    cmocka_unit_test(test_date_is_local_to_zone),
	    cmocka_unit_test(test_every_variable),
	    cmocka_unit_test(test_bad_pattern),
	    cmocka_unit_test(test_slug),
	    cmocka_unit_test(test_page_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
