/*
 * render: Markdown (md4c callbacks) to gemtext.
 *
 * Inline content is gathered one source line at a time ("segments": a
 * soft or hard break ends one), because gemtext is line based: a segment
 * that is nothing but links becomes link lines in place, any other becomes
 * a text line and its links are written after the top-level block that
 * holds it (paragraph, list, quote). Blocks never nest in gemtext, so the
 * block stack only decides a line's prefix ("* ", "> ", "# ").
 *
 * md4c gives no source positions; text pointers that fall inside the
 * parsed buffer tell the line, mapped back to the file line through the
 * tag expander's line map.
 */
#include <md4c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "entity.h"
#include "hexotag.h"
#include "post.h"
#include "url.h"
#include "utf8.h"

struct link_ref {
	char *url; /* the URL of the link line */
	char *label; /* may be empty */
	char *raw; /* the href as written, for the series */
};

struct seg {
	char *text;
	struct link_ref *links;
	size_t nlinks;
	bool other_text; /* visible text outside links */
	bool soft; /* ended by a soft break */
};

struct frame {
	MD_BLOCKTYPE type;
	unsigned num; /* OL: number of the next item */
	bool ordered;
	bool started; /* LI: its first line is written */
	bool series_ok; /* UL/OL: still may be the series */
	size_t nlinked;
	struct series_item *items;
	size_t nitems;
};

struct links_vec {
	struct link_ref *v;
	size_t n, cap;
	/* pending links only: open-addressing set of indices + 1 by URL, so
	 * that a block with many links is not quadratic to deduplicate */
	size_t *set;
	size_t set_cap;
};

struct table {
	char ***rows; /* rows[r][c] */
	size_t *ncols;
	size_t nrows;
	size_t head_rows;
};

struct renderer {
	const struct render_opts *o;
	struct render_result *res;
	struct diag_list *d;
	const char *doc;
	size_t doc_len;
	size_t *line_starts; /* offsets of the expanded text's lines */
	size_t nlines;
	size_t last_idx; /* line_starts index of the latest text */
	bool has_tags; /* doc is the tag expansion, map applies */
	int first; /* else: file line of the doc's first line */
	const struct line_map *map;
	int line; /* file line of the latest text seen */

	struct frame *stack;
	size_t depth, cap;

	/* the line being gathered */
	struct buf cur;
	bool cur_other;
	struct links_vec cur_links;
	struct seg *segs;
	size_t nsegs, segs_cap;

	/* spans */
	bool in_link;
	char *link_href;
	struct buf link_label;
	int img_depth;
	char *img_src;
	struct buf alt;

	/* leaf blocks gathered whole */
	bool in_code;
	struct buf code;
	char *code_lang;
	bool in_html;
	struct buf html;
	int heading; /* level of the open heading, 0 if none */
	struct table *table;
	struct buf cell;
	bool in_cell;

	struct links_vec pending; /* after the current top-level block */
	bool block_open; /* the top-level block has written a line */
	bool quote_para; /* a paragraph was written in this quote */
};

/* ---- small helpers ---- */

static void
links_push(struct links_vec *v, struct link_ref l)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = xrealloc(v->v, v->cap * sizeof(*v->v));
	}
	v->v[v->n++] = l;
}

static void
link_free(struct link_ref *l)
{
	free(l->url);
	free(l->label);
	free(l->raw);
}

static void
links_free(struct links_vec *v)
{
	for (size_t i = 0; i < v->n; i++)
		link_free(&v->v[i]);
	free(v->v);
	free(v->set);
	memset(v, 0, sizeof(*v));
}

static size_t
str_hash(const char *s)
{
	size_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot of url in the set: where it is, or the empty one to fill. */
static size_t *
set_slot(struct links_vec *v, const char *url)
{
	size_t i = str_hash(url) & (v->set_cap - 1);

	while (v->set[i] && strcmp(v->v[v->set[i] - 1].url, url) != 0)
		i = (i + 1) & (v->set_cap - 1);
	return &v->set[i];
}

static void
set_grow(struct links_vec *v)
{
	free(v->set);
	v->set_cap = v->set_cap ? v->set_cap * 2 : 64;
	v->set = xcalloc(v->set_cap, sizeof(*v->set));
	for (size_t i = 0; i < v->n; i++)
		*set_slot(v, v->v[i].url) = i + 1;
}

static bool
is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\t')
			continue;
		if (i + 1 < n && (unsigned char)s[i] == 0xc2 &&
		    (unsigned char)s[i + 1] == 0xa0) {
			i++; /* U+00A0, a decoded &nbsp; */
			continue;
		}
		return false;
	}
	return true;
}

/* s trimmed of spaces (and no-break spaces) at both ends, newlines to
 * spaces: a new string. */
static char *
trimmed(const char *s, size_t n)
{
	char *t, *p;

	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n'))
		s++, n--;
	while (
	    n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	t = xstrndup(s, n);
	for (p = t; (p = strpbrk(p, "\r\n")) != NULL; p++)
		*p = ' ';
	return t;
}

static void
attr_text(const MD_ATTRIBUTE *a, struct buf *out)
{
	for (unsigned i = 0; a->substr_offsets[i] < a->size; i++) {
		const char *s = a->text + a->substr_offsets[i];
		size_t n = a->substr_offsets[i + 1] - a->substr_offsets[i];

		if (a->substr_types[i] == MD_TEXT_ENTITY) {
			if (!entity_decode_one(s, n, out))
				buf_append(out, s, n);
		} else if (a->substr_types[i] == MD_TEXT_NULLCHAR) {
			buf_puts(out, "\xef\xbf\xbd");
		} else {
			buf_append(out, s, n);
		}
	}
}

static char *
attr_dup(const MD_ATTRIBUTE *a)
{
	struct buf b = BUF_INIT;

	attr_text(a, &b);
	if (b.data == NULL)
		return xstrdup("");
	return buf_detach(&b, NULL);
}

/* Note the file line of a pointer into the parsed text. */
static void
see(struct renderer *r, const char *p)
{
	size_t off, lo = 0, hi;

	if (p < r->doc || p >= r->doc + r->doc_len || r->nlines == 0)
		return;
	off = (size_t)(p - r->doc);
	hi = r->nlines;
	/* text mostly arrives in order: try the last line and the next */
	for (size_t i = r->last_idx; i < r->last_idx + 2 && i < r->nlines;
	     i++) {
		if (r->line_starts[i] <= off &&
		    (i + 1 == r->nlines || off < r->line_starts[i + 1])) {
			lo = hi = i;
			break;
		}
	}
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (r->line_starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	r->last_idx = lo;
	r->line = r->has_tags ? line_map_get(r->map, lo) : r->first + (int)lo;
}

/* ---- output ---- */

static void
put_raw_line(struct renderer *r, const char *s, size_t n)
{
	struct buf *g = &r->res->gemtext;

	if (!r->block_open && g->len > 0)
		buf_putc(g, '\n');
	r->block_open = true;
	buf_append(g, s, n);
	buf_putc(g, '\n');
}

/* A text line: protected when it would read as gemtext markup. */
static void
put_text_line(struct renderer *r, const char *prefix, const char *text)
{
	struct buf l = BUF_INIT;

	buf_puts(&l, prefix);
	if (prefix[0] == '\0' &&
	    (strncmp(text, "=>", 2) == 0 || text[0] == '#' ||
		strncmp(text, "* ", 2) == 0 || text[0] == '>' ||
		strncmp(text, "```", 3) == 0))
		buf_putc(&l, ' ');
	buf_puts(&l, text);
	put_raw_line(r, l.data, l.len);
	buf_free(&l);
}

/* A URL as a link line needs it: spaces and controls percent-encoded. */
static void
put_url(struct buf *b, const char *url)
{
	while (*url) {
		size_t n = 0;

		while ((unsigned char)url[n] > ' ' && url[n] != 0x7f)
			n++;
		buf_append(b, url, n);
		url += n;
		if (*url)
			buf_printf(b, "%%%02X", (unsigned char)*url++);
	}
}

static void
put_link_line(struct renderer *r, const struct link_ref *l)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "=> ");
	put_url(&b, l->url);
	if (l->label[0]) {
		buf_putc(&b, ' ');
		buf_puts(&b, l->label);
	}
	put_raw_line(r, b.data, b.len);
	buf_free(&b);
}

static void
pending_add(struct renderer *r, struct link_ref *l)
{
	struct links_vec *v = &r->pending;
	size_t *slot;

	if (2 * (v->n + 1) > v->set_cap)
		set_grow(v);
	slot = set_slot(v, l->url);
	if (*slot) {
		link_free(l);
		return;
	}
	links_push(v, *l);
	*slot = v->n;
}

/* End of a top-level block: its links, then a blank line before the next. */
static void
end_top_block(struct renderer *r)
{
	for (size_t i = 0; i < r->pending.n; i++)
		put_link_line(r, &r->pending.v[i]);
	links_free(&r->pending);
	r->block_open = false;
	r->quote_para = false;
}

/* ---- resolving targets ---- */

static bool
has_scheme(const char *s)
{
	size_t n = strspn(s,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-"
	    ".");

	return n > 0 && s[n] == ':';
}

static char *
decoded(const char *s)
{
	struct buf b = BUF_INIT;
	const char *reason;

	if (strchr(s, '%') == NULL)
		return xstrdup(s);
	/* an escape that makes a NUL, a '/' or invalid UTF-8: keep it */
	if (url_decode(s, strlen(s), &b, URL_DECODE_PATH, &reason) == -1 ||
	    b.data == NULL || !utf8_valid(b.data, b.len)) {
		buf_free(&b);
		return xstrdup(s);
	}
	return buf_detach(&b, NULL);
}

/* The name in the asset folder of a relative image path, or NULL when the
 * path leads elsewhere ("../x.png"). */
static char *
asset_name(const struct renderer *r, const char *path)
{
	size_t stem = r->o->asset_stem ? strlen(r->o->asset_stem) : 0;
	char *name;

	while (strncmp(path, "./", 2) == 0)
		path += 2;
	if (stem && strncmp(path, r->o->asset_stem, stem) == 0 &&
	    path[stem] == '/')
		path += stem + 1;
	name = decoded(path);
	if (strncmp(name, "../", 3) == 0 || strstr(name, "/../")) {
		free(name);
		return NULL;
	}
	return name;
}

/* Append s[0..n) to out with each malformed UTF-8 byte replaced by
 * U+FFFD; returns how many were, and the offset of the first in *first. */
static size_t
replace_invalid(const char *s, size_t n, struct buf *out, size_t *first)
{
	size_t bad = 0, i = 0;

	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);

		if (k == 0) {
			buf_puts(out, "\xef\xbf\xbd");
			if (bad++ == 0)
				*first = i;
			i++;
			continue;
		}
		buf_append(out, s + i, k);
		i += k;
	}
	return bad;
}

/* s (or a copy of def when s is NULL) made valid UTF-8: what callbacks
 * return is not trusted, and the output promises valid UTF-8. */
static char *
utf8_fixed(char *s, const char *def)
{
	struct buf b = BUF_INIT;
	size_t first;

	if (s == NULL)
		s = xstrdup(def);
	if (utf8_valid(s, strlen(s)))
		return s;
	replace_invalid(s, strlen(s), &b, &first);
	free(s);
	return buf_detach(&b, NULL);
}

static char *
call_link(struct renderer *r, const char *href)
{
	char *u = NULL;

	if (r->o->links.link)
		u = r->o->links.link(r->o->links.ctx, href, r->line, r->d);
	return utf8_fixed(u, href);
}

static char *
call_asset(struct renderer *r, const char *name)
{
	char *u = NULL;

	if (r->o->links.asset)
		u = r->o->links.asset(r->o->links.ctx, name, r->line, r->d);
	return utf8_fixed(u, name);
}

/* The URL of a link or image target (entities already decoded). */
static char *
resolve(struct renderer *r, const char *href, bool image, char **post_title)
{
	size_t an = strlen(HEXOTAG_ASSET_SCHEME),
	       pn = strlen(HEXOTAG_POST_SCHEME);
	char *name, *u;

	if (strncmp(href, HEXOTAG_ASSET_SCHEME, an) == 0) {
		name = decoded(href + an);
		u = call_asset(r, name);
		free(name);
		return u;
	}
	if (strncmp(href, HEXOTAG_POST_SCHEME, pn) == 0) {
		u = NULL;
		if (r->o->links.post)
			u = r->o->links.post(r->o->links.ctx, href + pn,
			    post_title, r->line, r->d);
		if (post_title && *post_title &&
		    !utf8_valid(*post_title, strlen(*post_title))) {
			char *t = utf8_fixed(*post_title, "");

			*post_title = t;
		}
		return utf8_fixed(u, href + pn);
	}
	if (image && !has_scheme(href) && href[0] != '/' && href[0] != '#' &&
	    (name = asset_name(r, href)) != NULL) {
		u = call_asset(r, name);
		free(name);
		return u;
	}
	return call_link(r, href);
}

static char *
file_name(const char *path)
{
	const char *slash = strrchr(path, '/'), *colon = strrchr(path, ':');
	const char *base = slash ? slash + 1 : colon ? colon + 1 : path;
	char *dec = decoded(base), *q = strpbrk(dec, "?#");

	if (q)
		*q = '\0';
	if (dec[0] == '\0') {
		free(dec);
		return xstrdup(
		    path); /* "http://": no name, the path says most */
	}
	return dec;
}

/* ---- gathering inline content ---- */

static void
end_line(struct renderer *r, bool soft)
{
	struct seg *s;

	if (is_blank(r->cur.data ? r->cur.data : "", r->cur.len) &&
	    r->cur_links.n == 0) {
		buf_reset(&r->cur);
		r->cur_other = false;
		if (r->nsegs)
			r->segs[r->nsegs - 1].soft = soft;
		return;
	}
	if (r->nsegs == r->segs_cap) {
		r->segs_cap = r->segs_cap ? r->segs_cap * 2 : 16;
		r->segs = xrealloc(r->segs, r->segs_cap * sizeof(*r->segs));
	}
	s = &r->segs[r->nsegs++];
	s->text = trimmed(r->cur.data ? r->cur.data : "", r->cur.len);
	s->links = r->cur_links.v;
	s->nlinks = r->cur_links.n;
	s->other_text = r->cur_other;
	s->soft = soft;
	memset(&r->cur_links, 0, sizeof(r->cur_links));
	buf_reset(&r->cur);
	r->cur_other = false;
}

static void
segs_free(struct renderer *r)
{
	for (size_t i = 0; i < r->nsegs; i++) {
		for (size_t j = 0; j < r->segs[i].nlinks; j++)
			link_free(&r->segs[i].links[j]);
		free(r->segs[i].links);
		free(r->segs[i].text);
	}
	r->nsegs = 0;
}

static void
put_text(struct renderer *r, const char *s, size_t n)
{
	if (r->in_code) {
		buf_append(&r->code, s, n);
	} else if (r->in_html) {
		buf_append(&r->html, s, n);
	} else if (r->img_depth > 0) {
		buf_append(&r->alt, s, n);
	} else {
		buf_append(&r->cur, s, n);
		if (r->in_link)
			buf_append(&r->link_label, s, n);
		else if (!is_blank(s, n))
			r->cur_other = true;
	}
}

static void
add_link(struct renderer *r, const char *href, const char *text, bool image)
{
	struct link_ref l;
	char *title = NULL;

	l.raw = xstrdup(href);
	l.url = resolve(r, href, image, &title);
	if (text[0])
		l.label = xstrdup(text);
	else if (title)
		l.label = xstrdup(title);
	else if (image)
		l.label = file_name(href);
	else if (strncmp(href, HEXOTAG_POST_SCHEME,
		     strlen(HEXOTAG_POST_SCHEME)) == 0)
		l.label = xstrdup(href + strlen(HEXOTAG_POST_SCHEME));
	else
		l.label = xstrdup("");
	if (!text[0] && !image && l.label[0]) {
		/* post_link without a label: the title (or slug) is the text */
		buf_puts(&r->cur, l.label);
	}
	free(title);
	links_push(&r->cur_links, l);
}

/* Bare URLs: md4c 0.4.8 lets "https://x.org/foo를" take the particle.
 * Returns true for an autolink (its text is its URL). */
static bool
trim_autolink(char *href, const char *text)
{
	size_t n = strlen(href);

	if (strcmp(href, text) != 0 &&
	    !(strncmp(href, "http://", 7) == 0 &&
		strcmp(href + 7, text) == 0) &&
	    !(strncmp(href, "mailto:", 7) == 0 && strcmp(href + 7, text) == 0))
		return false;
	while (n > 0 && (unsigned char)href[n - 1] >= 0x80)
		n--;
	href[n] = '\0';
	return true;
}

static void
link_enter(struct renderer *r, char *href)
{
	if (r->in_link) {
		free(href); /* a link inside a link: the outer one wins */
		return;
	}
	r->in_link = true;
	r->link_href = href;
	buf_reset(&r->link_label);
}

static void
link_leave(struct renderer *r)
{
	char *text;

	if (!r->in_link)
		return;
	r->in_link = false;
	text = trimmed(
	    r->link_label.data ? r->link_label.data : "", r->link_label.len);
	/* an autolink's label would repeat its URL: clients show the URL */
	if (trim_autolink(r->link_href, text))
		text[0] = '\0';
	/* "#section" has no page to point at in gemtext: the text stays */
	if (r->link_href[0] && r->link_href[0] != '#')
		add_link(r, r->link_href, text, false);
	free(text);
	free(r->link_href);
	r->link_href = NULL;
}

/* ---- block context ---- */

static struct frame *
innermost(struct renderer *r, MD_BLOCKTYPE t)
{
	for (size_t i = r->depth; i-- > 0;)
		if (r->stack[i].type == t)
			return &r->stack[i];
	return NULL;
}

static struct frame *
innermost_list(struct renderer *r)
{
	for (size_t i = r->depth; i-- > 0;)
		if (r->stack[i].type == MD_BLOCK_UL ||
		    r->stack[i].type == MD_BLOCK_OL)
			return &r->stack[i];
	return NULL;
}

static void
series_note(struct frame *list, const struct seg *segs, size_t n, int line)
{
	struct series_item it = {NULL, NULL, line};
	size_t links = 0;

	for (size_t i = 0; i < n; i++)
		links += segs[i].nlinks;
	if (n == 1 && links == 1 && !segs[0].other_text) {
		const char *h = segs[0].links[0].raw;

		if (h[0] != '/' || h[1] == '/')
			list->series_ok = false;
		it.label = xstrdup(segs[0].links[0].label);
		it.href = xstrdup(h);
		list->nlinked++;
	} else if (links == 0 && n > 0) {
		it.label = xstrdup(segs[0].text);
	} else {
		list->series_ok = false;
		return;
	}
	list->items =
	    xrealloc(list->items, (list->nitems + 1) * sizeof(*list->items));
	list->items[list->nitems++] = it;
}

static void
series_free(struct series_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].label);
		free(v[i].href);
	}
	free(v);
}

/* Write the gathered segments in the current context. */
static void
flush_inline(struct renderer *r)
{
	struct frame *li, *list;
	const char *prefix = "";
	char marker[32];
	struct buf text = BUF_INIT;
	bool in_quote;

	end_line(r, false);
	if (r->nsegs == 0)
		return;
	if (r->in_cell) {
		for (size_t i = 0; i < r->nsegs; i++) {
			if (r->cell.len && r->segs[i].text[0])
				buf_putc(&r->cell, ' ');
			buf_puts(&r->cell, r->segs[i].text);
			for (size_t j = 0; j < r->segs[i].nlinks; j++)
				pending_add(r, &r->segs[i].links[j]);
			r->segs[i].nlinks = 0;
		}
		segs_free(r);
		return;
	}
	li = innermost(r, MD_BLOCK_LI);
	in_quote = innermost(r, MD_BLOCK_QUOTE) != NULL;
	if (in_quote && r->quote_para && (li == NULL || !li->started))
		put_raw_line(r, ">", 1);
	if (in_quote)
		r->quote_para = true;
	if (li && !li->started) {
		list = innermost_list(r);
		if (list && list->ordered)
			snprintf(
			    marker, sizeof(marker), "* %u. ", list->num - 1);
		else
			snprintf(marker, sizeof(marker), "* ");
		prefix = marker;
		if (list)
			series_note(list, r->segs, r->nsegs, r->line);
		li->started = true;
	} else if (in_quote) {
		prefix = "> ";
	}
	if (r->heading) {
		struct buf h = BUF_INIT;

		for (int i = 0; i < (r->heading > 3 ? 3 : r->heading); i++)
			buf_putc(&h, '#');
		buf_putc(&h, ' ');
		for (size_t i = 0; i < r->nsegs; i++) {
			if (i)
				buf_putc(&h, ' ');
			buf_puts(&h, r->segs[i].text);
			for (size_t j = 0; j < r->segs[i].nlinks; j++)
				pending_add(r, &r->segs[i].links[j]);
			r->segs[i].nlinks = 0;
		}
		put_raw_line(r, h.data, h.len);
		buf_free(&h);
		segs_free(r);
		return;
	}
	for (size_t i = 0; i < r->nsegs; i++) {
		struct seg *s = &r->segs[i];

		if (!s->other_text && s->nlinks > 0) {
			/* nothing but links: link lines in place */
			if (text.len) {
				put_text_line(r, prefix, text.data);
				prefix = in_quote ? "> " : "";
				buf_reset(&text);
			}
			for (size_t j = 0; j < s->nlinks; j++) {
				put_link_line(r, &s->links[j]);
				link_free(&s->links[j]);
			}
			s->nlinks = 0;
			prefix = in_quote ? "> " : "";
			continue;
		}
		if (is_blank(s->text, strlen(s->text)) && s->nlinks == 0)
			continue; /* a spacer line such as "&nbsp;" */
		if (text.len)
			buf_putc(&text, ' ');
		buf_puts(&text, s->text);
		for (size_t j = 0; j < s->nlinks; j++)
			pending_add(r, &s->links[j]);
		s->nlinks = 0;
		if (!(r->o->join_soft_breaks && s->soft && i + 1 < r->nsegs)) {
			put_text_line(r, prefix, text.data);
			prefix = in_quote ? "> " : "";
			buf_reset(&text);
		}
	}
	if (text.len)
		put_text_line(r, prefix, text.data);
	buf_free(&text);
	segs_free(r);
}

/* ---- raw HTML ---- */

static bool
tag_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

/* The value of attribute attr in the tag s[0..n), decoded; NULL if none. */
static char *
html_attr(const char *s, size_t n, const char *attr)
{
	size_t an = strlen(attr);
	const char *end = s + n, *p = s;

	while (p < end) {
		while (p < end && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n'))
			p++;
		if ((size_t)(end - p) > an && strncasecmp(p, attr, an) == 0 &&
		    p[an] == '=') {
			const char *v = p + an + 1, *ve;
			struct buf b = BUF_INIT;

			if (v < end && (*v == '"' || *v == '\'')) {
				ve = memchr(v + 1, *v, (size_t)(end - v - 1));
				v++;
			} else {
				ve = v;
				while (ve < end && *ve != ' ' && *ve != '>' &&
				    *ve != '\t')
					ve++;
			}
			if (ve == NULL)
				ve = end;
			entity_decode(v, (size_t)(ve - v), &b);
			return b.data ? buf_detach(&b, NULL) : xstrdup("");
		}
	}
	return NULL;
}

static bool
is_more_comment(const char *s, size_t n)
{
	if (n < 7 || strncmp(s, "<!--", 4) != 0)
		return false;
	s += 4;
	n -= 4;
	if (n >= 3 && strncmp(s + n - 3, "-->", 3) == 0)
		n -= 3;
	while (n && (*s == ' ' || *s == '\t' || *s == '\n'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	return n == 4 && strncasecmp(s, "more", 4) == 0;
}

/* One tag or comment s[0..n) ("<...>"). */
static void
html_tag(struct renderer *r, const char *s, size_t n)
{
	const char *name = s + 1;
	size_t nl;
	bool closing = false;
	char *v;

	if (n >= 4 && strncmp(s, "<!--", 4) == 0) {
		if (is_more_comment(s, n) && r->res->excerpt_len == 0)
			r->res->excerpt_len = r->res->gemtext.len;
		return;
	}
	if (*name == '/') {
		closing = true;
		name++;
	}
	nl = strcspn(name, " \t\n/>");
	if (nl > (size_t)(s + n - name))
		nl = (size_t)(s + n - name);
	if (tag_is(name, nl, "br")) {
		end_line(r, false);
	} else if (tag_is(name, nl, "a")) {
		if (closing)
			link_leave(r);
		else if ((v = html_attr(s, n, "href")) != NULL)
			link_enter(r, v);
	} else if (!closing &&
	    (tag_is(name, nl, "img") || tag_is(name, nl, "iframe") ||
		tag_is(name, nl, "video") || tag_is(name, nl, "source") ||
		tag_is(name, nl, "audio") || tag_is(name, nl, "embed"))) {
		bool image = tag_is(name, nl, "img");
		char *label;

		if ((v = html_attr(s, n, "src")) == NULL)
			return;
		label = html_attr(s, n, image ? "alt" : "title");
		if (label == NULL && !image)
			label =
			    xstrdup(tag_is(name, nl, "iframe") ? "Embedded page"
							       : "Media");
		end_line(r, false);
		add_link(r, v, label ? label : "", image);
		end_line(r, false);
		free(label);
		free(v);
	} else if (tag_is(name, nl, "p") || tag_is(name, nl, "div") ||
	    tag_is(name, nl, "li") || tag_is(name, nl, "tr") ||
	    tag_is(name, nl, "h1") || tag_is(name, nl, "h2") ||
	    tag_is(name, nl, "h3") || tag_is(name, nl, "h4") ||
	    tag_is(name, nl, "figure") || tag_is(name, nl, "figcaption") ||
	    tag_is(name, nl, "blockquote") || tag_is(name, nl, "table")) {
		end_line(r, false);
	}
}

/* An HTML block: tags handled, text kept line by line, entities decoded;
 * script and style contents dropped. */
static void
html_block(struct renderer *r, const char *s, size_t n)
{
	const char *end = s + n, *p = s;
	struct buf dec = BUF_INIT;

	while (p < end) {
		if (*p == '<') {
			const char *q;

			if (end - p >= 4 && strncmp(p, "<!--", 4) == 0) {
				q = memmem(p, (size_t)(end - p), "-->", 3);
				q = q ? q + 3 : end;
			} else {
				q = memchr(p, '>', (size_t)(end - p));
				q = q ? q + 1 : end;
			}
			html_tag(r, p, (size_t)(q - p));
			if (end - p > 7 &&
			    (strncasecmp(p, "<script", 7) == 0 ||
				strncasecmp(p, "<style", 6) == 0)) {
				const char *close = p[2] == 'c' || p[2] == 'C'
				    ? "</script"
				    : "</style";
				const char *c = q;

				while (c < end &&
				    strncasecmp(c, close, strlen(close)) != 0)
					c++;
				q = c;
			}
			p = q;
			continue;
		}
		const char *t = p;

		while (t < end && *t != '<' && *t != '\n')
			t++;
		buf_reset(&dec);
		entity_decode(p, (size_t)(t - p), &dec);
		if (dec.len)
			put_text(r, dec.data, dec.len);
		if (t < end && *t == '\n') {
			end_line(r, true);
			t++;
		}
		p = t;
	}
	buf_free(&dec);
}

/* ---- tables and code ---- */

static void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nrows; i++) {
		for (size_t j = 0; j < t->ncols[i]; j++)
			free(t->rows[i][j]);
		free(t->rows[i]);
	}
	free(t->rows);
	free(t->ncols);
	free(t);
}

static void
put_spaces(struct buf *b, size_t n)
{
	while (n--)
		buf_putc(b, ' ');
}

static void
table_write(struct renderer *r, struct table *t)
{
	size_t ncols = 0, *w;
	struct buf line = BUF_INIT;

	for (size_t i = 0; i < t->nrows; i++)
		if (t->ncols[i] > ncols)
			ncols = t->ncols[i];
	w = xcalloc(ncols ? ncols : 1, sizeof(*w));
	for (size_t i = 0; i < t->nrows; i++) {
		for (size_t j = 0; j < t->ncols[i]; j++) {
			size_t cw =
			    utf8_width(t->rows[i][j], strlen(t->rows[i][j]));

			if (cw > w[j])
				w[j] = cw;
		}
	}
	put_raw_line(r, "```table", 8);
	for (size_t i = 0; i < t->nrows; i++) {
		buf_reset(&line);
		for (size_t j = 0; j < ncols; j++) {
			const char *c = j < t->ncols[i] ? t->rows[i][j] : "";

			if (j)
				buf_puts(&line, " | ");
			if (strncmp(c, "```", 3) == 0 && j == 0)
				buf_putc(&line, ' ');
			buf_puts(&line, c);
			if (j + 1 < ncols)
				put_spaces(
				    &line, w[j] - utf8_width(c, strlen(c)));
		}
		while (line.len && line.data[line.len - 1] == ' ')
			line.len--;
		put_raw_line(r, line.data ? line.data : "", line.len);
		if (i + 1 == t->head_rows) {
			buf_reset(&line);
			for (size_t j = 0; j < ncols; j++) {
				if (j)
					buf_puts(&line, "-+-");
				for (size_t k = 0; k < (w[j] ? w[j] : 1); k++)
					buf_putc(&line, '-');
			}
			put_raw_line(r, line.data, line.len);
		}
	}
	put_raw_line(r, "```", 3);
	buf_free(&line);
	free(w);
}

static void
code_write(struct renderer *r)
{
	struct buf l = BUF_INIT;
	const char *p = r->code.data ? r->code.data : "",
		   *end = p + r->code.len;

	buf_puts(&l, "```");
	buf_puts(&l, r->code_lang ? r->code_lang : "");
	put_raw_line(r, l.data, l.len);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		buf_reset(&l);
		if (n >= 3 && strncmp(p, "```", 3) == 0)
			buf_putc(&l, ' ');
		buf_append(&l, p, n);
		put_raw_line(r, l.data, l.len);
		p += n + (nl != NULL);
	}
	put_raw_line(r, "```", 3);
	buf_free(&l);
}

/* ---- md4c callbacks ---- */

static int
enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct renderer *r = ud;
	struct frame *f;

	if (type != MD_BLOCK_DOC)
		flush_inline(r);
	if (r->depth == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->stack = xrealloc(r->stack, r->cap * sizeof(*r->stack));
	}
	f = &r->stack[r->depth++];
	memset(f, 0, sizeof(*f));
	f->type = type;
	switch (type) {
	case MD_BLOCK_UL:
		f->series_ok = true;
		break;
	case MD_BLOCK_OL:
		f->ordered = true;
		f->num = ((MD_BLOCK_OL_DETAIL *)detail)->start;
		f->series_ok = true;
		break;
	case MD_BLOCK_LI:
		if ((f = innermost_list(r)) != NULL)
			f->num++;
		break;
	case MD_BLOCK_H:
		r->heading = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
		break;
	case MD_BLOCK_CODE: {
		MD_BLOCK_CODE_DETAIL *cd = detail;

		r->in_code = true;
		buf_reset(&r->code);
		free(r->code_lang);
		r->code_lang = cd->lang.size ? attr_dup(&cd->lang) : NULL;
		break;
	}
	case MD_BLOCK_HTML:
		r->in_html = true;
		buf_reset(&r->html);
		break;
	case MD_BLOCK_TABLE:
		table_free(r->table);
		r->table = xcalloc(1, sizeof(*r->table));
		r->table->head_rows =
		    ((MD_BLOCK_TABLE_DETAIL *)detail)->head_row_count;
		break;
	case MD_BLOCK_TR:
		if (r->table) {
			struct table *t = r->table;

			t->rows = xrealloc(
			    t->rows, (t->nrows + 1) * sizeof(*t->rows));
			t->ncols = xrealloc(
			    t->ncols, (t->nrows + 1) * sizeof(*t->ncols));
			t->rows[t->nrows] = NULL;
			t->ncols[t->nrows++] = 0;
		}
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		r->in_cell = true;
		buf_reset(&r->cell);
		break;
	default:
		break;
	}
	return 0;
}

static void
list_leave(struct renderer *r, struct frame *f)
{
	if (f->series_ok && f->nlinked >= 2 && r->res->series == NULL) {
		r->res->series = f->items;
		r->res->nseries = f->nitems;
	} else {
		series_free(f->items, f->nitems);
	}
	f->items = NULL;
	f->nitems = 0;
}

static int
leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct renderer *r = ud;
	struct frame *f = &r->stack[r->depth - 1];

	(void)detail;
	link_leave(r); /* an HTML <a> left open ends with its block */
	flush_inline(r);
	switch (type) {
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		list_leave(r, f);
		break;
	case MD_BLOCK_H:
		r->heading = 0;
		break;
	case MD_BLOCK_CODE:
		r->in_code = false;
		code_write(r);
		break;
	case MD_BLOCK_HTML:
		r->in_html = false;
		html_block(r, r->html.data ? r->html.data : "", r->html.len);
		link_leave(r);
		flush_inline(r);
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		r->in_cell = false;
		if (r->table && r->table->nrows) {
			struct table *t = r->table;
			size_t row = t->nrows - 1;

			t->rows[row] = xrealloc(t->rows[row],
			    (t->ncols[row] + 1) * sizeof(**t->rows));
			t->rows[row][t->ncols[row]++] = trimmed(
			    r->cell.data ? r->cell.data : "", r->cell.len);
		}
		break;
	case MD_BLOCK_TABLE:
		if (r->table)
			table_write(r, r->table);
		table_free(r->table);
		r->table = NULL;
		break;
	default:
		break;
	}
	r->depth--;
	if (r->depth == 1)
		end_top_block(r);
	return 0;
}

static int
enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
	struct renderer *r = ud;

	if (type == MD_SPAN_A && r->img_depth == 0) {
		MD_SPAN_A_DETAIL *a = detail;

		see(r, a->href.text);
		link_enter(r, attr_dup(&a->href));
	} else if (type == MD_SPAN_IMG) {
		if (r->img_depth++ == 0) {
			MD_SPAN_IMG_DETAIL *im = detail;

			see(r, im->src.text);
			free(r->img_src);
			r->img_src = attr_dup(&im->src);
			buf_reset(&r->alt);
		}
	}
	return 0;
}

static int
leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
	struct renderer *r = ud;

	(void)detail;
	if (type == MD_SPAN_A && r->img_depth == 0) {
		link_leave(r);
	} else if (type == MD_SPAN_IMG && --r->img_depth == 0) {
		char *alt = trimmed(r->alt.data ? r->alt.data : "", r->alt.len);

		if (r->img_src[0]) {
			/* the alt text stays readable in a line of text */
			buf_puts(&r->cur, alt);
			if (r->in_link)
				buf_puts(&r->link_label, alt);
			add_link(r, r->img_src, alt, true);
		}
		free(alt);
	}
	return 0;
}

static int
on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
	struct renderer *r = ud;
	struct buf dec = BUF_INIT;

	see(r, text);
	switch (type) {
	case MD_TEXT_NULLCHAR:
		put_text(r, "\xef\xbf\xbd", 3);
		break;
	case MD_TEXT_BR:
	case MD_TEXT_SOFTBR:
		if (r->img_depth > 0)
			buf_putc(&r->alt, ' ');
		else if (r->in_link || r->in_cell || r->heading)
			put_text(r, " ", 1);
		else
			end_line(r, type == MD_TEXT_SOFTBR);
		break;
	case MD_TEXT_ENTITY:
		if (!entity_decode_one(text, size, &dec))
			buf_append(&dec, text, size);
		put_text(r, dec.data, dec.len);
		break;
	case MD_TEXT_HTML:
		if (r->in_html)
			put_text(r, text, size);
		else if (size > 0 && text[0] == '<')
			html_tag(r, text, size);
		break;
	default:
		put_text(r, text, size);
		break;
	}
	buf_free(&dec);
	return 0;
}

/* ---- entry point ---- */

static size_t
memchr_count(const char *s, size_t n, char c)
{
	size_t k = 0;

	for (const char *p = s; (p = memchr(p, c, n - (size_t)(p - s))) != NULL;
	     p++)
		k++;
	return k;
}

static bool
is_blank_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

static int
line_of(const char *s, size_t off, int first_line)
{
	int line = first_line;

	for (size_t i = 0; i < off; i++)
		line += s[i] == '\n';
	return line;
}

/* The body as UTF-8: NUL bytes refused, malformed bytes replaced. */
static int
check_bytes(const char *md, size_t len, int first_line, struct buf *clean,
    struct diag_list *d)
{
	const char *nul = memchr(md, '\0', len);
	size_t bad, first = 0;

	if (nul) {
		diag_add(d, line_of(md, (size_t)(nul - md), first_line), true,
		    "a NUL byte: this is a binary file, not a Markdown post");
		return -1;
	}
	if (utf8_valid(md, len))
		return 0;
	bad = replace_invalid(md, len, clean, &first);
	diag_add(d, line_of(md, first, first_line), false,
	    "%zu byte%s of invalid UTF-8 replaced with U+FFFD (first on this "
	    "line)",
	    bad, bad == 1 ? "" : "s");
	return 0;
}

int
render_post(const char *md, size_t len, const struct render_opts *opts,
    struct render_result *res, struct diag_list *d)
{
	struct renderer r;
	struct buf clean = BUF_INIT, expanded = BUF_INIT;
	struct line_map map = {NULL, 0, 0};
	MD_PARSER parser;
	int rc = 0, first = opts->first_line > 0 ? opts->first_line : 1;
	bool has_tags;

	memset(res, 0, sizeof(*res));
	if (len > RENDER_MAX_BYTES) {
		diag_add(d, first, true,
		    "the post is %zu bytes; posts larger than %u MiB are "
		    "refused",
		    len, RENDER_MAX_BYTES >> 20);
		return -1;
	}
	if (check_bytes(md, len, first, &clean, d) == -1)
		return -1;
	if (is_blank_text(md, len))
		diag_add(d, first, false, "the post has no text");
	if (clean.data) {
		md = clean.data;
		len = clean.len;
	}
	/* gemtext is about as long as its Markdown: grow once, not log n times
	 */
	buf_reserve(&res->gemtext, len + len / 4);
	/* hexotag_expand() leaves a post without "{%" where it is */
	has_tags = opts->expand_tags && memmem(md, len, "{%", 2) != NULL;
	if (opts->expand_tags &&
	    hexotag_expand(md, len, first, &expanded, &map, d) > 0)
		rc = -1;
	memset(&r, 0, sizeof(r));
	r.o = opts;
	r.res = res;
	r.d = d;
	if (has_tags) {
		r.doc = expanded.data;
		r.doc_len = expanded.len;
	} else {
		r.doc = md; /* no tag expanded: the lines are the file's */
		r.doc_len = len;
	}
	r.map = &map;
	r.has_tags = has_tags;
	r.first = first;
	r.line = first;
	r.line_starts = xmalloc(
	    (memchr_count(r.doc, r.doc_len, '\n') + 1) * sizeof(size_t));
	r.line_starts[r.nlines++] = 0;
	for (size_t i = 0; i < r.doc_len; i++)
		if (r.doc[i] == '\n' && i + 1 < r.doc_len)
			r.line_starts[r.nlines++] = i + 1;

	memset(&parser, 0, sizeof(parser));
	parser.flags = MD_FLAG_TABLES | MD_FLAG_PERMISSIVEURLAUTOLINKS |
	    MD_FLAG_PERMISSIVEWWWAUTOLINKS;
	parser.enter_block = enter_block;
	parser.leave_block = leave_block;
	parser.enter_span = enter_span;
	parser.leave_span = leave_span;
	parser.text = on_text;
	if (md_parse(r.doc, (MD_SIZE)r.doc_len, &parser, &r) != 0) {
		diag_add(d, r.line, true,
		    "the Markdown parser gave up on this post");
		rc = -1;
	}

	/* what an aborted parse may leave open */
	end_line(&r, false);
	segs_free(&r);
	links_free(&r.cur_links);
	links_free(&r.pending);
	for (size_t i = 0; i < r.depth; i++)
		series_free(r.stack[i].items, r.stack[i].nitems);
	free(r.stack);
	free(r.segs);
	free(r.link_href);
	free(r.img_src);
	free(r.code_lang);
	table_free(r.table);
	buf_free(&r.cur);
	buf_free(&r.link_label);
	buf_free(&r.alt);
	buf_free(&r.code);
	buf_free(&r.html);
	buf_free(&r.cell);
	free(r.line_starts);
	line_map_free(&map);
	buf_free(&expanded);
	buf_free(&clean);
	if (res->gemtext.data == NULL)
		buf_puts(&res->gemtext, "");
	if (res->excerpt_len >= res->gemtext.len)
		res->excerpt_len = 0;
	return rc;
}

void
render_result_free(struct render_result *res)
{
	buf_free(&res->gemtext);
	series_free(res->series, res->nseries);
	memset(res, 0, sizeof(*res));
}
