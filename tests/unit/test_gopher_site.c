/* The Gopher site over a real store: a small capsule written to a
 * temporary folder, loaded with store_load(), answered by gopher_respond(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "gopher.h"
#include "path.h"

#define POST "/2021/12/31/las-vegas-aws-reinvent-04/"
#define HOST "gopher.example"

struct fixture {
	char dir[64];
	struct store *st;
	struct search_index *idx;
	struct gopher_site *gs;
	struct response resp;
	char big[4096];
};

static void
write_file(const char *dir, const char *rel, const char *data, size_t len)
{
	char *file = path_join(dir, rel), *slash;
	FILE *f;

	slash = strrchr(file, '/');
	*slash = '\0';
	assert_int_equal(path_mkdirs(file, 0755), 0);
	*slash = '/';
	f = fopen(file, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	free(file);
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *post =
	    "# 라스베가스를 다녀오고... 4편\n\n그랜드캐니언까지 "
	    "헬기를 탔다.\n=> helicopter-01.jpeg 헬기\n=> big.bin 큰 파일\n"
	    "=> https://perfectacle.github.io/2021/12/31/x/ 원문\n";
	const char *home =
	    "# Perfectacle's capsule\n\n=> " POST " 2021-12-31 - "
	    "4편\n=> /robots.txt robots\n=> /search 검색\n";
	char err[256];
	size_t i;

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/canyon-gs.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	write_file(fx->dir, "index.gmi", home, strlen(home));
	write_file(fx->dir, POST "index.gmi", post, strlen(post));
	write_file(
	    fx->dir, POST "helicopter-01.jpeg", "\xff\xd8\xff\xe0JFIF", 8);
	for (i = 0; i < sizeof(fx->big); i++)
		fx->big[i] = (char)(i * 7);
	write_file(fx->dir, POST "big.bin", fx->big, sizeof(fx->big));
	write_file(fx->dir, "robots.txt", "User-agent: *\n.dot\n", 19);
	write_file(fx->dir, "tags/index.gmi", "# Tags\n", 7);
	write_file(fx->dir, "about.gmi", "# About\n", 8);
	/* a page above max_in_memory, streamed by the store */
	memset(fx->big, 'x', sizeof(fx->big));
	memcpy(fx->big, "# Long\n", 7);
	memcpy(fx->big + sizeof(fx->big) - 14, "\n=> /about.gmi", 14);
	write_file(fx->dir, "long.gmi", fx->big, sizeof(fx->big));
	for (i = 0; i < sizeof(fx->big); i++)
		fx->big[i] = (char)(i * 7);
	fx->st = store_load(fx->dir, 1024, err, sizeof(err));
	assert_non_null(fx->st);
	fx->idx = search_build(fx->st);
	fx->gs = gopher_site_new(fx->st, fx->idx, HOST, 7070);
	response_init(&fx->resp);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	response_free(&fx->resp);
	gopher_site_free(fx->gs);
	search_free(fx->idx);
	store_free(fx->st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* The whole reply as a string (head, then body; never a file here). */
static const char *
ask(struct fixture *fx, const char *line, struct buf *all)
{
	response_free(&fx->resp);
	gopher_respond(fx->gs, line, strlen(line), &fx->resp);
	buf_reset(all);
	buf_append(all, fx->resp.head.data ? fx->resp.head.data : "",
	    fx->resp.head.len);
	if (fx->resp.body_len)
		buf_append(all, fx->resp.body, fx->resp.body_len);
	return buf_cstr(all);
}

static void
test_root_menu(void **state)
{
	struct fixture *fx = *state;
	struct buf a = BUF_INIT, b = BUF_INIT;

	ask(fx, "", &a);
	assert_int_equal(fx->resp.status, 20);
	assert_string_equal(a.data,
	    "iPerfectacle's capsule\t\t" HOST "\t7070\r\n"
	    "i=====================\t\t" HOST "\t7070\r\n"
	    "i\t\t" HOST "\t7070\r\n"
	    "12021-12-31 - 4편\t" POST "\t" HOST "\t7070\r\n"
	    "0robots\t/robots.txt\t" HOST "\t7070\r\n"
	    "7검색\t/search\t" HOST "\t7070\r\n"
	    ".\r\n");
	/* "/", Gopher+ probes and the index file name give the same menu */
	assert_string_equal(ask(fx, "/", &b), a.data);
	assert_string_equal(ask(fx, "\t$", &b), a.data);
	assert_string_equal(ask(fx, "/\t+", &b), a.data);
	assert_string_equal(ask(fx, "/index.gmi", &b), a.data);
	buf_free(&a);
	buf_free(&b);
}

/* A home page that does not link to /search still gets a type 7 item,
 * right under its title; one that does is not given a second one. */
static void
test_root_menu_adds_search(void **state)
{
	struct fixture *fx = *state;
	const char *home = "# Home\n\nNothing but text.\n";
	char dir[64], err[256], cmd[128];
	struct store *st;
	struct search_index *idx;
	struct gopher_site *gs;
	struct buf all = BUF_INIT;

	snprintf(dir, sizeof(dir), "/tmp/canyon-gs2.XXXXXX");
	assert_non_null(mkdtemp(dir));
	write_file(dir, "index.gmi", home, strlen(home));
	st = store_load(dir, 1024, err, sizeof(err));
	assert_non_null(st);
	idx = search_build(st);
	gs = gopher_site_new(st, idx, HOST, 7070);
	response_free(&fx->resp);
	gopher_respond(gs, "", 0, &fx->resp);
	buf_append(&all, fx->resp.head.data, fx->resp.head.len);
	if (fx->resp.body_len)
		buf_append(&all, fx->resp.body, fx->resp.body_len);
	assert_non_null(strstr(buf_cstr(&all),
	    "i====\t\t" HOST "\t7070\r\n"
	    "7Search the posts\t/search\t" HOST "\t7070\r\n"));
	assert_null(strstr(ask(fx, "", &all), "Search the posts"));
	response_free(&fx->resp);
	buf_free(&all);
	gopher_site_free(gs);
	search_free(idx);
	store_free(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_post_menu_and_text(void **state)
{
	struct fixture *fx = *state;
	struct buf a = BUF_INIT, b = BUF_INIT;

	ask(fx, POST, &a);
	assert_int_equal(fx->resp.status, 20);
	assert_string_equal(a.data,
	    "i라스베가스를 다녀오고... 4편\t\t" HOST "\t7070\r\n"
	    "i============================\t\t" HOST "\t7070\r\n"
	    "0Read this post as plain text\t" POST "index.txt\t" HOST
	    "\t7070\r\n"
	    "i\t\t" HOST "\t7070\r\n"
	    "i그랜드캐니언까지 헬기를 탔다.\t\t" HOST "\t7070\r\n"
	    "I헬기\t" POST "helicopter-01.jpeg\t" HOST "\t7070\r\n"
	    "9큰 파일\t" POST "big.bin\t" HOST "\t7070\r\n"
	    "h원문\tURL:https://perfectacle.github.io/2021/12/31/x/\t" HOST
	    "\t7070\r\n.\r\n");
	/* without the slash, without the leading slash, percent-encoded */
	assert_string_equal(
	    ask(fx, "/2021/12/31/las-vegas-aws-reinvent-04", &b), a.data);
	assert_string_equal(
	    ask(fx, "2021/12/31/las-vegas-aws-reinvent-04/", &b), a.data);
	assert_string_equal(
	    ask(fx, "/2021/12/31/las-vegas-aws-reinvent%2D04/", &b), a.data);
	ask(fx, POST "index.txt", &a);
	assert_int_equal(fx->resp.status, 20);
	assert_string_equal(a.data,
	    "라스베가스를 다녀오고... 4편\r\n"
	    "============================\r\n"
	    "\r\n"
	    "그랜드캐니언까지 헬기를 탔다.\r\n"
	    "헬기 [1]\r\n"
	    "큰 파일 [2]\r\n"
	    "원문 [3]\r\n"
	    "\r\n"
	    "[1] gopher://" HOST ":7070/I" POST "helicopter-01.jpeg\r\n"
	    "[2] gopher://" HOST ":7070/9" POST "big.bin\r\n"
	    "[3] https://perfectacle.github.io/2021/12/31/x/\r\n"
	    ".\r\n");
	/* a page the store streams is a menu all the same */
	ask(fx, "/long.gmi", &a);
	assert_int_equal(fx->resp.status, 20);
	assert_int_equal(fx->resp.file_fd, -1);
	assert_memory_equal(a.data, "iLong\t\t", 7);
	assert_non_null(strstr(a.data, "\r\n1/about.gmi\t/about.gmi\t"));
	assert_memory_equal(a.data + a.len - 3, ".\r\n", 3);
	/* pages that are not posts have no text version */
	ask(fx, "/about.gmi", &a);
	assert_null(strstr(a.data, "plain text"));
	ask(fx, "/about.txt", &a);
	assert_int_equal(fx->resp.status, 51);
	buf_free(&a);
	buf_free(&b);
}

static void
test_files(void **state)
{
	struct fixture *fx = *state;
	struct buf a = BUF_INIT;
	char got[sizeof(fx->big)];

	/* a small binary: as it is, no terminator */
	ask(fx, POST "helicopter-01.jpeg", &a);
	assert_int_equal(fx->resp.status, 20);
	assert_int_equal(a.len, 8);
	assert_memory_equal(a.data, "\xff\xd8\xff\xe0JFIF", 8);
	/* a large one: streamed from the file */
	ask(fx, POST "big.bin", &a);
	assert_int_equal(fx->resp.status, 20);
	assert_int_equal(a.len, 0);
	assert_true(fx->resp.file_fd >= 0);
	assert_int_equal(fx->resp.file_len, sizeof(fx->big));
	assert_int_equal(read(fx->resp.file_fd, got, sizeof(got)), sizeof(got));
	assert_memory_equal(got, fx->big, sizeof(got));
	/* a text file: CRLF, dot-stuffed, terminated */
	ask(fx, "/robots.txt", &a);
	assert_string_equal(a.data, "User-agent: *\r\n..dot\r\n.\r\n");
	buf_free(&a);
}

static void
test_errors(void **state)
{
	struct fixture *fx = *state;
	struct buf a = BUF_INIT;
	char longsel[GOPHER_MAX_LINE + 2];

	ask(fx, "/nothing/here", &a);
	assert_int_equal(fx->resp.status, 51);
	assert_string_equal(a.data, "3Not found\t\terror.host\t1\r\n.\r\n");
	ask(fx, "GET / HTTP/1.1", &a);
	assert_int_equal(fx->resp.status, 59);
	assert_memory_equal(a.data, "3", 1);
	ask(fx, "/../../etc/passwd", &a);
	assert_int_equal(fx->resp.status, 59);
	assert_string_equal(
	    a.data, "3Dot segment in selector\t\terror.host\t1\r\n.\r\n");
	ask(fx, "/%2e%2e/etc/passwd", &a);
	assert_int_equal(fx->resp.status, 51);
	memset(longsel, 'a', sizeof(longsel) - 1);
	longsel[sizeof(longsel) - 1] = '\0';
	ask(fx, longsel, &a);
	assert_int_equal(fx->resp.status, 59);
	assert_string_equal(
	    a.data, "3Selector too long\t\terror.host\t1\r\n.\r\n");
	ask(fx, "URL:javascript:alert(1)", &a);
	assert_int_equal(fx->resp.status, 59);
	ask(fx, "URL:https://example.com/", &a);
	assert_int_equal(fx->resp.status, 20);
	assert_non_null(strstr(a.data, "url=https://example.com/\">"));
	/* folders without a page are not menus */
	ask(fx, POST "../", &a);
	assert_int_equal(fx->resp.status, 59);
	buf_free(&a);
}

static void
test_search(void **state)
{
	struct fixture *fx = *state;
	struct buf a = BUF_INIT;

	ask(fx, "/search\t그랜드캐니언", &a);
	assert_int_equal(fx->resp.status, 20);
	assert_non_null(strstr(a.data, "iSearch: 그랜드캐니언\t\t"));
	assert_non_null(strstr(a.data, "1 post contains"));
	assert_non_null(strstr(a.data,
	    "\r\n12021-12-31 라스베가스를 다녀오고... "
	    "4편\t" POST "\t" HOST "\t7070\r\n"));
	assert_non_null(strstr(a.data, "\r\n7Search again\t/search\t"));
	/* no query: what to type */
	ask(fx, "/search", &a);
	assert_int_equal(fx->resp.status, 20);
	assert_non_null(strstr(a.data, "iType one or more words"));
	ask(fx, "/search\t", &a);
	assert_non_null(strstr(a.data, "iType one or more words"));
	buf_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_root_menu, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_root_menu_adds_search, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_post_menu_and_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
