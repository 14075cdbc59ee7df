#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mime.h"

static void
test_types(void **state)
{
	(void)state;
	assert_string_equal(mime_for_path("/index.gmi"), "text/gemini");
	assert_string_equal(mime_for_path("/a/b.GEMINI"), "text/gemini");
	assert_string_equal(mime_for_path("/robots.txt"), "text/plain");
	assert_string_equal(mime_for_path("/atom.xml"), "application/atom+xml");
	assert_string_equal(
	    mime_for_path("/feed.atom"), "application/atom+xml");
	assert_string_equal(mime_for_path("/sitemap.xml"), "application/xml");
	assert_string_equal(mime_for_path("/img/a.png"), "image/png");
	assert_string_equal(mime_for_path("/img/a.JPG"), "image/jpeg");
	assert_string_equal(mime_for_path("/img/a.gif"), "image/gif");
	assert_string_equal(
	    mime_for_path("/a.bin"), "application/octet-stream");
	assert_string_equal(
	    mime_for_path("/noext"), "application/octet-stream");
	assert_string_equal(
	    mime_for_path("/dir.gmi/noext"), "application/octet-stream");
	assert_true(mime_is_text("text/gemini"));
	assert_false(mime_is_text("image/png"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
