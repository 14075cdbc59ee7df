#include "site.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "hash.h"
#include "path.h"
#include "permalink.h"
#include "url.h"
#include "workers.h"

/* A post above this is refused rather than read (a 50 MB post is not one). */
#define DOC_MAX_SIZE (64u * 1024 * 1024)

void
site_config_free(struct site_config *c)
{
	free(c->title);
	free(c->subtitle);
	free(c->intro);
	free(c->author);
	free(c->url);
	free(c->gemini_base);
	free(c->permalink);
	free(c->new_post_name);
	free(c->lang);
	free(c->robots);
	memset(c, 0, sizeof(*c));
}

static bool
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *
site_hexo_dir(const char *dir)
{
	char *posts = path_join(dir, "source/_posts");
	bool yes = is_dir(posts);

	free(posts);
	return yes ? xstrdup(dir) : NULL;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a folder, sorted, without "." and "..". NULL on error. */
static char **
list_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_names);
	if (v == NULL)
		v = xmalloc(sizeof(*v));
	return v;
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static struct site_doc *
doc_new(enum doc_kind kind, const char *src)
{
	struct site_doc *doc = xcalloc(1, sizeof(*doc));

	doc->kind = kind;
	doc->src = xstrdup(src);
	return doc;
}

static void
add_doc(struct site_doc ***v, size_t *n, struct site_doc *doc)
{
	/* Full at 0, 1, 2, 4, 8...: grow twice as large (10,000 posts
	 * make 14 calls, not 10,000). */
	if ((*n & (*n - 1)) == 0)
		*v = xrealloc(*v, (*n ? *n * 2 : 1) * sizeof(**v));
	(*v)[(*n)++] = doc;
}

static unsigned long long
file_key(const char *src, const struct stat *st)
{
	uint64_t h = hash_str(HASH_SEED, src);

	h = hash_u64(h, (uint64_t)st->st_size);
	h = hash_u64(h, (uint64_t)st->st_mtim.tv_sec);
	return hash_u64(h, (uint64_t)st->st_mtim.tv_nsec);
}

/* stat() that does not follow a symbolic link to a folder: such a link
 * can lead back up the tree, and the walk would never end. */
static int
stat_no_dir_link(const char *p, struct stat *st)
{
	if (lstat(p, st) != 0)
		return -1;
	if (S_ISLNK(st->st_mode) &&
	    (stat(p, st) != 0 || S_ISDIR(st->st_mode))) {
		st->st_mode = S_IFLNK;
		return 0;
	}
	return 0;
}

/* Pages and static files: everything under root but _ and . folders. */
static int
walk_pages(struct site *s, const char *dir, const char *rel)
{
	char **names, *full, *sub;
	size_t n, i;
	struct stat st;
	int rc = 0;

	if ((names = list_dir(dir, &n)) == NULL)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		if (names[i][0] == '_' || names[i][0] == '.')
			continue;
		full = path_join(dir, names[i]);
		sub = *rel ? path_join(rel, names[i]) : xstrdup(names[i]);
		if (stat_no_dir_link(full, &st) != 0) {
			diag_add(&s->diags, 0, false, "%s: %s", full,
			    strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk_pages(s, full, sub);
		} else if (S_ISREG(st.st_mode) && has_suffix(names[i], ".md")) {
			struct site_doc *doc = doc_new(DOC_PAGE, full);
			doc->stem = xstrndup(sub, strlen(sub) - 3);
			add_doc(&s->pages, &s->npages, doc);
		} else if (S_ISREG(st.st_mode)) {
			s->files = xrealloc(
			    s->files, (s->nfiles + 1) * sizeof(*s->files));
			s->files[s->nfiles].src = xstrdup(full);
			s->files[s->nfiles].rel = xstrdup(sub);
			s->files[s->nfiles].key = file_key(full, &st);
			s->nfiles++;
		}
		free(full);
		free(sub);
	}
	free_string_list(names, n);
	return rc;
}

/* A line break inside a title or a tag would end a gemtext line early
 * (and split a link line): control characters become spaces. */
static void
one_line(char *t)
{
	for (; t && *t; t++)
		if ((unsigned char)*t < 0x20 || *t == 0x7f)
			*t = ' ';
}

static void
fixup_meta(const struct site *s, struct site_doc *doc)
{
	size_t i, j;

	if (!doc->meta.has_date) {
		doc->meta.has_date = true;
		doc->meta.date = (time_t)doc->sig_mtime_s;
		doc->meta.date_tz = s->cfg->tz_minutes;
		if (doc->kind == DOC_POST)
			diag_add(&doc->diags, 1, false,
			    "no date in the front matter; using the file's "
			    "modification time");
	}
	if (doc->meta.title == NULL) {
		/* A page "about/index" is titled by its folder. */
		const char *base = strrchr(doc->stem, '/');
		if (base && strcmp(base, "/index") == 0)
			doc->meta.title =
			    xstrndup(doc->stem, (size_t)(base - doc->stem));
		else
			doc->meta.title =
			    xstrdup(doc->slug ? doc->slug : doc->stem);
	}
	one_line(doc->meta.title);
	for (i = 0; i < doc->meta.ntags; i++)
		one_line(doc->meta.tags[i]);
	for (i = 0; i < doc->meta.ncategories; i++)
		for (j = 0; j < doc->meta.categories[i].n; j++)
			one_line(doc->meta.categories[i].names[j]);
}

void
site_drop_text(struct site_doc *doc)
{
	if (!doc->text_scratch)
		free(doc->text);
	doc->text = NULL;
	doc->body = NULL;
	doc->text_scratch = false;
}

/*
 * The file's bytes into doc->text (the workers' scratch when there is
 * one, else a buffer of its own), and its identity into st. 0, or -1 with
 * errno. The identity is the open file's: what is read is what it says.
 */
static int
read_text(struct site_doc *doc, struct stat *st)
{
	struct buf own = BUF_INIT, *b = workers_scratch();
	int fd = open(doc->src, O_RDONLY | O_CLOEXEC), saved;

	site_drop_text(doc);
	if (fd == -1)
		return -1;
	if (fstat(fd, st) != 0 ||
	    path_read_fd(fd, DOC_MAX_SIZE,
		S_ISREG(st->st_mode) ? (size_t)st->st_size : 0,
		b != NULL ? b : &own) != 0) {
		saved = errno;
		close(fd);
		buf_free(&own);
		errno = saved;
		return -1;
	}
	close(fd);
	if (b == NULL)
		b = &own;
	doc->text = b->data;
	doc->len = b->len;
	doc->text_scratch = b != &own;
	return 0;
}

static bool
same_identity(const struct site_doc *doc, const struct stat *st)
{
	return doc->sig_size == (unsigned long long)st->st_size &&
	    doc->sig_mtime_s == (unsigned long long)st->st_mtim.tv_sec &&
	    doc->sig_mtime_ns == (unsigned long long)st->st_mtim.tv_nsec &&
	    doc->sig_ino == (unsigned long long)st->st_ino;
}

int
site_read_body(const struct site *s, struct site_doc *doc)
{
	struct post_meta now;
	struct diag_list d = {NULL, 0, 0};
	struct stat st;
	int rc;

	doc->body_in_file = false;
	if (read_text(doc, &st) != 0) {
		diag_add(&doc->diags, 0, true, "cannot read again: %s",
		    errno == EFBIG ? "larger than 64 MB" : strerror(errno));
		return -1;
	}
	if (same_identity(doc, &st) && doc->len == doc->sig_size &&
	    doc->body_off + doc->body_len == doc->len) {
		doc->body = doc->text + doc->body_off;
		return 0;
	}
	memset(&now, 0, sizeof(now));
	rc = frontmatter_parse(doc->text, doc->len, s->cfg->tz_minutes, &now,
	    &doc->body, &doc->body_len, &d);
	doc->meta.body_line = now.body_line;
	post_meta_free(&now);
	diag_free(&d);
	if (rc != 0) {
		diag_add(&doc->diags, 0, true,
		    "changed while being built, and its front matter cannot "
		    "be read any more");
		site_drop_text(doc);
		return -1;
	}
	return 0;
}

int
site_read_doc(const struct site *s, struct site_doc *doc)
{
	struct stat st;

	diag_free(&doc->diags);
	post_meta_free(&doc->meta);
	memset(&doc->meta, 0, sizeof(doc->meta));
	doc->usable = false;
	doc->body_in_file = false;
	if (read_text(doc, &st) != 0) {
		diag_add(&doc->diags, 0, true, "cannot read: %s",
		    errno == EFBIG ? "larger than 64 MB" : strerror(errno));
		return -1;
	}
	doc->sig_size = (unsigned long long)st.st_size;
	doc->sig_mtime_s = (unsigned long long)st.st_mtim.tv_sec;
	doc->sig_mtime_ns = (unsigned long long)st.st_mtim.tv_nsec;
	doc->sig_ino = (unsigned long long)st.st_ino;
	doc->content_hash = hash_bytes(HASH_SEED, doc->text, doc->len);
	if (frontmatter_parse(doc->text, doc->len, s->cfg->tz_minutes,
		&doc->meta, &doc->body, &doc->body_len, &doc->diags) != 0)
		return -1;
	doc->body_off = (size_t)(doc->body - doc->text);
	doc->usable = true;
	fixup_meta(s, doc);
	return 0;
}

/* What tells that a file is the one a cache record was made from. */
#define IDENTITY (STATX_SIZE | STATX_MTIME | STATX_INO)

/* The front matter, from the cache when the file is unchanged (by its
 * identity, or else by its content). A document that was read keeps
 * where its body starts (load_one()): rendering reads the file again but
 * neither hashes it nor parses its front matter. The file's identity is
 * taken as name in the folder dirfd (AT_FDCWD: name is doc->src): one
 * lookup rather than the whole path's, for every post. */
static void
read_doc(struct site *s, struct site_doc *doc, const struct cache *cache,
    int dirfd, const char *name)
{
	const char *rec = cache ? cache_find(cache, doc->src) : NULL;
	struct statx st;

	/* statx() asked for these fields only costs a quarter less than a
	 * whole stat() (ten thousand times); they are the same numbers. */
	if (rec != NULL && statx(dirfd, name, 0, IDENTITY, &st) == 0 &&
	    (st.stx_mask & IDENTITY) == IDENTITY) {
		doc->sig_size = (unsigned long long)st.stx_size;
		doc->sig_mtime_s = (unsigned long long)st.stx_mtime.tv_sec;
		doc->sig_mtime_ns = (unsigned long long)st.stx_mtime.tv_nsec;
		doc->sig_ino = (unsigned long long)st.stx_ino;
		if (cache_same_file(cache, rec, doc) &&
		    cache_restore(cache, rec, doc))
			return;
	}
	site_read_doc(s, doc);
	if (rec != NULL && doc->usable &&
	    cache_content_hash(cache, rec) == doc->content_hash) {
		unsigned long long sz = doc->sig_size, ms = doc->sig_mtime_s,
				   mns = doc->sig_mtime_ns, ino = doc->sig_ino;
		diag_free(&doc->diags);
		if (cache_restore(cache, rec, doc)) {
			doc->sig_size = sz;
			doc->sig_mtime_s = ms;
			doc->sig_mtime_ns = mns;
			doc->sig_ino = ino;
			site_drop_text(doc);
		} else {
			site_read_doc(s, doc);
		}
	}
}

/* Hexo's post_asset_folder: everything in the folder is published. */
static void
list_assets(struct site_doc *doc, const char *dir, const char *rel)
{
	char **names, *full, *sub;
	size_t n, i;
	struct stat st;

	if ((names = list_dir(dir, &n)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (names[i][0] == '.')
			continue;
		full = path_join(dir, names[i]);
		sub = *rel ? path_join(rel, names[i]) : xstrdup(names[i]);
		if (stat_no_dir_link(full, &st) != 0)
			st.st_mode = 0; /* gone since the listing */
		if (S_ISDIR(st.st_mode)) {
			list_assets(doc, full, sub);
		} else if (S_ISREG(st.st_mode)) {
			doc->assets = xrealloc(doc->assets,
			    (doc->nassets + 1) * sizeof(*doc->assets));
			doc->assets[doc->nassets].src = xstrdup(full);
			doc->assets[doc->nassets].rel =
			    path_join(doc->asset_base + 1, sub);
			doc->assets[doc->nassets].key = file_key(full, &st);
			doc->nassets++;
		}
		free(full);
		free(sub);
	}
	free_string_list(names, n);
}

static void
category_string(const struct post_meta *m, struct buf *out)
{
	size_t i;

	for (i = 0; m->ncategories > 0 && i < m->categories[0].n; i++) {
		if (i > 0)
			buf_putc(out, '/');
		buf_puts(out, m->categories[0].names[i]);
	}
}

/* Where a document is published: its permalink, page, link, day and
 * assets. It changes only doc and reads the site's options: documents
 * are placed in parallel (claim_doc() then gives each its page). A
 * permalink that cannot be used leaves doc->permalink NULL. A document
 * restored from the cache has its place from there (made from the same
 * front matter and options) but for its assets, which are listed. */
static void
place_doc(const struct site *s, struct site_doc *doc)
{
	struct buf p = BUF_INIT, cat = BUF_INIT;
	const char *reason;

	if (doc->place_borrowed)
		goto placed;
	if (doc->meta.permalink != NULL) {
		if (doc->meta.permalink[0] != '/')
			buf_putc(&p, '/');
		buf_puts(&p, doc->meta.permalink);
	} else if (doc->kind == DOC_PAGE) {
		/* Hexo: about/index.md is /about/, notes.md is /notes.html. */
		size_t n = strlen(doc->stem);
		if (strcmp(doc->stem, "index") == 0)
			buf_putc(&p, '/');
		else if (n > 6 && strcmp(doc->stem + n - 6, "/index") == 0)
			buf_printf(&p, "/%.*s/", (int)(n - 6), doc->stem);
		else
			buf_printf(&p, "/%s.html", doc->stem);
	} else {
		struct permalink_vars v = {
		    doc->slug, doc->meta.date, doc->meta.date_tz, NULL};
		category_string(&doc->meta, &cat);
		v.category = cat.len ? buf_cstr(&cat) : NULL;
		if (permalink_expand(s->cfg->permalink, &v, &p, &reason) != 0) {
			diag_add(&doc->diags, 0, true, "%s: '%s'", reason,
			    s->cfg->permalink);
			goto out;
		}
	}
	if (url_has_dot_segment(p.data, p.len) || memchr(p.data, '\0', p.len)) {
		/* "../" would put the page outside the capsule. */
		diag_add(&doc->diags, 0, true,
		    "permalink '%s' has a '.' or '..' "
		    "segment",
		    buf_cstr(&p));
		goto out;
	}
	doc->permalink = buf_detach(&p, NULL);
	doc->file = permalink_page_file(doc->permalink, &doc->url);
	site_put_link(&p, doc->url);
	doc->link = buf_detach(&p, NULL);
	site_format_day(doc->meta.date, doc->meta.date_tz, doc->day);
	if (doc->kind == DOC_POST) {
		size_t n = strlen(doc->url);
		if (doc->url[n - 1] == '/')
			doc->asset_base = xstrdup(doc->url);
		else /* "/a/b.gmi" publishes its assets in "/a/b/" */
			doc->asset_base = xstrndup(doc->url,
			    (size_t)(strrchr(doc->url, '.') - doc->url) + 1);
		if (doc->asset_base[strlen(doc->asset_base) - 1] != '/')
			doc->asset_base[strlen(doc->asset_base) - 1] = '/';
	}
placed:
	if (doc->kind == DOC_POST && doc->has_asset_dir)
		list_assets(doc, doc->asset_dir, "");
	site_doc_keys(doc);
out:
	buf_free(&p);
	buf_free(&cat);
}

static uint64_t
hash_categories(uint64_t h, const struct post_meta *m)
{
	size_t i, j;

	for (i = 0; i < m->ncategories; i++) {
		for (j = 0; j < m->categories[i].n; j++)
			h = hash_str(h, m->categories[i].names[j]);
		h = hash_u64(h, m->categories[i].n);
	}
	return hash_u64(h, m->ncategories);
}

static uint64_t
hash_tags(uint64_t h, const struct post_meta *m)
{
	size_t i;

	for (i = 0; i < m->ntags; i++)
		h = hash_str(h, m->tags[i]);
	return hash_u64(h, m->ntags);
}

/* The hashes of the names the site's maps find a document by but its
 * url (site_doc_keys() makes that one). */
static void
name_hashes(struct site_doc *doc)
{
	doc->stem_len = strlen(doc->stem);
	doc->stem_hash = strmap_hash(doc->stem, doc->stem_len);
	if (doc->slug != NULL) {
		doc->slug_len = strlen(doc->slug);
		doc->slug_hash = strmap_hash(doc->slug, doc->slug_len);
	}
	if (doc->meta.title != NULL) {
		doc->title_len = strlen(doc->meta.title);
		doc->title_hash = strmap_hash(doc->meta.title, doc->title_len);
	}
}

void
site_doc_keys(struct site_doc *doc)
{
	const struct post_meta *m = &doc->meta;
	uint64_t day = hash_str(HASH_SEED, doc->day),
		 tags = hash_tags(HASH_SEED, m),
		 cats = hash_categories(HASH_SEED, m), url, title, h;

	/* The names' hashes stand for the names (a NULL slug or title
	 * hashes as 0, apart from "" by its length). */
	name_hashes(doc);
	doc->url_len = strlen(doc->url);
	doc->url_hash = strmap_hash(doc->url, doc->url_len);
	url = doc->url_hash;
	title = hash_u64(doc->meta.title ? doc->title_hash : 0,
	    doc->meta.title ? doc->title_len + 1 : 0);
	h = hash_u64(hash_u64(url, doc->stem_hash),
	    hash_u64(doc->slug ? doc->slug_hash : 0,
		doc->slug ? doc->slug_len + 1 : 0));
	doc->name_key = hash_u64(h, title);
	h = hash_u64(hash_u64(url, day), title);
	doc->list_key = hash_u64(hash_u64(h, tags), cats);
	h = hash_u64(hash_u64(title, doc->kind), day);
	h = hash_str(hash_str(h, doc->permalink), m->lang);
	doc->frame_own = hash_u64(hash_u64(h, tags), cats);
	doc->link_key = hash_u64(url, title);
}

/* Give a placed document its page, in the documents' order: the first
 * to claim a page has it. */
static void
claim_doc(struct site *s, struct site_doc *doc)
{
	struct site_doc *other;

	if (doc->permalink == NULL) { /* place_doc() said why */
		doc->usable = false;
		return;
	}
	if (strcmp(doc->url, "/") == 0 || strncmp(doc->url, "/tags/", 6) == 0 ||
	    strncmp(doc->url, "/categories/", 12) == 0 ||
	    strncmp(doc->url, "/archive/", 9) == 0) {
		diag_add(&doc->diags, 0, true,
		    "its page %s is one canyon makes "
		    "(home, tags, categories, archive)",
		    doc->url);
		doc->usable = false;
		return;
	}
	if ((other = strmap_get_hashed(
		 &s->by_url, doc->url, doc->url_len, doc->url_hash)) != NULL) {
		diag_add(&doc->diags, 0, true, "its page %s is already %s's",
		    doc->url, other->src);
		doc->usable = false;
		return;
	}
	/* A document's url stays as it is until the site is freed. */
	strmap_put_borrowed(
	    &s->by_url, doc->url, doc->url_len, doc->url_hash, doc);
}

static int
cmp_posts(const void *a, const void *b)
{
	const struct site_doc *x = *(struct site_doc *const *)a;
	const struct site_doc *y = *(struct site_doc *const *)b;

	if (x->meta.date != y->meta.date)
		return x->meta.date < y->meta.date ? -1 : 1;
	return strcmp(x->slug, y->slug);
}

/* What reading the documents, in parallel, shares (read only). */
struct load_ctx {
	struct site *s;
	const struct cache *cache;
	const char *posts_dir;
	int posts_fd; /* the posts' folder, or -1 */
	char **names; /* its entries, sorted */
	size_t nnames;
	const char **post_names; /* the posts' file names, in order */
};

/* The post of the file name in the posts' folder. */
static struct site_doc *
new_post(const struct load_ctx *l, const char *name)
{
	char *full = path_join(l->posts_dir, name);
	struct site_doc *doc = doc_new(DOC_POST, full);

	doc->stem = xstrndup(name, strlen(name) - 3);
	doc->slug = permalink_slug(doc->stem, l->s->cfg->new_post_name);
	doc->asset_dir = path_join(l->posts_dir, doc->stem);
	/* Only a name in the listing can be an asset folder: no need to try
	 * opening one for every post. */
	doc->has_asset_dir = bsearch(&doc->stem, l->names, l->nnames,
				 sizeof(*l->names), cmp_names) != NULL;
	free(full);
	return doc;
}

/* Make (posts), read and place document i (posts, then pages). A
 * document changes only itself, and the site and the cache are only
 * read: documents load in parallel. */
static void
load_one(void *ctx, size_t i)
{
	struct load_ctx *l = ctx;
	struct site *s = l->s;
	struct site_doc *doc;

	if (i >= s->nposts) {
		doc = s->pages[i - s->nposts];
		read_doc(s, doc, l->cache, AT_FDCWD, doc->src);
	} else {
		/* Whether it is a file shows when it is read. */
		doc = s->posts[i] = new_post(l, l->post_names[i]);
		read_doc(s, doc, l->cache,
		    l->posts_fd < 0 ? AT_FDCWD : l->posts_fd,
		    l->posts_fd < 0 ? doc->src : l->post_names[i]);
	}
	if (doc->usable && doc->meta.published) {
		place_doc(s, doc);
		if (doc->permalink == NULL) /* not placed: no keys */
			name_hashes(doc);
	}
	/* The scratch is the next document's: this one's body is read
	 * again when it is rendered, so that ten thousand posts are not all
	 * in memory at once. */
	if (doc->text_scratch) {
		doc->body_in_file = doc->usable;
		site_drop_text(doc);
	}
}

int
site_load(struct site *s, const struct site_config *cfg, const char *dir,
    const struct cache *cache, char *err, size_t errlen)
{
	char *posts_dir, **names;
	struct load_ctx load;
	struct site_doc *doc;
	size_t n, i;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->root = path_join(dir, "source");
	posts_dir = path_join(s->root, "_posts");
	if (!is_dir(posts_dir)) {
		free(s->root);
		free(posts_dir);
		s->root = xstrdup(dir);
		posts_dir = path_join(s->root, "_posts");
	}
	if ((names = list_dir(posts_dir, &n)) == NULL) {
		snprintf(err, errlen, "%s: no _posts folder (%s)", dir,
		    strerror(errno));
		free(posts_dir);
		return -1;
	}
	/* The posts are made when they are read (load_one()). */
	load.post_names = xcalloc(n + 1, sizeof(*load.post_names));
	for (i = 0; i < n; i++)
		if (names[i][0] != '.' && has_suffix(names[i], ".md"))
			load.post_names[s->nposts++] = names[i];
	s->posts = xcalloc(s->nposts + 1, sizeof(*s->posts));
	if (walk_pages(s, s->root, "") != 0) {
		snprintf(err, errlen, "%s: %s", s->root, strerror(errno));
		s->nposts = 0;
		free(load.post_names);
		free_string_list(names, n);
		free(posts_dir);
		return -1;
	}
	load.s = s;
	load.cache = cache;
	load.posts_dir = posts_dir;
	load.posts_fd = open(posts_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	load.names = names;
	load.nnames = n;
	workers_run(s->nposts + s->npages, load_one, &load, NULL, NULL);
	if (load.posts_fd >= 0)
		close(load.posts_fd);
	free(load.post_names);
	free_string_list(names, n);
	free(posts_dir);
	strmap_reserve(&s->by_url, s->nposts + s->npages);
	strmap_reserve(&s->by_slug, 2 * s->nposts);
	strmap_reserve(&s->by_title, s->nposts);
	for (i = 0; i < s->nposts; i++) {
		doc = s->posts[i];
		if (!doc->usable || !doc->meta.published)
			continue;
		claim_doc(s, doc);
		/* Stem and slug stay as they are until the site is freed; a
		 * title may be read again (rendering): it is copied. */
		strmap_put_borrowed(
		    &s->by_slug, doc->stem, doc->stem_len, doc->stem_hash, doc);
		strmap_put_borrowed(
		    &s->by_slug, doc->slug, doc->slug_len, doc->slug_hash, doc);
		if (doc->meta.title &&
		    !strmap_get_hashed(&s->by_title, doc->meta.title,
			doc->title_len, doc->title_hash))
			strmap_put_hashed(&s->by_title, doc->meta.title,
			    doc->title_len, doc->title_hash, doc);
	}
	for (i = 0; i < s->npages; i++)
		if (s->pages[i]->usable && s->pages[i]->meta.published)
			claim_doc(s, s->pages[i]);
	for (i = 0; i < s->nfiles; i++) {
		struct buf key = BUF_INIT;
		buf_putc(&key, '/');
		buf_puts(&key, s->files[i].rel);
		strmap_put(&s->statics, buf_cstr(&key), &s->files[i]);
		buf_free(&key);
	}
	qsort(s->posts, s->nposts, sizeof(*s->posts), cmp_posts);
	for (i = 0; i < s->nposts; i++)
		s->posts[i]->index = i;
	for (i = 0; i < s->npages; i++)
		s->pages[i]->index = i;
	return 0;
}

static void
doc_free(struct site_doc *doc)
{
	size_t i;

	free(doc->src);
	free(doc->stem);
	free(doc->slug);
	free(doc->asset_dir);
	site_drop_text(doc);
	post_meta_free(&doc->meta);
	if (!doc->place_borrowed) {
		free(doc->asset_base);
		free(doc->permalink);
		free(doc->url);
		free(doc->file);
		free(doc->link);
	}
	diag_free(&doc->diags);
	if (doc->rendered)
		render_result_free(&doc->res);
	for (i = 0; i < doc->nassets; i++) {
		free(doc->assets[i].src);
		free(doc->assets[i].rel);
	}
	free(doc->assets);
	site_doc_forget_origins(doc);
	for (i = 0; !doc->links_borrowed && i < doc->nlinks; i++) {
		free(doc->links[i].target);
		free(doc->links[i].path);
	}
	free(doc->links);
	buf_free(&doc->cache_rec);
	free(doc);
}

void
site_free(struct site *s)
{
	size_t i;

	for (i = 0; i < s->nposts; i++)
		doc_free(s->posts[i]);
	for (i = 0; i < s->npages; i++)
		doc_free(s->pages[i]);
	for (i = 0; i < s->nfiles; i++) {
		free(s->files[i].src);
		free(s->files[i].rel);
	}
	free(s->posts);
	free(s->pages);
	free(s->files);
	free(s->root);
	strmap_free(&s->by_url);
	strmap_free(&s->by_slug);
	strmap_free(&s->by_title);
	strmap_free(&s->statics);
	diag_free(&s->diags);
	memset(s, 0, sizeof(*s));
}

struct site_doc *
site_find_path(const struct site *s, const char *path, size_t n)
{
	char *p = xstrndup(path, n), *url, *file;
	struct site_doc *doc;

	file = permalink_page_file(p, &url);
	doc = strmap_get(&s->by_url, url);
	free(p);
	free(file);
	free(url);
	return doc;
}

static bool
same_host(const struct url *u, const char *base)
{
	struct url b;
	const char *reason;

	if (base == NULL || url_parse(base, strlen(base), &b, &reason) != 0)
		return false;
	return u->host.len == b.host.len &&
	    strncasecmp(u->host.p, b.host.p, b.host.len) == 0;
}

int
site_link_path(const struct site *s, const char *href, struct buf *out)
{
	struct url u;
	const char *reason;
	size_t start = out->len;

	if (url_parse(href, strlen(href), &u, &reason) != 0)
		return -1;
	if (u.scheme.len > 0) {
		bool web = slice_eq_nocase(u.scheme, "http") ||
		    slice_eq_nocase(u.scheme, "https");
		bool gem = slice_eq_nocase(u.scheme, "gemini");
		if (!((web && same_host(&u, s->cfg->url)) ||
			(gem && same_host(&u, s->cfg->gemini_base))))
			return -1;
	} else if (u.has_authority || u.path.len == 0 || u.path.p[0] != '/') {
		return -1;
	}
	if (u.path.len == 0) {
		buf_putc(out, '/');
		return 0;
	}
	if (url_decode(u.path.p, u.path.len, out, URL_DECODE_PATH, &reason) !=
	    0) {
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}

void
site_put_link(struct buf *out, const char *path)
{
	url_encode(out, path, strlen(path), "/");
}

void
site_format_day(time_t t, int tz, char out[11])
{
	struct tm tm;
	time_t local = t + (time_t)tz * 60;

	gmtime_r(&local, &tm);
	if (strftime(out, 11, "%Y-%m-%d", &tm) == 0)
		memcpy(out, "0000-00-00", 11);
}

bool
site_doc_live(const struct site_doc *doc)
{
	return doc->usable && doc->meta.published && doc->url != NULL;
}

void
site_doc_forget_origins(struct site_doc *doc)
{
	for (size_t i = 0; i < doc->norigins; i++)
		free(doc->origins[i].target);
	free(doc->origins);
	doc->origins = NULL;
	doc->norigins = doc->origins_cap = 0;
}

void
site_doc_origin(struct site_doc *doc, const char *target, int line)
{
	if (doc->norigins == doc->origins_cap) {
		doc->origins_cap = doc->origins_cap ? doc->origins_cap * 2 : 16;
		doc->origins = xrealloc(
		    doc->origins, doc->origins_cap * sizeof(*doc->origins));
	}
	doc->origins[doc->norigins].target = xstrdup(target);
	doc->origins[doc->norigins].line = line;
	doc->norigins++;
}
