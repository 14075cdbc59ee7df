#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
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

/* The common format: everything after the time stamp exactly, the
 * milliseconds rounded to three decimals. */
static void
test_common_line(void **state)
{
	static const struct {
		double ms;
		size_t bytes;
		const char *tail;
	} cases[] = {
	    {0.21, 1234, " 20 1234 0.210ms\n"},
	    {12.3456, 0, " 20 0 12.346ms\n"},
	    {0.0004, 7, " 20 7 0.000ms\n"},
	    {1234.5, 204800, " 20 204800 1234.500ms\n"},
	    {0.9996, 18446744073709551615u,
		" 20 18446744073709551615 1.000ms\n"},
	};
	struct sockaddr_storage ss;
	struct accesslog al;
	struct access_entry e;
	socklen_t len;
	char err[128], want[128];
	const char *line;
	size_t i;

	(void)state;
	assert_int_equal(
	    listen_parse("203.0.113.254:70", &ss, &len, err, sizeof(err)), 0);
	accesslog_init(&al);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = (struct access_entry){(const struct sockaddr *)&ss,
		    "localhost", 9, "/a b", 4, 20, cases[i].bytes, cases[i].ms};
		buf_reset(&al.buf);
		assert_int_equal(
		    accesslog_add(&al, LOG_ADDR_FULL, LOG_FORMAT_COMMON, &e),
		    0);
		line = buf_cstr(&al.buf);
		snprintf(want, sizeof(want),
		    " 203.0.113.254 localhost /a\\x20b%s", cases[i].tail);
		/* 2026-11-25T15:04:05Z, then the rest */
		assert_int_equal(strlen(line), 20 + strlen(want));
		assert_string_equal(line + 20, want);
	}
	accesslog_free(&al);
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
	    cmocka_unit_test(test_common_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
