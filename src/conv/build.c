#include "build.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atom.h"
#include "cache.h"
#include "hash.h"
#include "index.h"
#include "linkcheck.h"
#include "links.h"
#include "outtree.h"
#include "page.h"
#include "path.h"
#include "series.h"
#include "workers.h"

/* An index page made in parallel with the documents' renderings, and
 * written by a worker while the documents' pages are made; the builder
 * then takes it in the order of the original build steps. */
struct index_page {
	char *file;
	struct buf page;
	uint64_t key;
	struct page_link *links; /* its internal links (gemtext pages) */
	size_t nlinks;
	bool written; /* by a worker; werr: its error */
	char *werr;
};

struct builder {
	const struct build_opts *o;
	struct build_stats *st;
	struct site site;
	struct outtree out;
	struct linkcheck lc;
	struct cache cache;
	uint64_t stamp;
	uint64_t index_key; /* what the index pages are made from (or
			       the made ones show) */
	char **index_files; /* the index pages written, for the cache */
	uint64_t *index_keys;
	size_t nindex;
	struct index_page *made; /* index pages made beside the documents'
				    renderings (NULL: none made) */
	size_t nmade;
	bool remake; /* the made ones show what changed since: made again */
	/* the new cache (save_base()): saving, by the thread saver_tid */
	struct cache_writer saver;
	pthread_t saver_tid;
	bool saving, save_begun;
	char *save_err;
	char *werr; /* first write error, reported at the end */
};

static void
report(struct builder *b, const char *file, int line, bool is_error,
    const char *msg)
{
	if (is_error)
		b->st->errors++;
	else
		b->st->warnings++;
	b->o->report(b->o->ctx, file, line, is_error, msg);
}

static void
report_diags(struct builder *b, const char *file, const struct diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		report(b, file, d->v[i].line, d->v[i].is_error, d->v[i].msg);
}

static void
write_file(struct builder *b, const char *rel, uint64_t key, const char *data,
    size_t len)
{
	char err[512];

	linkcheck_exists(&b->lc, rel);
	b->st->files++;
	if (b->werr == NULL &&
	    outtree_write(&b->out, rel, key, data, len, err, sizeof(err)) != 0)
		b->werr = xstrdup(err);
}

static void
copy_file(struct builder *b, const struct site_file *f)
{
	char err[512];

	linkcheck_exists(&b->lc, f->rel);
	b->st->files++;
	b->st->assets++;
	if (b->werr == NULL &&
	    outtree_copy(&b->out, f->rel, f->key, f->src, err, sizeof(err)) !=
		0)
		b->werr = xstrdup(err);
}

/* What a build's output depends on besides the sources: the options and
 * the program itself (a new canyon may render differently). */
static uint64_t
build_stamp(const struct site_config *c)
{
	struct stat st;
	uint64_t h = hash_str(HASH_SEED, CANYON_VERSION);

	if (stat("/proc/self/exe", &st) == 0) {
		h = hash_u64(h, (uint64_t)st.st_size);
		h = hash_u64(h, (uint64_t)st.st_mtim.tv_sec);
		h = hash_u64(h, (uint64_t)st.st_mtim.tv_nsec);
	}
	h = hash_str(h, c->title);
	h = hash_str(h, c->subtitle);
	h = hash_str(h, c->intro);
	h = hash_str(h, c->author);
	h = hash_str(h, c->url);
	h = hash_str(h, c->gemini_base);
	h = hash_str(h, c->permalink);
	h = hash_str(h, c->new_post_name);
	h = hash_str(h, c->lang);
	h = hash_str(h, c->robots);
	h = hash_u64(h, (uint64_t)c->tz_minutes);
	return hash_u64(h, c->join_soft_breaks);
}

/* Every name a post can be linked by: a rendering that resolved links
 * against another set of posts must be done again. */
static uint64_t
universe_key(const struct site *s)
{
	uint64_t h = HASH_SEED;
	size_t i;

	for (i = 0; i < s->nposts + s->npages; i++) {
		const struct site_doc *d =
		    i < s->nposts ? s->posts[i] : s->pages[i - s->nposts];
		if (site_doc_live(d))
			h = hash_u64(h, d->name_key);
	}
	for (i = 0; i < s->nfiles; i++)
		h = hash_str(h, s->files[i].rel);
	return h;
}

static uint64_t
render_key(
    const struct builder *b, const struct site_doc *doc, uint64_t universe)
{
	uint64_t h = hash_u64(b->stamp, doc->content_hash);
	size_t i;

	h = hash_u64(h, universe);
	for (i = 0; i < doc->nassets; i++)
		h = hash_str(h, doc->assets[i].rel);
	return h;
}

static void
forget_links(struct site_doc *doc)
{
	if (doc->links_borrowed)
		free(doc->links);
	else
		page_links_free(doc->links, doc->nlinks);
	doc->links = NULL;
	doc->nlinks = 0;
	doc->links_borrowed = false;
}

/* Forget a document's rendering and have its text: read again, front
 * matter and all, unless site_load() kept where its body starts
 * (body_in_file: the body is read when it is rendered, in parallel).
 * False when it cannot be read. */
static bool
render_prepare(struct builder *b, struct site_doc *doc)
{
	if (doc->rendered)
		render_result_free(&doc->res);
	forget_links(doc);
	doc->from_cache = false;
	doc->rendered = false;
	memset(&doc->res, 0, sizeof(doc->res));
	if (doc->body_in_file)
		return true;
	if (site_read_doc(&b->site, doc) == 0) {
		site_doc_keys(doc); /* its front matter read again */
		return true;
	}
	site_drop_text(doc);
	return false;
}

/*
 * Render a prepared document: body, missing assets. It changes only doc
 * and reads the site, so documents render in parallel; a failure is
 * returned rather than applied (doc->usable), so that every rendering
 * sees the same documents as linkable, whatever the order.
 */
static bool
render_body(struct builder *b, struct site_doc *doc, struct buf *storage)
{
	const struct site_config *cfg = b->o->cfg;
	struct links_ctx lctx = {.site = &b->site, .doc = doc, .host_len = -1};
	struct render_opts ro;
	bool ok;

	memset(&ro, 0, sizeof(ro));
	ro.asset_stem = doc->stem;
	ro.join_soft_breaks = cfg->join_soft_breaks;
	ro.expand_tags = !doc->meta.disable_nunjucks;
	ro.lang = doc->meta.lang ? doc->meta.lang : cfg->lang;
	ro.first_line = doc->meta.body_line;
	ro.links = links_for(&lctx);
	ro.storage = storage;
	doc->rendered = true;
	ok = render_post(
		 doc->body, doc->body_len, &ro, &doc->res, &doc->diags) == 0;
	doc->body_hash =
	    hash_bytes(HASH_SEED, doc->res.gemtext.data, doc->res.gemtext.len);
	if (doc->kind == DOC_POST)
		links_report_missing(&b->site, doc);
	site_drop_text(doc);
	return ok;
}

/* Render a prepared document, its body read first when only its file
 * has it; its gemtext in storage's memory (may be NULL: render_post()).
 * Same rules as render_body(). */
static bool
read_and_render(struct builder *b, struct site_doc *doc, struct buf *storage)
{
	if (doc->body_in_file && site_read_body(&b->site, doc) != 0)
		return false;
	return render_body(b, doc, storage);
}

/* Render (again) one document, alone. */
static void
render_doc(struct builder *b, struct site_doc *doc)
{
	if (render_prepare(b, doc) && !read_and_render(b, doc, NULL))
		doc->usable = false;
}

/* Documents to handle one by one, shared by a few threads, after lead
 * items of index pages (the longest items: handed out first). */
struct work {
	struct builder *b;
	struct site_doc **docs;
	size_t n; /* documents */
	size_t lead;
	/* item i < lead: index pages; else document i - lead */
	void (*one)(struct work *w, size_t i); /* must be thread-safe */
	bool *failed; /* rendering: per document */
	char **errs; /* pages: per document, its write error or NULL */
	bool progress; /* report progress (rendering) */
};

static void
work_one(void *ctx, size_t i)
{
	struct work *w = ctx;

	w->one(w, i);
}

/* Progress in documents: the lead items are not counted. */
static void
work_progress(void *ctx, size_t done, size_t total)
{
	const struct work *w = ctx;
	const struct build_opts *o = w->b->o;

	(void)total;
	o->progress(o->ctx, done > w->lead ? done - w->lead : 0, w->n);
}

static void
work_run(struct work *w)
{
	bool progress = w->progress && w->b->o->progress;

	workers_run(
	    w->lead + w->n, work_one, w, progress ? work_progress : NULL, w);
}

/* The rendered body's memory goes back to the thread's storage, and the
 * document keeps instead what is left of its gemtext (keep). */
static void
give_back(struct site_doc *doc, struct buf *storage, struct buf keep)
{
	*storage = doc->res.gemtext;
	doc->res.gemtext = keep;
}

/* Keep only the excerpt of a written body (the feed needs no more),
 * in memory of its own; the body's storage goes back to storage. */
static void
keep_excerpt(struct site_doc *doc, struct buf *storage)
{
	struct buf keep = BUF_INIT;

	if (doc->res.excerpt_len > 0)
		buf_append(&keep, doc->res.gemtext.data, doc->res.excerpt_len);
	give_back(doc, storage, keep);
}

/*
 * Write the head and body of a rendered document's page now, in the
 * worker that rendered it, and its footer (series, which every post's
 * rendering settles) when the pages are made (page_one()): ten thousand
 * posts' bodies (200 MB) are then never all in memory, and each is
 * rendered into memory that the thread's previous one used (storage).
 * Only for a page the generation being written did not have: one it had
 * may be fresh, which its key, known with the footer, tells.
 */
static void
start_page(struct builder *b, struct site_doc *doc, struct buf *storage)
{
	struct buf head = BUF_INIT;
	struct iovec page[PAGE_PIECES];
	size_t n = page_start(&b->site, doc, &head, page);
	char err[512];

	doc->page_scan = (struct link_scan)LINK_SCAN_INIT;
	if (outtree_start(&b->out, doc->file, page, n, err, sizeof(err)) == 0) {
		linkcheck_scanv(&b->site, doc, doc->file, &doc->page_scan, page,
		    n, &doc->links, &doc->nlinks);
		/* The footer's links are collected by another thread, maybe:
		 * then they must find room here. */
		linkcheck_reserve(&doc->page_scan, &doc->links, doc->nlinks,
		    page_foot_links_max(doc));
		/* Its source lines are for the links of its body; the
		 * footer's lead to pages of this build (series neighbours,
		 * tags, categories, home), never dead. Ten thousand posts'
		 * origins are 45 MB. */
		site_doc_forget_origins(doc);
		doc->page_begun = true;
		keep_excerpt(doc, storage);
	} else {
		/* written whole by page_one(), which reports the error
		 * again if it stays: the body needs memory of its own */
		struct buf own = BUF_INIT;
		buf_append(&own, doc->res.gemtext.data, doc->res.gemtext.len);
		give_back(doc, storage, own);
	}
	buf_free(&head);
}

static void make_indexes(struct builder *b);
static void settle_indexes(struct builder *b);
static void start_saving(struct builder *b);

/* Item 0: the index pages (made, not written: make_indexes()); then the
 * rendering of each document. */
static void
render_one(struct work *w, size_t i)
{
	struct builder *b = w->b;
	struct site_doc *doc;
	bool early;
	struct buf *storage;

	if (i < w->lead) {
		make_indexes(b);
		return;
	}
	i -= w->lead;
	doc = w->docs[i];
	early = !b->out.dry && !outtree_had(&b->out, doc->file);
	storage = early ? workers_out_scratch() : NULL;
	w->failed[i] = !read_and_render(b, doc, storage);
	if (storage == NULL)
		return;
	if (!w->failed[i]) {
		start_page(b, doc, storage);
	} else if (storage->data == NULL) {
		/* taken by render_post(): it goes back */
		give_back(doc, storage, (struct buf)BUF_INIT);
	}
}

static void
render_changed(struct builder *b)
{
	struct site *s = &b->site;
	size_t total = s->nposts + s->npages, i;
	uint64_t universe = universe_key(s), key;
	struct work w = {.b = b};
	struct site_doc *doc;

	w.docs = xcalloc(total + 1, sizeof(*w.docs));
	for (i = 0; i < total; i++) {
		doc = i < s->nposts ? s->posts[i] : s->pages[i - s->nposts];
		if (!site_doc_live(doc))
			continue;
		key = render_key(b, doc, universe);
		if (!doc->from_cache || doc->render_key != key) {
			if (render_prepare(b, doc))
				w.docs[w.n++] = doc;
			else
				doc->usable = false;
		}
		doc->render_key = key;
	}
	outtree_expect(&b->out, w.n); /* pages begun: render_one() */
	w.failed = xcalloc(w.n + 1, sizeof(*w.failed));
	w.lead = 1;
	w.one = render_one;
	w.progress = true;
	work_run(&w);
	for (i = 0; i < w.n; i++)
		if (w.failed[i])
			w.docs[i]->usable = false;
	if (b->o->progress)
		b->o->progress(b->o->ctx, w.n, w.n);
	free(w.failed);
	free(w.docs);
}

/* Keep only the excerpt of a written body: the feed needs no more. */
static void
drop_body(struct site_doc *doc)
{
	struct buf keep = BUF_INIT;

	buf_append(&keep, doc->res.gemtext.data, doc->res.excerpt_len);
	buf_free(&doc->res.gemtext);
	doc->res.gemtext = keep;
}

/* What the frame of a page is made of (page.c), hashed: the same key
 * means the same title, date line and footer. */
static uint64_t
frame_key(const struct site_doc *doc)
{
	uint64_t h = hash_u64(doc->frame_own, doc->prev != NULL);

	h = hash_u64(h, doc->prev ? doc->prev->link_key : 0);
	h = hash_u64(h, doc->next != NULL);
	return hash_u64(h, doc->next ? doc->next->link_key : 0);
}

/*
 * The page of a document. Its key hashes the body and the frame; when the
 * generation being written already has that page, nothing is done; when
 * the live capsule has it, it is copied; else the page is to be made
 * (true is returned; the post is rendered again if its body came from the
 * cache).
 */
static bool
plan_doc(struct builder *b, struct site_doc *doc)
{
	uint64_t key, cached_key = doc->page_key;
	char *live = NULL;
	bool same;

	key = hash_u64(hash_u64(b->stamp, doc->body_hash), frame_key(doc));
	doc->page_key = key;
	same = doc->from_cache && cached_key == key;
	if (same && (b->out.dry || outtree_fresh(&b->out, doc->file, key))) {
		linkcheck_exists(&b->lc, doc->file);
		b->st->files++;
		return false;
	}
	if (same && (live = outtree_live_file(&b->out, doc->file)) != NULL) {
		struct site_file f = {live, doc->file, key};
		copy_file(b, &f);
		b->st->assets--;
		free(live);
		return false;
	}
	if (doc->from_cache)
		render_doc(b, doc);
	return doc->usable;
}

static void write_made_index(struct builder *b, size_t i);

/* The lead items: the index pages written (write_made_index()); then the
 * page of each planned document, made and written. A document's page
 * changes only doc and reads the site: pages are made in parallel. */
static void
page_one(struct work *w, size_t i)
{
	struct builder *b = w->b;
	struct site_doc *doc;
	struct buf head = BUF_INIT, foot = BUF_INIT;
	struct iovec page[PAGE_PIECES];
	size_t n;
	char err[512];

	if (i < w->lead) {
		write_made_index(b, i);
		return;
	}
	i -= w->lead;
	doc = w->docs[i];

	if (doc->page_begun) { /* start_page(): the footer is what is left */
		page_foot(&b->site, doc, &foot);
		page[0] = (struct iovec){foot.data, foot.len};
		linkcheck_scanv(&b->site, doc, doc->file, &doc->page_scan, page,
		    1, &doc->links, &doc->nlinks);
		if (outtree_finish(&b->out, doc->file, doc->page_key, page, 1,
			err, sizeof(err)) != 0)
			w->errs[i] = xstrdup(err);
		doc->page_begun = false;
	} else {
		/* frame and body written as they are: no copy into one
		 * buffer */
		n = page_pieces(&b->site, doc, &head, &foot, page);
		forget_links(doc);
		linkcheck_collectv(&b->site, doc, doc->file, page, n,
		    &doc->links, &doc->nlinks);
		site_doc_forget_origins(doc);
		if (outtree_writev(&b->out, doc->file, doc->page_key, page, n,
			err, sizeof(err)) != 0)
			w->errs[i] = xstrdup(err);
		drop_body(doc);
	}
	buf_free(&head);
	buf_free(&foot);
	/* Its cache record is final now: made here, in parallel, rather
	 * than by save_cache() alone at the end. */
	if (!b->o->dry_run && diag_errors(&doc->diags) == 0)
		cache_put(&doc->cache_rec, doc);
}

/* A file a worker wrote, werr its error or NULL (taken): the builder
 * counts it and keeps the first error, in the original build order. */
static void
note_written(struct builder *b, const char *rel, char *werr)
{
	linkcheck_exists(&b->lc, rel);
	b->st->files++;
	if (b->werr == NULL)
		b->werr = werr;
	else
		free(werr);
}

/* What follows a document's page, in the documents' order: the link
 * check, the first write error, the assets. */
static void
finish_doc(struct builder *b, struct site_doc *doc, bool made, char *werr)
{
	size_t i;

	if (made)
		note_written(b, doc->file, werr);
	if (doc->usable) {
		linkcheck_add(&b->lc, doc->src, doc->links, doc->nlinks);
		for (i = 0; i < doc->nassets; i++)
			copy_file(b, &doc->assets[i]);
	}
}

static void
write_docs(struct builder *b)
{
	struct site *s = &b->site;
	size_t total = s->nposts + s->npages, i, k;
	struct work w = {.b = b, .one = page_one};
	bool *made = xcalloc(total + 1, sizeof(*made));
	struct site_doc *doc;

	w.docs = xcalloc(total + 1, sizeof(*w.docs));
	w.errs = xcalloc(total + 1, sizeof(*w.errs));
	for (i = 0; i < total; i++) {
		doc = i < s->nposts ? s->posts[i] : s->pages[i - s->nposts];
		if (site_doc_live(doc) && plan_doc(b, doc)) {
			made[i] = true;
			w.docs[w.n++] = doc;
		}
	}
	settle_indexes(b);
	w.lead = b->remake ? 1 : b->nmade;
	work_run(&w);
	start_saving(b);
	for (i = 0, k = 0; i < total; i++) {
		doc = i < s->nposts ? s->posts[i] : s->pages[i - s->nposts];
		if (!site_doc_live(doc))
			continue;
		finish_doc(b, doc, made[i], made[i] ? w.errs[k++] : NULL);
		if (doc->usable)
			doc->kind == DOC_POST ? b->st->posts++ : b->st->pages++;
	}
	free(made);
	free(w.errs);
	free(w.docs);
}

static void
remember_index(struct builder *b, const char *file, uint64_t key)
{
	b->index_files =
	    xrealloc(b->index_files, (b->nindex + 1) * sizeof(*b->index_files));
	b->index_keys =
	    xrealloc(b->index_keys, (b->nindex + 1) * sizeof(*b->index_keys));
	b->index_files[b->nindex] = xstrdup(file);
	b->index_keys[b->nindex] = key;
	b->nindex++;
}

/* An index page made by index_write_all() (page is taken), with its key
 * and links. Reads the site only. */
static void
index_page_make(const struct builder *b, const char *file, struct buf *page,
    struct index_page *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->file = xstrdup(file);
	ip->page = *page;
	*page = (struct buf)BUF_INIT;
	if (ip->page.data == NULL)
		buf_puts(&ip->page, "");
	ip->key = hash_bytes(HASH_SEED, ip->page.data, ip->page.len);
	if (strcmp(file + strlen(file) - 4, ".gmi") == 0)
		linkcheck_collect(&b->site, NULL, file, ip->page.data,
		    ip->page.len, &ip->links, &ip->nlinks);
}

/* Keep an index page (make_indexes(), in a worker) for a worker of the
 * documents' pages to write (write_made_index()) and write_indexes() to
 * take, rather than the builder alone to make and write afterwards. */
static void
keep_index(void *ctx, const char *file, struct buf *page)
{
	struct builder *b = ctx;

	b->made = xrealloc(b->made, (b->nmade + 1) * sizeof(*b->made));
	index_page_make(b, file, page, &b->made[b->nmade++]);
}

static void
write_made(struct builder *b, struct index_page *ip)
{
	char err[512];

	ip->written = true;
	if (outtree_write(&b->out, ip->file, ip->key, ip->page.data,
		ip->page.len, err, sizeof(err)) != 0)
		ip->werr = xstrdup(err);
}

/* Write a kept index page (unless its worker did): check its links,
 * remember it. */
static void
write_index(struct builder *b, struct index_page *ip)
{
	linkcheck_take(&b->lc, ip->file, ip->links, ip->nlinks);
	if (ip->written)
		note_written(b, ip->file, ip->werr);
	else
		write_file(b, ip->file, ip->key, ip->page.data, ip->page.len);
	remember_index(b, ip->file, ip->key);
	free(ip->file);
	buf_free(&ip->page);
}

/* Make and write an index page at once (write_indexes()). */
static void
emit_index(void *ctx, const char *file, struct buf *page)
{
	struct builder *b = ctx;
	struct index_page ip;

	index_page_make(b, file, page, &ip);
	write_index(b, &ip);
}

/* Everything the index pages show of the posts and pages. */
static uint64_t
index_key(const struct builder *b)
{
	const struct site *s = &b->site;
	uint64_t h = b->stamp;
	size_t i;

	for (i = 0; i < s->nposts + s->npages; i++) {
		const struct site_doc *d =
		    i < s->nposts ? s->posts[i] : s->pages[i - s->nposts];
		if (site_doc_live(d) && d->usable)
			h = hash_u64(h, d->list_key);
	}
	return h;
}

/* Whether the index pages of the last build may still be right: then
 * write_indexes() looks at the generation being written first. */
static bool
indexes_may_keep(const struct builder *b)
{
	const struct cache *c = &b->cache;

	return c->nindex > 0 && c->index_key == b->index_key && !b->out.dry;
}

/*
 * Make the index pages, unless the last build's may be kept: a worker,
 * beside the documents' renderings. What they show (the front matter of
 * the documents that can be built) is known once the documents are
 * read; a rendering that fails, or one done again when the pages are
 * planned, may change it: settle_indexes() then has them made again.
 * Reads the site only (renderings change their document, not its front
 * matter, nor whether it can be built: render_changed()).
 */
static void
make_indexes(struct builder *b)
{
	b->index_key = index_key(b);
	if (indexes_may_keep(b))
		return;
	index_write_all(&b->site, keep_index, b);
	if (b->made == NULL) /* none: still "made" */
		b->made = xcalloc(1, sizeof(*b->made));
}

static void
drop_made(struct builder *b)
{
	for (size_t i = 0; i < b->nmade; i++) {
		free(b->made[i].file);
		buf_free(&b->made[i].page);
		page_links_free(b->made[i].links, b->made[i].nlinks);
		free(b->made[i].werr);
	}
	free(b->made);
	b->made = NULL;
	b->nmade = 0;
}

/* Once the pages are planned, what the index pages show is settled: the
 * ones made (make_indexes()) stand when they show it, else they are made
 * again (write_made_index()), the old ones dropped. */
static void
settle_indexes(struct builder *b)
{
	b->remake = index_key(b) != b->index_key;
	if (b->remake)
		drop_made(b);
}

/* A lead item of the pages: the index page i written, or (remake) all
 * of them made and written. */
static void
write_made_index(struct builder *b, size_t i)
{
	if (!b->remake) {
		write_made(b, &b->made[i]);
		return;
	}
	make_indexes(b);
	for (i = 0; i < b->nmade; i++)
		write_made(b, &b->made[i]);
}

/*
 * The index pages. Listing ten thousand posts four times over is most of
 * what a one-post build costs, so when nothing they show changed and the
 * generation being written already has them, they are kept as they are.
 * Made ones (make_indexes()) are written here, in their order.
 */
static void
write_indexes(struct builder *b)
{
	const struct cache *c = &b->cache;
	size_t i;

	if (b->made != NULL) {
		for (i = 0; i < b->nmade; i++)
			write_index(b, &b->made[i]);
		free(b->made);
		b->made = NULL;
		b->nmade = 0;
		return;
	}
	if (indexes_may_keep(b)) {
		for (i = 0; i < c->nindex; i++)
			if (!outtree_fresh(
				&b->out, c->index_files[i], c->index_keys[i]))
				break;
		if (i == c->nindex) {
			for (i = 0; i < c->nindex; i++) {
				linkcheck_exists(&b->lc, c->index_files[i]);
				b->st->files++;
				remember_index(
				    b, c->index_files[i], c->index_keys[i]);
			}
			return;
		}
	}
	index_write_all(&b->site, emit_index, b);
}

static void
write_all(struct builder *b)
{
	struct site *s = &b->site;
	struct buf atom = BUF_INIT;
	size_t i;

	write_docs(b);
	for (i = 0; i < s->nfiles; i++)
		copy_file(b, &s->files[i]);
	write_indexes(b);
	atom_render(s, b->o->now, &atom);
	linkcheck_atom(&b->lc, s, "atom.xml", atom.data, atom.len);
	write_file(b, "atom.xml", 0, atom.data, atom.len);
	buf_free(&atom);
}

static void
report_all(struct builder *b)
{
	struct site *s = &b->site;
	struct buf msg = BUF_INIT;
	size_t i, n;

	report_diags(b, s->root, &s->diags);
	for (i = 0; i < s->nposts + s->npages; i++) {
		struct site_doc *doc =
		    i < s->nposts ? s->posts[i] : s->pages[i - s->nposts];
		report_diags(b, doc->src, &doc->diags);
		if (!doc->usable)
			b->st->failed++;
		else if (!doc->meta.published)
			b->st->drafts++;
		else if (doc->from_cache)
			b->st->cached++;
	}
	n = linkcheck_finish(&b->lc);
	for (i = 0; i < n; i++) {
		buf_reset(&msg);
		buf_printf(&msg, "dead link %s", b->lc.pending[i].target);
		report(b, b->lc.pending[i].src, b->lc.pending[i].line, false,
		    buf_cstr(&msg));
	}
	b->st->dead_links = n;
	buf_free(&msg);
}

/* True when doc goes into the new cache (save_base()). */
static bool
cache_wanted(const struct site_doc *doc)
{
	return site_doc_live(doc) && doc->rendered &&
	    diag_errors(&doc->diags) == 0;
}

/* Write a file of the new cache (a kept base is usually fresh in the
 * generation being written: nothing is written then); *werr takes the
 * error unless it has one. */
static void
write_cache_file(
    struct builder *b, const char *rel, const struct cache_file *f, char **werr)
{
	char err[512];

	if (*werr == NULL &&
	    outtree_writev(
		&b->out, rel, f->key, f->pieces, f->n, err, sizeof(err)) != 0)
		*werr = xstrdup(err);
}

/*
 * The new cache's base (15 MB for ten thousand posts): each document's
 * record, the kept ones straight from the old cache's mappings, the new
 * ones from where they were made; cache.c lays them out. Its write error
 * goes to b->save_err (b->werr is the builder's). Once the pages are
 * made every record is settled, and the base does not depend on the
 * index pages: it is saved by a thread of its own (start_saving()) while
 * the builder goes on, and reads only what the builder no longer
 * changes (the documents, the old cache), besides the output tree, which
 * takes writes from several threads.
 */
static void
save_base(struct builder *b)
{
	struct site *s = &b->site;
	const char *rec;
	size_t i, n;

	cache_writer_init(&b->saver, &b->cache, b->stamp);
	for (i = 0; i < s->nposts + s->npages; i++) {
		struct site_doc *doc =
		    i < s->nposts ? s->posts[i] : s->pages[i - s->nposts];
		if (!cache_wanted(doc))
			continue;
		if (doc->cache_rec.len > 0 ||
		    (rec = cache_kept(&b->cache, doc, &n)) == NULL) {
			if (doc->cache_rec.len == 0)
				cache_put(&doc->cache_rec, doc);
			rec = doc->cache_rec.data;
			n = doc->cache_rec.len;
		}
		cache_writer_add(&b->saver, doc, rec, n);
	}
	cache_writer_base(&b->saver);
	write_cache_file(b, CACHE_BASE_FILE, &b->saver.base, &b->save_err);
}

static void *
save_base_thread(void *arg)
{
	save_base(arg);
	return NULL;
}

/* Save the cache's base in a thread of its own (see save_base()). */
static void
start_saving(struct builder *b)
{
	if (b->o->dry_run)
		return;
	b->saving =
	    pthread_create(&b->saver_tid, NULL, save_base_thread, b) == 0;
	if (!b->saving)
		save_base(b);
	b->save_begun = true;
}

/* The rest of the new cache, once its base is saved: the file that names
 * the index pages (write_indexes()) and the base. */
static void
save_cache(struct builder *b)
{
	if (!b->save_begun)
		return;
	if (b->saving)
		pthread_join(b->saver_tid, NULL);
	b->saving = false;
	if (b->werr == NULL) {
		b->werr = b->save_err;
		b->save_err = NULL;
	}
	cache_writer_end(
	    &b->saver, b->index_key, b->index_files, b->index_keys, b->nindex);
	write_cache_file(b, CACHE_FILE, &b->saver.file, &b->werr);
	cache_writer_free(&b->saver);
}

/* What follows the pages: the report (the link check, the problems),
 * while the cache's base is saved, then the rest of the cache. */
static void
report_and_save(struct builder *b)
{
	report_all(b);
	linkcheck_free(&b->lc);
	save_cache(b);
}

int
build_run(const struct build_opts *o, struct build_stats *stats, char *err,
    size_t errlen)
{
	struct builder b;
	int rc = -1;

	memset(&b, 0, sizeof(b));
	memset(stats, 0, sizeof(*stats));
	b.o = o;
	b.st = stats;
	b.stamp = build_stamp(o->cfg);
	if (outtree_open(&b.out, o->output, o->dry_run, err, errlen) != 0)
		return -1;
	cache_load(&b.cache, o->use_cache ? b.out.final : NULL, b.stamp);
	if (b.cache.damage != NULL) {
		char *file = path_join(b.out.final, CACHE_FILE);
		struct buf msg = BUF_INIT;
		buf_printf(&msg,
		    "the build cache cannot be used (%s): every document is "
		    "read and rendered again",
		    b.cache.damage);
		report(&b, file, 0, false, buf_cstr(&msg));
		buf_free(&msg);
		free(file);
	}
	if (site_load(&b.site, o->cfg, o->source, &b.cache, err, errlen) != 0) {
		outtree_abort(&b.out);
		goto out;
	}
	render_changed(&b);
	series_link(&b.site);
	linkcheck_init(&b.lc);
	write_all(&b);
	report_and_save(&b);
	if (b.werr != NULL) {
		snprintf(err, errlen, "%s", b.werr);
		outtree_abort(&b.out);
		goto out;
	}
	if (outtree_commit(&b.out, err, errlen) != 0) {
		outtree_abort(&b.out);
		goto out;
	}
	stats->written = b.out.written;
	outtree_free(&b.out);
	rc = 0;
out:
	for (size_t i = 0; i < b.nindex; i++)
		free(b.index_files[i]);
	free(b.index_files);
	free(b.index_keys);
	free(b.werr);
	free(b.save_err);
	if (!o->exiting) {
		site_free(&b.site);
		cache_free(&b.cache);
	}
	return rc;
}
