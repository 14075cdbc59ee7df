#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "gopher.h"

static int
parse(const char *line, struct gopher_request *req, const char **reason)
{
	*reason = NULL;
	return gopher_parse(line, strlen(line), req, reason);
}

static void
test_paths(void **state)
{
	struct gopher_request r;
	const char *reason;

	(void)state;
	assert_int_equal(parse("", &r, &reason), 0);
	assert_int_equal(r.kind, GOPHER_PATH);
	assert_string_equal(r.path, "/");
	assert_false(r.has_query);
	assert_int_equal(parse("/2021/12/31/slug/", &r, &reason), 0);
	assert_string_equal(r.path, "/2021/12/31/slug/");
	assert_int_equal(r.path_len, strlen("/2021/12/31/slug/"));
	/* without the leading slash */
	assert_int_equal(parse("2021/12/31/slug/", &r, &reason), 0);
	assert_string_equal(r.path, "/2021/12/31/slug/");
	assert_int_equal(parse("/태그/여행/", &r, &reason), 0);
	assert_string_equal(r.path, "/태그/여행/");
}

static void
test_gopher_plus_and_query(void **state)
{
	struct gopher_request r;
	const char *reason;

	(void)state;
	/* Gopher+ probes are dropped: the plain reply follows */
	assert_int_equal(parse("/x/\t+", &r, &reason), 0);
	assert_string_equal(r.path, "/x/");
	assert_false(r.has_query);
	assert_int_equal(parse("\t$", &r, &reason), 0);
	assert_string_equal(r.path, "/");
	assert_false(r.has_query);
	assert_int_equal(parse("/a\t!", &r, &reason), 0);
	assert_false(r.has_query);
	assert_int_equal(parse("/a\t+ABSTRACT", &r, &reason), 0);
	assert_false(r.has_query);
	/* a search: the second field is the query, raw */
	assert_int_equal(parse("/search\t그랜드캐니언", &r, &reason), 0);
	assert_string_equal(r.path, "/search");
	assert_true(r.has_query);
	assert_int_equal(r.query.len, strlen("그랜드캐니언"));
	assert_memory_equal(r.query.p, "그랜드캐니언", r.query.len);
	/* a Gopher+ third field after a query is dropped */
	assert_int_equal(parse("/search\tload shedding\t+", &r, &reason), 0);
	assert_int_equal(r.query.len, strlen("load shedding"));
	assert_int_equal(parse("/search\t", &r, &reason), 0);
	assert_true(r.has_query);
	assert_int_equal(r.query.len, 0);
}

static void
test_refused(void **state)
{
	struct gopher_request r;
	const char *reason;
	char longline[GOPHER_MAX_LINE + 2];

	(void)state;
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	assert_int_equal(parse(longline, &r, &reason), -1);
	assert_string_equal(reason, "Selector too long");
	/* exactly the limit is fine */
	longline[GOPHER_MAX_LINE] = '\0';
	assert_int_equal(parse(longline, &r, &reason), 0);
	assert_int_equal(r.path_len, GOPHER_MAX_LINE + 1);

	assert_int_equal(parse("/../etc/passwd", &r, &reason), -1);
	assert_string_equal(reason, "Dot segment in selector");
	assert_int_equal(parse("..", &r, &reason), -1);
	assert_int_equal(parse("/a/./b", &r, &reason), -1);
	assert_int_equal(parse("/a/..", &r, &reason), -1);
	assert_int_equal(parse("/a/..b", &r, &reason), 0);
	assert_int_equal(parse("/a\x01", &r, &reason), -1);
	assert_string_equal(reason, "Control character in selector");
	assert_int_equal(parse("/a\x7f", &r, &reason), -1);
	assert_int_equal(parse("/search\tx\x1b[2J", &r, &reason), -1);
	assert_int_equal(parse("/\xc0\xaf", &r, &reason), -1);
	assert_string_equal(reason, "Selector is not valid UTF-8");
	assert_int_equal(gopher_parse("/a\0b", 4, &r, &reason), -1);
	assert_int_equal(parse("GET / HTTP/1.1", &r, &reason), -1);
	assert_string_equal(
	    reason, "This is a Gopher server, not a web server");
	assert_int_equal(parse("HEAD /x HTTP/1.0", &r, &reason), -1);
}

static void
test_url_selector(void **state)
{
	struct gopher_request r;
	const char *reason;
	struct buf out = BUF_INIT;
	const char *html;

	(void)state;
	assert_int_equal(
	    parse("URL:https://example.com/a?b=1&c=\"2\"", &r, &reason), 0);
	assert_int_equal(r.kind, GOPHER_URL);
	assert_int_equal(gopher_url_page(r.url.p, r.url.len, &out), 0);
	html = buf_cstr(&out);
	assert_non_null(strstr(html,
	    "<meta http-equiv=\"refresh\" content=\"0; "
	    "url=https://example.com/a?b=1&amp;c=&quot;2&quot;\">"));
	assert_non_null(strstr(html,
	    "<a href=\"https://example.com/a?b=1&amp;"
	    "c=&quot;2&quot;\">https://example.com/a?b=1&amp;c=&quot;2&quot;</"
	    "a>"));
	assert_null(strstr(html, "\"2\""));
	buf_free(&out);
	/* with a leading slash too */
	assert_int_equal(parse("/URL:gemini://x.example/", &r, &reason), 0);
	assert_int_equal(r.kind, GOPHER_URL);
	assert_int_equal(r.url.len, strlen("gemini://x.example/"));

	/* only absolute URLs a browser may follow */
	assert_int_equal(gopher_url_page("/relative", 9, &out), -1);
	assert_int_equal(gopher_url_page("javascript:alert(1)", 19, &out), -1);
	assert_int_equal(gopher_url_page("DATA:text/html,x", 16, &out), -1);
	assert_int_equal(gopher_url_page("http://a b", 10, &out), -1);
	assert_int_equal(gopher_url_page("", 0, &out), -1);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

static void
test_error_menu(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	gopher_error_menu(&out, "Not found");
	assert_string_equal(
	    buf_cstr(&out), "3Not found\t\terror.host\t1\r\n.\r\n");
	buf_reset(&out);
	/* a message can never break the line format */
	gopher_error_menu(&out, "a\tb\r\nc");
	assert_string_equal(
	    buf_cstr(&out), "3a b  c\t\terror.host\t1\r\n.\r\n");
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_gopher_plus_and_query),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_url_selector),
	    cmocka_unit_test(test_error_menu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
