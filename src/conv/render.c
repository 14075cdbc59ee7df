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
#include <stdlib.h>
#include <string.h>

#include "entity.h"
#include "render_int.h"
#include "utf8.h"

/* ---- md4c callbacks ---- */

/*
 * md4c hands out pieces of the document or short literals of its own, so a
 * piece longer than the whole document means the parser's state is broken
 * (md4c 0.4.8 has been seen to emit a negative size, read as nearly 4 GiB):
 * the parse is stopped rather than trusted.
 */
static bool
span_fits(const struct renderer *r, MD_SIZE size)
{
	return size <= r->doc_len;
}

static int
enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct renderer *r = ud;
	struct frame *f;

	if (type != MD_BLOCK_DOC)
		rd_flush_inline(r);
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
		f->delim = ((MD_BLOCK_OL_DETAIL *)detail)->mark_delimiter;
		f->series_ok = true;
		break;
	case MD_BLOCK_LI:
		if ((f = rd_innermost_list(r)) != NULL)
			f->num++;
		break;
	case MD_BLOCK_H:
		r->heading = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
		break;
	case MD_BLOCK_CODE: {
		MD_BLOCK_CODE_DETAIL *cd = detail;

		if (!span_fits(r, cd->lang.size))
			return -1;
		r->in_code = true;
		buf_reset(&r->code);
		free(r->code_lang);
		r->code_lang = cd->lang.size ? rd_attr_dup(&cd->lang) : NULL;
		break;
	}
	case MD_BLOCK_HTML:
		r->in_html = true;
		buf_reset(&r->html);
		break;
	case MD_BLOCK_TABLE:
		rd_table_free(r->table);
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
		rd_series_free(f->items, f->nitems);
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
	rd_link_leave(r); /* an HTML <a> left open ends with its block */
	rd_flush_inline(r);
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
		rd_code_write(r);
		break;
	case MD_BLOCK_HTML:
		r->in_html = false;
		rd_html_block(r, r->html.data ? r->html.data : "", r->html.len);
		rd_link_leave(r);
		rd_flush_inline(r);
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		r->in_cell = false;
		if (r->table && r->table->nrows) {
			struct table *t = r->table;
			size_t row = t->nrows - 1;

			t->rows[row] = xrealloc(t->rows[row],
			    (t->ncols[row] + 1) * sizeof(**t->rows));
			t->rows[row][t->ncols[row]++] = rd_trimmed(
			    r->cell.data ? r->cell.data : "", r->cell.len);
		}
		break;
	case MD_BLOCK_TABLE:
		if (r->table)
			rd_table_write(r, r->table);
		rd_table_free(r->table);
		r->table = NULL;
		break;
	default:
		break;
	}
	r->depth--;
	if (r->depth == 1)
		rd_end_top_block(r);
	return 0;
}

static int
enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
	struct renderer *r = ud;

	if (type == MD_SPAN_A && r->img_depth == 0) {
		MD_SPAN_A_DETAIL *a = detail;

		if (!span_fits(r, a->href.size))
			return -1;
		rd_see(r, a->href.text);
		rd_link_enter(r, rd_attr_dup(&a->href));
	} else if (type == MD_SPAN_IMG) {
		if (r->img_depth++ == 0) {
			MD_SPAN_IMG_DETAIL *im = detail;

			if (!span_fits(r, im->src.size))
				return -1;
			rd_see(r, im->src.text);
			buf_reset(&r->img_src);
			rd_attr_text(&im->src, &r->img_src);
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
		rd_link_leave(r);
	} else if (type == MD_SPAN_IMG && --r->img_depth == 0 &&
	    r->img_src.len > 0) {
		const char *alt;

		buf_reset(&r->trim);
		rd_trim_into(
		    &r->trim, r->alt.data ? r->alt.data : "", r->alt.len);
		alt = r->trim.data;
		/* the alt text stays readable in a line of text */
		buf_puts(&r->cur, alt);
		if (r->in_link)
			buf_puts(&r->link_label, alt);
		rd_add_link(r, r->img_src.data, alt, true);
	}
	return 0;
}

static int
on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
	struct renderer *r = ud;

	if (!span_fits(r, size))
		return -1;
	rd_see(r, text);
	switch (type) {
	case MD_TEXT_NULLCHAR:
		rd_put_text(r, "\xef\xbf\xbd", 3);
		break;
	case MD_TEXT_BR:
	case MD_TEXT_SOFTBR:
		if (r->img_depth > 0) {
			buf_putc(&r->alt, ' ');
		} else if (r->in_cell || r->heading) {
			rd_put_text(r, " ", 1);
		} else if (r->in_link) {
			/* link text over two source lines: each line stays a
			 * line of text (the link line comes after the block) */
			buf_putc(&r->link_label, ' ');
			r->link_split = true;
			r->cur_other = true;
			rd_end_line(r, type == MD_TEXT_SOFTBR);
		} else {
			rd_end_line(r, type == MD_TEXT_SOFTBR);
		}
		break;
	case MD_TEXT_ENTITY: {
		struct buf dec = BUF_INIT;

		if (!entity_decode_one(text, size, &dec))
			buf_append(&dec, text, size);
		rd_put_text(r, dec.data, dec.len);
		buf_free(&dec);
		break;
	}
	case MD_TEXT_HTML:
		if (r->in_html)
			rd_put_text(r, text, size);
		else if (size > 0 && text[0] == '<')
			rd_html_tag(r, text, size);
		break;
	default:
		rd_put_text(r, text, size);
		break;
	}
	return 0;
}

/* ---- entry point ---- */

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
	bad = rd_replace_invalid(md, len, clean, &first);
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
	struct line_map map = LINE_MAP_INIT;
	MD_PARSER parser;
	int rc = 0, first = opts->first_line > 0 ? opts->first_line : 1;
	bool has_tags;

	memset(res, 0, sizeof(*res));
	if (opts->storage != NULL) {
		res->gemtext = *opts->storage;
		*opts->storage = (struct buf)BUF_INIT;
		buf_reset(&res->gemtext);
	}
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
	has_tags = opts->expand_tags && hexotag_present(md, len);
	if (opts->expand_tags &&
	    hexotag_expand(
		md, len, first, labels_for(opts->lang), &expanded, &map, d) > 0)
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
	r.at = r.doc;

	memset(&parser, 0, sizeof(parser));
	parser.flags = MD_FLAG_TABLES | MD_FLAG_PERMISSIVEURLAUTOLINKS |
	    MD_FLAG_PERMISSIVEWWWAUTOLINKS;
	parser.enter_block = enter_block;
	parser.leave_block = leave_block;
	parser.enter_span = enter_span;
	parser.leave_span = leave_span;
	parser.text = on_text;
	if (md_parse(r.doc, (MD_SIZE)r.doc_len, &parser, &r) != 0) {
		diag_add(d, rd_line(&r), true,
		    "the Markdown parser gave up on this post");
		rc = -1;
	}

	/* what an aborted parse may leave open */
	rd_end_line(&r, false);
	rd_segs_free(&r);
	rd_links_free(&r.seg_links);
	rd_links_free(&r.pending);
	for (size_t i = 0; i < r.depth; i++)
		rd_series_free(r.stack[i].items, r.stack[i].nitems);
	free(r.stack);
	free(r.segs);
	free(r.link_href);
	buf_free(&r.img_src);
	buf_free(&r.trim);
	buf_free(&r.file_name);
	buf_free(&r.asset);
	strpool_free(&r.pool);
	free(r.code_lang);
	rd_table_free(r.table);
	buf_free(&r.cur);
	buf_free(&r.seg_text);
	buf_free(&r.joined);
	buf_free(&r.link_label);
	buf_free(&r.alt);
	buf_free(&r.code);
	buf_free(&r.html);
	buf_free(&r.cell);
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
	if (res->borrowed)
		free(res->series);
	else
		rd_series_free(res->series, res->nseries);
	memset(res, 0, sizeof(*res));
}
