#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "post.h"
#include "render_int.h"
#include "utf8.h"

/* Callbacks that show what they were given. */
struct seen {
	char names[16][64]; /* asset names */
	int lines[16]; /* lines of link() calls */
	size_t nnames, nlines;
};

static char *
cb_asset(void *ctx, const char *name, int line, struct diag_list *d)
{
	struct seen *s = ctx;
	char *u = malloc(strlen(name) + 8);

	(void)line;
	(void)d;
	if (s->nnames < 16)
		snprintf(s->names[s->nnames++], 64, "%s", name);
	sprintf(u, "/post/%s", name);
	return u;
}

static char *
cb_link(void *ctx, const char *href, int line, struct diag_list *d)
{
	struct seen *s = ctx;

	if (s->nlines < 16)
		s->lines[s->nlines++] = line;
	if (strncmp(href, "/20", 3) == 0) {
		char *u = malloc(strlen(href) + 16);

		sprintf(u, "%sindex.gmi", href);
		return u;
	}
	if (strcmp(href, "https://bad-utf8/") == 0)
		return strdup("https://bad-utf8/\xff");
	if (strcmp(href, "https://missing.example/") == 0)
		diag_add(d, line, false, "link to a missing page");
	return NULL;
}

static char *
cb_post(
    void *ctx, const char *slug, char **title, int line, struct diag_list *d)
{
	char *u = malloc(strlen(slug) + 3);

	(void)ctx;
	(void)line;
	(void)d;
	*title = strdup("The Title");
	sprintf(u, "/%s/", slug);
	return u;
}

struct run {
	struct seen seen;
	struct render_result res;
	struct diag_list d;
	int rc;
};

static void
render(struct run *r, const char *md, bool join)
{
	struct render_opts o;

	memset(r, 0, sizeof(*r));
	memset(&o, 0, sizeof(o));
	o.asset_stem = "my-post";
	o.join_soft_breaks = join;
	o.expand_tags = true;
	o.first_line = 5;
	o.links.asset = cb_asset;
	o.links.link = cb_link;
	o.links.post = cb_post;
	o.links.ctx = &r->seen;
	r->rc = render_post(md, strlen(md), &o, &r->res, &r->d);
	buf_cstr(&r->res.gemtext);
}

static void
done(struct run *r)
{
	render_result_free(&r->res);
	diag_free(&r->d);
}

static void
expect(const char *md, const char *want)
{
	struct run r;

	render(&r, md, false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.res.gemtext.data, want);
	done(&r);
}

static void
test_lines_kept_or_joined(void **state)
{
	struct run r;

	(void)state;
	expect("one\ntwo  \nthree\n\nnext\n", "one\ntwo\nthree\n\nnext\n");
	render(&r, "one\ntwo  \nthree\nfour\n", true);
	assert_string_equal(r.res.gemtext.data, "one two\nthree four\n");
	done(&r);
}

static void
test_images(void **state)
{
	struct run r;

	(void)state;
	render(&r,
	    "![](my-post/a.jpeg)\n![](./b.jpeg)\n![](c.jpeg)\n"
	    "![Cap](Untitled%201.png)\n![](https://x.example/d.png)\n",
	    false);
	assert_string_equal(r.res.gemtext.data,
	    "=> /post/a.jpeg a.jpeg\n=> /post/b.jpeg b.jpeg\n=> /post/c.jpeg "
	    "c.jpeg\n"
	    "=> /post/Untitled%201.png Cap\n=> https://x.example/d.png "
	    "d.png\n");
	assert_int_equal(r.seen.nnames, 4);
	assert_string_equal(r.seen.names[0], "a.jpeg");
	assert_string_equal(r.seen.names[1], "b.jpeg");
	assert_string_equal(r.seen.names[3], "Untitled 1.png");
	done(&r);

	/* an escape that would decode to invalid UTF-8 or a '/' stays */
	render(&r, "![](bad%80.png)\n![](a%2Fb.png)\n", false);
	assert_string_equal(r.seen.names[0], "bad%80.png");
	assert_string_equal(r.seen.names[1], "a%2Fb.png");
	assert_true(utf8_valid(r.res.gemtext.data, r.res.gemtext.len));
	done(&r);
}

static void
test_inline_links(void **state)
{
	(void)state;
	expect("See [A](https://a/) and [B](https://b/).\nAgain "
	       "[A](https://a/).\n\n"
	       "[Alone](https://c/)\n",
	    "See A and B.\nAgain A.\n=> https://a/ A\n=> https://b/ B\n\n"
	    "=> https://c/ Alone\n");
	expect("- x [in list](https://l/)\n- y\n\n> q [in quote](https://q/)\n",
	    "* x in list\n* y\n=> https://l/ in list\n\n> q in quote\n=> "
	    "https://q/ in quote\n");
	/* links to a fragment of the page itself have no link line */
	expect("Go to [the top](#top).\n", "Go to the top.\n");
	/* hrefs are entity-decoded, URLs with spaces encoded */
	expect("[t](<https://e/a b?x=1&amp;y=2>)\n",
	    "=> https://e/a%20b?x=1&y=2 t\n");
}

/* The line told to link() is the file line of the text that holds the
 * link: after tags that expand to several lines, inside a paragraph
 * over several lines, and across a reference definition whose target
 * lies below the link. */
static void
test_link_lines(void **state)
{
	struct run r;

	(void)state;
	render(&r,
	    "{% youtube a %}\n\n{% codeblock %}\nx\ny\n{% endcodeblock %}\n\n"
	    "one\ntwo [t](/t/)\n\n[ref][r] again\n\nx\n\n[r]: /r/\n",
	    false);
	/* the body starts at file line 5 */
	assert_int_equal(r.seen.nlines, 3);
	assert_int_equal(r.seen.lines[0], 5); /* the video */
	assert_int_equal(r.seen.lines[1], 13);
	assert_int_equal(r.seen.lines[2], 15);
	done(&r);

	/* an image without alt text is seen at its target, the definition
	 * below: the next link's line is counted back from there */
	render(&r, "![][r]\n\nx [t](/t/)\n\n[r]: /r.png\n", false);
	assert_int_equal(r.seen.nlines, 2);
	assert_int_equal(r.seen.lines[0], 9);
	assert_int_equal(r.seen.lines[1], 7);
	done(&r);
}

static void
test_series(void **state)
{
	struct run r;

	(void)state;
	render(&r,
	    "Intro\n\n* [Part 1](/2021/12/31/p1/)\n* Part 2 - now\n"
	    "* [Part 3](/2021/12/31/p3/)\n",
	    false);
	assert_string_equal(r.res.gemtext.data,
	    "Intro\n\n=> /2021/12/31/p1/index.gmi Part 1\n* Part 2 - now\n"
	    "=> /2021/12/31/p3/index.gmi Part 3\n");
	assert_int_equal(r.res.nseries, 3);
	assert_string_equal(r.res.series[0].label, "Part 1");
	assert_string_equal(r.res.series[0].href, "/2021/12/31/p1/");
	assert_int_equal(r.res.series[0].line, 7);
	assert_null(r.res.series[1].href);
	assert_int_equal(r.res.series[1].line, 8);
	assert_string_equal(r.res.series[1].label, "Part 2 - now");
	assert_string_equal(r.res.series[2].href, "/2021/12/31/p3/");
	/* link() was told the file lines (the body starts at line 5) */
	assert_int_equal(r.seen.nlines, 2);
	assert_int_equal(r.seen.lines[0], 7);
	assert_int_equal(r.seen.lines[1], 9);
	done(&r);

	/* post_link tags are links, but only permalinks make a series */
	render(&r, "- {% post_link p1 %}\n- {% post_link p2 'Two' %}\n- now\n",
	    false);
	assert_string_equal(
	    r.res.gemtext.data, "=> /p1/ The Title\n=> /p2/ Two\n* now\n");
	assert_null(r.res.series);
	done(&r);

	/* external links do not make a series */
	render(&r, "* [a](https://a/)\n* [b](https://b/)\n", false);
	assert_null(r.res.series);
	done(&r);
}

static void
test_blocks(void **state)
{
	(void)state;
	expect("# A\n#### D\n###### F\n", "# A\n\n### D\n\n### F\n");
	expect(
	    "1. one\n2. two\n   - nested\n", "* 1. one\n* 2. two\n* nested\n");
	expect("> a\n> b\n>\n> c\n", "> a\n> b\n>\n> c\n");
	expect("```sh\necho hi\n```\n", "```sh\necho hi\n```\n");
	expect("````\n```\n````\n", "```\n ```\n```\n");
	expect("    indented\n", "```\nindented\n```\n");
	expect("*em* **b** `c` ~~d~~\n", "em b c ~~d~~\n");
}

static void
test_table_widths(void **state)
{
	struct run r;
	const char *p;
	size_t w1, w2;

	(void)state;
	render(&r, "| 이름 | x |\n|---|---|\n| 홍길동 | y |\n", false);
	assert_string_equal(r.res.gemtext.data,
	    "```table\n이름   | x\n-------+--\n홍길동 | y\n```\n");
	/* the bars line up in display columns */
	p = strstr(r.res.gemtext.data, "이름");
	w1 = utf8_width(p, (size_t)(strchr(p, '|') - p));
	p = strstr(r.res.gemtext.data, "홍길동");
	w2 = utf8_width(p, (size_t)(strchr(p, '|') - p));
	assert_int_equal(w1, w2);
	done(&r);
}

static void
test_entities_and_protection(void **state)
{
	(void)state;
	expect("&amp;&lt;&#54620;&#xD55C;&hellip;&bogus;\n\n&nbsp;\n\nend\n",
	    "&<한한…&bogus;\n\nend\n");
	expect("\\=> a\n\\# b\n\\* c\n\\> d\n\\```\n",
	    " => a\n # b\n * c\n > d\n ```\n");
	expect("&#0;&#xD800;&#x110000;\n",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\n");
}

static void
test_html(void **state)
{
	struct run r;

	(void)state;
	expect("a<br>b <b>c</b>\n", "a\nb c\n");
	expect("<iframe src=\"https://v/e\"></iframe>\n",
	    "=> https://v/e Embedded page\n");
	expect(
	    "x <a href=\"https://h/\">h</a> y\n", "x h y\n=> https://h/ h\n");
	/* an <a> never closed ends with its paragraph */
	expect("x <a href=\"https://o/\">open\n\nnext\n",
	    "x open\n=> https://o/ open\n\nnext\n");
	render(&r, "intro\n\n<!--  More  -->\n\nrest\n", false);
	assert_string_equal(r.res.gemtext.data, "intro\n\nrest\n");
	assert_int_equal(r.res.excerpt_len, strlen("intro\n"));
	done(&r);
}

static void
test_autolink_particle(void **state)
{
	(void)state;
	expect("가 https://x.org/foo를 보라\n",
	    "가 https://x.org/foo를 보라\n=> https://x.org/foo\n");
}

static void
test_hexo_tags_resolved(void **state)
{
	struct run r;

	(void)state;
	render(&r,
	    "{% asset_img p.jpg Cap %}\n{% post_link other %}\n{% youtube abc "
	    "%}\n",
	    false);
	assert_string_equal(r.res.gemtext.data,
	    "=> /post/p.jpg Cap\n=> /other/ The Title\n"
	    "=> https://www.youtube.com/watch?v=abc YouTube 동영상 (abc)\n");
	done(&r);
}

static void
test_bad_input(void **state)
{
	struct run r;
	char *big;

	(void)state;
	render(&r, "ok\nbad \xff here\n", false);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.d.n, 1);
	assert_int_equal(r.d.v[0].line, 6);
	assert_true(utf8_valid(r.res.gemtext.data, r.res.gemtext.len));
	done(&r);

	memset(&r, 0, sizeof(r));
	{
		struct render_opts o = {0};
		const char bin[] = "a\n\0b";

		o.first_line = 1;
		r.rc = render_post(bin, sizeof(bin) - 1, &o, &r.res, &r.d);
	}
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.d.v[0].line, 2);
	assert_non_null(strstr(r.d.v[0].msg, "binary"));
	done(&r);

	big = malloc(RENDER_MAX_BYTES + 2);
	memset(big, 'a', RENDER_MAX_BYTES + 1);
	big[RENDER_MAX_BYTES + 1] = '\0';
	render(&r, big, false);
	assert_int_equal(r.rc, -1);
	assert_true(r.d.v[0].is_error);
	done(&r);
	free(big);

	/* a post whose tags expand to nothing is empty */
	expect("{% raw %}{% endraw %}", "");
	render(&r, "{% raw %}\nx\n", false);
	assert_int_equal(r.rc, -1);
	done(&r);

	render(&r, "", false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.res.gemtext.data, "");
	assert_int_equal(r.d.n, 1);
	done(&r);

	/* a callback's URL that is not UTF-8 is repaired */
	render(&r, "[b](https://bad-utf8/)\n", false);
	assert_string_equal(
	    r.res.gemtext.data, "=> https://bad-utf8/\xef\xbf\xbd b\n");
	done(&r);

	/* a warning from a callback reaches the list */
	render(&r, "[m](https://missing.example/)\n", false);
	assert_int_equal(r.d.n, 1);
	assert_int_equal(r.d.v[0].line, 5);
	done(&r);
}

static void
test_deep_nesting(void **state)
{
	struct run r;
	size_t n = 100000;
	char *md = malloc(n + 8);

	(void)state;
	memset(md, '>', n);
	strcpy(md + n, " deep\n");
	render(&r, md, false);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.res.gemtext.data, "> deep\n");
	done(&r);
	free(md);
}

/* A body rendered into a given buffer's storage: the same gemtext, in
 * that memory when it is large enough, the buffer left empty; an earlier
 * body's bytes do not show through. */
static void
test_storage_reused(void **state)
{
	static const char md[] = "# Title\n\nsome text\n\n* a\n* b\n";
	struct buf storage = BUF_INIT;
	struct render_opts o;
	struct render_result res;
	struct diag_list d = {0};
	struct run plain;
	char *mem;

	(void)state;
	render(&plain, md, false);
	buf_puts(&storage,
	    "an older body, longer than this one's gemtext, "
	    "which must not show through at all\n");
	buf_reserve(&storage, 4096);
	mem = storage.data;
	memset(&o, 0, sizeof(o));
	o.asset_stem = "my-post";
	o.expand_tags = true;
	o.first_line = 5;
	o.links.asset = cb_asset;
	o.links.link = cb_link;
	o.links.post = cb_post;
	o.links.ctx = &plain.seen;
	o.storage = &storage;
	assert_int_equal(render_post(md, strlen(md), &o, &res, &d), 0);
	assert_ptr_equal(res.gemtext.data, mem);
	assert_null(storage.data);
	assert_int_equal(storage.len, 0);
	assert_int_equal(res.gemtext.len, plain.res.gemtext.len);
	assert_memory_equal(
	    res.gemtext.data, plain.res.gemtext.data, res.gemtext.len);
	render_result_free(&res);
	diag_free(&d);
	done(&plain);
}

/* A trimmed text (link labels, a line's text) keeps its bytes but for
 * line feeds and carriage returns, which become spaces, at any length
 * (the copy goes sixteen bytes a step, the last step over bytes done
 * already) and any place, and loses the blanks at both ends. */
static void
test_trimmed(void **state)
{
	char src[80], want[80], *got;
	size_t n, at, i;

	(void)state;
	for (n = 1; n < sizeof(src); n++)
		for (at = 0; at < n; at++) {
			for (i = 0; i < n; i++)
				src[i] = (char)('a' + (i + n) % 26);
			src[0] = 'X'; /* ends that are not blank */
			src[n - 1] = 'Y';
			memcpy(want, src, n);
			if (at > 0 && at + 1 < n) {
				src[at] = at % 2 ? '\n' : '\r';
				want[at] = ' ';
			}
			if (at + 2 < n) {
				src[at + 1] = '\r';
				want[at + 1] = ' ';
			}
			want[n] = '\0';
			got = rd_trimmed(src, n);
			assert_string_equal(got, want);
			free(got);
		}
	got = rd_trimmed(" \t\n  가나 다\r\n라  \n\t", 24);
	assert_string_equal(got, "가나 다  라");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_storage_reused),
	    cmocka_unit_test(test_lines_kept_or_joined),
	    cmocka_unit_test(test_images),
	    cmocka_unit_test(test_inline_links),
	    cmocka_unit_test(test_series),
	    cmocka_unit_test(test_link_lines),
	    cmocka_unit_test(test_blocks),
	    cmocka_unit_test(test_table_widths),
	    cmocka_unit_test(test_entities_and_protection),
	    cmocka_unit_test(test_html),
	    cmocka_unit_test(test_autolink_particle),
	    cmocka_unit_test(test_hexo_tags_resolved),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_trimmed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
