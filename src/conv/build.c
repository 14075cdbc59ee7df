#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "index.h"
#include "linkcheck.h"
#include "links.h"
#include "outtree.h"
#include "page.h"
#include "series.h"

struct builder {
	const struct build_opts *o;
	struct build_stats *st;
	struct site site;
	struct outtree out;
	struct linkcheck lc;
	char *werr;          /* first write error, reported once at the end */
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
report_diags(struct builder *b, const char *file, struct diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		report(b, file, d->v[i].line, d->v[i].is_error, d->v[i].msg);
	diag_free(d);
}

static void
write_file(struct builder *b, const char *rel, const char *data, size_t len)
{
	char err[512];

	linkcheck_exists(&b->lc, rel);
	b->st->files++;
	if (b->werr == NULL && outtree_write(&b->out, rel, data, len, err,
	    sizeof(err)) != 0)
		b->werr = xstrdup(err);
}

static void
copy_file(struct builder *b, const struct site_file *f)
{
	char err[512];

	linkcheck_exists(&b->lc, f->rel);
	b->st->files++;
	b->st->assets++;
	if (b->werr == NULL && outtree_copy(&b->out, f->rel, f->src, err,
	    sizeof(err)) != 0)
		b->werr = xstrdup(err);
}

static void
render_doc(struct builder *b, struct site_doc *doc)
{
	const struct site_config *cfg = b->o->cfg;
	struct links_ctx lctx = {&b->site, doc};
	struct render_opts ro;

	memset(&ro, 0, sizeof(ro));
	ro.asset_stem = doc->stem;
	ro.join_soft_breaks = cfg->join_soft_breaks;
	ro.expand_tags = !doc->meta.disable_nunjucks;
	ro.first_line = doc->meta.body_line;
	ro.links = links_for(&lctx);
	doc->rendered = true;
	if (render_post(doc->body, doc->body_len, &ro, &doc->res, &doc->diags) != 0)
		doc->usable = false;
	free(doc->text);
	doc->text = NULL;
	doc->body = NULL;
	if (doc->kind == DOC_POST)
		links_report_missing(&b->site, doc);
}

static void
emit_index(void *ctx, const char *file, struct buf *page)
{
	struct builder *b = ctx;

	if (strcmp(file + strlen(file) - 4, ".gmi") == 0)
		linkcheck_gemtext(&b->lc, &b->site, NULL, file, page->data, page->len);
	write_file(b, file, page->data ? page->data : "", page->len);
}

static void
write_doc(struct builder *b, struct site_doc *doc)
{
	struct buf page = BUF_INIT;
	size_t i;

	page_render(&b->site, doc, &page);
	linkcheck_gemtext(&b->lc, &b->site, doc, doc->file, page.data, page.len);
	write_file(b, doc->file, page.data, page.len);
	for (i = 0; i < doc->nassets; i++)
		copy_file(b, &doc->assets[i]);
	buf_free(&page);
}

/* Render every document, reporting each one's problems. */
static void
render_all(struct builder *b)
{
	struct site *s = &b->site;
	size_t total = s->nposts + s->npages, done = 0, i;
	struct site_doc *doc;

	for (i = 0; i < total; i++, done++) {
		doc = i < s->nposts ? s->posts[i] : s->pages[i - s->nposts];
		if (site_doc_live(doc))
			render_doc(b, doc);
		if (!doc->usable)
			b->st->failed++;
		else if (!doc->meta.published)
			b->st->drafts++;
		report_diags(b, doc->src, &doc->diags);
		if (b->o->progress && (done % 256 == 0 || done + 1 == total))
			b->o->progress(b->o->ctx, done + 1, total);
	}
}

static void
write_all(struct builder *b)
{
	struct site *s = &b->site;
	struct buf atom = BUF_INIT;
	size_t i;

	for (i = 0; i < s->nposts; i++)
		if (site_doc_live(s->posts[i])) {
			write_doc(b, s->posts[i]);
			b->st->posts++;
		}
	for (i = 0; i < s->npages; i++)
		if (site_doc_live(s->pages[i])) {
			write_doc(b, s->pages[i]);
			b->st->pages++;
		}
	for (i = 0; i < s->nfiles; i++)
		copy_file(b, &s->files[i]);
	index_write_all(s, emit_index, b);
	atom_render(s, b->o->now, &atom);
	linkcheck_atom(&b->lc, s, "atom.xml", atom.data, atom.len);
	write_file(b, "atom.xml", atom.data, atom.len);
	buf_free(&atom);
}

static void
report_dead_links(struct builder *b)
{
	struct buf msg = BUF_INIT;
	size_t i, n = linkcheck_finish(&b->lc);

	for (i = 0; i < n; i++) {
		buf_reset(&msg);
		buf_printf(&msg, "dead link %s", b->lc.pending[i].target);
		report(b, b->lc.pending[i].src, b->lc.pending[i].line, false,
		    buf_cstr(&msg));
	}
	b->st->dead_links = n;
	buf_free(&msg);
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
	if (site_load(&b.site, o->cfg, o->source, err, errlen) != 0) {
		site_free(&b.site);
		return -1;
	}
	report_diags(&b, o->source, &b.site.diags);
	render_all(&b);
	series_link(&b.site);
	if (outtree_open(&b.out, o->output, o->dry_run, err, errlen) != 0)
		goto out;
	linkcheck_init(&b.lc);
	write_all(&b);
	report_dead_links(&b);
	linkcheck_free(&b.lc);
	if (b.werr != NULL) {
		snprintf(err, errlen, "%s", b.werr);
		outtree_abort(&b.out);
		goto out;
	}
	if (outtree_commit(&b.out, err, errlen) != 0) {
		outtree_abort(&b.out);
		goto out;
	}
	outtree_free(&b.out);
	rc = 0;
out:
	free(b.werr);
	site_free(&b.site);
	return rc;
}
