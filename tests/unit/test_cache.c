#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cache.h"

static char **
strs(const char *a, const char *b)
{
	char **v = calloc(3, sizeof(*v));

	v[0] = strdup(a);
	v[1] = b ? strdup(b) : NULL;
	return v;
}

/* A rendered post as the builder holds it before saving the cache. */
static void
make_doc(struct site_doc *d)
{
	memset(d, 0, sizeof(*d));
	d->src = strdup("capsule/source/_posts/las-vegas-aws-reinvent-04.md");
	d->sig_size = 17913;
	d->sig_mtime_s = 1640953711;
	d->sig_mtime_ns = 42;
	d->sig_ino = 7;
	d->content_hash = 0x1111;
	d->render_key = 0x2222;
	d->body_hash = 0x3333;
	d->page_key = 0x4444;
	d->meta.title = strdup("라스베가스를 다녀오고... 4편");
	d->meta.has_date = true;
	d->meta.date = 1640953711;
	d->meta.date_tz = 540;
	d->meta.tags = strs("reinvent", "여행");
	d->meta.ntags = 2;
	d->meta.categories = calloc(1, sizeof(*d->meta.categories));
	d->meta.categories[0].names = strs("기타", "잡동사니");
	d->meta.categories[0].n = 2;
	d->meta.ncategories = 1;
	d->meta.published = true;
	d->meta.body_line = 7;
	buf_puts(&d->res.gemtext, "요약 부분\n그 뒤의 본문\n");
	d->res.excerpt_len = strlen("요약 부분\n");
	d->res.series = calloc(2, sizeof(*d->res.series));
	d->res.series[0].label = strdup("1편");
	d->res.series[0].href =
	    strdup("/2021/12/31/las-vegas-aws-reinvent-01/");
	d->res.series[0].line = 13;
	d->res.series[1].label = strdup("4편 - 현재 게시물");
	d->res.series[1].line = 16;
	d->res.nseries = 2;
	diag_add(&d->diags, 27, false, "40 assets missing");
	d->links = calloc(1, sizeof(*d->links));
	d->links[0].target = strdup("/tags/%EC%97%AC%ED%96%89/");
	d->links[0].path = strdup("/tags/여행/");
	d->links[0].line = -1;
	d->nlinks = 1;
	d->rendered = true;
}

static void
free_doc(struct site_doc *d)
{
	size_t i;

	free(d->src);
	post_meta_free(&d->meta);
	render_result_free(&d->res);
	diag_free(&d->diags);
	for (i = 0; i < d->nlinks; i++) {
		free(d->links[i].target);
		free(d->links[i].path);
	}
	free(d->links);
}

static char *
save(const struct site_doc *d, uint64_t stamp, size_t cut)
{
	static char file[] = "/tmp/canyon-cache-test.XXXXXX";
	struct buf b = BUF_INIT;
	char *name = strdup(file);
	int fd = mkstemp(name);

	char *index[] = {"index.gmi", "tags/여행/index.gmi"};
	uint64_t keys[] = {5, 6};

	cache_begin(&b, stamp, 77, index, keys, 2);
	cache_put(&b, d);
	assert_true(fd >= 0);
	assert_int_equal(
	    write(fd, b.data, b.len - cut), (ssize_t)(b.len - cut));
	close(fd);
	buf_free(&b);
	return name;
}

static void
test_round_trip(void **state)
{
	struct site_doc d, back;
	struct cache c;
	const char *rec;
	char *file;

	(void)state;
	make_doc(&d);
	file = save(&d, 99, 0);
	cache_load(&c, file, 99);
	assert_int_equal(c.index_key, 77);
	assert_int_equal(c.nindex, 2);
	assert_string_equal(c.index_files[1], "tags/여행/index.gmi");
	assert_int_equal(c.index_keys[1], 6);
	rec = cache_find(&c, d.src);
	assert_non_null(rec);
	assert_true(cache_same_file(&c, rec, &d));
	assert_int_equal(cache_content_hash(&c, rec), 0x1111);
	memset(&back, 0, sizeof(back));
	back.sig_ino = 8;
	assert_false(cache_same_file(&c, rec, &back));
	assert_true(cache_restore(&c, rec, &back));
	assert_true(back.from_cache && back.usable && back.rendered);
	assert_int_equal(back.render_key, 0x2222);
	assert_int_equal(back.page_key, 0x4444);
	assert_string_equal(back.meta.title, d.meta.title);
	assert_int_equal(back.meta.date, d.meta.date);
	assert_int_equal(back.meta.date_tz, 540);
	assert_int_equal(back.meta.ntags, 2);
	assert_string_equal(back.meta.tags[1], "여행");
	assert_int_equal(back.meta.categories[0].n, 2);
	assert_string_equal(back.meta.categories[0].names[1], "잡동사니");
	assert_null(back.meta.permalink);
	assert_int_equal(back.meta.body_line, 7);
	assert_int_equal(back.res.excerpt_len, strlen("요약 부분\n"));
	assert_memory_equal(
	    back.res.gemtext.data, "요약 부분\n", back.res.excerpt_len);
	assert_int_equal(back.res.nseries, 2);
	assert_string_equal(back.res.series[0].href, d.res.series[0].href);
	assert_null(back.res.series[1].href);
	assert_int_equal(back.res.series[1].line, 16);
	assert_int_equal(back.diags.n, 1);
	assert_int_equal(back.diags.v[0].line, 27);
	assert_string_equal(back.diags.v[0].msg, "40 assets missing");
	assert_int_equal(back.nlinks, 1);
	assert_string_equal(back.links[0].path, "/tags/여행/");
	assert_int_equal(back.links[0].line, -1);
	cache_free(&c);
	unlink(file);
	free(file);
	free_doc(&back);
	free_doc(&d);
}

static void
test_other_stamp_is_empty(void **state)
{
	struct site_doc d;
	struct cache c;
	char *file;

	(void)state;
	make_doc(&d);
	file = save(&d, 99, 0);
	cache_load(&c, file, 100);
	assert_null(cache_find(&c, d.src));
	cache_free(&c);
	cache_load(&c, "/nonexistent/cache", 99);
	assert_null(cache_find(&c, d.src));
	cache_free(&c);
	unlink(file);
	free(file);
	free_doc(&d);
}

static void
test_truncated_file(void **state)
{
	struct site_doc d;
	struct cache c;
	size_t cut;
	char *file;

	(void)state;
	make_doc(&d);
	/* Whatever the cut, the record is either unknown or refused. */
	for (cut = 1; cut < 200; cut += 7) {
		file = save(&d, 99, cut);
		cache_load(&c, file, 99);
		assert_null(cache_find(&c, d.src));
		cache_free(&c);
		unlink(file);
		free(file);
	}
	free_doc(&d);
}

/* A record kept as it is reads back as what cache_put() writes, and is
 * kept only while the document is what it was restored as. */
static void
test_kept_record(void **state)
{
	struct site_doc d, back;
	struct buf put = BUF_INIT;
	struct cache c;
	const char *kept;
	size_t n = 0;
	char *file;

	(void)state;
	make_doc(&d);
	file = save(&d, 99, 0);
	cache_load(&c, file, 99);
	memset(&back, 0, sizeof(back));
	back.src = strdup(d.src);
	back.sig_size = d.sig_size;
	back.sig_mtime_s = d.sig_mtime_s;
	back.sig_mtime_ns = d.sig_mtime_ns;
	back.sig_ino = d.sig_ino;
	assert_true(cache_restore(&c, cache_find(&c, d.src), &back));
	cache_put(&put, &d);
	assert_non_null(kept = cache_kept(&c, &back, &n));
	assert_int_equal(n, put.len);
	assert_memory_equal(kept, put.data, put.len);
	back.page_key++;
	assert_null(cache_kept(&c, &back, &n));
	back.page_key--;
	back.sig_ino++;
	assert_null(cache_kept(&c, &back, &n));
	back.sig_ino--;
	back.from_cache = false;
	assert_null(cache_kept(&c, &back, &n));
	buf_free(&put);
	cache_free(&c);
	unlink(file);
	free(file);
	free_doc(&back);
	free_doc(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_other_stamp_is_empty),
	    cmocka_unit_test(test_truncated_file),
	    cmocka_unit_test(test_kept_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
