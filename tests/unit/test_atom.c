#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "atom.h"

static void
check_time(time_t t, int tz, const char *want)
{
	struct buf b = BUF_INIT;

	atom_format_time(&b, t, tz);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

static void
test_rfc3339_in_the_zone(void **state)
{
	(void)state;
	/* 2021-12-31 12:28:31 UTC: part 4 of the series, written in Seoul. */
	check_time(1640953711, 540, "2021-12-31T21:28:31+09:00");
	check_time(1640953711, 0, "2021-12-31T12:28:31Z");
	check_time(1640953711, -330, "2021-12-31T06:58:31-05:30");
	/* The zone moves the day: 23:30 UTC is the next day in Seoul. */
	check_time(1640993400, 540, "2022-01-01T08:30:00+09:00");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc3339_in_the_zone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
