/* The request rules of protocols.md section 2, row by row, and the
 * response header rules of section 3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "gemini.h"

static const char *const names[] = {
    "localhost", "xn--bcher-kva.example", "other.test"};
static const struct gemini_hosts hosts = {names, 3, 1965};

struct outcome {
	enum gemini_parse r;
	int status;
	int host;
	char path[2048];
	char query[256];
	int has_query;
};

static struct outcome
run(const char *in, size_t len)
{
	struct gemini_request req;
	struct outcome o;

	memset(&o, 0, sizeof(o));
	gemini_request_init(&req);
	o.r = gemini_parse(in, len, &hosts, &req);
	o.status = o.r == GEMINI_REFUSE ? req.status : 0;
	o.host = req.host;
	if (o.r == GEMINI_REQUEST) {
		memcpy(o.path, req.path.data, req.path.len);
		if (req.has_query && req.query.len)
			memcpy(o.query, req.query.data, req.query.len);
		o.has_query = req.has_query;
	}
	gemini_request_free(&req);
	return o;
}

static struct outcome
line(const char *s)
{
	return run(s, strlen(s));
}

static void
assert_status(const char *s, int status)
{
	struct outcome o = line(s);

	if (o.r != GEMINI_REFUSE || o.status != status)
		fail_msg("%s: expected %d, got parse %d status %d", s, status,
		    o.r, o.status);
}

static void
test_root_and_empty_path(void **state)
{
	struct outcome o;

	(void)state;
	o = line("gemini://localhost/\r\n");
	assert_int_equal(o.r, GEMINI_REQUEST);
	assert_string_equal(o.path, "/");
	assert_int_equal(o.host, 0);
	/* The empty path is served as "/", not redirected. */
	o = line("gemini://localhost\r\n");
	assert_int_equal(o.r, GEMINI_REQUEST);
	assert_string_equal(o.path, "/");
}

static void
test_port_and_case(void **state)
{
	struct outcome o;

	(void)state;
	o = line("gemini://localhost:1965/a\r\n");
	assert_int_equal(o.r, GEMINI_REQUEST);
	o = line("GEMINI://LOCALHOST/Path\r\n");
	assert_int_equal(o.r, GEMINI_REQUEST);
	assert_string_equal(o.path, "/Path"); /* the path keeps its case */
	o = line("gemini://Other.Test./x\r\n");
	assert_int_equal(o.r, GEMINI_REQUEST);
	assert_int_equal(o.host, 2);
	o = line("gemini://XN--BCHER-KVA.example/\r\n");
	assert_int_equal(o.host, 1);
}

static void
test_ip_literal_is_default_host(void **state)
{
	(void)state;
	assert_int_equal(line("gemini://127.0.0.1/\r\n").host, 0);
	assert_int_equal(line("gemini://[::1]:1965/\r\n").host, 0);
}

static void
test_length_limit(void **state)
{
	char buf[1100];
	const char *prefix = "gemini://localhost/";
	size_t p = strlen(prefix);
	struct outcome o;

	(void)state;
	memcpy(buf, prefix, p);
	memset(buf + p, 'a', sizeof(buf) - p);
	/* exactly 1024 bytes of URI: processed normally */
	memcpy(buf + 1024, "\r\n", 2);
	o = run(buf, 1026);
	assert_int_equal(o.r, GEMINI_REQUEST);
	assert_int_equal(strlen(o.path), 1024 - p + 1);
	/* 1024 bytes and a CR so far: the LF may still come */
	assert_int_equal(run(buf, 1025).r, GEMINI_NEED_MORE);
	/* 1025 bytes: refused at once, without waiting for the CRLF */
	buf[1024] = 'a';
	o = run(buf, 1025);
	assert_int_equal(o.r, GEMINI_REFUSE);
	assert_int_equal(o.status, 59);
	memcpy(buf + 1025, "\r\n", 2);
	o = run(buf, 1027);
	assert_int_equal(o.status, 59);
	/* 1026 bytes without any CRLF */
	memset(buf + 1024, 'a', 4);
	assert_int_equal(run(buf, 1026).status, 59);
}

static void
test_needs_crlf(void **state)
{
	(void)state;
	assert_int_equal(line("gemini://localhost/").r, GEMINI_NEED_MORE);
	assert_int_equal(line("gemini://localhost/\r").r, GEMINI_NEED_MORE);
	/* LF without CR: no answer, keep waiting */
	assert_int_equal(line("gemini://localhost/\n").r, GEMINI_NEED_MORE);
	assert_int_equal(line("g").r, GEMINI_NEED_MORE);
	/* bytes after the first CRLF are ignored */
	assert_int_equal(line("gemini://localhost/a\r\nGET / HTTP/1.0\r\n").r,
	    GEMINI_REQUEST);
}

static void
test_bad_requests(void **state)
{
	(void)state;
	assert_status("gemini://localhost/\xff\r\n", 59);
	assert_status("gemini://localhost/\xc3\r\n", 59);
	assert_status("gemini://u@localhost/\r\n", 59);
	assert_status("gemini://localhost/#x\r\n", 59);
	assert_status("//localhost/\r\n", 59);
	assert_status("/\r\n", 59);
	assert_status("\r\n", 59);
	assert_status("hello there\r\n", 59);
	assert_status("gemini://localhost/%zz\r\n", 59);
	assert_status("gemini://localhost/%4\r\n", 59);
	assert_status("gemini://localhost/a%00b\r\n", 59);
	assert_status("gemini://localhost/a%2fb\r\n", 59);
	assert_status("gemini://localhost/a%2Fb\r\n", 59);
	assert_status("gemini://localhost/a/%0a\r\n", 59);
	assert_status("gemini://localhost/a?%zz\r\n", 59);
	assert_status("gemini:///\r\n", 59);
}

static void
test_dot_segments(void **state)
{
	(void)state;
	assert_status("gemini://localhost/../etc/passwd\r\n", 59);
	assert_status("gemini://localhost/a/./b\r\n", 59);
	assert_status("gemini://localhost/a/..\r\n", 59);
	assert_status("gemini://localhost/%2e%2e/x\r\n", 59);
	assert_status("gemini://localhost/%2E./x\r\n", 59);
	assert_status("gemini://localhost/a/%2e/\r\n", 59);
}

static void
test_proxy_requests(void **state)
{
	(void)state;
	assert_status("gemini://example.com/\r\n", 53);
	assert_status("gemini://localhost:1966/\r\n", 53);
	assert_status("https://localhost/\r\n", 53);
	assert_status("http://localhost/\r\n", 53);
	assert_status("gopher://localhost/\r\n", 53);
	assert_status("gemini://localhostx/\r\n", 53);
}

static void
test_query_and_spaces(void **state)
{
	struct outcome o;

	(void)state;
	o = line("gemini://localhost/search?%EB%9D%BC%EC%8A%A4+a%20b\r\n");
	assert_int_equal(o.r, GEMINI_REQUEST);
	assert_string_equal(o.path, "/search");
	assert_true(o.has_query);
	assert_string_equal(o.query, "\xeb\x9d\xbc\xec\x8a\xa4+a b");
	o = line("gemini://localhost/a%20b.gmi\r\n");
	assert_string_equal(o.path, "/a b.gmi");
	assert_false(line("gemini://localhost/\r\n").has_query);
}

static void
test_header(void **state)
{
	struct buf b = BUF_INIT;
	char meta[1500];

	(void)state;
	gemini_header(&b, 51, "Not found", 9);
	assert_string_equal(buf_cstr(&b), "51 Not found\r\n");
	buf_reset(&b);
	gemini_header(&b, 59, "a\r\nb\tc", 6);
	assert_string_equal(buf_cstr(&b), "59 abc\r\n");
	/* cut at 1024 bytes, on a character boundary: 3-byte Hangul */
	for (size_t i = 0; i + 3 <= sizeof(meta); i += 3)
		memcpy(meta + i, "\xea\xb0\x80", 3);
	buf_reset(&b);
	gemini_header(&b, 20, meta, sizeof(meta));
	assert_int_equal(b.len, 3 + 1023 + 2);
	buf_free(&b);
}

static void
test_success_header(void **state)
{
	char h[256];

	(void)state;
	gemini_success_header(h, sizeof(h), "text/gemini", "ko");
	assert_string_equal(h, "20 text/gemini; charset=utf-8; lang=ko\r\n");
	gemini_success_header(h, sizeof(h), "text/gemini", "ko,en");
	assert_string_equal(
	    h, "20 text/gemini; charset=utf-8; lang=\"ko,en\"\r\n");
	gemini_success_header(h, sizeof(h), "text/plain", "ko");
	assert_string_equal(h, "20 text/plain; charset=utf-8\r\n");
	gemini_success_header(h, sizeof(h), "image/png", "ko");
	assert_string_equal(h, "20 image/png\r\n");
	assert_int_equal(gemini_success_header(h, 10, "text/gemini", "ko"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_root_and_empty_path),
	    cmocka_unit_test(test_port_and_case),
	    cmocka_unit_test(test_ip_literal_is_default_host),
	    cmocka_unit_test(test_length_limit),
	    cmocka_unit_test(test_needs_crlf),
	    cmocka_unit_test(test_bad_requests),
	    cmocka_unit_test(test_dot_segments),
	    cmocka_unit_test(test_proxy_requests),
	    cmocka_unit_test(test_query_and_spaces),
	    cmocka_unit_test(test_header),
	    cmocka_unit_test(test_success_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
