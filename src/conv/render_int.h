/*
 * render_int: what the files of the renderer (render*.c) share; nothing
 * outside them includes it. The rd_ functions are the renderer's own.
 *
 *   render.c         md4c callbacks, render_post()
 *   render_out.c     helpers, writing lines, resolving targets
 *   render_inline.c  gathering a block's lines and links, flushing them
 *   render_html.c    raw HTML blocks and spans
 *   render_pre.c     tables and code as preformatted blocks
 */
#ifndef CANYON_RENDER_INT_H
#define CANYON_RENDER_INT_H

#include <md4c.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "hexotag.h"
#include "post.h"
#include "strpool.h"

struct link_ref {
	char *url; /* the URL of the link line (owned: malloc) */
	char *label; /* may be empty (in the renderer's pool) */
	char *raw; /* the href as written, for the series (in the pool) */
};

struct seg {
	size_t text_off; /* the line's text: seg_text.data + text_off */
	size_t text_len;
	size_t links_off; /* its links: RD_SEG_LINKS() */
	size_t nlinks;
	bool other_text; /* visible text outside links */
	bool soft; /* ended by a soft break */
};

struct frame {
	MD_BLOCKTYPE type;
	unsigned num; /* OL: number of the next item */
	char delim; /* OL: '.' or ')', as written */
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
	const char *seen; /* the latest text seen in doc, NULL: none yet */
	const char *at; /* newlines of doc are counted up to here: */
	size_t at_idx; /* how many come before it */
	bool has_tags; /* doc is the tag expansion, map applies */
	int first; /* else: file line of the doc's first line */
	const struct line_map *map;

	struct frame *stack;
	size_t depth, cap;

	/* the line being gathered */
	struct buf cur;
	bool cur_other;
	/* the segments' links, then the line's (from cur_links on): one
	 * array for a block, not one per line */
	struct links_vec seg_links;
	size_t cur_links;
	struct seg *segs;
	size_t nsegs, segs_cap;
	struct buf seg_text; /* the segments' texts, each NUL-terminated */
	struct buf joined; /* soft-wrapped segments joined into one line */

	/* spans */
	bool in_link;
	bool link_split; /* the open link's text spans source lines */
	char *link_href;
	struct buf link_label;
	int img_depth;
	struct buf img_src; /* the open image's, as written */
	struct buf alt;
	/* what a link's pieces are made in, reused from link to link: its
	 * trimmed text, an image's file name, an asset's decoded name */
	struct buf trim, file_name, asset;
	/* links' labels and hrefs: a post has dozens of links */
	struct strpool pool;

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

/* render_out.c */
void rd_links_push(struct links_vec *v, struct link_ref l);
void rd_link_free(struct link_ref *l);
void rd_links_free(struct links_vec *v);
bool rd_is_blank(const char *s, size_t n);
char *rd_trimmed(const char *s, size_t n);
/* Append s[0..n) trimmed as rd_trimmed() does, NUL-terminated; returns
 * its length (the NUL not counted). */
size_t rd_trim_into(struct buf *out, const char *s, size_t n);
char *rd_attr_dup(const MD_ATTRIBUTE *a);
/* An attribute's text (entities decoded) appended to out. */
void rd_attr_text(const MD_ATTRIBUTE *a, struct buf *out);
/* Note a pointer into the parsed text: the latest text seen. */
void rd_see(struct renderer *r, const char *p);
/* The file line of the latest text seen (counted when asked: text
 * arrives hundreds of times per post, lines are asked for per link). */
int rd_line(struct renderer *r);
/* Start a gemtext line (a blank line first when a new top-level block
 * starts): the output to append the line and its '\n' to. */
struct buf *rd_line_begin(struct renderer *r);
/* Write one gemtext line. */
void rd_put_raw_line(struct renderer *r, const char *s, size_t n);
/* A text line text[0..n) after prefix, protected when it would read as
 * markup. */
void rd_put_text_line(
    struct renderer *r, const char *prefix, const char *text, size_t n);
void rd_put_link_line(struct renderer *r, const struct link_ref *l);
/* Queue a link line for after the top-level block (takes l; drops a
 * duplicate URL). */
void rd_pending_add(struct renderer *r, struct link_ref *l);
/* The top-level block ended: write its queued links. */
void rd_end_top_block(struct renderer *r);
/* Append s[0..n) with malformed UTF-8 bytes replaced by U+FFFD; the
 * count, and the offset of the first in *first. */
size_t rd_replace_invalid(
    const char *s, size_t n, struct buf *out, size_t *first);
/* The URL (allocated) of a link or image target, through the callbacks;
 * *post_title may receive a post_link's title. */
char *rd_resolve(
    struct renderer *r, const char *href, bool image, char **post_title);
/* The decoded last segment of a path, an image's default label, in out
 * (reset first). */
const char *rd_file_name(const char *path, struct buf *out);

/* render_inline.c */
/* The text of a gathered segment (NUL-terminated), and its links. */
#define RD_SEG_TEXT(r, s) ((r)->seg_text.data + (s)->text_off)
#define RD_SEG_LINKS(r, s) ((r)->seg_links.v + (s)->links_off)
/* End the line being gathered (a source line), soft or hard break. */
void rd_end_line(struct renderer *r, bool soft);
void rd_segs_free(struct renderer *r);
/* Visible text into the current line, link label, alt text, code or
 * HTML block, whichever is open. */
void rd_put_text(struct renderer *r, const char *s, size_t n);
/* A link or image of the current line (text: its label, may be ""). */
void rd_add_link(
    struct renderer *r, const char *href, const char *text, bool image);
/* Open a link (takes href); rd_link_leave() closes it, no-op if none. */
void rd_link_enter(struct renderer *r, char *href);
void rd_link_leave(struct renderer *r);
struct frame *rd_innermost_list(struct renderer *r);
void rd_series_free(struct series_item *v, size_t n);
/* Write the gathered lines in the context of the open blocks. */
void rd_flush_inline(struct renderer *r);

/* render_html.c */
/* One raw HTML tag or comment s[0..n) ("<...>"). */
void rd_html_tag(struct renderer *r, const char *s, size_t n);
/* A whole HTML block: text kept line by line, tags handled. */
void rd_html_block(struct renderer *r, const char *s, size_t n);

/* render_pre.c */
void rd_table_free(struct table *t);
/* A table as a preformatted block, columns by display width. */
void rd_table_write(struct renderer *r, struct table *t);
/* The gathered code block, with its language as alt text. */
void rd_code_write(struct renderer *r);

#endif
