#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "frontmatter.h"
#include "post.h"

#define KST (9 * 60)

struct parsed {
	struct post_meta m;
	struct diag_list d;
	const char *body;
	size_t body_len;
	int rc;
};

static void
parse(struct parsed *p, const char *text)
{
	memset(p, 0, sizeof(*p));
	p->rc = frontmatter_parse(
	    text, strlen(text), KST, &p->m, &p->body, &p->body_len, &p->d);
}

/* parse, and the text has front matter without a warning or an error */
static void
parse_clean(struct parsed *p, const char *text)
{
	parse(p, text);
	assert_int_equal(p->rc, 0);
	assert_int_equal(p->d.n, 0);
}

static void
done(struct parsed *p)
{
	post_meta_free(&p->m);
	diag_free(&p->d);
}

static void
test_user_post_header(void **state)
{
	struct parsed p;

	(void)state;
	parse_clean(&p,
	    "---\ntitle: 라스베가스 4편\ntags: [reinvent, 여행]\n"
	    "category: [기타, 잡동사니]\ndate: 2021-12-31 "
	    "21:28:31\n---\n\nbody\n");
	assert_true(p.m.has_front_matter);
	assert_string_equal(p.m.title, "라스베가스 4편");
	assert_int_equal(p.m.ntags, 2);
	assert_string_equal(p.m.tags[1], "여행");
	assert_int_equal(p.m.ncategories, 1);
	assert_int_equal(p.m.categories[0].n, 2);
	assert_string_equal(p.m.categories[0].names[0], "기타");
	assert_string_equal(p.m.categories[0].names[1], "잡동사니");
	assert_true(p.m.has_date);
	/* 2021-12-31 21:28:31 +09:00 = 12:28:31 UTC */
	assert_int_equal((long long)p.m.date, 1640953711LL);
	assert_int_equal(p.m.date_tz, KST);
	assert_true(p.m.published);
	assert_int_equal(p.m.body_line, 7);
	assert_int_equal(p.body_len, strlen("\nbody\n"));
	assert_memory_equal(p.body, "\nbody\n", p.body_len);
	done(&p);
}

static void
test_dates(void **state)
{
	time_t t;
	int tz;

	(void)state;
	assert_int_equal(fm_parse_date("2021-12-31", KST, &t, &tz), 0);
	assert_int_equal((long long)t, 1640876400LL); /* 2021-12-30 15:00 UTC */
	assert_int_equal(
	    fm_parse_date("2021-12-31T21:28:31Z", KST, &t, &tz), 0);
	assert_int_equal((long long)t, 1640986111LL);
	assert_int_equal(tz, 0);
	assert_int_equal(
	    fm_parse_date("2021-12-31T21:28:31.250+01:00", KST, &t, &tz), 0);
	assert_int_equal((long long)t, 1640986111LL - 3600);
	assert_int_equal(tz, 60);
	assert_int_equal(
	    fm_parse_date("2021-12-31 21:28 -0530", KST, &t, &tz), 0);
	assert_int_equal(tz, -330);
	assert_int_equal(fm_parse_date("2020-02-29", 0, &t, &tz), 0);
	assert_int_equal(fm_parse_date("2021-02-29", 0, &t, &tz), -1);
	assert_int_equal(fm_parse_date("2021-13-01", 0, &t, &tz), -1);
	assert_int_equal(fm_parse_date("yesterday", 0, &t, &tz), -1);
	assert_int_equal(fm_parse_date("2021-12-31 25:00", 0, &t, &tz), -1);
	assert_int_equal(fm_parse_date("2021-12-31 junk", 0, &t, &tz), -1);
}

static void
test_json(void **state)
{
	struct parsed p;

	(void)state;
	parse(&p,
	    ";;;\n\"title\": \"JSON\",\n\"tags\": [\"a\", \"b\"]\n;;;\nbody\n");
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.m.title, "JSON");
	assert_int_equal(p.m.ntags, 2);
	assert_int_equal(p.m.body_line, 5);
	assert_memory_equal(p.body, "body\n", 5);
	done(&p);

	/* without the opening ";;;" */
	parse(&p, "\"title\": \"Bare JSON\"\n;;;\nbody\n");
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.m.title, "Bare JSON");
	assert_int_equal(p.m.body_line, 3);
	done(&p);
}

static void
test_bom_crlf_tabs(void **state)
{
	struct parsed p;

	(void)state;
	parse_clean(&p,
	    "\xef\xbb\xbf---\r\ntitle: T\r\ntags:\r\n\t- x\r\n---\r\nbody\r\n");
	assert_string_equal(p.m.title, "T");
	assert_int_equal(p.m.ntags, 1);
	assert_string_equal(p.m.tags[0], "x");
	assert_memory_equal(p.body, "body\r\n", 6);
	done(&p);
}

static void
test_categories_and_tags_forms(void **state)
{
	struct parsed p;

	(void)state;
	parse(&p, "---\ntags: one tag\ncategories:\n  - [a, b]\n  - c\n---\n");
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.m.ntags, 1);
	assert_string_equal(p.m.tags[0], "one tag");
	assert_int_equal(p.m.ncategories, 2);
	assert_int_equal(p.m.categories[0].n, 2);
	assert_string_equal(p.m.categories[0].names[1], "b");
	assert_int_equal(p.m.categories[1].n, 1);
	assert_string_equal(p.m.categories[1].names[0], "c");
	done(&p);

	parse(&p, "---\ntag:\n  - x\n  - y\ncategory: solo\n---\n");
	assert_int_equal(p.m.ntags, 2);
	assert_int_equal(p.m.ncategories, 1);
	assert_string_equal(p.m.categories[0].names[0], "solo");
	done(&p);
}

static void
test_flags_and_strings(void **state)
{
	struct parsed p;

	(void)state;
	parse_clean(&p,
	    "---\npublished: false\ndisableNunjucks: true\npermalink: a/b/\n"
	    "lang: ko\nexcerpt: short\nunknown: [1, {x: y}]\n---\n");
	assert_false(p.m.published);
	assert_true(p.m.disable_nunjucks);
	assert_string_equal(p.m.permalink, "a/b/");
	assert_string_equal(p.m.lang, "ko");
	assert_string_equal(p.m.excerpt, "short");
	done(&p);

	/* YAML nulls are absent values, a quoted "null" is text */
	parse_clean(&p,
	    "---\ntitle: ~\ntags: [null, \"null\"]\ndate: null\n"
	    "categories:\n---\n");
	assert_null(p.m.title);
	assert_int_equal(p.m.ntags, 1);
	assert_string_equal(p.m.tags[0], "null");
	assert_false(p.m.has_date);
	assert_int_equal(p.m.ncategories, 0);
	done(&p);

	parse(&p, "---\ndraft: true\n---\n");
	assert_false(p.m.published);
	done(&p);
}

static void
test_title_comment_and_list(void **state)
{
	struct parsed p;

	(void)state;
	/* " #" starts a YAML comment: the title is what YAML says it is */
	parse(&p, "---\ntitle: C# 정리 #1\n---\n");
	assert_string_equal(p.m.title, "C# 정리");
	done(&p);

	parse(&p, "---\n\ntitle: [Hexo, tips]\n---\n");
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.m.title, "Hexo tips");
	assert_int_equal(p.d.n, 1);
	assert_false(p.d.v[0].is_error);
	assert_int_equal(p.d.v[0].line, 3);
	done(&p);
}

static void
test_errors(void **state)
{
	struct parsed p;

	(void)state;
	parse(&p, "---\ntitle: ok\ntags: [a\n---\nbody\n");
	assert_int_equal(p.rc, -1);
	assert_int_equal(diag_errors(&p.d), 1);
	assert_true(p.d.v[0].line >= 3);
	assert_non_null(strstr(p.d.v[0].msg, "front matter"));
	done(&p);

	parse(&p, "---\ntitle: never closed\n");
	assert_int_equal(p.rc, -1);
	assert_non_null(strstr(p.d.v[0].msg, "no closing"));
	done(&p);

	parse(&p, "---\na: &x 1\nb: *x\n---\n");
	assert_int_equal(p.rc, -1);
	done(&p);

	parse(&p, "---\ndate: someday\n---\n");
	assert_int_equal(p.rc, 0);
	assert_false(p.m.has_date);
	assert_int_equal(p.d.n, 1);
	assert_int_equal(p.d.v[0].line, 2);
	done(&p);
}

static void
test_no_front_matter(void **state)
{
	/* the last: a quote at the start is text, not JSON, without a ";;;"
	 * line */
	static const char *const texts[] = {
	    "# Title\n\ntext\n", "", "\"Quoted\" first words\n"};
	struct parsed p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		parse(&p, texts[i]);
		assert_int_equal(p.rc, 0);
		assert_false(p.m.has_front_matter);
		assert_null(p.m.title);
		assert_int_equal(p.m.body_line, 1);
		assert_int_equal(p.body_len, strlen(texts[i]));
		done(&p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_user_post_header),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_bom_crlf_tabs),
	    cmocka_unit_test(test_categories_and_tags_forms),
	    cmocka_unit_test(test_flags_and_strings),
	    cmocka_unit_test(test_title_comment_and_list),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_no_front_matter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
