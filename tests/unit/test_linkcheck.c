#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "linkcheck.h"
#include "links.h"

/* The internal links linkcheck_collect() finds in text, as
 * "target>path" lines. */
static void
collect(const char *text, struct buf *out)
{
	struct site_config cfg;
	struct site s;
	struct page_link *v = NULL;
	size_t n = 0;

	memset(&cfg, 0, sizeof(cfg));
	memset(&s, 0, sizeof(s));
	cfg.gemini_base = "gemini://example.org/";
	s.cfg = &cfg;
	linkcheck_collect(&s, NULL, "a/index.gmi", text, strlen(text), &v, &n);
	buf_reset(out);
	for (size_t i = 0; i < n; i++)
		buf_printf(out, "%s>%s\n", v[i].target, v[i].path);
	page_links_free(v, n);
}

/* Web links are external, unless they cannot be parsed at all: those
 * lead nowhere (an empty path, reported as dead). */
static void
test_collect_web_links(void **state)
{
	struct buf got = BUF_INIT;

	(void)state;
	collect("=> https://example.org/x.jpeg photo\n"
		"=> http://example.org/?q#f\n"
		"=> https://u@example.org:8443/p\n"
		"=>\thttps://[::1]/p\tlabel\n",
	    &got);
	assert_string_equal(buf_cstr(&got), "");
	collect("=> https://example.org:99999/p\n"
		"=> http://[::1/p\n"
		"=> https://example.org/\x01x\n"
		"=> http://h]:1x/\n",
	    &got);
	assert_string_equal(buf_cstr(&got),
	    "https://example.org:99999/p>\n"
	    "http://[::1/p>\n"
	    "https://example.org/\x01x>\n"
	    "http://h]:1x/>\n");
	buf_free(&got);
}

/* Internal links: root-relative, relative to the page's folder, and
 * gemini:// on the capsule's host; preformatted lines are text. */
static void
test_collect_internal_links(void **state)
{
	struct buf got = BUF_INIT;

	(void)state;
	collect("=> /2021/12/31/post/ Post\n"
		"=> photo%20one.jpeg\n"
		"```\n=> /not/a/link\n```\n"
		"=> gemini://example.org/tags/x/\n"
		"=> gemini://other.org/\n",
	    &got);
	assert_string_equal(buf_cstr(&got),
	    "/2021/12/31/post/>/2021/12/31/post/\n"
	    "photo%20one.jpeg>/a/photo one.jpeg\n"
	    "gemini://example.org/tags/x/>/tags/x/\n");
	buf_free(&got);
}

/* A page in pieces gives what the whole page gives: a preformatted
 * block may open in one piece and close in another, and lines are
 * counted across the pieces. */
static void
test_collect_pieces(void **state)
{
	static const char *const parts[] = {
	    "# t\n\n", "```\n=> /a/\n", "```\n=> /b/ B\n", "\n", "=> /c/\n"};
	struct iovec v[5];
	struct buf whole = BUF_INIT;
	struct site_config cfg;
	struct site s;
	struct page_link *a = NULL, *b = NULL, *c = NULL;
	size_t na = 0, nb = 0, nc = 0;
	struct link_scan st = LINK_SCAN_INIT;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(&s, 0, sizeof(s));
	cfg.gemini_base = "gemini://example.org/";
	s.cfg = &cfg;
	for (size_t i = 0; i < 5; i++) {
		v[i] = (struct iovec){
		    (void *)(uintptr_t)parts[i], strlen(parts[i])};
		buf_puts(&whole, parts[i]);
	}
	linkcheck_collect(&s, NULL, "x.gmi", whole.data, whole.len, &a, &na);
	linkcheck_collectv(&s, NULL, "x.gmi", v, 5, &b, &nb);
	/* in two calls, the scan carried from one to the other (cut where
	 * a preformatted block is open) */
	linkcheck_scanv(&s, NULL, "x.gmi", &st, v, 2, &c, &nc);
	assert_true(st.pre);
	assert_int_equal(nc, 0);
	linkcheck_scanv(&s, NULL, "x.gmi", &st, v + 2, 3, &c, &nc);
	assert_int_equal(na, 2);
	assert_int_equal(nb, na);
	assert_int_equal(nc, na);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(a[i].target, b[i].target);
		assert_string_equal(a[i].path, b[i].path);
		assert_int_equal(a[i].line, b[i].line);
		assert_string_equal(a[i].target, c[i].target);
		assert_int_equal(a[i].line, c[i].line);
	}
	assert_string_equal(b[0].target, "/b/");
	assert_int_equal(b[0].line, 6);
	assert_int_equal(b[1].line, 8);
	page_links_free(a, na);
	page_links_free(b, nb);
	page_links_free(c, nc);
	buf_free(&whole);
}

/* Only lines that begin with "=>" or "```" count, wherever else '=' and
 * '`' appear; a page without a document has its links at their line in
 * the page, a document's page at their source line (its origins). */
static void
test_collect_lines(void **state)
{
	static const char text[] = "a = b\n"
				   "`code` => /x/\n"
				   "==> /y/\n"
				   "=> /a/ A = 1\n"
				   "``\n"
				   "```sh\n"
				   "=> /in/pre/\n"
				   "```\n"
				   "\n"
				   "=>\t/b/\n"
				   "=> /c/";
	struct site_config cfg;
	struct site s;
	struct site_doc doc;
	struct link_origin origin = {(char *)(uintptr_t) "/b/", 42};
	struct page_link *v = NULL;
	size_t n = 0;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(&s, 0, sizeof(s));
	memset(&doc, 0, sizeof(doc));
	cfg.gemini_base = "gemini://example.org/";
	s.cfg = &cfg;
	linkcheck_collect(&s, NULL, "p.gmi", text, strlen(text), &v, &n);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].target, "/a/");
	assert_int_equal(v[0].line, 4);
	assert_string_equal(v[1].target, "/b/");
	assert_int_equal(v[1].line, 10);
	assert_string_equal(v[2].target, "/c/");
	assert_int_equal(v[2].line, 11);
	page_links_free(v, n);

	v = NULL;
	n = 0;
	doc.origins = &origin;
	doc.norigins = 1;
	linkcheck_collect(&s, &doc, "p.gmi", text, strlen(text), &v, &n);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].line, 0);
	assert_int_equal(v[1].line, 42);
	assert_int_equal(v[2].line, 0);
	page_links_free(v, n);
}

/* Enough links for the check to run on several threads: the dead ones
 * are kept in the order they were added, and a link whose problem was
 * already reported, or that leads to a file of the capsule, goes. */
static void
test_finish_keeps_dead_in_order(void **state)
{
	enum { N = 1000 };
	static struct page_link v[N];
	static char targets[N][32];
	struct linkcheck lc;
	size_t n, k = 0;

	(void)state;
	linkcheck_init(&lc);
	linkcheck_exists(&lc, "a/index.gmi");
	for (size_t i = 0; i < N; i++) {
		snprintf(targets[i], sizeof(targets[i]), "/p%zu/", i);
		v[i].target = targets[i];
		v[i].path = i % 3 == 0 ? targets[i] : i % 3 == 1 ? "/a/" : "";
		v[i].line = i % 7 == 0 ? LINK_REPORTED : (int)i + 1;
	}
	linkcheck_add(&lc, "src.md", v, N);
	n = linkcheck_finish(&lc);
	for (size_t i = 0; i < N; i++) {
		if (i % 7 == 0 || i % 3 == 1)
			continue;
		assert_true(k < n);
		assert_string_equal(lc.pending[k].target, targets[i]);
		assert_int_equal(lc.pending[k].line, (int)i + 1);
		k++;
	}
	assert_int_equal(n, k);
	linkcheck_free(&lc);
}

/* Links taken from a generated page (their strings move to the check):
 * the dead ones name the page, whatever thread freed the others. */
static void
test_take_from_page(void **state)
{
	enum { N = 300 };
	struct page_link *v = calloc(N, sizeof(*v));
	struct linkcheck lc;
	char t[32];
	size_t n;

	(void)state;
	assert_non_null(v);
	linkcheck_init(&lc);
	linkcheck_exists(&lc, "live/index.gmi");
	for (size_t i = 0; i < N; i++) {
		snprintf(t, sizeof(t), "/gone%zu/", i);
		v[i].target = xstrdup(i % 2 ? t : "/live/");
		v[i].path = xstrdup(i % 2 ? t : "/live/");
		v[i].line = (int)i + 1;
	}
	linkcheck_take(&lc, "index.gmi", v, N);
	n = linkcheck_finish(&lc);
	assert_int_equal(n, N / 2);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(lc.pending[i].src, "index.gmi");
		assert_int_equal(lc.pending[i].line, (int)(2 * i + 2));
	}
	linkcheck_free(&lc);
}

/* Many pages, their links lent (a document's) or taken (a generated
 * page's), some without links, checked on several threads: the dead ones
 * come in the order the pages were given, each naming its page; a second
 * check finds nothing more. */
static void
test_finish_many_pages(void **state)
{
	enum { PAGES = 600, PER = 5 };
	static struct page_link lent[PAGES][PER];
	static char names[PAGES][32];
	struct linkcheck lc;
	struct page_link *v;
	size_t n, k = 0;

	(void)state;
	linkcheck_init(&lc);
	linkcheck_exists(&lc, "live/index.gmi");
	for (size_t p = 0; p < PAGES; p++) {
		snprintf(names[p], sizeof(names[p]), "page%zu", p);
		if (p % 3 == 0) { /* taken */
			assert_non_null(v = calloc(PER, sizeof(*v)));
			for (size_t j = 0; p % 9 != 0 && j < PER; j++) {
				v[j].target =
				    xstrdup(j == 2 ? "/gone/" : "/live/");
				v[j].path =
				    xstrdup(j == 2 ? "/gone/" : "/live/");
				v[j].line = (int)j + 1;
			}
			linkcheck_take(&lc, names[p], v, p % 9 == 0 ? 0 : PER);
			continue;
		}
		for (size_t j = 0; j < PER; j++) /* lent */
			lent[p][j] = (struct page_link){j == 4 ? "/dead/" : "/",
			    j == 4 ? "/dead/" : "/live/", (int)j + 1};
		linkcheck_add(&lc, names[p], lent[p], p % 5 == 1 ? 0 : PER);
	}
	n = linkcheck_finish(&lc);
	for (size_t p = 0; p < PAGES; p++) {
		if (p % 9 == 0 || (p % 3 != 0 && p % 5 == 1))
			continue;
		assert_true(k < n);
		assert_string_equal(lc.pending[k].src, names[p]);
		assert_string_equal(
		    lc.pending[k].target, p % 3 == 0 ? "/gone/" : "/dead/");
		assert_int_equal(lc.pending[k].line, p % 3 == 0 ? 3 : 5);
		k++;
	}
	assert_int_equal(n, k);
	assert_int_equal(linkcheck_finish(&lc), k);
	linkcheck_free(&lc);
}

/* A file makes its path answer, and "x/index.gmi" its folder "/x/" too,
 * whatever the name's length. */
static void
test_exists(void **state)
{
	char longname[400], path[402];
	struct page_link v[4];
	struct linkcheck lc;

	(void)state;
	memset(longname, 'a', 300);
	memcpy(longname + 300, "/index.gmi", 11);
	snprintf(path, sizeof(path), "/%.300s/", longname);
	linkcheck_init(&lc);
	linkcheck_exists(&lc, longname);
	linkcheck_exists(&lc, "index.gmi");
	linkcheck_exists(&lc, "b/notindex.gmi");
	v[0] = (struct page_link){"l", path, 1};
	v[1] = (struct page_link){"r", "/", 2};
	v[2] = (struct page_link){"b", "/b/notindex.gmi", 3};
	v[3] = (struct page_link){"d", "/b/", 4};
	linkcheck_add(&lc, "src.md", v, 4);
	assert_int_equal(linkcheck_finish(&lc), 1);
	assert_string_equal(lc.pending[0].target, "d");
	linkcheck_free(&lc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_collect_web_links),
	    cmocka_unit_test(test_collect_internal_links),
	    cmocka_unit_test(test_collect_pieces),
	    cmocka_unit_test(test_collect_lines),
	    cmocka_unit_test(test_finish_keeps_dead_in_order),
	    cmocka_unit_test(test_take_from_page),
	    cmocka_unit_test(test_finish_many_pages),
	    cmocka_unit_test(test_exists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
