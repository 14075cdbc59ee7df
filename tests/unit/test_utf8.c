#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "utf8.h"

static void
test_valid(void **state)
{
	(void)state;
	assert_true(utf8_valid("plain ascii", 11));
	assert_true(utf8_valid("라스베가스", strlen("라스베가스")));
	assert_false(utf8_valid("\xc0\xaf", 2)); /* overlong '/' */
	assert_false(utf8_valid("\xe0\x80\xaf", 3)); /* overlong '/' */
	assert_false(utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	assert_false(utf8_valid("\xea\xb0", 2)); /* truncated */
	assert_false(utf8_valid("\xff", 1));
}

/* The fast paths of utf8_valid() (ASCII words, three-byte sequences) agree
 * with utf8_decode() on every lead byte and continuation pair, at every
 * alignment. */
static void
test_valid_agrees_with_decode(void **state)
{
	char text[24];
	uint32_t cp;

	(void)state;
	for (unsigned lead = 0x80; lead <= 0xff; lead++) {
		for (unsigned b1 = 0; b1 < 256; b1++) {
			for (unsigned b2 = 0; b2 < 256;
			     b2 += lead >= 0xe0 ? 1 : 255) {
				char seq[3] = {(char)lead, (char)b1, (char)b2};
				bool ok = utf8_decode(seq, 3, &cp) == 3 ||
				    (utf8_decode(seq, 3, &cp) == 2 &&
					(unsigned char)seq[2] < 0x80);
				size_t at = (lead + b1) % 10;

				memset(text, 'a', sizeof(text));
				memcpy(text + at, seq, 3);
				assert_int_equal(
				    utf8_valid(text, sizeof(text)), ok);
				/* cut short at the end of the text */
				assert_false(utf8_valid(text, at + 1));
				if (lead >= 0xe0)
					assert_false(utf8_valid(text, at + 2));
			}
		}
	}
	for (size_t at = 0; at < sizeof(text); at++) {
		memset(text, 'a', sizeof(text));
		text[at] = (char)0x80;
		assert_false(utf8_valid(text, sizeof(text)));
	}
}

/* What utf8_valid() must say, from utf8_decode() alone. */
static bool
valid_by_decode(const char *s, size_t n)
{
	uint32_t cp;
	size_t k;

	for (size_t i = 0; i < n; i += k)
		if ((k = utf8_decode(s + i, n - i, &cp)) == 0)
			return false;
	return true;
}

/* Long texts take the 32-byte path where the CPU has one: every pair and
 * triple of bytes that matters, at every offset around the block
 * boundaries, inside Hangul text, and cut short at the end. */
static void
test_valid_long_agrees_with_decode(void **state)
{
	static const unsigned char probes[] = {0x00, 0x41, 0x7f, 0x80, 0x8f,
	    0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec,
	    0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf8, 0xfe, 0xff};
	const size_t np = sizeof(probes);
	char text[160];
	size_t hangul = strlen("한"), at;

	(void)state;
	for (size_t a = 0; a < np; a++) {
		for (size_t b = 0; b < np; b++) {
			for (size_t c = 0; c < np; c += (a + b) % 3 + 1) {
				char seq[4] = {(char)probes[a], (char)probes[b],
				    (char)probes[c], (char)0x80};

				at = 50 + (a * np + b + c) % 40;
				for (size_t i = 0; i + hangul <= sizeof(text);
				     i += hangul)
					memcpy(text + i, "한", hangul);
				memset(text + sizeof(text) / hangul * hangul,
				    ' ', sizeof(text) % hangul);
				memcpy(text + at, seq, 4);
				assert_int_equal(utf8_valid(text, sizeof(text)),
				    valid_by_decode(text, sizeof(text)));
				for (size_t cut = at; cut < at + 5; cut++)
					assert_int_equal(utf8_valid(text, cut),
					    valid_by_decode(text, cut));
			}
		}
	}
	/* a sequence across a 32-byte boundary, and one at the very end */
	for (at = 60; at < 100; at++) {
		memset(text, 'a', sizeof(text));
		memcpy(text + at, "\xf0\x9f\x98\x80", 4);
		assert_true(utf8_valid(text, sizeof(text)));
		assert_false(utf8_valid(text, at + 3));
		text[at + 2] = 'a';
		assert_false(utf8_valid(text, sizeof(text)));
	}
	memset(text, 'a', sizeof(text));
	memcpy(text + 126, "\xe3\x80", 2); /* cut at a block's end */
	assert_false(utf8_valid(text, 128));
	assert_true(utf8_valid(text, 126));
}

static void
test_encode_decode(void **state)
{
	char out[4];
	uint32_t cp;

	(void)state;
	assert_int_equal(utf8_encode(0xac00, out), 3);
	assert_int_equal(utf8_decode(out, 3, &cp), 3);
	assert_int_equal(cp, 0xac00);
	assert_int_equal(utf8_encode(0x1f600, out), 4);
	assert_int_equal(utf8_encode(0xd800, out), 0);
}

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(utf8_width("abc", 3), 3);
	/* Hangul syllables are two columns each. */
	assert_int_equal(utf8_width("한국어", strlen("한국어")), 6);
	assert_int_equal(utf8_width("a한b", strlen("a한b")), 4);
	/* Combining acute accent takes no column. */
	assert_int_equal(utf8_width("e\xcc\x81", 3), 1);
	assert_int_equal(utf8_width("漢字", strlen("漢字")), 4);
}

static void
test_wrap_at_spaces(void **state)
{
	const char *s = "aaa bbb ccc";
	size_t next, len;

	(void)state;
	len = utf8_wrap(s, strlen(s), 7, &next);
	assert_int_equal(len, 7);
	assert_memory_equal(s, "aaa bbb", 7);
	assert_int_equal(next, 8);
	len = utf8_wrap(s + next, strlen(s) - next, 7, &next);
	assert_int_equal(len, 3);
}

static void
test_wrap_hangul_by_columns(void **state)
{
	/* 4 syllables = 8 columns; a 6-column line holds "가나" plus space. */
	const char *s = "가나 다라";
	size_t next, len;

	(void)state;
	len = utf8_wrap(s, strlen(s), 6, &next);
	assert_int_equal(len, strlen("가나"));
	assert_int_equal(utf8_width(s + next, strlen(s) - next), 4);
}

static void
test_wrap_trailing_spaces(void **state)
{
	const char *s = "aaa bb   cc";
	size_t next, len;

	(void)state;
	/* spaces past the width end the line; they are not part of it */
	len = utf8_wrap(s, strlen(s), 7, &next);
	assert_int_equal(len, 6);
	assert_int_equal(next, 9);
	len = utf8_wrap("ab   ", 5, 3, &next);
	assert_int_equal(len, 2);
	assert_int_equal(next, 5);
}

static void
test_wrap_long_word(void **state)
{
	const char *s = "가나다라마바";
	size_t next, len;

	(void)state;
	/* A word wider than the line breaks between code points. */
	len = utf8_wrap(s, strlen(s), 5, &next);
	assert_int_equal(len, strlen("가나"));
	assert_int_equal(next, len);
}

/* Only line feeds count, a CR alone or a NUL byte is no line end. */
static void
test_count_newlines(void **state)
{
	(void)state;
	assert_int_equal(utf8_count_newlines("", 0), 0);
	assert_int_equal(utf8_count_newlines("a\nb\n\n", 5), 3);
	assert_int_equal(utf8_count_newlines("a\nb\n\n", 4), 2);
	assert_int_equal(utf8_count_newlines("\r\0\n\r", 4), 1);
	assert_int_equal(utf8_count_newlines("\n\ub108\n", 5), 2);
}

/* Long texts are counted 32 bytes at a time (where the processor has
 * AVX2): the same counts as byte by byte, at any length and alignment,
 * also past the 255 steps after which the per-byte counters are summed,
 * with nothing but line feeds (every counter full) or a few. */
static void
test_count_newlines_long(void **state)
{
	size_t len = 20000, n, off, want, i;
	char *s = malloc(len + 8);
	int pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < len + 8; i++)
			s[i] = pass == 0 ? '\n'
					 : (i * 7919 % 61 == 0 ? '\n' : 'a');
		for (off = 0; off < 8; off += 5)
			for (n = 0; n <= len; n += n < 300 ? 1 : 1021) {
				for (want = 0, i = 0; i < n; i++)
					want += s[off + i] == '\n';
				assert_int_equal(
				    utf8_count_newlines(s + off, n), want);
			}
		assert_int_equal(utf8_count_newlines(s, len),
		    pass == 0 ? len : (len + 60) / 61);
	}
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_valid_agrees_with_decode),
	    cmocka_unit_test(test_valid_long_agrees_with_decode),
	    cmocka_unit_test(test_encode_decode),
	    cmocka_unit_test(test_count_newlines),
	    cmocka_unit_test(test_count_newlines_long),
	    cmocka_unit_test(test_width),
	    cmocka_unit_test(test_wrap_at_spaces),
	    cmocka_unit_test(test_wrap_hangul_by_columns),
	    cmocka_unit_test(test_wrap_long_word),
	    cmocka_unit_test(test_wrap_trailing_spaces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
