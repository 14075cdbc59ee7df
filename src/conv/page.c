#include "page.h"

#include <stdint.h>
#include <string.h>

static const struct labels ko = {
    "태그",
    "분류",
    "보관함",
    "Atom 피드",
    "검색",
    "처음으로",
    "이전 글",
    "다음 글",
    "웹에서 원문 보기",
    "둘러보기",
    "시리즈",
    "동영상",
    "재생목록",
};
static const struct labels en = {
    "Tags",
    "Categories",
    "Archive",
    "Atom feed",
    "Search",
    "Home",
    "Previous",
    "Next",
    "Read on the web",
    "Browse",
    "Series",
    "video",
    "playlist",
};

const struct labels *
labels_for(const char *lang)
{
	return lang == NULL || strncmp(lang, "ko", 2) == 0 ? &ko : &en;
}

/* A name as one path segment: a '/' would split it and a leading '.'
 * would hide it from the server, so both are replaced. */
static void
put_segment(struct buf *out, const char *name)
{
	const char *p;

	if (*name == '.')
		buf_putc(out, '_');
	for (p = *name == '.' ? name + 1 : name; *p; p++)
		buf_putc(out, *p == '/' ? '-' : *p);
	buf_putc(out, '/');
}

void
page_tag_path(struct buf *out, const char *tag)
{
	buf_puts(out, "/tags/");
	put_segment(out, tag);
}

void
page_category_path(struct buf *out, const struct category_path *c, size_t depth)
{
	size_t i;

	buf_puts(out, "/categories/");
	for (i = 0; i < depth && i < c->n; i++)
		put_segment(out, c->names[i]);
}

/* "=> PATH LABEL" with the path percent-encoded. */
static void
link_line(struct buf *out, const char *path, const char *label)
{
	buf_puts(out, "=> ");
	site_put_link(out, path);
	buf_putc(out, ' ');
	buf_puts(out, label);
	buf_putc(out, '\n');
}

static void
put_category_name(struct buf *out, const struct category_path *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (i > 0)
			buf_puts(out, " > ");
		buf_puts(out, c->names[i]);
	}
}

/* before, then "label: " (puts, not printf: once per line of every
 * page's frame) */
static void
label_colon(struct buf *out, const char *before, const char *label)
{
	buf_puts(out, before);
	buf_puts(out, label);
	buf_puts(out, ": ");
}

static void
date_line(const struct site_doc *doc, const struct labels *l, struct buf *out)
{
	const struct post_meta *m = &doc->meta;
	char day[11];
	size_t i;

	site_format_day(m->date, m->date_tz, day);
	buf_puts(out, day);
	if (m->ntags > 0) {
		label_colon(out, " · ", l->tags);
		for (i = 0; i < m->ntags; i++) {
			if (i > 0)
				buf_puts(out, ", ");
			buf_puts(out, m->tags[i]);
		}
	}
	if (m->ncategories > 0) {
		label_colon(out, " · ", l->categories);
		for (i = 0; i < m->ncategories; i++) {
			if (i > 0)
				buf_puts(out, ", ");
			put_category_name(out, &m->categories[i]);
		}
	}
	buf_putc(out, '\n');
}

static const struct labels *
doc_labels(const struct site *s, const struct site_doc *doc)
{
	return labels_for(doc->meta.lang ? doc->meta.lang : s->cfg->lang);
}

void
page_head(const struct site *s, const struct site_doc *doc, struct buf *head)
{
	buf_puts(head, "# ");
	buf_puts(head, doc->meta.title);
	buf_putc(head, '\n');
	if (doc->kind == DOC_POST)
		date_line(doc, doc_labels(s, doc), head);
	buf_putc(head, '\n');
}

void
page_foot(const struct site *s, const struct site_doc *doc, struct buf *out)
{
	const struct labels *l = doc_labels(s, doc);
	const struct post_meta *m = &doc->meta;
	struct buf path = BUF_INIT, label = BUF_INIT;
	size_t i;

	buf_putc(out, '\n');
	if (doc->prev != NULL || doc->next != NULL) {
		buf_puts(out, "## ");
		buf_puts(out, l->series);
		buf_putc(out, '\n');
	}
	if (doc->prev != NULL) {
		label_colon(&label, "← ", l->prev);
		buf_puts(&label, doc->prev->meta.title);
		link_line(out, doc->prev->url, buf_cstr(&label));
	}
	if (doc->next != NULL) {
		buf_reset(&label);
		label_colon(&label, "→ ", l->next);
		buf_puts(&label, doc->next->meta.title);
		link_line(out, doc->next->url, buf_cstr(&label));
	}
	if (doc->prev != NULL || doc->next != NULL)
		buf_putc(out, '\n');
	for (i = 0; i < m->ntags; i++) {
		buf_reset(&path);
		buf_reset(&label);
		page_tag_path(&path, m->tags[i]);
		label_colon(&label, "", l->tags);
		buf_puts(&label, m->tags[i]);
		link_line(out, buf_cstr(&path), buf_cstr(&label));
	}
	for (i = 0; i < m->ncategories; i++) {
		buf_reset(&path);
		buf_reset(&label);
		page_category_path(
		    &path, &m->categories[i], m->categories[i].n);
		label_colon(&label, "", l->categories);
		put_category_name(&label, &m->categories[i]);
		link_line(out, buf_cstr(&path), buf_cstr(&label));
	}
	buf_reset(&label);
	label_colon(&label, "", l->home);
	buf_puts(&label, s->cfg->title);
	link_line(out, "/", buf_cstr(&label));
	if (s->cfg->url != NULL) {
		buf_puts(out, "=> ");
		buf_puts(out, s->cfg->url);
		site_put_link(out, doc->permalink);
		buf_putc(out, ' ');
		buf_puts(out, l->original);
		buf_putc(out, '\n');
	}
	buf_free(&path);
	buf_free(&label);
}

size_t
page_foot_links_max(const struct site_doc *doc)
{
	/* previous, next, tags, categories, home, original */
	return 4 + doc->meta.ntags + doc->meta.ncategories;
}

size_t
page_start(const struct site *s, const struct site_doc *doc, struct buf *head,
    struct iovec *v)
{
	const struct buf *body = &doc->res.gemtext;
	size_t n = 0;

	page_head(s, doc, head);
	v[n++] = (struct iovec){head->data, head->len};
	if (body->len > 0) {
		v[n++] = (struct iovec){body->data, body->len};
		if (body->data[body->len - 1] != '\n')
			v[n++] = (struct iovec){(void *)(uintptr_t) "\n", 1};
	}
	return n;
}

size_t
page_pieces(const struct site *s, const struct site_doc *doc, struct buf *head,
    struct buf *foot, struct iovec *v)
{
	size_t n = page_start(s, doc, head, v);

	page_foot(s, doc, foot);
	v[n++] = (struct iovec){foot->data, foot->len};
	return n;
}
