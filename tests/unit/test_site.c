#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "path.h"
#include "site.h"
#include "workers.h"

/* A Hexo source folder in /tmp with one post, loaded. */
struct blog {
	char dir[64];
	char *posts, *post;
	struct site_config cfg;
	struct site site;
};

static void
put(const char *file, const char *text)
{
	FILE *f = fopen(file, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
blog_load(struct blog *b, const char *post)
{
	char err[256];

	memset(b, 0, sizeof(*b));
	strcpy(b->dir, "/tmp/canyon-site.XXXXXX");
	assert_non_null(mkdtemp(b->dir));
	b->posts = path_join(b->dir, "_posts");
	assert_int_equal(mkdir(b->posts, 0755), 0);
	b->post = path_join(b->posts, "trip-01.md");
	put(b->post, post);
	b->cfg.permalink = (char *)(uintptr_t) ":year/:month/:day/:title/";
	b->cfg.lang = (char *)(uintptr_t) "ko";
	assert_int_equal(
	    site_load(&b->site, &b->cfg, b->dir, NULL, err, sizeof(err)), 0);
	assert_int_equal(b->site.nposts, 1);
}

static void
blog_free(struct blog *b)
{
	site_free(&b->site);
	unlink(b->post);
	rmdir(b->posts);
	rmdir(b->dir);
	free(b->post);
	free(b->posts);
}

static const char post_v1[] = "---\ntitle: 첫째 날\ndate: 2021-12-30\n---\n"
			      "본문 첫 줄.\n";

/* Loading keeps no text (the body is read again to be rendered): what
 * is read then is the body, after the front matter. */
static void
test_body_read_again(void **state)
{
	struct blog b;
	struct site_doc *doc;

	(void)state;
	blog_load(&b, post_v1);
	doc = b.site.posts[0];
	assert_true(doc->usable);
	assert_null(doc->text);
	assert_true(doc->body_in_file);
	assert_int_equal(site_read_body(&b.site, doc), 0);
	assert_false(doc->body_in_file);
	assert_int_equal(doc->body_len, strlen("본문 첫 줄.\n"));
	assert_memory_equal(doc->body, "본문 첫 줄.\n", doc->body_len);
	assert_int_equal(doc->meta.body_line, 5);
	site_drop_text(doc);
	assert_null(doc->text);
	blog_free(&b);
}

/* A post changed between loading and rendering: its new body is found
 * after its new front matter; its title stays the one the build loaded. */
static void
test_body_of_changed_file(void **state)
{
	struct blog b;
	struct site_doc *doc;

	(void)state;
	blog_load(&b, post_v1);
	doc = b.site.posts[0];
	put(b.post,
	    "---\ntitle: 바뀐 제목\ntags: [여행]\ndate: 2021-12-30\n"
	    "---\n새 본문.\n");
	assert_int_equal(site_read_body(&b.site, doc), 0);
	assert_int_equal(doc->body_len, strlen("새 본문.\n"));
	assert_memory_equal(doc->body, "새 본문.\n", doc->body_len);
	assert_int_equal(doc->meta.body_line, 6);
	assert_string_equal(doc->meta.title, "첫째 날");
	site_drop_text(doc);
	blog_free(&b);
}

/* A post removed before it is rendered: an error, not a crash. */
static void
test_body_of_removed_file(void **state)
{
	struct blog b;
	struct site_doc *doc;

	(void)state;
	blog_load(&b, post_v1);
	doc = b.site.posts[0];
	assert_int_equal(unlink(b.post), 0);
	assert_int_equal(site_read_body(&b.site, doc), -1);
	assert_null(doc->text);
	assert_int_equal(diag_errors(&doc->diags), 1);
	assert_non_null(strstr(doc->diags.v[0].msg, "cannot read again"));
	blog_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_body_read_again),
	    cmocka_unit_test(test_body_of_changed_file),
	    cmocka_unit_test(test_body_of_removed_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
