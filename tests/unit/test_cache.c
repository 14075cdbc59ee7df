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
	d->permalink = strdup("/2021/12/31/las-vegas-aws-reinvent-04/");
	d->url = strdup(d->permalink);
	d->file = strdup("2021/12/31/las-vegas-aws-reinvent-04/index.gmi");
	d->link = strdup(d->permalink);
	d->asset_base = strdup(d->permalink);
	memcpy(d->day, "2021-12-31", sizeof(d->day));
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
	for (i = 0; !d->links_borrowed && i < d->nlinks; i++) {
		free(d->links[i].target);
		free(d->links[i].path);
	}
	free(d->links);
	if (!d->place_borrowed) {
		free(d->permalink);
		free(d->url);
		free(d->file);
		free(d->link);
		free(d->asset_base);
	}
}

static void
write_pieces(
    const char *dir, const char *name, const struct cache_file *f, size_t cut)
{
	char path[256];
	size_t i, left;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "wb"));
	for (i = 0, left = 0; i < f->n; i++)
		left += f->pieces[i].iov_len;
	left = left > cut ? left - cut : 0;
	for (i = 0; i < f->n && left > 0; i++) {
		size_t k =
		    f->pieces[i].iov_len < left ? f->pieces[i].iov_len : left;
		assert_int_equal(fwrite(f->pieces[i].iov_base, 1, k, fp), k);
		left -= k;
	}
	fclose(fp);
}

/* Save the cache of docs (their records made anew, or kept from old)
 * into dir; cut bytes are left off the end of the file named cut_name.
 * base_first: the base laid out and written before the index pages are
 * given (as the builder saves it). */
static void
save_docs_how(const char *dir, const struct cache *old, struct site_doc **docs,
    size_t n, uint64_t stamp, const char *cut_name, size_t cut, bool base_first)
{
	struct cache_writer w;
	struct buf *recs = calloc(n + 1, sizeof(*recs));
	char *index[] = {"index.gmi", "tags/여행/index.gmi"};
	uint64_t keys[] = {5, 6};
	const char *rec;
	size_t i, len;

	cache_writer_init(&w, old, stamp);
	for (i = 0; i < n; i++) {
		if ((rec = cache_kept(old, docs[i], &len)) == NULL) {
			cache_put(&recs[i], docs[i]);
			rec = recs[i].data;
			len = recs[i].len;
		}
		cache_writer_add(&w, docs[i], rec, len);
	}
	if (base_first) {
		cache_writer_base(&w);
		write_pieces(dir, CACHE_BASE_FILE, &w.base,
		    cut_name && strcmp(cut_name, CACHE_BASE_FILE) == 0 ? cut
								       : 0);
	}
	cache_writer_end(&w, 77, index, keys, 2);
	write_pieces(dir, CACHE_FILE, &w.file,
	    cut_name && strcmp(cut_name, CACHE_FILE) == 0 ? cut : 0);
	if (!base_first)
		write_pieces(dir, CACHE_BASE_FILE, &w.base,
		    cut_name && strcmp(cut_name, CACHE_BASE_FILE) == 0 ? cut
								       : 0);
	cache_writer_free(&w);
	for (i = 0; i < n; i++)
		buf_free(&recs[i]);
	free(recs);
}

static void
save_docs(const char *dir, const struct cache *old, struct site_doc **docs,
    size_t n, uint64_t stamp, const char *cut_name, size_t cut)
{
	save_docs_how(dir, old, docs, n, stamp, cut_name, cut, false);
}

static char *
save(const struct site_doc *d, uint64_t stamp, size_t cut)
{
	char tmpl[] = "/tmp/canyon-cache-test.XXXXXX";
	struct cache none;
	struct site_doc *docs[] = {(struct site_doc *)(uintptr_t)d};

	assert_non_null(mkdtemp(tmpl));
	memset(&none, 0, sizeof(none));
	save_docs(tmpl, &none, docs, 1, stamp, CACHE_FILE, cut);
	return strdup(tmpl);
}

static void
remove_dir(char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, CACHE_FILE);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, CACHE_BASE_FILE);
	unlink(path);
	rmdir(dir);
	free(dir);
}

/* The end of a test with two caches: documents, caches and folders go. */
static void
free_two(struct site_doc *d, struct site_doc *back, size_t n, struct cache *c1,
    struct cache *c2, char *dir1, char *dir2)
{
	for (size_t i = 0; i < n; i++) {
		free_doc(&back[i]);
		free_doc(&d[i]);
	}
	cache_free(c2);
	cache_free(c1);
	remove_dir(dir1);
	remove_dir(dir2);
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
	/* A post's record does not restore a page. */
	back.kind = DOC_PAGE;
	assert_false(cache_restore(&c, rec, &back));
	assert_false(back.place_borrowed);
	free_doc(&back);
	memset(&back, 0, sizeof(back));
	back.sig_ino = 8;
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
	assert_true(back.place_borrowed);
	assert_string_equal(back.permalink, d.permalink);
	assert_string_equal(back.url, d.url);
	assert_string_equal(back.file, d.file);
	assert_string_equal(back.link, d.link);
	assert_string_equal(back.asset_base, d.asset_base);
	assert_string_equal(back.day, "2021-12-31");
	/* Restored strings are read in place, from the mapping. */
	assert_true(
	    back.meta.borrowed && back.res.borrowed && back.links_borrowed);
	assert_true(
	    back.meta.title > c.base && back.meta.title < c.base + c.base_len);
	assert_true(back.links[0].path > c.base &&
	    back.links[0].path < c.base + c.base_len);
	assert_null(c.damage);
	free_doc(&back);
	cache_free(&c);
	remove_dir(file);
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
	/* Not damaged: made by another canyon or configuration. */
	assert_null(c.damage);
	cache_free(&c);
	cache_load(&c, "/nonexistent/cache", 99);
	assert_null(cache_find(&c, d.src));
	assert_null(c.damage);
	cache_free(&c);
	remove_dir(file);
	free_doc(&d);
}

static void
test_truncated_file(void **state)
{
	struct site_doc d;
	struct cache c;
	size_t cut;

	(void)state;
	make_doc(&d);
	/* Whatever the cut of either file, the record is unknown and the
	 * cache says it is damaged. */
	for (cut = 1; cut < 200; cut += 7) {
		char tmpl[] = "/tmp/canyon-cache-test.XXXXXX";
		struct cache none;
		struct site_doc *docs[] = {&d};
		assert_non_null(mkdtemp(tmpl));
		memset(&none, 0, sizeof(none));
		save_docs(tmpl, &none, docs, 1, 99,
		    cut % 2 ? CACHE_FILE : CACHE_BASE_FILE, cut);
		cache_load(&c, tmpl, 99);
		assert_null(cache_find(&c, d.src));
		assert_non_null(c.damage);
		cache_free(&c);
		remove_dir(strdup(tmpl));
	}
	free_doc(&d);
}

/* A record whose page would be written out of the capsule is refused. */
static void
test_place_out_of_capsule(void **state)
{
	struct site_doc d, back;
	struct cache c;
	char *file;

	(void)state;
	make_doc(&d);
	free(d.file);
	d.file = strdup("2021/../../../etc/index.gmi");
	file = save(&d, 99, 0);
	cache_load(&c, file, 99);
	memset(&back, 0, sizeof(back));
	assert_false(cache_restore(&c, cache_find(&c, d.src), &back));
	assert_false(back.place_borrowed);
	assert_null(back.file);
	free_doc(&back);
	cache_free(&c);
	remove_dir(file);
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
	/* Only c's own records are kept by c. */
	assert_null(cache_kept(&(struct cache){0}, &back, &n));
	back.page_key++;
	assert_null(cache_kept(&c, &back, &n));
	back.page_key--;
	back.sig_ino++;
	assert_null(cache_kept(&c, &back, &n));
	back.sig_ino--;
	back.from_cache = false;
	assert_null(cache_kept(&c, &back, &n));
	buf_free(&put);
	free_doc(&back);
	cache_free(&c);
	remove_dir(file);
	free_doc(&d);
}

static char *
read_all(const char *dir, const char *name, size_t *len)
{
	char path[256], *data;
	FILE *fp;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "rb"));
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	data = malloc((size_t)n + 1);
	assert_int_equal(fread(data, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return data;
}

static char *
new_dir(void)
{
	char tmpl[] = "/tmp/canyon-cache-test.XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return strdup(tmpl);
}

/* Posts posts/0.md, posts/1.md..., as make_doc() makes them; N of them
 * when one changed is a small share (cache.c rewrites the base when it
 * is not). */
#define N 8
static void
make_docs(struct site_doc *d, struct site_doc **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		make_doc(&d[i]);
		free(d[i].src);
		d[i].src = malloc(32);
		snprintf(d[i].src, 32, "posts/%zu.md", i);
		d[i].sig_ino = 100 + i;
		v[i] = &d[i];
	}
}

/* The documents of the cache c as the next build restores them. */
static void
restore_docs(const struct cache *c, const struct site_doc *d,
    struct site_doc *back, struct site_doc **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&back[i], 0, sizeof(back[i]));
		back[i].src = strdup(d[i].src);
		back[i].sig_size = d[i].sig_size;
		back[i].sig_mtime_s = d[i].sig_mtime_s;
		back[i].sig_mtime_ns = d[i].sig_mtime_ns;
		back[i].sig_ino = d[i].sig_ino;
		assert_true(
		    cache_restore(c, cache_find(c, d[i].src), &back[i]));
		v[i] = &back[i];
	}
}

/*
 * One post of N changed: the base stays as it is (the same bytes), the cache
 * file holds that post's record alone, and everything restores as it was
 * saved; the record stays in the cache file while the base stays.
 */
static void
test_patched_cache(void **state)
{
	struct site_doc d[N], back[N], back2[N], *v[N];
	struct cache c1, c2, c3;
	char *dir1 = new_dir(), *dir2 = new_dir(), *dir3 = new_dir();
	char *base1, *base2, *base3, *file1, *file2, *file3;
	size_t base1_len, base2_len, base3_len, file1_len, file2_len, file3_len;
	const char *rec;

	(void)state;
	make_docs(d, v, N);
	save_docs(dir1, &(struct cache){0}, v, N, 99, NULL, 0);
	cache_load(&c1, dir1, 99);
	assert_null(c1.damage);
	assert_int_equal(c1.base_records, N);
	restore_docs(&c1, d, back, v, N);
	/* Post 1 is rendered again and changed its title. */
	free(d[1].meta.title);
	d[1].meta.title = strdup("바뀐 제목");
	d[1].render_key = 0x5555;
	v[1] = &d[1];
	save_docs(dir2, &c1, v, N, 99, NULL, 0);
	base1 = read_all(dir1, CACHE_BASE_FILE, &base1_len);
	base2 = read_all(dir2, CACHE_BASE_FILE, &base2_len);
	file1 = read_all(dir1, CACHE_FILE, &file1_len);
	file2 = read_all(dir2, CACHE_FILE, &file2_len);
	assert_int_equal(base2_len, base1_len);
	assert_memory_equal(base2, base1, base1_len);
	assert_true(file2_len > file1_len);
	assert_true(file2_len - file1_len < base1_len / 2);
	cache_load(&c2, dir2, 99);
	assert_null(c2.damage);
	assert_int_equal(c2.base_records, N);
	assert_int_equal(c2.nentries, N);
	rec = cache_find(&c2, d[1].src);
	assert_true(rec > c2.data && rec < c2.data + c2.len);
	restore_docs(&c2, d, back2, v, N);
	assert_string_equal(back2[1].meta.title, "바뀐 제목");
	assert_int_equal(back2[1].render_key, 0x5555);
	assert_string_equal(back2[0].meta.title, d[0].meta.title);
	assert_int_equal(back2[2].sig_ino, 102);
	assert_int_equal(back2[2].nlinks, 1);
	/* Nothing changed since: the same two files again. */
	save_docs(dir3, &c2, v, N, 99, NULL, 0);
	base3 = read_all(dir3, CACHE_BASE_FILE, &base3_len);
	file3 = read_all(dir3, CACHE_FILE, &file3_len);
	assert_int_equal(base3_len, base1_len);
	assert_memory_equal(base3, base1, base1_len);
	assert_int_equal(file3_len, file2_len);
	assert_memory_equal(file3, file2, file2_len);
	cache_load(&c3, dir3, 99);
	assert_string_equal(cache_find(&c3, d[1].src) ? "found" : "", "found");
	cache_free(&c3);
	free(base1);
	free(base2);
	free(base3);
	free(file1);
	free(file2);
	free(file3);
	for (size_t i = 0; i < N; i++) {
		free_doc(&back[i]);
		free_doc(&back2[i]);
		free_doc(&d[i]);
	}
	cache_free(&c2);
	cache_free(&c1);
	remove_dir(dir1);
	remove_dir(dir2);
	remove_dir(dir3);
}

/* The files of dir1 and dir2 hold the same bytes. */
static void
assert_same_cache(const char *dir1, const char *dir2)
{
	const char *names[] = {CACHE_FILE, CACHE_BASE_FILE};
	char *a, *b;
	size_t alen, blen;

	for (size_t i = 0; i < 2; i++) {
		a = read_all(dir1, names[i], &alen);
		b = read_all(dir2, names[i], &blen);
		assert_int_equal(alen, blen);
		assert_memory_equal(a, b, alen);
		free(a);
		free(b);
	}
}

/* The base laid out and written before the index pages are known (the
 * builder saves it while it writes them) makes the same files, a new
 * base as a kept one. */
static void
test_base_laid_first(void **state)
{
	struct site_doc d[N], back[N], *v[N];
	struct cache c1;
	char *dir[4] = {new_dir(), new_dir(), new_dir(), new_dir()};
	char *base0, *base2;
	size_t base0_len, base2_len;

	(void)state;
	make_docs(d, v, N);
	save_docs_how(dir[0], &(struct cache){0}, v, N, 99, NULL, 0, false);
	save_docs_how(dir[1], &(struct cache){0}, v, N, 99, NULL, 0, true);
	assert_same_cache(dir[0], dir[1]);
	cache_load(&c1, dir[1], 99);
	assert_null(c1.damage);
	assert_int_equal(c1.nindex, 2);
	assert_string_equal(c1.index_files[1], "tags/여행/index.gmi");
	restore_docs(&c1, d, back, v, N);
	/* Post 1 is rendered again: the base is kept, the file has it. */
	free(d[1].meta.title);
	d[1].meta.title = strdup("바뀐 제목");
	v[1] = &d[1];
	save_docs_how(dir[2], &c1, v, N, 99, NULL, 0, false);
	save_docs_how(dir[3], &c1, v, N, 99, NULL, 0, true);
	assert_same_cache(dir[2], dir[3]);
	base0 = read_all(dir[0], CACHE_BASE_FILE, &base0_len);
	base2 = read_all(dir[3], CACHE_BASE_FILE, &base2_len);
	assert_int_equal(base2_len, base0_len);
	assert_memory_equal(base2, base0, base0_len);
	free(base0);
	free(base2);
	for (size_t i = 0; i < N; i++) {
		free_doc(&back[i]);
		free_doc(&d[i]);
	}
	cache_free(&c1);
	for (size_t i = 0; i < 4; i++)
		remove_dir(dir[i]);
}

/* A source of the base that is no longer cached (a post deleted): a new
 * base, without it. */
static void
test_stale_base_rewritten(void **state)
{
	struct site_doc d[3], back[3], *v[3];
	struct cache c1, c2;
	char *dir1 = new_dir(), *dir2 = new_dir();

	(void)state;
	make_docs(d, v, 3);
	save_docs(dir1, &(struct cache){0}, v, 3, 99, NULL, 0);
	cache_load(&c1, dir1, 99);
	restore_docs(&c1, d, back, v, 3);
	v[1] = v[2];
	save_docs(dir2, &c1, v, 2, 99, NULL, 0);
	cache_load(&c2, dir2, 99);
	assert_null(c2.damage);
	assert_int_equal(c2.base_records, 2);
	assert_true(c2.base_id != c1.base_id);
	assert_null(cache_find(&c2, d[1].src));
	assert_non_null(cache_find(&c2, d[2].src));
	/* Every record is in the new base. */
	assert_int_equal(c2.len, c1.len);
	free_two(d, back, 3, &c1, &c2, dir1, dir2);
}

/* A cache file with another generation's base: damaged, said so; the
 * records of the cache file itself are still used. */
static void
test_base_mismatch(void **state)
{
	struct site_doc d[N], back[N], *v[N];
	struct cache c1, c2;
	char *dir1 = new_dir(), *dir2 = new_dir(), *base, path[256];
	size_t len;
	FILE *fp;

	(void)state;
	make_docs(d, v, N);
	save_docs(dir1, &(struct cache){0}, v, N, 99, NULL, 0);
	cache_load(&c1, dir1, 99);
	restore_docs(&c1, d, back, v, N);
	d[1].render_key = 0x6666;
	v[1] = &d[1];
	save_docs(dir2, &c1, v, N, 99, NULL, 0);
	/* dir2's base replaced by one of two posts. */
	v[1] = v[2];
	save_docs(dir1, &(struct cache){0}, v, 2, 99, NULL, 0);
	base = read_all(dir1, CACHE_BASE_FILE, &len);
	snprintf(path, sizeof(path), "%s/%s", dir2, CACHE_BASE_FILE);
	assert_non_null(fp = fopen(path, "wb"));
	assert_int_equal(fwrite(base, 1, len, fp), len);
	fclose(fp);
	cache_load(&c2, dir2, 99);
	assert_non_null(c2.damage);
	assert_int_equal(c2.base_id, 0);
	assert_non_null(cache_find(&c2, d[1].src));
	assert_null(cache_find(&c2, d[0].src));
	free(base);
	free_two(d, back, N, &c1, &c2, dir1, dir2);
}

/* Another version's cache file: not damaged, not used. */
static void
test_other_version(void **state)
{
	char *dir = new_dir(), path[256];
	struct cache c;
	FILE *fp;

	(void)state;
	snprintf(path, sizeof(path), "%s/%s", dir, CACHE_FILE);
	assert_non_null(fp = fopen(path, "wb"));
	fputs("canyon-cache-3\n0123456789abcdef", fp);
	fclose(fp);
	cache_load(&c, dir, 99);
	assert_null(c.damage);
	assert_int_equal(c.nentries, 0);
	cache_free(&c);
	assert_non_null(fp = fopen(path, "wb"));
	fputs("something else", fp);
	fclose(fp);
	cache_load(&c, dir, 99);
	assert_non_null(c.damage);
	cache_free(&c);
	remove_dir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_other_stamp_is_empty),
	    cmocka_unit_test(test_truncated_file),
	    cmocka_unit_test(test_kept_record),
	    cmocka_unit_test(test_place_out_of_capsule),
	    cmocka_unit_test(test_patched_cache),
	    cmocka_unit_test(test_base_laid_first),
	    cmocka_unit_test(test_stale_base_rewritten),
	    cmocka_unit_test(test_base_mismatch),
	    cmocka_unit_test(test_other_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
