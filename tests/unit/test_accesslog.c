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
	assert_int_equal(
	    listen_parse("192.0.2.77:1965", &ss, &len, err, sizeof(err)), 0);
	accesslog_format_addr(
	    out, sizeof(out), (struct sockaddr *)&ss, LOG_ADDR_FULL);
	assert_string_equal(out, "192.0.2.77");
	accesslog_format_addr(
	    out, sizeof(out), (struct sockaddr *)&ss, LOG_ADDR_TRUNCATED);
	assert_string_equal(out, "192.0.2.0");
	accesslog_format_addr(
	    out, sizeof(out), (struct sockaddr *)&ss, LOG_ADDR_NONE);
	assert_string_equal(out, "-");
	assert_int_equal(
	    listen_parse("[2001:db8:1:2:3::9]:70", &ss, &len, err, sizeof(err)),
	    0);
	accesslog_format_addr(
	    out, sizeof(out), (struct sockaddr *)&ss, LOG_ADDR_TRUNCATED);
	assert_string_equal(out, "2001:db8:1::");
	assert_int_equal(listen_parse("*:70", &ss, &len, err, sizeof(err)), 0);
	assert_int_equal(
	    listen_parse("localhost:70", &ss, &len, err, sizeof(err)), -1);
	assert_int_equal(
	    listen_parse("127.0.0.1", &ss, &len, err, sizeof(err)), -1);
	assert_int_equal(
	    listen_parse("127.0.0.1:70000", &ss, &len, err, sizeof(err)), -1);
}

static void
test_json_line(void **state)
{
	static const char path[] = "/a\"b\n\xc3\xa9\xff\\";
	struct sockaddr_storage ss;
	struct accesslog al;
	struct access_entry e;
	socklen_t len;
	char err[128];
	const char *line, *rest;

	(void)state;
	assert_int_equal(
	    listen_parse("[2001:db8::5]:70", &ss, &len, err, sizeof(err)), 0);
	accesslog_init(&al);
	e = (struct access_entry){(const struct sockaddr *)&ss, "localhost", 9,
	    path, sizeof(path) - 1, 20, 1234, 0.21};
	assert_int_equal(
	    accesslog_add(&al, LOG_ADDR_FULL, LOG_FORMAT_JSON, &e), 0);
	line = buf_cstr(&al.buf);
	/* The time stamp, then everything else exactly. */
	assert_int_equal(strncmp(line, "{\"time\":\"", 9), 0);
	assert_int_equal(
	    strlen(line), 9 + 20 + strlen(rest = strchr(line + 9, '"')));
	assert_string_equal(rest,
	    "\",\"client\":\"2001:db8::5\",\"host\":\"localhost\","
	    "\"path\":\"/a\\\"b\\u000a\xc3\xa9\\\\xff\\\\\",\"status\":20,"
	    "\"bytes\":1234,\"ms\":0.210}\n");
	/* No address logged: null, not a string. */
	buf_reset(&al.buf);
	accesslog_add(&al, LOG_ADDR_NONE, LOG_FORMAT_JSON, &e);
	assert_non_null(strstr(buf_cstr(&al.buf), "\"client\":null,"));
	accesslog_free(&al);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addresses),
	    cmocka_unit_test(test_json_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
