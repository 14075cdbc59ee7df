#include "cache.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "path.h"
#include "url.h"

#define FAMILY "canyon-cache-"
#define MAGIC FAMILY "5\n"
#define BASE_MAGIC FAMILY "base-5\n"
/* A new base is written when the records that differ from it pass this
 * share of its bytes (1/4): a few thousand one-post changes on a large
 * blog. */
#define CHANGED_SHARE 4
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

/* Its length, then the bytes and a NUL: read back in place as a C
 * string. */
static void
put_bytes(struct buf *b, const char *s, size_t n)
{
	put_u32(b, (uint32_t)n);
	buf_append(b, s, n);
	buf_putc(b, '\0');
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

/*
 * A string where it is in the mapping, or NULL for an absent one (or on
 * damage). It is not to be written to (the mapping is read-only): it is
 * typed char * only to sit in the structures that usually own theirs,
 * which are marked borrowed.
 */
static char *
get_str(struct rd *r, size_t *len)
{
	uint32_t n = get_u32(r);
	const char *s = r->p;

	if (len)
		*len = 0;
	if (r->bad || n == NO_STRING)
		return NULL;
	if ((size_t)(r->end - r->p) <= n || s[n] != '\0') {
		r->bad = true;
		return NULL;
	}
	r->p += (size_t)n + 1;
	if (len)
		*len = n;
	return (char *)(uintptr_t)s;
}

/* Skip a string. */
static void
skip_str(struct rd *r)
{
	(void)get_str(r, NULL);
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
		const char *file = get_str(r, NULL);
		c->index_files[i] = file ? xstrdup(file) : NULL;
		c->index_keys[i] = get_u64(r);
		if (file == NULL)
			r->bad = true;
	}
	c->nindex = i;
	if (r->bad)
		return false;
	c->index_key = key;
	return true;
}

/* The file dir/name mapped read-only (*len bytes), or NULL: no copy of
 * megabytes that are mostly only looked at. *found tells whether there
 * was a file (one may be empty, or too large). */
static const char *
map_file(const char *dir, const char *name, size_t *len, bool *found)
{
	char *file = path_join(dir, name);
	struct stat st;
	void *p = MAP_FAILED;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	free(file);
	*len = 0;
	*found = fd >= 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= CACHE_MAX)
		p = mmap(NULL, (size_t)st.st_size, PROT_READ,
		    MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	*len = (size_t)st.st_size;
	return p;
}

/* A reader of a mapping after its magic, or a bad one. */
static struct rd
open_file(const char *data, size_t len, const char *magic)
{
	struct rd r = {data, data + len, data == NULL};
	size_t n = strlen(magic);

	if (!r.bad && (len < n || memcmp(data, magic, n) != 0))
		r.bad = true;
	else if (!r.bad)
		r.p += n;
	return r;
}

/* Take the records from r to the end into the entries (in_base: they are
 * the base's). False when one is damaged: the ones before are kept. */
static bool
read_records(struct cache *c, struct rd *r, bool in_base)
{
	while (r->p < r->end) {
		uint32_t reclen = get_u32(r), srclen;
		const char *rec = r->p;
		struct rd sub = {rec, rec, false};
		struct cache_entry *e;
		unsigned long long h;
		uintptr_t k;

		if (r->bad || (size_t)(r->end - r->p) < reclen)
			return false;
		sub.end = rec + reclen;
		srclen = get_u32(&sub);
		if (sub.bad || srclen == NO_STRING ||
		    srclen >= (size_t)(sub.end - sub.p) ||
		    sub.p[srclen] != '\0')
			return false;
		r->p = rec + reclen;
		if (in_base) {
			c->base_records++;
			c->base_bytes += sizeof(reclen) + reclen;
		}
		h = strmap_hash(sub.p, srclen);
		if ((k = (uintptr_t)strmap_get_hashed(
			 &c->by_src, sub.p, srclen, h)) != 0) {
			c->entries[k - 1].rec = rec;
			continue;
		}
		if ((c->nentries & (c->nentries - 1)) == 0)
			c->entries = xrealloc(c->entries,
			    (c->nentries ? c->nentries * 2 : 1) *
				sizeof(*c->entries));
		e = &c->entries[c->nentries++];
		e->rec = rec;
		e->in_base = in_base;
		/* The path is read where it is: the mappings outlive the map.
		 */
		strmap_put_borrowed(&c->by_src, sub.p, srclen, h,
		    (void *)(uintptr_t)c->nentries);
	}
	return true;
}

/* The base named by the cache file, or none (c->damage then says why). */
static void
load_base(struct cache *c, const char *dir, uint64_t stamp, uint64_t id)
{
	struct rd r;
	bool found;

	c->base = map_file(dir, CACHE_BASE_FILE, &c->base_len, &found);
	r = open_file(c->base, c->base_len, BASE_MAGIC);
	if (get_u64(&r) != stamp || get_u64(&r) != id || r.bad) {
		c->damage = "its base is missing or not the one it names";
		return;
	}
	if (!read_records(c, &r, true)) {
		c->damage = "its base is damaged or cut short";
		return;
	}
	c->base_id = id;
}

static bool
other_version(const char *data, size_t len)
{
	size_t n = strlen(FAMILY);

	return len > n && memcmp(data, FAMILY, n) == 0 &&
	    memchr(data + n, '\n', len - n < 16 ? len - n : 16) != NULL;
}

void
cache_load(struct cache *c, const char *dir, uint64_t stamp)
{
	struct rd r;
	uint64_t base_id;
	bool found;

	memset(c, 0, sizeof(*c));
	if (dir == NULL)
		return;
	if ((c->data = map_file(dir, CACHE_FILE, &c->len, &found)) == NULL) {
		if (found)
			c->damage = "it is empty or too large";
		return;
	}
	r = open_file(c->data, c->len, MAGIC);
	/* Another version's cache (its whole first line) is no more damaged
	 * than another stamp's. */
	if (r.bad && !other_version(c->data, c->len))
		c->damage = "not a cache file";
	if (r.bad)
		return;
	if (get_u64(&r) != stamp && !r.bad)
		return;
	base_id = get_u64(&r);
	if (!read_index(c, &r)) {
		c->damage = "it is damaged or cut short";
		return;
	}
	if (base_id != 0)
		load_base(c, dir, stamp, base_id);
	if (!read_records(c, &r, false))
		c->damage = "it is damaged or cut short";
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
	if (c->base != NULL)
		munmap((void *)(uintptr_t)c->base, c->base_len);
	free(c->entries);
	strmap_free(&c->by_src);
	memset(c, 0, sizeof(*c));
}

static const struct cache_entry *
find_entry(const struct cache *c, const char *src)
{
	uintptr_t k = (uintptr_t)strmap_get(&c->by_src, src);

	return k ? &c->entries[k - 1] : NULL;
}

const char *
cache_find(const struct cache *c, const char *src)
{
	const struct cache_entry *e = find_entry(c, src);

	return e ? e->rec : NULL;
}

/* The record's length, stored before it (checked by read_records()). */
static uint32_t
rec_len(const char *rec)
{
	uint32_t len;

	memcpy(&len, rec - sizeof(len), sizeof(len));
	return len;
}

/* A reader of the record, positioned after its source path. */
static struct rd
open_rec(const struct cache *c, const char *rec)
{
	struct rd r = {rec, rec + rec_len(rec), false};

	(void)c;
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

/* Where the document was published (site.c's place_doc()), when the
 * record is whole: read in place. */
static void
restore_place(struct rd *r, struct site_doc *doc)
{
	char *permalink = get_str(r, NULL), *url = get_str(r, NULL),
	     *file = get_str(r, NULL), *link = get_str(r, NULL),
	     *asset_base = get_str(r, NULL);
	size_t n;
	const char *day = get_str(r, &n);

	/* Pages are written where it says: nothing may lead out of the
	 * capsule (site.c refuses such a permalink when it places a post). */
	if (r->bad || permalink == NULL || url == NULL || file == NULL ||
	    link == NULL || day == NULL || n + 1 != sizeof(doc->day) ||
	    (doc->kind == DOC_POST) != (asset_base != NULL) || r->p != r->end ||
	    url_has_dot_segment(file, strlen(file)) ||
	    url_has_dot_segment(url, strlen(url)) ||
	    (asset_base != NULL &&
		url_has_dot_segment(asset_base, strlen(asset_base)))) {
		r->bad = true;
		return;
	}
	doc->permalink = permalink;
	doc->url = url;
	doc->file = file;
	doc->link = link;
	doc->asset_base = asset_base;
	memcpy(doc->day, day, sizeof(doc->day));
	doc->place_borrowed = true;
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
	m->borrowed = true;
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
	doc->res.borrowed = true;
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
		const char *msg = get_str(&r, NULL);
		if (msg != NULL)
			diag_take(&doc->diags, line, err, xstrdup(msg));
	}
	k = get_u32(&r);
	doc->links_borrowed = true;
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
	restore_place(&r, doc);
	doc->rendered = true;
	doc->from_cache = true;
	doc->restored_from = rec;
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
	put_str(out, doc->permalink);
	put_str(out, doc->url);
	put_str(out, doc->file);
	put_str(out, doc->link);
	put_str(out, doc->asset_base);
	put_str(out, doc->day);
	len = (uint32_t)(out->len - start);
	memcpy(out->data + start - sizeof(len), &len, sizeof(len));
}

static bool
in_mapping(const char *p, const char *data, size_t len)
{
	return data != NULL && p >= data && p < data + len;
}

const char *
cache_kept(const struct cache *c, const struct site_doc *doc, size_t *n)
{
	const char *rec;
	struct rd r;
	uint32_t len;

	if (!doc->from_cache || (rec = doc->restored_from) == NULL ||
	    !(in_mapping(rec, c->data, c->len) ||
		in_mapping(rec, c->base, c->base_len)) ||
	    !cache_same_file(c, rec, doc))
		return NULL;
	r = open_rec(c, rec);
	r.p += 4 * sizeof(uint64_t);
	if (get_u64(&r) != doc->content_hash ||
	    get_u64(&r) != doc->render_key || get_u64(&r) != doc->body_hash ||
	    get_u64(&r) != doc->page_key || r.bad)
		return NULL;
	len = rec_len(rec);
	*n = sizeof(len) + len;
	return rec - sizeof(len);
}

void
cache_writer_init(
    struct cache_writer *w, const struct cache *old, uint64_t stamp)
{
	memset(w, 0, sizeof(*w));
	w->old = old;
	w->stamp = stamp;
}

void
cache_writer_add(struct cache_writer *w, const struct site_doc *doc,
    const char *rec, size_t n)
{
	const struct cache *old = w->old;
	bool own = in_mapping(rec, old->base, old->base_len);
	const struct cache_entry *e = own ? NULL : find_entry(old, doc->src);

	if (w->nrecs == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		w->recs = xrealloc(w->recs, w->cap * sizeof(*w->recs));
		w->old_base_rec = xrealloc(
		    w->old_base_rec, w->cap * sizeof(*w->old_base_rec));
	}
	w->recs[w->nrecs] = (struct iovec){(void *)(uintptr_t)rec, n};
	w->old_base_rec[w->nrecs++] = own;
	if (own || (e != NULL && e->in_base))
		w->base_covered++;
	if (!own)
		w->changed_bytes += n;
}

/* Add bytes to a file, joining them to the last piece when they follow
 * it (records kept in the old cache's order). */
static void
add_piece(struct cache_file *f, const void *p, size_t len)
{
	struct iovec *last = f->n > 0 ? &f->pieces[f->n - 1] : NULL;

	if (last != NULL && (const char *)last->iov_base + last->iov_len == p) {
		last->iov_len += len;
		return;
	}
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->pieces = xrealloc(f->pieces, f->cap * sizeof(*f->pieces));
	}
	f->pieces[f->n++] = (struct iovec){(void *)(uintptr_t)p, len};
}

/* Whether the old base can stay: valid, holding no source that is no
 * longer cached, and not much changed since it was written. */
static bool
base_stays(const struct cache_writer *w)
{
	const struct cache *old = w->old;

	return old->base_id != 0 && w->base_covered == old->base_records &&
	    w->changed_bytes * CHANGED_SHARE <= old->base_bytes;
}

void
cache_writer_base(struct cache_writer *w)
{
	bool stays = base_stays(w);
	uint64_t base_id;
	size_t i;

	if (stays) {
		base_id = w->old->base_id;
		add_piece(&w->base, w->old->base, w->old->base_len);
	} else {
		/* The id of a base is a hash of its records. */
		for (i = 0, base_id = HASH_SEED; i < w->nrecs; i++)
			base_id = hash_bytes(
			    base_id, w->recs[i].iov_base, w->recs[i].iov_len);
		base_id = hash_u64(base_id, w->stamp);
		if (base_id == 0)
			base_id = 1;
		buf_puts(&w->base_head, BASE_MAGIC);
		put_u64(&w->base_head, w->stamp);
		put_u64(&w->base_head, base_id);
		add_piece(&w->base, w->base_head.data, w->base_head.len);
		for (i = 0; i < w->nrecs; i++)
			add_piece(
			    &w->base, w->recs[i].iov_base, w->recs[i].iov_len);
	}
	w->base.key = base_id;
	w->base_id = base_id;
	w->stays = stays;
	w->base_laid = true;
}

void
cache_writer_end(struct cache_writer *w, uint64_t index_key,
    char *const *index_files, const uint64_t *index_keys, size_t nindex)
{
	size_t i;

	if (!w->base_laid)
		cache_writer_base(w);
	buf_puts(&w->head, MAGIC);
	put_u64(&w->head, w->stamp);
	put_u64(&w->head, w->base_id);
	put_u64(&w->head, index_key);
	put_u32(&w->head, (uint32_t)nindex);
	for (i = 0; i < nindex; i++) {
		put_str(&w->head, index_files[i]);
		put_u64(&w->head, index_keys[i]);
	}
	add_piece(&w->file, w->head.data, w->head.len);
	for (i = 0; w->stays && i < w->nrecs; i++)
		if (!w->old_base_rec[i])
			add_piece(
			    &w->file, w->recs[i].iov_base, w->recs[i].iov_len);
}

void
cache_writer_free(struct cache_writer *w)
{
	buf_free(&w->head);
	buf_free(&w->base_head);
	free(w->file.pieces);
	free(w->base.pieces);
	free(w->recs);
	free(w->old_base_rec);
	memset(w, 0, sizeof(*w));
}
