#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "links.h"

/* A blog of one post, "/2021/12/30/trip-01/", on the web at url. */
struct blog {
	struct site_config cfg;
	struct site site;
	struct site_doc post, self;
	struct links_ctx ctx;
	struct render_links links;
	struct diag_list d;
};

static void
blog_init(struct blog *b, const char *url)
{
	memset(b, 0, sizeof(*b));
	b->cfg.url = (char *)(uintptr_t)url;
	b->cfg.gemini_base = (char *)(uintptr_t) "gemini://blog.example.org/";
	b->site.cfg = &b->cfg;
	b->post.usable = b->post.meta.published = true;
	b->post.url = (char *)(uintptr_t) "/2021/12/30/trip-01/";
	strmap_put(&b->site.by_url, b->post.url, &b->post);
	b->self.kind = DOC_POST;
	b->ctx = (struct links_ctx){
	    .site = &b->site, .doc = &b->self, .host_len = -1};
	b->links = links_for(&b->ctx);
}

static void
blog_free(struct blog *b)
{
	for (size_t i = 0; i < b->self.norigins; i++)
		free(b->self.origins[i].target);
	free(b->self.origins);
	strmap_free(&b->site.by_url);
	diag_free(&b->d);
}

/* What link() makes of href (NULL: left as written), as a string to
 * compare ("-" for NULL). */
static void
check(struct blog *b, const char *href, const char *want)
{
	char *got = b->links.link(b->links.ctx, href, 3, &b->d);

	assert_string_equal(got ? got : "-", want);
	free(got);
}

/* Web links on the blog's host (in any case) lead to its pages; other
 * hosts, look-alikes among them, and a blog without a web address leave
 * them as they are. */
static void
test_web_links(void **state)
{
	struct blog b;

	(void)state;
	blog_init(&b, "https://Blog.Example.org");
	check(&b, "https://blog.example.org/2021/12/30/trip-01/",
	    "/2021/12/30/trip-01/");
	check(&b, "http://BLOG.example.ORG:80/2021/12/30/trip-01/",
	    "/2021/12/30/trip-01/");
	check(&b, "https://www.youtube.com/watch?v=x", "-");
	check(
	    &b, "https://blog.example.org.evil.test/2021/12/30/trip-01/", "-");
	check(&b, "https://u@blog.example.org/2021/12/30/trip-01/",
	    "/2021/12/30/trip-01/");
	check(&b, "https://example.org/2021/12/30/trip-01/", "-");
	assert_int_equal(b.d.n, 0);
	blog_free(&b);

	blog_init(&b, NULL);
	check(&b, "https://blog.example.org/2021/12/30/trip-01/", "-");
	check(&b, "/2021/12/30/trip-01/", "/2021/12/30/trip-01/");
	blog_free(&b);
}

/* The source lines of a page's links are kept for the link check, which
 * never looks up a web link: a missing image linked to the web blog has
 * none kept, one published in the capsule, or a relative link, has. */
static void
test_origins(void **state)
{
	struct blog b;
	char *u;

	(void)state;
	blog_init(&b, "https://blog.example.org");
	b.self.asset_base = (char *)(uintptr_t) "/2021/12/31/self/";
	b.self.asset_dir = (char *)(uintptr_t) "/nonexistent/self";
	u = b.links.asset(b.links.ctx, "a.jpeg", 7, &b.d);
	assert_string_equal(
	    u, "https://blog.example.org/2021/12/31/self/a.jpeg");
	free(u);
	assert_int_equal(b.self.norigins, 0);
	check(&b, "notes/x.txt", "-");
	assert_int_equal(b.self.norigins, 1);
	assert_string_equal(b.self.origins[0].target, "notes/x.txt");
	assert_int_equal(b.self.origins[0].line, 3);
	blog_free(&b);

	blog_init(&b, NULL);
	b.self.asset_base = (char *)(uintptr_t) "/2021/12/31/self/";
	b.self.asset_dir = (char *)(uintptr_t) "/nonexistent/self";
	u = b.links.asset(b.links.ctx, "a.jpeg", 7, &b.d);
	assert_string_equal(u, "/2021/12/31/self/a.jpeg");
	free(u);
	assert_int_equal(b.self.norigins, 1);
	assert_string_equal(
	    b.self.origins[0].target, "/2021/12/31/self/a.jpeg");
	assert_int_equal(b.self.origins[0].line, LINK_REPORTED);
	blog_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_web_links),
	    cmocka_unit_test(test_origins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
