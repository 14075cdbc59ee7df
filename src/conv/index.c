#include "index.h"

#include <stdlib.h>
#include <string.h>

#include "page.h"

struct group {
	char *name; /* display name: "여행", "기타 > 잡동사니" */
	char *path; /* decoded page path */
	size_t depth; /* categories: 1 for a top-level one */
	struct site_doc **docs;
	size_t n;
	struct group **children;
	size_t nchildren;
};

struct site_doc **
index_newest_first(const struct site *s, size_t *n)
{
	struct site_doc **v = xmalloc((s->nposts + 1) * sizeof(*v));
	size_t i;

	*n = 0;
	for (i = s->nposts; i-- > 0;)
		if (site_doc_live(s->posts[i]))
			v[(*n)++] = s->posts[i];
	return v;
}

static void
link_line(struct buf *out, const char *path, const char *label)
{
	buf_puts(out, "=> ");
	site_put_link(out, path);
	buf_printf(out, " %s\n", label);
}

/* "=> /path/ YYYY-MM-DD Title": thousands per build, so no printf. */
static void
post_line(struct buf *out, const struct site_doc *doc)
{
	buf_append(out, "=> ", 3);
	buf_puts(out, doc->link);
	buf_putc(out, ' ');
	buf_append(out, doc->day, 10);
	buf_putc(out, ' ');
	buf_puts(out, doc->meta.title);
	buf_putc(out, '\n');
}

static void
emit_page(index_emit_fn emit, void *ctx, const char *path, struct buf *page)
{
	struct buf file = BUF_INIT;

	buf_puts(&file, path + 1);
	buf_puts(&file, "index.gmi");
	emit(ctx, buf_cstr(&file), page);
	buf_free(&file);
	buf_reset(page);
}

static void
home(const struct site *s, struct site_doc **posts, size_t n,
    index_emit_fn emit, void *ctx)
{
	const struct labels *l = labels_for(s->cfg->lang);
	struct buf page = BUF_INIT;
	size_t i;

	buf_printf(&page, "# %s\n", s->cfg->title);
	if (s->cfg->subtitle != NULL)
		buf_printf(&page, "## %s\n", s->cfg->subtitle);
	if (s->cfg->intro != NULL)
		buf_printf(&page, "\n%s\n", s->cfg->intro);
	buf_putc(&page, '\n');
	for (i = 0; i < n; i++)
		post_line(&page, posts[i]);
	buf_printf(&page, "\n## %s\n", l->browse);
	for (i = 0; i < s->npages; i++)
		if (site_doc_live(s->pages[i]))
			link_line(
			    &page, s->pages[i]->url, s->pages[i]->meta.title);
	link_line(&page, "/tags/", l->tags);
	link_line(&page, "/categories/", l->categories);
	link_line(&page, "/archive/", l->archive);
	link_line(&page, "/atom.xml", l->feed);
	link_line(&page, "/search", l->search);
	emit_page(emit, ctx, "/", &page);
	buf_free(&page);
}

static struct group *
group_get(struct strmap *m, struct group ***all, size_t *nall, const char *path,
    const char *name, size_t depth)
{
	struct group *g = strmap_get(m, path);

	if (g == NULL) {
		g = xcalloc(1, sizeof(*g));
		g->name = xstrdup(name);
		g->path = xstrdup(path);
		g->depth = depth;
		strmap_put(m, path, g);
		*all = xrealloc(*all, (*nall + 1) * sizeof(**all));
		(*all)[(*nall)++] = g;
	}
	return g;
}

static void
group_add(struct group *g, struct site_doc *doc)
{
	if (g->n > 0 && g->docs[g->n - 1] == doc)
		return;
	g->docs = xrealloc(g->docs, (g->n + 1) * sizeof(*g->docs));
	g->docs[g->n++] = doc;
}

static int
cmp_groups(const void *a, const void *b)
{
	return strcmp((*(struct group *const *)a)->name,
	    (*(struct group *const *)b)->name);
}

static void
groups_free(struct group **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i]->name);
		free(v[i]->path);
		free(v[i]->docs);
		free(v[i]->children);
		free(v[i]);
	}
	free(v);
}

static void
group_label(struct buf *out, const struct group *g)
{
	buf_reset(out);
	buf_printf(out, "%s (%zu)", g->name, g->n);
}

static void
footer(struct buf *page, const struct labels *l, const char *up,
    const char *up_label)
{
	buf_putc(page, '\n');
	if (up != NULL)
		link_line(page, up, up_label);
	link_line(page, "/", l->home);
}

static void
tags(const struct site *s, struct site_doc **posts, size_t n,
    index_emit_fn emit, void *ctx)
{
	const struct labels *l = labels_for(s->cfg->lang);
	struct strmap m = STRMAP_INIT;
	struct group **all = NULL, *g;
	struct buf page = BUF_INIT, path = BUF_INIT, label = BUF_INIT;
	size_t nall = 0, i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < posts[i]->meta.ntags; j++) {
			buf_reset(&path);
			page_tag_path(&path, posts[i]->meta.tags[j]);
			g = group_get(&m, &all, &nall, buf_cstr(&path),
			    posts[i]->meta.tags[j], 1);
			group_add(g, posts[i]);
		}
	if (nall > 1)
		qsort(all, nall, sizeof(*all), cmp_groups);
	buf_printf(&page, "# %s\n\n", l->tags);
	for (i = 0; i < nall; i++) {
		group_label(&label, all[i]);
		link_line(&page, all[i]->path, buf_cstr(&label));
	}
	footer(&page, l, NULL, NULL);
	emit_page(emit, ctx, "/tags/", &page);
	for (i = 0; i < nall; i++) {
		buf_printf(&page, "# %s: %s\n\n", l->tags, all[i]->name);
		for (j = 0; j < all[i]->n; j++)
			post_line(&page, all[i]->docs[j]);
		footer(&page, l, "/tags/", l->tags);
		emit_page(emit, ctx, all[i]->path, &page);
	}
	groups_free(all, nall);
	strmap_free(&m);
	buf_free(&page);
	buf_free(&path);
	buf_free(&label);
}

static void
category_tree(struct buf *page, const struct group *g, struct buf *label)
{
	size_t i;

	group_label(label, g);
	link_line(page, g->path, buf_cstr(label));
	for (i = 0; i < g->nchildren; i++)
		category_tree(page, g->children[i], label);
}

static void
categories(const struct site *s, struct site_doc **posts, size_t n,
    index_emit_fn emit, void *ctx)
{
	const struct labels *l = labels_for(s->cfg->lang);
	struct strmap m = STRMAP_INIT;
	struct group **all = NULL, *g, *parent;
	struct buf page = BUF_INIT, path = BUF_INIT, name = BUF_INIT,
		   label = BUF_INIT;
	size_t nall = 0, i, j, d;

	for (i = 0; i < n; i++)
		for (j = 0; j < posts[i]->meta.ncategories; j++) {
			const struct category_path *c =
			    &posts[i]->meta.categories[j];
			parent = NULL;
			buf_reset(&name);
			for (d = 1; d <= c->n; d++) {
				buf_reset(&path);
				page_category_path(&path, c, d);
				buf_printf(&name, "%s%s", d > 1 ? " > " : "",
				    c->names[d - 1]);
				g = group_get(&m, &all, &nall, buf_cstr(&path),
				    buf_cstr(&name), d);
				group_add(g, posts[i]);
				if (parent != NULL) {
					size_t k;
					for (k = 0; k < parent->nchildren; k++)
						if (parent->children[k] == g)
							break;
					if (k == parent->nchildren) {
						parent->children = xrealloc(
						    parent->children,
						    (k + 1) *
							sizeof(
							    *parent->children));
						parent->children
						    [parent->nchildren++] = g;
					}
				}
				parent = g;
			}
		}
	if (nall > 1)
		qsort(all, nall, sizeof(*all), cmp_groups);
	for (i = 0; i < nall; i++)
		if (all[i]->nchildren > 1)
			qsort(all[i]->children, all[i]->nchildren,
			    sizeof(*all[i]->children), cmp_groups);
	buf_printf(&page, "# %s\n\n", l->categories);
	for (i = 0; i < nall; i++)
		if (all[i]->depth == 1)
			category_tree(&page, all[i], &label);
	footer(&page, l, NULL, NULL);
	emit_page(emit, ctx, "/categories/", &page);
	for (i = 0; i < nall; i++) {
		buf_printf(&page, "# %s: %s\n\n", l->categories, all[i]->name);
		for (j = 0; j < all[i]->nchildren; j++) {
			group_label(&label, all[i]->children[j]);
			link_line(
			    &page, all[i]->children[j]->path, buf_cstr(&label));
		}
		if (all[i]->nchildren > 0)
			buf_putc(&page, '\n');
		for (j = 0; j < all[i]->n; j++)
			post_line(&page, all[i]->docs[j]);
		footer(&page, l, "/categories/", l->categories);
		emit_page(emit, ctx, all[i]->path, &page);
	}
	groups_free(all, nall);
	strmap_free(&m);
	buf_free(&page);
	buf_free(&path);
	buf_free(&name);
	buf_free(&label);
}

static void
archive(const struct site *s, struct site_doc **posts, size_t n,
    index_emit_fn emit, void *ctx)
{
	const struct labels *l = labels_for(s->cfg->lang);
	struct buf page = BUF_INIT;
	char year[5] = "";
	size_t i;

	buf_printf(&page, "# %s\n", l->archive);
	for (i = 0; i < n; i++) {
		if (strncmp(posts[i]->day, year, 4) != 0) {
			memcpy(year, posts[i]->day, 4);
			buf_printf(&page, "\n## %s\n", year);
		}
		post_line(&page, posts[i]);
	}
	footer(&page, l, NULL, NULL);
	emit_page(emit, ctx, "/archive/", &page);
	buf_free(&page);
}

void
index_write_all(const struct site *s, index_emit_fn emit, void *ctx)
{
	struct buf robots = BUF_INIT;
	struct site_doc **posts;
	size_t n;

	posts = index_newest_first(s, &n);
	home(s, posts, n, emit, ctx);
	tags(s, posts, n, emit, ctx);
	categories(s, posts, n, emit, ctx);
	archive(s, posts, n, emit, ctx);
	free(posts);
	buf_puts(&robots, s->cfg->robots);
	if (robots.len > 0 && robots.data[robots.len - 1] != '\n')
		buf_putc(&robots, '\n');
	emit(ctx, "robots.txt", &robots);
	buf_free(&robots);
}
