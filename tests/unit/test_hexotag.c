#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hexotag.h"

struct expanded {
	struct buf out;
	struct line_map map;
	struct diag_list d;
	size_t errors;
};

static void
expand(struct expanded *e, const char *md, int first_line)
{
	memset(e, 0, sizeof(*e));
	e->errors = hexotag_expand(md, strlen(md), first_line, labels_for("en"),
	    &e->out, &e->map, &e->d);
	buf_cstr(&e->out);
}

static void
done(struct expanded *e)
{
	buf_free(&e->out);
	line_map_free(&e->map);
	diag_free(&e->d);
}

static void
expect(const char *md, const char *want)
{
	struct expanded e;

	expand(&e, md, 1);
	assert_string_equal(e.out.data, want);
	assert_int_equal(e.d.n, 0);
	done(&e);
}

static void
test_split_args(void **state)
{
	char **argv;
	size_t argc;

	(void)state;
	argc = hexotag_split_args("  a \"b c\" 'd e'f  g ", 19, &argv);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[0], "a");
	assert_string_equal(argv[1], "b c");
	assert_string_equal(argv[2], "d ef");
	assert_string_equal(argv[3], "g");
	hexotag_args_free(argv, argc);
	argc = hexotag_split_args("   ", 3, &argv);
	assert_int_equal(argc, 0);
	hexotag_args_free(argv, argc);
}

static void
test_youtube_forms(void **state)
{
	(void)state;
	expect("{% youtube jkSM4MlWsKo %}\ntext\n",
	    "[YouTube video "
	    "\\(jkSM4MlWsKo\\)](<https://www.youtube.com/"
	    "watch?v=jkSM4MlWsKo>)\ntext\n");
	expect("{% youtube abc?t=514 %}",
	    "[YouTube video "
	    "\\(abc\\)](<https://www.youtube.com/watch?v=abc&t=514>)");
	expect("{% youtube PLx playlist %}",
	    "[YouTube playlist "
	    "\\(PLx\\)](<https://www.youtube.com/playlist?list=PLx>)");
	expect("{% youtube 'https://youtu.be/xyz' %}",
	    "[YouTube video \\(xyz\\)](<https://youtu.be/xyz>)");
	expect("{%- youtube abc -%}",
	    "[YouTube video \\(abc\\)](<https://www.youtube.com/watch?v=abc>)");
}

/* The labels are in the site's language: Korean by default. */
static void
test_video_labels_korean(void **state)
{
	struct buf out = BUF_INIT;
	struct line_map map = LINE_MAP_INIT;
	struct diag_list d = {NULL, 0, 0};
	const char *md = "{% youtube abc %}\n{% youtube PLx playlist %}\n"
			 "{% vimeo 42 %}\n";

	(void)state;
	assert_int_equal(
	    hexotag_expand(md, strlen(md), 1, labels_for(NULL), &out, &map, &d),
	    0);
	assert_string_equal(buf_cstr(&out),
	    "[YouTube 동영상 "
	    "\\(abc\\)](<https://www.youtube.com/watch?v=abc>)\n"
	    "[YouTube 재생목록 "
	    "\\(PLx\\)](<https://www.youtube.com/playlist?list=PLx>)\n"
	    "[Vimeo 동영상 \\(42\\)](<https://vimeo.com/42>)\n");
	buf_free(&out);
	line_map_free(&map);
	diag_free(&d);
}

static void
test_asset_and_post_tags(void **state)
{
	(void)state;
	expect("{% asset_img a.jpg Cap tion %}",
	    "![Cap tion](<canyon-asset:a.jpg>)");
	expect("{% asset_img left a.jpg 300 200 T %}",
	    "![T](<canyon-asset:a.jpg>)");
	expect("{% asset_link f.pdf The file %}",
	    "[The file](<canyon-asset:f.pdf>)");
	expect("{% asset_path f.pdf %}", "[f\\.pdf](<canyon-asset:f.pdf>)");
	expect("{% post_link my-post %}", "[](<canyon-post:my-post>)");
	expect("{% post_link my-post 'Its title' %}",
	    "[Its title](<canyon-post:my-post>)");
}

static void
test_block_tags(void **state)
{
	(void)state;
	expect("{% blockquote Ann, Book %}\nline one\nline two\n{% "
	       "endblockquote %}\nafter\n",
	    "> line one\n> line two\n>\n> \xe2\x80\x94 Ann\\, Book\n\nafter\n");
	expect("{% pullquote %}\nq\n{% endpullquote %}\n", "> q\n\n");
	expect("{% codeblock lang:c %}\nint x;\n```\n{% endcodeblock %}\n",
	    "````c\nint x;\n```\n````\n\n");
	expect("{% raw %}{% youtube x %}{% endraw %}", "{% youtube x %}");
}

static void
test_code_left_alone(void **state)
{
	(void)state;
	expect("`{% youtube x %}` and ``{% y %}``\n",
	    "`{% youtube x %}` and ``{% y %}``\n");
	expect("```\n{% youtube x %}\n```\n", "```\n{% youtube x %}\n```\n");
	expect("~~~~\n{% youtube x %}\n~~~\n~~~~\n",
	    "~~~~\n{% youtube x %}\n~~~\n~~~~\n");
}

static void
test_unknown_and_unclosed(void **state)
{
	struct expanded e;

	(void)state;
	expand(&e, "a\n{% fancy x %}\n", 10);
	assert_string_equal(e.out.data, "a\n{% fancy x %}\n");
	assert_int_equal(e.errors, 0);
	assert_int_equal(e.d.n, 1);
	assert_int_equal(e.d.v[0].line, 11);
	assert_non_null(strstr(e.d.v[0].msg, "unknown tag"));
	done(&e);

	expand(&e, "a\n\n{% raw %}\nb\n", 1);
	assert_int_equal(e.errors, 1);
	assert_true(e.d.v[0].is_error);
	assert_int_equal(e.d.v[0].line, 3);
	assert_string_equal(e.out.data, "a\n\n\nb\n");
	done(&e);

	expand(&e, "{% youtube x\n\nmore", 1);
	assert_int_equal(e.errors, 0);
	assert_int_equal(e.d.n, 1);
	assert_string_equal(e.out.data, "{% youtube x\n\nmore");
	done(&e);

	expand(&e, "{% youtube %}", 1);
	assert_int_equal(e.d.n, 1);
	assert_non_null(strstr(e.d.v[0].msg, "needs an argument"));
	done(&e);
}

static void
test_line_map(void **state)
{
	struct expanded e;

	(void)state;
	/* a block tag collapses lines: the map keeps the file lines */
	expand(&e, "one\n{% blockquote %}\nq1\nq2\n{% endblockquote %}\nlast\n",
	    5);
	assert_string_equal(e.out.data, "one\n> q1\n> q2\n\nlast\n");
	assert_int_equal(line_map_get(&e.map, 0), 5);
	assert_int_equal(line_map_get(&e.map, 1), 7);
	assert_int_equal(line_map_get(&e.map, 2), 8);
	assert_int_equal(line_map_get(&e.map, 4), 10);
	done(&e);
}

/* Long copied stretches are one run of the map: every expanded line
 * still names its own file line, also lines split where a brace or a
 * backtick is (copied in pieces), lines a tag made (its line), and lines
 * past the end (the last). Each source line says its file line. */
static void
test_line_map_long(void **state)
{
	struct buf md = BUF_INIT;
	struct expanded e;
	const char *p, *nl, *l;
	size_t i, out;
	int file = 7, want;

	(void)state;
	for (i = 0; i < 200; i++, file++)
		buf_printf(
		    &md, i % 7 == 3 ? "x {b} `c` y L%d\n" : "L%d\n", file);
	buf_printf(&md, "{%% blockquote %%}\nL%d\nL%d\n{%% endblockquote %%}\n",
	    file + 1, file + 2);
	file += 4;
	buf_printf(&md, "{%% youtube abc %%}\n");
	want = file++;
	for (i = 0; i < 100; i++, file++)
		buf_printf(&md, "L%d\n", file);
	buf_printf(&md, "L%d", file); /* no line feed at the end */
	expand(&e, md.data, 7);
	for (p = e.out.data, out = 0; *p; p = nl + 1, out++) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p) - 1;
		if ((l = memchr(p, 'L', (size_t)(nl - p))) != NULL)
			assert_int_equal(
			    line_map_get(&e.map, out), atoi(l + 1));
		else if (memmem(p, (size_t)(nl - p), "youtube", 7) != NULL)
			assert_int_equal(line_map_get(&e.map, out), want);
	}
	assert_int_equal(line_map_get(&e.map, out + 5), file);
	assert_true(e.map.nruns < 20);
	done(&e);
	buf_free(&md);
}

static void
test_present(void **state)
{
	(void)state;
	assert_true(hexotag_present("{% youtube x %}", 15));
	assert_true(hexotag_present("text {{ {%", 10));
	assert_false(hexotag_present("{ % }%{ {", 9));
	assert_false(hexotag_present("{%", 1)); /* only len bytes count */
	assert_false(hexotag_present("", 0));
	assert_true(hexotag_present("한{%", strlen("한{%")));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split_args),
	    cmocka_unit_test(test_youtube_forms),
	    cmocka_unit_test(test_video_labels_korean),
	    cmocka_unit_test(test_asset_and_post_tags),
	    cmocka_unit_test(test_block_tags),
	    cmocka_unit_test(test_code_left_alone),
	    cmocka_unit_test(test_unknown_and_unclosed),
	    cmocka_unit_test(test_line_map),
	    cmocka_unit_test(test_line_map_long),
	    cmocka_unit_test(test_present),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
