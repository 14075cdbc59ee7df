#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "gemtext.h"
#include "gophermap.h"
#include "layout.h"
#include "plaintext.h"
#include "utf8.h"

#define HOST "gopher.example"
#define PORT 7070

static const char page[] =
    "# 라스베가스를 다녀오고... 4편\n"
    "\n"
    "회사에서 좋은 기회가 생겨 AWS re:invent에 참석할 기회가 생겼다. 영어도 잘 "
    "못하고, 평상시 AWS를 직접 쓰지 않은지 오래 되기도 했지만 견문을 넓히자는 "
    "차원에서 지원하여 갔다오게 되었다.\n"
    "* 1편 - 인천공항에서 세미나 첫 날까지 (11/28 ~ 11/29) 그리고 조금 더 긴 "
    "항목 이름\n"
    "> 인용문은 이렇게 표시되고 길면 다음 줄에서도 인용 표시를 달고 이어진다 "
    "정말로\n"
    "=> /2021/12/31/las-vegas-aws-reinvent-03/ 3편 - 세미나 셋째 날\n"
    "=> helicopter-01.jpeg 헬기\n"
    "=> anim.GIF\n"
    "=> ../notes.txt 메모\n"
    "=> archive.tar.gz\n"
    "=> https://netflixtechblog.com/keeping-netflix-reliable 넷플릭스 글\n"
    "=> gemini://other.example/ 다른 캡슐\n"
    "## 날아서\tgrand\x01"
    "canyon\n"
    ".starts with a dot\n"
    "```alt text\n"
    "0123456789012345678901234567890123456789012345678901234567890123456789ABCD"
    "EF\n"
    "```\n";

#define PAGE_PATH "/2021/12/31/las-vegas-aws-reinvent-04/"

/* The menu options without extra lines or a type callback. */
static const struct gmi_menu_opts plain = {HOST, PORT, NULL, NULL, NULL, 0};

static void
test_parse_kinds(void **state)
{
	struct gmi_doc d;
	const char *t =
	    "# H1\r\n## H2\n### H3\n#### H4\n* item\n*no\n>q\n"
	    "=>  /a  label here \n=>\n```py\ncode\n# not heading\n```\ntext";

	(void)state;
	gmi_parse(t, strlen(t), &d);
	assert_int_equal(d.n, 14);
	assert_int_equal(d.lines[0].kind, GMI_HEADING);
	assert_int_equal(d.lines[0].level, 1);
	assert_int_equal(d.lines[0].text.len, 2); /* CR removed */
	assert_int_equal(d.lines[1].level, 2);
	assert_int_equal(d.lines[2].level, 3);
	assert_int_equal(d.lines[3].level, 3);
	assert_memory_equal(d.lines[3].text.p, "# H4", 4);
	assert_int_equal(d.lines[4].kind, GMI_LIST);
	assert_int_equal(d.lines[5].kind, GMI_TEXT);
	assert_int_equal(d.lines[6].kind, GMI_QUOTE);
	assert_int_equal(d.lines[7].kind, GMI_LINK);
	assert_int_equal(d.lines[7].url.len, 2);
	assert_int_equal(d.lines[7].text.len, strlen("label here"));
	assert_int_equal(d.lines[8].kind, GMI_TEXT); /* "=>" with no URL */
	assert_int_equal(d.lines[9].kind, GMI_PRE_TOGGLE);
	assert_memory_equal(d.lines[9].text.p, "py", 2);
	assert_int_equal(d.lines[10].kind, GMI_PRE);
	assert_int_equal(d.lines[11].kind, GMI_PRE);
	assert_int_equal(d.lines[12].kind, GMI_PRE_TOGGLE);
	assert_int_equal(d.lines[13].kind, GMI_TEXT);
	assert_memory_equal(d.lines[13].text.p, "text", 4);
	gmi_doc_free(&d);
}

static void
expect_resolve(
    const char *page_path, const char *url, enum gmi_target t, const char *want)
{
	struct buf out = BUF_INIT;

	assert_int_equal(
	    gmi_resolve(page_path, (struct slice){url, strlen(url)}, &out), t);
	assert_string_equal(buf_cstr(&out), want);
	buf_free(&out);
}

static void
test_resolve(void **state)
{
	(void)state;
	expect_resolve("/a/b/", "c.jpeg", GMI_TARGET_LOCAL, "/a/b/c.jpeg");
	expect_resolve("/a/b.gmi", "c.jpeg", GMI_TARGET_LOCAL, "/a/c.jpeg");
	expect_resolve("/a/b/", "../x/", GMI_TARGET_LOCAL, "/a/x/");
	expect_resolve("/a/", "../../../etc", GMI_TARGET_LOCAL, "/etc");
	expect_resolve("/a/", "/%EB%9D%BC%20x?q#f", GMI_TARGET_LOCAL, "/라 x");
	expect_resolve("/a/", "#top", GMI_TARGET_LOCAL, "/a/");
	expect_resolve("/a/", "./", GMI_TARGET_LOCAL, "/a/");
	expect_resolve("/", "https://e.example/x", GMI_TARGET_EXTERNAL,
	    "https://e.example/x");
	expect_resolve(
	    "/", "//e.example/x", GMI_TARGET_EXTERNAL, "gemini://e.example/x");
	expect_resolve("/", "/a%09b", GMI_TARGET_INVALID, "");
	expect_resolve("/", "/a%zz", GMI_TARGET_INVALID, "");
}

/* Split a reply (a menu or a text file) into lines on CRLF, without
 * them. Fails unless it is valid UTF-8 with no bare LF or CR, and ends
 * with the "." line. */
static size_t
split_reply(const struct buf *out, const char **lines, size_t *lens, size_t max)
{
	const char *s = out->data;
	size_t i = 0, count = 0, n = out->len;

	assert_true(utf8_valid(s, n));

	while (i < n) {
		const char *crlf = memmem(s + i, n - i, "\r\n", 2);
		assert_non_null(crlf);
		assert_true(count < max);
		lines[count] = s + i;
		lens[count] = (size_t)(crlf - (s + i));
		assert_null(memchr(lines[count], '\n', lens[count]));
		assert_null(memchr(lines[count], '\r', lens[count]));
		count++;
		i = (size_t)(crlf - s) + 2;
	}
	assert_true(count > 0);
	assert_int_equal(lens[count - 1], 1);
	assert_memory_equal(lines[count - 1], ".", 1);
	return count;
}

static int
count_tabs(const char *s, size_t n)
{
	int t = 0;
	size_t i;

	for (i = 0; i < n; i++)
		t += s[i] == '\t';
	return t;
}

/* Find the menu line whose selector is sel; return its type, or 0. */
static char
type_of(const char **lines, const size_t *lens, size_t n, const char *sel)
{
	size_t i, k = strlen(sel);

	for (i = 0; i < n; i++) {
		const char *t = memchr(lines[i], '\t', lens[i]);
		if (t && (size_t)(lines[i] + lens[i] - t) > k + 1 &&
		    memcmp(t + 1, sel, k) == 0 && t[k + 1] == '\t')
			return lines[i][0];
	}
	return 0;
}

/* A menu line as a Gopher client reads it and a terminal shows it: four
 * fields, no control bytes, display text under 70 columns (Hangul counted
 * double), and no leading '.', which would end the menu. */
static void
assert_menu_line(const char *line, size_t len)
{
	const char *tab = memchr(line, '\t', len);
	size_t j;

	assert_int_equal(count_tabs(line, len), 3);
	assert_non_null(tab);
	for (j = 0; j < len; j++)
		assert_true((unsigned char)line[j] >= 0x20 || line[j] == '\t');
	assert_true(utf8_width(line + 1, (size_t)(tab - line) - 1) < 70);
	assert_true(line[0] != '.');
}

static void
test_menu_format(void **state)
{
	struct buf out = BUF_INIT;
	const char *lines[200];
	size_t lens[200], n, i;
	char tail[64];

	(void)state;
	gmi_gophermap(page, strlen(page), PAGE_PATH, &plain, &out);
	n = split_reply(&out, lines, lens, 200);
	assert_true(n > 10);
	snprintf(tail, sizeof(tail), "\t%s\t%d", HOST, PORT);
	for (i = 0; i + 1 < n; i++) {
		assert_menu_line(lines[i], lens[i]);
		/* the public host and port */
		assert_true(lens[i] > strlen(tail));
		assert_memory_equal(
		    lines[i] + lens[i] - strlen(tail), tail, strlen(tail));
		if (lines[i][0] == 'i')
			assert_memory_equal(
			    memchr(lines[i], '\t', lens[i]), "\t\t", 2);
	}
	/* title first, underlined */
	assert_memory_equal(lines[0], "i라스베가스", strlen("i라스베가스"));
	assert_memory_equal(lines[1], "i=====", 6);
	assert_int_equal(
	    type_of(lines, lens, n, "/2021/12/31/las-vegas-aws-reinvent-03/"),
	    '1');
	assert_int_equal(
	    type_of(lines, lens, n, PAGE_PATH "helicopter-01.jpeg"), 'I');
	assert_int_equal(type_of(lines, lens, n, PAGE_PATH "anim.GIF"), 'g');
	assert_int_equal(type_of(lines, lens, n, "/2021/12/31/notes.txt"), '0');
	assert_int_equal(
	    type_of(lines, lens, n, PAGE_PATH "archive.tar.gz"), '9');
	assert_int_equal(
	    type_of(lines, lens, n,
		"URL:https://netflixtechblog.com/keeping-netflix-reliable"),
	    'h');
	assert_int_equal(
	    type_of(lines, lens, n, "URL:gemini://other.example/"), 'h');
	buf_free(&out);
}

static bool
menu_has(const struct buf *out, const char *line)
{
	return memmem(out->data, out->len, line, strlen(line)) != NULL;
}

/* Fail, naming the first one missing, unless out holds every string of
 * want (a NULL-terminated list). */
static void
assert_has_all(const struct buf *out, const char *const *want)
{
	for (; *want; want++)
		if (!menu_has(out, *want))
			fail_msg("'%s' is not in the output", *want);
}

/* The menu of text with the default options is want, valid UTF-8. */
static void
expect_menu(const char *text, size_t len, const char *want)
{
	struct buf out = BUF_INIT;

	gmi_gophermap(text, len, "/", &plain, &out);
	assert_true(utf8_valid(out.data, out.len));
	assert_string_equal(buf_cstr(&out), want);
	buf_free(&out);
}

static void
test_menu_wrapping(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	gmi_gophermap(page, strlen(page), PAGE_PATH, &plain, &out);
	assert_has_all(&out,
	    (const char *const[]){/* wrapped at a space: the first line ends a
				   * word, the next goes on */
		"i회사에서 좋은 기회가 생겨 AWS re:invent에 "
		"참석할 기회가 생겼다.\t\t" HOST "\t7070\r\ni영어도 잘 못하고,",
		/* list continuation indented, quote continuation marked */
		"i* 1편 - 인천공항에서", "\r\ni  ", "i> 인용문은", "정말로\t\t",
		/* a tab and a control byte inside the display text become
		 * spaces */
		"i날아서 grand canyon\t\t", "i.starts with a dot\t\t",
		/* preformatted: cut at the width, never wrapped */
		"i0123456789012345678901234567890123456789"
		"01234567890123456789012345678\t\t",
		/* a link without a label shows its URL */
		"ganim.GIF\t" PAGE_PATH "anim.GIF\t", NULL});
	/* what the cut took away, and the preformatted toggles */
	assert_false(menu_has(&out, "ABCDEF"));
	assert_false(menu_has(&out, "```"));
	assert_false(menu_has(&out, "alt text"));
	buf_free(&out);
}

static char
always_seven(void *ctx, const char *path, size_t len)
{
	(void)path, (void)len;
	(*(int *)ctx)++;
	return '7';
}

static void
test_menu_options(void **state)
{
	const char *extra = "0Plain\t/p.txt\th\t1\r\n";
	int calls = 0;
	struct gmi_menu_opts o = {
	    HOST, 70, always_seven, &calls, extra, strlen(extra)};
	struct buf out = BUF_INIT;
	const char *t = "\n# Title\ntext\n=> /x y\n=> http://w.example/ web\n";

	(void)state;
	gmi_gophermap(t, strlen(t), "/", &o, &out);
	assert_string_equal(buf_cstr(&out),
	    "i\t\t" HOST "\t70\r\n"
	    "iTitle\t\t" HOST "\t70\r\n"
	    "i=====\t\t" HOST "\t70\r\n"
	    "0Plain\t/p.txt\th\t1\r\n"
	    "itext\t\t" HOST "\t70\r\n"
	    "7y\t/x\t" HOST "\t70\r\n"
	    "hweb\tURL:http://w.example/\t" HOST "\t70\r\n"
	    ".\r\n");
	assert_int_equal(calls, 1);
	buf_reset(&out);
	/* no leading title: the extra lines go first */
	gmi_gophermap("text\n", 5, "/", &o, &out);
	assert_string_equal(buf_cstr(&out),
	    "0Plain\t/p.txt\th\t1\r\n"
	    "itext\t\t" HOST "\t70\r\n.\r\n");
	buf_free(&out);
}

static void
test_menu_long_label(void **state)
{
	const char *t =
	    "=> /2021/12/31/x/ 2021-12-31 - 라스베가스를 다녀오고... "
	    "4편 (feat. AWS re:Invent 2021) - 세미나 넷째 날\n";

	(void)state;
	expect_menu(t, strlen(t),
	    "12021-12-31 - 라스베가스를 다녀오고... 4편 (feat. AWS re:Invent "
	    "2021)"
	    "\t/2021/12/31/x/\t" HOST "\t7070\r\n"
	    "i  - 세미나 넷째 날\t\t" HOST "\t7070\r\n.\r\n");
}

static void
test_menu_bad_bytes(void **state)
{
	const char t[] = "a\xff"
			 "b\r\x1b[31mred\n=> /a%09b tab link\n";

	(void)state;
	/* a malformed byte is U+FFFD, escape bytes are spaces; a link whose
	 * path would put a tab into the selector is shown as text */
	expect_menu(t, sizeof(t) - 1,
	    "ia\xef\xbf\xbd"
	    "b  [31mred\t\t" HOST "\t7070\r\n"
	    "itab link\t\t" HOST "\t7070\r\n.\r\n");
}

static void
test_plaintext(void **state)
{
	struct buf out = BUF_INIT;
	const char *lines[200];
	size_t lens[200], n, i;

	(void)state;
	gmi_plaintext(page, strlen(page), PAGE_PATH, &plain, &out);
	n = split_reply(&out, lines, lens, 200);
	for (i = 0; i + 1 < n; i++) {
		assert_null(memchr(lines[i], '\t', lens[i]));
		if (lens[i] > 0 && lines[i][0] == '.')
			assert_true(lens[i] > 1 && lines[i][1] == '.');
		/* wrapped like the menu, except preformatted and reference
		 * lines, which are kept whole */
		if (lines[i][0] != '0' && lines[i][0] != '[')
			assert_true(utf8_width(lines[i], lens[i]) < 70);
	}
	assert_has_all(&out,
	    (const char *const[]){"\r\n..starts with a dot\r\n",
		"\r\n3편 - 세미나 셋째 날 [1]\r\n", "\r\n헬기 [2]\r\n",
		"\r\n넷플릭스 글 [6]\r\n",
		"\r\n0123456789012345678901234567890123456789"
		"012345678901234567890123456789ABCDEF\r\n",
		"\r\n[1] gopher://" HOST ":7070/1/2021/12/31/"
		"las-vegas-aws-reinvent-03/\r\n",
		"\r\n[4] gopher://" HOST ":7070/0/2021/12/31/"
		"notes.txt\r\n",
		"\r\n[6] https://netflixtechblog.com/"
		"keeping-netflix-reliable\r\n[7] "
		"gemini://other.example/\r\n.\r\n",
		NULL});
	buf_free(&out);
}

static void
test_gopher_url(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	gmi_gopher_url(&out, "h.example", 70, '1', "/라 x/", strlen("/라 x/"));
	assert_string_equal(
	    buf_cstr(&out), "gopher://h.example/1/%EB%9D%BC%20x/");
	buf_reset(&out);
	gmi_gopher_url(&out, "::1", 7070, '0', "/a", 2);
	assert_string_equal(buf_cstr(&out), "gopher://[::1]:7070/0/a");
	buf_free(&out);
}

static void
test_item_type_guess(void **state)
{
	(void)state;
	assert_int_equal(gmi_item_type_guess("/", 1), '1');
	assert_int_equal(gmi_item_type_guess("/a.gmi", 6), '1');
	assert_int_equal(gmi_item_type_guess("/a.txt", 6), '0');
	assert_int_equal(gmi_item_type_guess("/a.gif", 6), 'g');
	assert_int_equal(gmi_item_type_guess("/a.JPEG", 7), 'I');
	assert_int_equal(gmi_item_type_guess("/a.png", 6), 'I');
	assert_int_equal(gmi_item_type_guess("/atom.xml", 9), '9');
	assert_int_equal(gmi_item_type_guess("/a", 2), '9');
}

/* Random pages made of gemtext pieces, Hangul, control bytes and broken
 * UTF-8: every menu keeps the line format and every width. */
static void
test_menu_random_pages(void **state)
{
	static const char *const pieces[] = {"=>", " ", "\t", "\n", "\r\n", "#",
	    "* ", ">", "```", ".", "..", "가", "한국어 ", "a", "word ", "/x/",
	    "http://h/", "%", "%41", "\x01", "\x1b", "\x7f", "\xff", "\xea\xb0",
	    "\xc2\x85", "../", "?q", "#f", "mailto:x@y"};
	struct buf page_text = BUF_INIT, out = BUF_INIT, txt = BUF_INIT;
	uint32_t seed = 12345;
	const char *lines[4096];
	size_t lens[4096], n, i;
	int round;

	(void)state;
	for (round = 0; round < 300; round++) {
		buf_reset(&page_text);
		buf_reset(&out);
		buf_reset(&txt);
		for (i = 0; i < 200; i++) {
			seed = seed * 1103515245u + 12345u;
			buf_puts(&page_text,
			    pieces[(seed >> 16) %
				(sizeof(pieces) / sizeof(*pieces))]);
		}
		gmi_gophermap(
		    page_text.data, page_text.len, "/a/", &plain, &out);
		n = split_reply(&out, lines, lens, 4096);
		for (i = 0; i + 1 < n; i++)
			assert_menu_line(lines[i], lens[i]);
		gmi_plaintext(
		    page_text.data, page_text.len, "/a/", &plain, &txt);
		n = split_reply(&txt, lines, lens, 4096);
		for (i = 0; i + 1 < n; i++)
			assert_false(lens[i] == 1 && lines[i][0] == '.');
	}
	buf_free(&page_text);
	buf_free(&out);
	buf_free(&txt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_kinds),
	    cmocka_unit_test(test_resolve),
	    cmocka_unit_test(test_menu_format),
	    cmocka_unit_test(test_menu_wrapping),
	    cmocka_unit_test(test_menu_options),
	    cmocka_unit_test(test_menu_long_label),
	    cmocka_unit_test(test_menu_bad_bytes),
	    cmocka_unit_test(test_plaintext),
	    cmocka_unit_test(test_gopher_url),
	    cmocka_unit_test(test_item_type_guess),
	    cmocka_unit_test(test_menu_random_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
