#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "search.h"
#include "utf8.h"

static const char post4[] =
    "# 라스베가스를 다녀오고... 4편 (feat. AWS re:Invent 2021)\n"
    "\n"
    "## 날아서 그랜드캐니언까지\n"
    "라스베가스에 오기 전까지만 해도 잘 몰랐는데 라스베가스와 그랜드캐니언은 "
    "가까웠다. 물론 차를 타고 가면 갔다 오는데 하루 종일이 걸릴 정도라서 그닥 "
    "가깝다고 느껴지지 않을지 모르지만...\n"
    "=> https://netflixtechblog.com/x Keeping Netflix Reliable Using "
    "Prioritized Load Shedding\n"
    "넷플릭스의 발표였다.\n";

static const char post1[] = "# 라스베가스를 다녀오고... 1편\n\n"
			    "인천공항에서   출발했다.\n"
			    "=> https://example.com/secret-url-word 링크\n";

static struct search_index *
build(void)
{
	struct search_index *idx = search_new();

	assert_int_equal(search_add(idx,
			     "/2021/12/31/las-vegas-aws-reinvent-01/"
			     "index.gmi",
			     post1, strlen(post1)),
	    1);
	assert_int_equal(search_add(idx,
			     "/2021/12/31/las-vegas-aws-reinvent-04/"
			     "index.gmi",
			     post4, strlen(post4)),
	    1);
	assert_int_equal(search_add(idx, "/2022/01/02/note.gmi",
			     "# Note\nload "
			     "SHEDDING again\n",
			     27),
	    1);
	/* not posts: the home page, archives, files */
	assert_int_equal(search_add(idx, "/index.gmi", "# Home\n라스베가스\n",
			     strlen("# Home\n라스베가스\n")),
	    0);
	assert_int_equal(search_add(idx, "/2021/12/index.gmi", "x", 1), 0);
	assert_int_equal(search_add(idx, "/2021/12/31/index.gmi", "x", 1), 0);
	assert_int_equal(
	    search_add(idx, "/2021/12/31/a/b/index.gmi", "x", 1), 0);
	assert_int_equal(search_add(idx, "/2022/02/03/두 단어/index.gmi",
			     "# 공백\nslug with a space\n",
			     strlen("# 공백\nslug with a space\n")),
	    1);
	assert_int_equal(search_count(idx), 4);
	return idx;
}

static char *
run(const struct search_index *idx, const char *q)
{
	struct buf out = BUF_INIT;

	search_gemtext(idx, q, strlen(q), &out);
	return buf_detach(&out, NULL);
}

static void
test_korean_query(void **state)
{
	struct search_index *idx = build();
	char *page = run(idx, "그랜드캐니언");

	(void)state;
	assert_non_null(strstr(page, "# Search: 그랜드캐니언\n"));
	assert_non_null(strstr(page, "\n1 post contains \"그랜드캐니언\".\n"));
	assert_non_null(strstr(page,
	    "\n=> /2021/12/31/las-vegas-aws-reinvent-04/ "
	    "2021-12-31 라스베가스를 다녀오고... 4편 (feat. AWS re:Invent "
	    "2021)\n"));
	assert_null(strstr(page, "reinvent-01/"));
	free(page);
	/* in the title of two posts: both, newest first (same date: by path) */
	page = run(idx, "라스베가스를");
	assert_non_null(strstr(page, "\n2 posts contain"));
	assert_true(
	    strstr(page, "reinvent-04/") < strstr(page, "reinvent-01/"));
	free(page);
	search_free(idx);
}

static void
test_ascii_case(void **state)
{
	struct search_index *idx = build();
	char *page = run(idx, "  LOAD   shedding ");
	char *a, *b;

	(void)state;
	/* the query's spaces are normalised like the text's */
	assert_non_null(strstr(page, "# Search: LOAD shedding\n"));
	assert_non_null(strstr(page, "\n2 posts contain \"LOAD shedding\".\n"));
	a = strstr(page, "=> /2022/01/02/note.gmi 2022-01-02 Note\n");
	b = strstr(page, "=> /2021/12/31/las-vegas-aws-reinvent-04/");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b); /* newest first */
	free(page);
	/* a link to a path with a space and Hangul is percent-encoded, and
	 * the Gopher menu decodes it back */
	page = run(idx, "with a space");
	assert_non_null(strstr(page,
	    "\n=> /2022/02/03/%EB%91%90%20%EB%8B%A8%EC%96%B4/ "
	    "2022-02-03 공백\n"));
	free(page);
	/* URLs are not text */
	page = run(idx, "secret-url-word");
	assert_non_null(strstr(page, "No post contains"));
	free(page);
	search_free(idx);
}

static void
test_snippet(void **state)
{
	struct search_index *idx = build();
	char *page = run(idx, "넷플릭스의");
	const char *line, *end;

	(void)state;
	line = strstr(page, "reinvent-04/");
	assert_non_null(line);
	line = strchr(line, '\n') + 1;
	end = strchr(line, '\n');
	/* context before the hit, cut at a code point, marked, bounded */
	assert_memory_equal(line, "...", 3);
	/* it starts at a word: the one before the hit, whole */
	assert_memory_equal(line + 3, "Load Shedding 넷플릭스의",
	    strlen("Load Shedding 넷플릭스의"));
	assert_non_null(memmem(line, (size_t)(end - line),
	    "넷플릭스의 발표였다.", strlen("넷플릭스의 발표였다.")));
	assert_true(utf8_valid(line, (size_t)(end - line)));
	assert_true(
	    utf8_width(line, (size_t)(end - line)) <= SEARCH_SNIPPET_COLS);
	free(page);
	/* a hit at the start: no leading marker, cut at the end */
	page = run(idx, "날아서");
	line = strchr(strstr(page, "reinvent-04/"), '\n') + 1;
	end = strchr(line, '\n');
	assert_memory_equal(line, "날아서 그랜드캐니언까지 라스베가스에",
	    strlen("날아서 그랜드캐니언까지 라스베가스에"));
	assert_memory_equal(end - 3, "...", 3);
	assert_true(
	    utf8_width(line, (size_t)(end - line)) <= SEARCH_SNIPPET_COLS);
	free(page);
	search_free(idx);
}

static void
test_empty_and_long(void **state)
{
	struct search_index *idx = build();
	char q[SEARCH_MAX_QUERY + 2];
	char *page = run(idx, "   ");
	struct buf out = BUF_INIT;

	(void)state;
	assert_memory_equal(page, "# Search\n", 9);
	assert_non_null(strstr(page, "Type one or more words"));
	assert_non_null(strstr(page, "\n=> /search "));
	free(page);
	memset(q, 'a', sizeof(q) - 1);
	q[sizeof(q) - 1] = '\0';
	page = run(idx, q);
	assert_non_null(strstr(page, "That query is 257 bytes long"));
	free(page);
	search_gemtext(idx, "\xff", 1, &out);
	assert_non_null(strstr(buf_cstr(&out), "not valid UTF-8"));
	buf_free(&out);
	/* a query with a newline cannot add gemtext lines */
	page = run(idx, "x\n=> /evil");
	assert_non_null(strstr(page, "# Search: x => /evil\n"));
	free(page);
	search_free(idx);
}

static void
test_menu(void **state)
{
	struct search_index *idx = build();
	struct gmi_menu_opts o = {"h.example", 70, NULL, NULL, NULL, 0};
	struct buf out = BUF_INIT;
	const char *q = "넷플릭스";

	(void)state;
	search_menu(idx, q, strlen(q), &o, &out);
	buf_cstr(&out);
	assert_non_null(
	    strstr(out.data, "iSearch: 넷플릭스\t\th.example\t70\r\n"));
	assert_non_null(strstr(out.data,
	    "12021-12-31 라스베가스를 다녀오고... 4편 "
	    "(feat. AWS re:Invent 2021)\t/2021/12/31/las-vegas-aws-reinvent-04/"
	    "\th.example\t70\r\n"));
	assert_non_null(
	    strstr(out.data, "7Search again\t/search\th.example\t70\r\n"));
	assert_memory_equal(out.data + out.len - 3, ".\r\n", 3);
	buf_reset(&out);
	search_menu(idx, "space", 5, &o, &out);
	assert_non_null(strstr(buf_cstr(&out),
	    "12022-02-03 공백\t/2022/02/03/%EB%91%90%20%EB%8B%A8%EC%96%B4/"
	    "\th.example\t70\r\n"));
	buf_free(&out);
	search_free(idx);
}

static void
expect_post(const char *page, const char *want)
{
	char *got = search_post_path(page);

	if (want == NULL) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_post_path(void **state)
{
	(void)state;
	expect_post("/2021/12/31/slug/index.gmi", "/2021/12/31/slug/");
	expect_post("/2021/12/31/note.gmi", "/2021/12/31/note.gmi");
	expect_post("/2021/12/31/index.gmi", NULL);
	expect_post("/2021/12/31/a/b/index.gmi", NULL);
	expect_post("/2021/12/31/note.gemini", NULL);
	expect_post("/2021/12/31/x.jpeg", NULL);
	expect_post("/2021/1a/31/x.gmi", NULL);
	expect_post("/tags/index.gmi", NULL);
	expect_post("2021/12/31/x.gmi", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_korean_query),
	    cmocka_unit_test(test_ascii_case),
	    cmocka_unit_test(test_snippet),
	    cmocka_unit_test(test_empty_and_long),
	    cmocka_unit_test(test_menu),
	    cmocka_unit_test(test_post_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
