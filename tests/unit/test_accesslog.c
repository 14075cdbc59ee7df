#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <cmocka.h>

#include "accesslog.h"
#include "listen.h"

static void
test_addresses(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[128], out[64];

	(void)state;
	assert_int_equal(listen_parse("192.0.2.77:1965", &ss, &len, err, sizeof(err)), 0);
	accesslog_format_addr(out, sizeof(out), (struct sockaddr *)&ss, LOG_ADDR_FULL);
	assert_string_equal(out, "192.0.2.77");
	accesslog_format_addr(out, sizeof(out), (struct sockaddr *)&ss, LOG_ADDR_TRUNCATED);
	assert_string_equal(out, "192.0.2.0");
	accesslog_format_addr(out, sizeof(out), (struct sockaddr *)&ss, LOG_ADDR_NONE);
	assert_string_equal(out, "-");
	assert_int_equal(listen_parse("[2001:db8:1:2:3::9]:70", &ss, &len, err, sizeof(err)), 0);
	accesslog_format_addr(out, sizeof(out), (struct sockaddr *)&ss, LOG_ADDR_TRUNCATED);
	assert_string_equal(out, "2001:db8:1::");
	assert_int_equal(listen_parse("*:70", &ss, &len, err, sizeof(err)), 0);
	assert_int_equal(listen_parse("localhost:70", &ss, &len, err, sizeof(err)), -1);
	assert_int_equal(listen_parse("127.0.0.1", &ss, &len, err, sizeof(err)), -1);
	assert_int_equal(listen_parse("127.0.0.1:70000", &ss, &len, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
