/*
 * render_inline: a block's inline content, gathered one source line at a
 * time, and written in the context of the enclosing blocks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_int.h"

/* ---- gathering inline content ---- */

void
rd_end_line(struct renderer *r, bool soft)
{
	struct seg *s;

	if (rd_is_blank(r->cur.data ? r->cur.data : "", r->cur.len) &&
	    r->seg_links.n == r->cur_links) {
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
	s->text_off = r->seg_text.len;
	s->text_len = rd_trim_into(
	    &r->seg_text, r->cur.data ? r->cur.data : "", r->cur.len);
	s->links_off = r->cur_links;
	s->nlinks = r->seg_links.n - r->cur_links;
	s->other_text = r->cur_other;
	s->soft = soft;
	r->cur_links = r->seg_links.n;
	buf_reset(&r->cur);
	r->cur_other = false;
}

void
rd_segs_free(struct renderer *r)
{
	struct links_vec *v = &r->seg_links;

	for (size_t i = 0; i < r->nsegs; i++)
		for (size_t j = 0; j < r->segs[i].nlinks; j++)
			rd_link_free(&RD_SEG_LINKS(r, &r->segs[i])[j]);
	/* the line being gathered keeps its links */
	if (r->cur_links > 0) {
		memmove(v->v, v->v + r->cur_links,
		    (v->n - r->cur_links) * sizeof(*v->v));
		v->n -= r->cur_links;
		r->cur_links = 0;
	}
	r->nsegs = 0;
	buf_reset(&r->seg_text);
}

void
rd_put_text(struct renderer *r, const char *s, size_t n)
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
		else if (!rd_is_blank(s, n))
			r->cur_other = true;
	}
}

void
rd_add_link(struct renderer *r, const char *href, const char *text, bool image)
{
	struct link_ref l;
	char *title = NULL;
	const char *label;

	l.raw = strpool_dup(&r->pool, href, strlen(href));
	l.url = rd_resolve(r, href, image, &title);
	if (text[0])
		label = text;
	else if (title)
		label = title;
	else if (image)
		label = rd_file_name(href, &r->file_name);
	else if (strncmp(href, HEXOTAG_POST_SCHEME,
		     strlen(HEXOTAG_POST_SCHEME)) == 0)
		label = href + strlen(HEXOTAG_POST_SCHEME);
	else
		label = "";
	l.label = strpool_dup(&r->pool, label, strlen(label));
	if (!text[0] && !image && l.label[0]) {
		/* post_link without a label: the title (or slug) is the text */
		buf_puts(&r->cur, l.label);
	}
	free(title);
	rd_links_push(&r->seg_links, l);
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

void
rd_link_enter(struct renderer *r, char *href)
{
	if (r->in_link) {
		free(href); /* a link inside a link: the outer one wins */
		return;
	}
	r->in_link = true;
	r->link_href = href;
	buf_reset(&r->link_label);
}

void
rd_link_leave(struct renderer *r)
{
	char *text;

	if (!r->in_link)
		return;
	r->in_link = false;
	if (r->link_split) {
		/* the rest of a split link's text is text of its line */
		r->cur_other = true;
		r->link_split = false;
	}
	buf_reset(&r->trim);
	rd_trim_into(&r->trim, r->link_label.data ? r->link_label.data : "",
	    r->link_label.len);
	text = r->trim.data;
	/* an autolink's label would repeat its URL: clients show the URL */
	if (trim_autolink(r->link_href, text))
		text[0] = '\0';
	/* "#section" has no page to point at in gemtext: the text stays */
	if (r->link_href[0] && r->link_href[0] != '#')
		rd_add_link(r, r->link_href, text, false);
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

struct frame *
rd_innermost_list(struct renderer *r)
{
	for (size_t i = r->depth; i-- > 0;)
		if (r->stack[i].type == MD_BLOCK_UL ||
		    r->stack[i].type == MD_BLOCK_OL)
			return &r->stack[i];
	return NULL;
}

static void
series_note(struct renderer *r, struct frame *list)
{
	const struct seg *segs = r->segs;
	size_t n = r->nsegs;
	int line = rd_line(r);
	struct series_item it = {NULL, NULL, line};
	size_t links = 0;

	for (size_t i = 0; i < n; i++)
		links += segs[i].nlinks;
	if (n == 1 && links == 1 && !segs[0].other_text) {
		const char *h = RD_SEG_LINKS(r, &segs[0])[0].raw;

		if (h[0] != '/' || h[1] == '/')
			list->series_ok = false;
		it.label = xstrdup(RD_SEG_LINKS(r, &segs[0])[0].label);
		it.href = xstrdup(h);
		list->nlinked++;
	} else if (links == 0 && n > 0) {
		it.label = xstrdup(RD_SEG_TEXT(r, &segs[0]));
	} else {
		list->series_ok = false;
		return;
	}
	list->items =
	    xrealloc(list->items, (list->nitems + 1) * sizeof(*list->items));
	list->items[list->nitems++] = it;
}

void
rd_series_free(struct series_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].label);
		free(v[i].href);
	}
	free(v);
}

/* Write the gathered segments in the current context. */
void
rd_flush_inline(struct renderer *r)
{
	struct frame *li, *list;
	const char *prefix = "";
	char marker[32];
	struct buf *text = &r->joined;
	bool in_quote;

	rd_end_line(r, false);
	if (r->nsegs == 0)
		return;
	if (r->in_cell) {
		for (size_t i = 0; i < r->nsegs; i++) {
			if (r->cell.len && r->segs[i].text_len)
				buf_putc(&r->cell, ' ');
			buf_append(&r->cell, RD_SEG_TEXT(r, &r->segs[i]),
			    r->segs[i].text_len);
			for (size_t j = 0; j < r->segs[i].nlinks; j++)
				rd_pending_add(
				    r, &RD_SEG_LINKS(r, &r->segs[i])[j]);
			r->segs[i].nlinks = 0;
		}
		rd_segs_free(r);
		return;
	}
	li = innermost(r, MD_BLOCK_LI);
	in_quote = innermost(r, MD_BLOCK_QUOTE) != NULL;
	if (in_quote && r->quote_para && (li == NULL || !li->started))
		rd_put_raw_line(r, ">", 1);
	if (in_quote)
		r->quote_para = true;
	if (li && !li->started) {
		list = rd_innermost_list(r);
		if (list && list->ordered)
			snprintf(marker, sizeof(marker), "* %u%c ",
			    list->num - 1, list->delim == ')' ? ')' : '.');
		else
			snprintf(marker, sizeof(marker), "* ");
		prefix = marker;
		if (list)
			series_note(r, list);
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
			buf_append(&h, RD_SEG_TEXT(r, &r->segs[i]),
			    r->segs[i].text_len);
			for (size_t j = 0; j < r->segs[i].nlinks; j++)
				rd_pending_add(
				    r, &RD_SEG_LINKS(r, &r->segs[i])[j]);
			r->segs[i].nlinks = 0;
		}
		rd_put_raw_line(r, h.data, h.len);
		buf_free(&h);
		rd_segs_free(r);
		return;
	}
	buf_reset(text);
	for (size_t i = 0; i < r->nsegs; i++) {
		struct seg *s = &r->segs[i];
		const char *st = RD_SEG_TEXT(r, s);
		bool join =
		    r->o->join_soft_breaks && s->soft && i + 1 < r->nsegs;

		if (!s->other_text && s->nlinks > 0) {
			/* nothing but links: link lines in place */
			if (text->len) {
				rd_put_text_line(
				    r, prefix, text->data, text->len);
				prefix = in_quote ? "> " : "";
				buf_reset(text);
			}
			for (size_t j = 0; j < s->nlinks; j++) {
				rd_put_link_line(r, &RD_SEG_LINKS(r, s)[j]);
				rd_link_free(&RD_SEG_LINKS(r, s)[j]);
			}
			s->nlinks = 0;
			prefix = in_quote ? "> " : "";
			continue;
		}
		if (rd_is_blank(st, s->text_len) && s->nlinks == 0)
			continue; /* a spacer line such as "&nbsp;" */
		for (size_t j = 0; j < s->nlinks; j++)
			rd_pending_add(r, &RD_SEG_LINKS(r, s)[j]);
		s->nlinks = 0;
		if (text->len == 0 && !join) {
			/* a line of its own: no copy */
			rd_put_text_line(r, prefix, st, s->text_len);
			prefix = in_quote ? "> " : "";
			continue;
		}
		if (text->len)
			buf_putc(text, ' ');
		buf_append(text, st, s->text_len);
		if (!join) {
			rd_put_text_line(r, prefix, text->data, text->len);
			prefix = in_quote ? "> " : "";
			buf_reset(text);
		}
	}
	if (text->len)
		rd_put_text_line(r, prefix, text->data, text->len);
	rd_segs_free(r);
}
