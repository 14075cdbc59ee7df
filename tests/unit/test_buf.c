#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"

static void
test_append_grows(void **state)
{
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 10000; i++)
		buf_putc(&b, (char)('a' + i % 26));
	assert_int_equal(b.len, 10000);
	assert_true(b.cap > b.len);
	assert_int_equal(b.data[b.len], '\0');
	assert_int_equal(b.data[27], 'b');
	buf_free(&b);
	assert_null(b.data);
}

static void
test_printf_and_truncate(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_printf(&b, "%d %s", 20, "text/gemini");
	assert_string_equal(buf_cstr(&b), "20 text/gemini");
	buf_truncate(&b, 2);
	assert_string_equal(buf_cstr(&b), "20");
	buf_truncate(&b, 100);
	assert_int_equal(b.len, 2);
	buf_free(&b);
}

/* A result longer than the room left is formatted again, whole. */
static void
test_printf_longer_than_room(void **state)
{
	struct buf b = BUF_INIT;
	char word[301];

	(void)state;
	memset(word, 'w', 300);
	word[300] = '\0';
	buf_puts(&b, "ab");
	for (int i = 0; i < 3; i++)
		buf_printf(&b, "<%s>", word);
	assert_int_equal(b.len, 2 + 3 * 302);
	assert_int_equal(strlen(buf_cstr(&b)), b.len);
	assert_memory_equal(b.data + 2 + 2 * 302, "<www", 4);
	assert_memory_equal(b.data + b.len - 2, "w>", 2);
	buf_free(&b);
}

static void
test_binary_and_detach(void **state)
{
	struct buf b = BUF_INIT;
	size_t len;
	char *p;

	(void)state;
	buf_append(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	p = buf_detach(&b, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(p, "a\0b", 3);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(p);
}

static void
test_empty_cstr(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_string_equal(buf_cstr(&b), "");
	buf_reset(&b);
	assert_string_equal(buf_cstr(&b), "");
	buf_free(&b);
}

/* Storage made by buf_reserve() alone is terminated too: an empty
 * url_decode() result once came back from buf_detach() unterminated. */
static void
test_reserve_then_detach(void **state)
{
	struct buf b = BUF_INIT;
	char *p;

	(void)state;
	buf_reserve(&b, 10);
	assert_string_equal(b.data, "");
	assert_string_equal(buf_cstr(&b), "");
	p = buf_detach(&b, NULL);
	assert_string_equal(p, "");
	free(p);
}

static void
test_escape_markup(void **state)
{
	struct buf b = BUF_INIT;
	const char *s = "a<b & \"c\">\x01\x7f\td\n한";

	(void)state;
	buf_escape_markup(&b, s, strlen(s));
	assert_string_equal(
	    buf_cstr(&b), "a&lt;b &amp; &quot;c&quot;&gt;\x7f\td\n한");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_append_grows),
	    cmocka_unit_test(test_printf_and_truncate),
	    cmocka_unit_test(test_printf_longer_than_room),
	    cmocka_unit_test(test_binary_and_detach),
	    cmocka_unit_test(test_empty_cstr),
	    cmocka_unit_test(test_reserve_then_detach),
	    cmocka_unit_test(test_escape_markup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
