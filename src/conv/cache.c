#include "cache.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"

#define MAGIC "canyon-cache-2\n"
#define CACHE_MAX (512u * 1024 * 1024)
#define NO_STRING 0xffffffffu

/* Writing: little helpers over a buf, native byte order (the cache never
 * leaves the machine that wrote it). */
static void
put_u64(struct buf *b, uint64_t v)
{
	buf_append(b, &v, sizeof(v));
}

static void
put_u32(struct buf *b, uint32_t v)
{
	buf_append(b, &v, sizeof(v));
}

static void
put_i32(struct buf *b, int v)
{
	put_u32(b, (uint32_t)v);
}

static void
put_bytes(struct buf *b, const char *s, size_t n)
{
	put_u32(b, (uint32_t)n);
	buf_append(b, s, n);
}

static void
put_str(struct buf *b, const char *s)
{
	if (s == NULL)
		put_u32(b, NO_STRING);
	else
		put_bytes(b, s, strlen(s));
}

/* Reading: every read is bounds-checked; a short record sets bad. */
struct rd {
	const char *p, *end;
	bool bad;
};

static bool
take(struct rd *r, void *out, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		memset(out, 0, n);
		return false;
	}
	memcpy(out, r->p, n);
	r->p += n;
	return true;
}

static uint64_t
get_u64(struct rd *r)
{
	uint64_t v;

	take(r, &v, sizeof(v));
	return v;
}

static uint32_t
get_u32(struct rd *r)
{
	uint32_t v;

	take(r, &v, sizeof(v));
	return v;
}

/* A new string, or NULL for an absent one (or on damage). */
static char *
get_str(struct rd *r, size_t *len)
{
	uint32_t n = get_u32(r);

	if (len)
		*len = 0;
	if (r->bad || n == NO_STRING)
		return NULL;
	if ((size_t)(r->end - r->p) < n) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	if (len)
		*len = n;
	return xstrndup(r->p - n, n);
}

/* Skip a string without copying. */
static void
skip_str(struct rd *r)
{
	uint32_t n = get_u32(r);

	if (n == NO_STRING || r->bad)
		return;
	if ((size_t)(r->end - r->p) < n)
		r->bad = true;
	else
		r->p += n;
}

void
cache_begin(struct buf *out, uint64_t stamp, uint64_t index_key,
    char *const *index_files, const uint64_t *index_keys, size_t nindex)
{
	size_t i;

	buf_puts(out, MAGIC);
	put_u64(out, stamp);
	put_u64(out, index_key);
	put_u32(out, (uint32_t)nindex);
	for (i = 0; i < nindex; i++) {
		put_str(out, index_files[i]);
		put_u64(out, index_keys[i]);
	}
}

static bool
read_index(struct cache *c, struct rd *r)
{
	uint64_t key = get_u64(r);
	uint32_t k = get_u32(r), i;

	if (r->bad || k > (uint32_t)(r->end - r->p))
		return false;
	c->index_files = xcalloc(k + 1, sizeof(*c->index_files));
	c->index_keys = xcalloc(k + 1, sizeof(*c->index_keys));
	for (i = 0; i < k && !r->bad; i++) {
		c->index_files[i] = get_str(r, NULL);
		c->index_keys[i] = get_u64(r);
		if (c->index_files[i] == NULL)
			r->bad = true;
	}
	c->nindex = i;
	if (r->bad)
		return false;
	c->index_key = key;
	return true;
}

/* The file mapped read-only (c->data, c->len), or nothing: no copy of
 * megabytes that are mostly only looked at. */
static void
map_file(struct cache *c, const char *file)
{
	struct stat st;
	void *p;
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= CACHE_MAX &&
	    (p = mmap(NULL, (size_t)st.st_size, PROT_READ,
		 MAP_PRIVATE | MAP_POPULATE, fd, 0)) != MAP_FAILED) {
		c->data = p;
		c->len = (size_t)st.st_size;
	}
	close(fd);
}

void
cache_load(struct cache *c, const char *file, uint64_t stamp)
{
	struct rd r;
	const char *rec;
	size_t n = strlen(MAGIC);

	memset(c, 0, sizeof(*c));
	if (file == NULL)
		return;
	map_file(c, file);
	if (c->data == NULL)
		return;
	r.p = c->data;
	r.end = c->data + c->len;
	r.bad = false;
	if (c->len < n || memcmp(c->data, MAGIC, n) != 0)
		return;
	r.p += n;
	if (get_u64(&r) != stamp)
		return;
	if (!read_index(c, &r))
		return;
	c->header_len = (size_t)(r.p - c->data);
	while (!r.bad && r.p < r.end) {
		uint32_t reclen = get_u32(&r);
		rec = r.p;
		if (r.bad || (size_t)(r.end - r.p) < reclen)
			break;
		{
			/* The map copies the path straight from the record. */
			struct rd sub = {rec, rec + reclen, false};
			uint32_t srclen = get_u32(&sub);
			if (!sub.bad && srclen != NO_STRING &&
			    srclen <= (size_t)(sub.end - sub.p))
				strmap_putn(&c->by_src, sub.p, srclen,
				    (void *)(uintptr_t)(rec - c->data));
		}
		r.p = rec + reclen;
	}
}

void
cache_free(struct cache *c)
{
	size_t i;

	for (i = 0; i < c->nindex; i++)
		free(c->index_files[i]);
	free(c->index_files);
	free(c->index_keys);
	if (c->data != NULL)
		munmap((void *)(uintptr_t)c->data, c->len);
	strmap_free(&c->by_src);
	memset(c, 0, sizeof(*c));
}

const char *
cache_find(const struct cache *c, const char *src)
{
	if (!strmap_has(&c->by_src, src))
		return NULL;
	return c->data + (uintptr_t)strmap_get(&c->by_src, src);
}

/* A reader positioned after the record's source path. */
static struct rd
open_rec(const struct cache *c, const char *rec)
{
	struct rd r = {rec, c->data + c->len, false};

	skip_str(&r);
	return r;
}

bool
cache_same_file(
    const struct cache *c, const char *rec, const struct site_doc *doc)
{
	struct rd r = open_rec(c, rec);
	uint64_t size = get_u64(&r), s = get_u64(&r), ns = get_u64(&r),
		 ino = get_u64(&r);

	return !r.bad && size == doc->sig_size && s == doc->sig_mtime_s &&
	    ns == doc->sig_mtime_ns && ino == doc->sig_ino;
}

uint64_t
cache_content_hash(const struct cache *c, const char *rec)
{
	struct rd r = open_rec(c, rec);
	uint64_t h;

	r.p += 4 * sizeof(uint64_t);
	h = get_u64(&r);
	return r.bad ? 0 : h;
}

static char **
get_strs(struct rd *r, size_t *n)
{
	uint32_t k = get_u32(r), i;
	char **v;

	*n = 0;
	if (r->bad || k > (uint32_t)(r->end - r->p))
		return NULL;
	v = xcalloc(k + 1, sizeof(*v));
	for (i = 0; i < k && !r->bad; i++)
		v[i] = get_str(r, NULL);
	*n = i;
	return v;
}

static void
put_strs(struct buf *b, char **v, size_t n)
{
	size_t i;

	put_u32(b, (uint32_t)n);
	for (i = 0; i < n; i++)
		put_str(b, v[i]);
}

bool
cache_restore(const struct cache *c, const char *rec, struct site_doc *doc)
{
	struct rd r = open_rec(c, rec);
	struct post_meta *m = &doc->meta;
	uint32_t k, i;
	size_t n;
	char *excerpt;

	r.p += 4 * sizeof(uint64_t);
	doc->content_hash = get_u64(&r);
	doc->render_key = get_u64(&r);
	doc->body_hash = get_u64(&r);
	doc->page_key = get_u64(&r);
	post_meta_free(m);
	memset(m, 0, sizeof(*m));
	m->title = get_str(&r, NULL);
	m->has_date = get_u32(&r);
	m->date = (time_t)get_u64(&r);
	m->date_tz = (int)get_u32(&r);
	m->has_updated = get_u32(&r);
	m->updated = (time_t)get_u64(&r);
	m->updated_tz = (int)get_u32(&r);
	m->tags = get_strs(&r, &m->ntags);
	k = get_u32(&r);
	if (!r.bad && k <= (uint32_t)(r.end - r.p)) {
		m->categories = xcalloc(k + 1, sizeof(*m->categories));
		for (i = 0; i < k && !r.bad; i++)
			m->categories[i].names =
			    get_strs(&r, &m->categories[i].n);
		m->ncategories = i;
	}
	m->permalink = get_str(&r, NULL);
	m->lang = get_str(&r, NULL);
	m->excerpt = get_str(&r, NULL);
	m->published = get_u32(&r);
	m->disable_nunjucks = get_u32(&r);
	m->has_front_matter = get_u32(&r);
	m->body_line = (int)get_u32(&r);
	excerpt = get_str(&r, &n);
	memset(&doc->res, 0, sizeof(doc->res));
	if (excerpt != NULL)
		buf_append(&doc->res.gemtext, excerpt, n);
	doc->res.excerpt_len = n;
	free(excerpt);
	k = get_u32(&r);
	if (!r.bad && k <= (uint32_t)(r.end - r.p)) {
		doc->res.series = xcalloc(k + 1, sizeof(*doc->res.series));
		for (i = 0; i < k && !r.bad; i++) {
			doc->res.series[i].label = get_str(&r, NULL);
			doc->res.series[i].href = get_str(&r, NULL);
			doc->res.series[i].line = (int)get_u32(&r);
		}
		doc->res.nseries = i;
	}
	k = get_u32(&r);
	for (i = 0; i < k && !r.bad; i++) {
		int line = (int)get_u32(&r);
		bool err = get_u32(&r);
		char *msg = get_str(&r, NULL);
		if (msg != NULL)
			diag_take(&doc->diags, line, err, msg);
	}
	k = get_u32(&r);
	if (!r.bad && k <= (uint32_t)(r.end - r.p)) {
		doc->links = xcalloc(k + 1, sizeof(*doc->links));
		for (i = 0; i < k && !r.bad; i++) {
			doc->links[i].target = get_str(&r, NULL);
			doc->links[i].path = get_str(&r, NULL);
			doc->links[i].line = (int)get_u32(&r);
			if (doc->links[i].target == NULL ||
			    doc->links[i].path == NULL)
				r.bad = true;
		}
		doc->nlinks = i;
	}
	doc->rendered = true;
	doc->from_cache = true;
	doc->usable = !r.bad && m->title != NULL;
	return doc->usable;
}

void
cache_put(struct buf *out, const struct site_doc *doc)
{
	const struct post_meta *m = &doc->meta;
	size_t i, start;
	uint32_t len;

	/* The record's length goes first; it is known at the end. */
	put_u32(out, 0);
	start = out->len;
	put_str(out, doc->src);
	put_u64(out, doc->sig_size);
	put_u64(out, doc->sig_mtime_s);
	put_u64(out, doc->sig_mtime_ns);
	put_u64(out, doc->sig_ino);
	put_u64(out, doc->content_hash);
	put_u64(out, doc->render_key);
	put_u64(out, doc->body_hash);
	put_u64(out, doc->page_key);
	put_str(out, m->title);
	put_u32(out, m->has_date);
	put_u64(out, (uint64_t)m->date);
	put_i32(out, m->date_tz);
	put_u32(out, m->has_updated);
	put_u64(out, (uint64_t)m->updated);
	put_i32(out, m->updated_tz);
	put_strs(out, m->tags, m->ntags);
	put_u32(out, (uint32_t)m->ncategories);
	for (i = 0; i < m->ncategories; i++)
		put_strs(out, m->categories[i].names, m->categories[i].n);
	put_str(out, m->permalink);
	put_str(out, m->lang);
	put_str(out, m->excerpt);
	put_u32(out, m->published);
	put_u32(out, m->disable_nunjucks);
	put_u32(out, m->has_front_matter);
	put_i32(out, m->body_line);
	put_bytes(out, doc->res.gemtext.data ? doc->res.gemtext.data : "",
	    doc->res.excerpt_len);
	put_u32(out, (uint32_t)doc->res.nseries);
	for (i = 0; i < doc->res.nseries; i++) {
		put_str(out, doc->res.series[i].label);
		put_str(out, doc->res.series[i].href);
		put_i32(out, doc->res.series[i].line);
	}
	put_u32(out, (uint32_t)doc->diags.n);
	for (i = 0; i < doc->diags.n; i++) {
		put_i32(out, doc->diags.v[i].line);
		put_u32(out, doc->diags.v[i].is_error);
		put_str(out, doc->diags.v[i].msg);
	}
	put_u32(out, (uint32_t)doc->nlinks);
	for (i = 0; i < doc->nlinks; i++) {
		put_str(out, doc->links[i].target);
		put_str(out, doc->links[i].path);
		put_i32(out, doc->links[i].line);
	}
	len = (uint32_t)(out->len - start);
	memcpy(out->data + start - sizeof(len), &len, sizeof(len));
}

const char *
cache_kept(const struct cache *c, const struct site_doc *doc, size_t *n)
{
	const char *rec;
	struct rd r;
	uint32_t len;

	if (!doc->from_cache || (rec = cache_find(c, doc->src)) == NULL ||
	    !cache_same_file(c, rec, doc))
		return NULL;
	r = open_rec(c, rec);
	r.p += 4 * sizeof(uint64_t);
	if (get_u64(&r) != doc->content_hash ||
	    get_u64(&r) != doc->render_key || get_u64(&r) != doc->body_hash ||
	    get_u64(&r) != doc->page_key || r.bad)
		return NULL;
	/* cache_load() checked that the record fits in the file. */
	memcpy(&len, rec - sizeof(len), sizeof(len));
	*n = sizeof(len) + len;
	return rec - sizeof(len);
}
