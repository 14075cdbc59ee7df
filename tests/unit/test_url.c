#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "url.h"

static int
parse(const char *s, struct url *u)
{
	const char *reason;
	return url_parse(s, strlen(s), u, &reason);
}

static void
test_parse_gemini(void **state)
{
	struct url u;

	(void)state;
	assert_int_equal(parse("gemini://Example.org:1965/a/b?q=1#f", &u), 0);
	assert_true(slice_eq_nocase(u.scheme, "GEMINI"));
	assert_true(slice_eq_nocase(u.host, "example.org"));
	assert_int_equal(u.port_num, 1965);
	assert_int_equal(u.path.len, 4);
	assert_memory_equal(u.path.p, "/a/b", 4);
	assert_true(u.has_query);
	assert_true(u.has_fragment);
	assert_false(u.has_userinfo);
}

static void
test_parse_userinfo_ipv6(void **state)
{
	struct url u;

	(void)state;
	assert_int_equal(parse("gemini://user@[::1]:70/", &u), 0);
	assert_true(u.has_userinfo);
	assert_true(slice_eq_nocase(u.host, "::1"));
	assert_int_equal(u.port_num, 70);
}

static void
test_parse_refuses(void **state)
{
	struct url u;

	(void)state;
	assert_int_equal(parse("gemini://host/a b", &u), -1);
	assert_int_equal(parse("gemini://host:99999/", &u), -1);
	assert_int_equal(parse("gemini://host:1x/", &u), -1);
	assert_int_equal(parse("gemini://host/\x01", &u), -1);
}

static void
test_parse_relative(void **state)
{
	struct url u;

	(void)state;
	assert_int_equal(parse("/2021/12/31/post/", &u), 0);
	assert_int_equal(u.scheme.len, 0);
	assert_false(u.has_authority);
}

/* Each part of a parsed URL as "scheme|userinfo|host|port|path|query|
 * fragment", a part that is not there as "-". */
static void
parts(const char *s, char *out, size_t len)
{
	struct url u;
	const char *reason;
	size_t at = 0;

	if (url_parse(s, strlen(s), &u, &reason) != 0) {
		snprintf(out, len, "refused");
		return;
	}
#define PART(present, sl)                                                      \
	at += (size_t)snprintf(out + at, len - at, "%s%.*s", at ? "|" : "",    \
	    (present) ? (int)(sl).len : 1, (present) ? (sl).p : "-")
	PART(u.scheme.len > 0, u.scheme);
	PART(u.has_userinfo, u.userinfo);
	PART(u.has_authority, u.host);
	PART(u.port.len > 0, u.port);
	PART(true, u.path);
	PART(u.has_query, u.query);
	PART(u.has_fragment, u.fragment);
#undef PART
}

/* Where each part ends: the first '/', '?' or '#' ends the authority,
 * the last '@' in it the user, the first ':' the host, the first '?' or
 * '#' the path, the first '#' the query. */
static void
test_parse_parts(void **state)
{
	static const char *const cases[][2] = {
	    {"https://bench.example.org/2020/01/01/post-00000/a.jpeg",
		"https|-|bench.example.org|-|/2020/01/01/post-00000/"
		"a.jpeg|-|-"},
	    {"https://www.youtube.com/watch?v=abc#t=1?x",
		"https|-|www.youtube.com|-|/watch|v=abc|t=1?x"},
	    {"gemini://a@b@host:1965#frag/x", "gemini|a@b|host|1965||-|frag/x"},
	    {"gemini://h?q/r#f", "gemini|-|h|-||q/r|f"},
	    {"gemini://[::1]:70/p?", "gemini|-|::1|70|/p||-"},
	    {"gemini://[::1/p", "refused"},
	    {"gemini://[::1]x/p", "refused"},
	    {"gemini://h:/p", "gemini|-|h|-|/p|-|-"},
	    {"//h/p#", "-|-|h|-|/p|-|"},
	    {"mailto:a@b.c", "mailto|-|-|-|a@b.c|-|-"},
	    {"a/b:c?d#e", "-|-|-|-|a/b:c|d|e"},
	    {"gemini://", "gemini|-||-||-|-"},
	    {"?#", "-|-|-|-|||"},
	    {"", "-|-|-|-||-|-"},
	};
	char got[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parts(cases[i][0], got, sizeof(got));
		assert_string_equal(got, cases[i][1]);
	}
}

static void
test_decode(void **state)
{
	struct buf b = BUF_INIT;
	const char *reason;

	(void)state;
	assert_int_equal(url_decode("a%20b%ED%95%9C", 14, &b, 0, &reason), 0);
	assert_string_equal(buf_cstr(&b), "a b\xed\x95\x9c");
	buf_reset(&b);
	assert_int_equal(url_decode("%zz", 3, &b, 0, &reason), -1);
	assert_int_equal(url_decode("%4", 2, &b, 0, &reason), -1);
	assert_int_equal(
	    url_decode("a%2fb", 5, &b, URL_DECODE_PATH, &reason), -1);
	assert_int_equal(
	    url_decode("a%00b", 5, &b, URL_DECODE_PATH, &reason), -1);
	buf_reset(&b);
	assert_int_equal(url_decode("a%2fb", 5, &b, 0, &reason), 0);
	assert_string_equal(buf_cstr(&b), "a/b");
	/* escapes first, last, side by side; only n bytes are read */
	buf_reset(&b);
	assert_int_equal(url_decode("%41bc%44%45/%46x", 15, &b, 0, &reason), 0);
	assert_string_equal(buf_cstr(&b), "AbcDE/F");
	buf_reset(&b);
	assert_int_equal(url_decode("/plain/path", 11, &b, 0, &reason), 0);
	assert_string_equal(buf_cstr(&b), "/plain/path");
	buf_free(&b);
}

static void
test_encode(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	url_encode(&b, "/a b/한", strlen("/a b/한"), "/");
	assert_string_equal(buf_cstr(&b), "/a%20b/%ED%95%9C");
	/* appended after what is there; no keep set: '/' escaped too; a NUL
	 * byte is escaped, never kept */
	url_encode(&b, "x/~\0y", 5, NULL);
	assert_int_equal(b.len, strlen("/a%20b/%ED%95%9Cx%2F~%00y"));
	assert_string_equal(buf_cstr(&b), "/a%20b/%ED%95%9Cx%2F~%00y");
	buf_reset(&b);
	url_encode(&b, "", 0, "/");
	assert_string_equal(buf_cstr(&b), "");
	url_encode(&b, "A-Z_0.9", 7, "/");
	assert_string_equal(buf_cstr(&b), "A-Z_0.9");
	/* every byte: kept when unreserved (RFC 3986) or in keep */
	for (unsigned c = 0; c < 256; c++) {
		char in = (char)c;
		bool kept = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", (int)c) ||
		    c == '/' || c == '?';

		buf_reset(&b);
		url_encode(&b, &in, 1, "/?");
		assert_int_equal(b.len, kept && c != 0 ? 1 : 3);
	}
	buf_free(&b);
}

static void
test_dot_segments(void **state)
{
	(void)state;
	assert_true(url_has_dot_segment("/a/../b", 7));
	assert_true(url_has_dot_segment("/a/.", 4));
	assert_true(url_has_dot_segment("..", 2));
	assert_false(url_has_dot_segment("/a/..b/.c", 9));
	assert_false(url_has_dot_segment("/", 1));
}

/* A control byte, space or DEL is found wherever it is, the tail of a
 * string that is not a multiple of eight (or sixteen) bytes long
 * included; the bytes next to them (0x21, 0x7e, 0x80: bytes of UTF-8,
 * which a signed comparison would take for controls) are not. */
static void
test_has_control(void **state)
{
	static const char bad[] = {' ', '\t', '\n', '\x01', '\x1f', '\x7f', 0};
	static const char fine[] = {'a', '!', '~', (char)0x80, (char)0xea};
	char s[80];

	(void)state;
	for (size_t n = 1; n < sizeof(s); n++) {
		for (size_t at = 0; at < n; at++)
			s[at] = fine[(at * 7 + n) % sizeof(fine)];
		s[n - 1] = (char)0xea; /* UTF-8 bytes are not controls */
		assert_false(url_has_control(s, n));
		for (size_t at = 0; at < n; at++)
			for (size_t k = 0; k < sizeof(bad); k++) {
				char was = s[at];

				s[at] = bad[k];
				assert_true(url_has_control(s, n));
				s[at] = was;
			}
	}
}

/* Web links that url_parse() need not see: external whatever the site. */
static void
test_plain_web(void **state)
{
	(void)state;
	assert_true(url_is_plain_web("https://a.org/x?y#z", 19));
	assert_true(url_is_plain_web("http://a.org", 12));
	assert_true(url_is_plain_web("https://blog.example.org/2021/한글.jpeg",
	    strlen("https://blog.example.org/2021/한글.jpeg")));
	assert_false(url_is_plain_web("https://a.org:8080/x", 20));
	assert_false(url_is_plain_web("https://[::1]/x", 15));
	assert_false(url_is_plain_web("https://a.org/x y", 17));
	assert_false(url_is_plain_web("gemini://a.org/", 15));
	assert_false(url_is_plain_web("HTTPS://a.org/", 14));
	assert_false(url_is_plain_web("https://", 8));
	assert_false(url_is_plain_web("/2021/12/31/a/", 14));
	assert_false(url_is_plain_web("a.jpeg", 6));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_gemini),
	    cmocka_unit_test(test_parse_userinfo_ipv6),
	    cmocka_unit_test(test_parse_refuses),
	    cmocka_unit_test(test_parse_parts),
	    cmocka_unit_test(test_parse_relative),
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_encode),
	    cmocka_unit_test(test_dot_segments),
	    cmocka_unit_test(test_plain_web),
	    cmocka_unit_test(test_has_control),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
