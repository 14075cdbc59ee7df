/*
 * layout: the line-width and prefix layer shared by the text renderers.
 *
 * A renderer hands display text to the layout, which cleans it, wraps it
 * to the width in display columns (a Hangul syllable is two) with a first
 * and a continuation prefix, and passes each finished line to the
 * renderer's emit callback, which frames it for its format (a Gopher info
 * line, a text line). Cleaning turns tabs and control characters into
 * spaces and malformed UTF-8 into U+FFFD, so no format can be broken by the
 * page's bytes.
 */
#ifndef CANYON_LAYOUT_H
#define CANYON_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "gemtext.h"

/* Gopher practice: display strings stay under 70 columns. */
#define GMI_COLS 69

struct layout {
	size_t cols;
	/* Called once per output line with the clean line (no line end). */
	void (*emit)(struct layout *lo, const char *s, size_t n);
	void *ctx; /* the renderer's state */
	struct buf line; /* scratch: the line being built */
	struct buf clean; /* scratch: cleaned input */
};

void layout_init(struct layout *lo, size_t cols,
    void (*emit)(struct layout *, const char *, size_t), void *ctx);
void layout_free(struct layout *lo);

/* Append s[0..n) to out with tabs and control characters as spaces and
 * malformed bytes as U+FFFD. keep_tabs leaves tabs alone. */
void layout_clean(struct buf *out, const char *s, size_t n, bool keep_tabs);

/* Wrap s[0..n) into lines of lo->cols columns: the first starts with first,
 * the others with next. Empty text gives one line holding the prefix. */
void layout_wrap(struct layout *lo, const char *first, const char *next,
    const char *s, size_t n);

/* Emit s[0..n) as one line cut (not wrapped) at lo->cols columns. */
void layout_cut(struct layout *lo, const char *s, size_t n);

/* Lay out a text, heading, list or quote line the way every renderer shows
 * it: text wrapped; headings wrapped, levels 1 and 2 underlined with '=' and
 * '-'; "* " and "> " markers kept, list items continued under their text
 * and quotes with "> " again. Other kinds are the renderer's business. */
void layout_gmi_line(struct layout *lo, const struct gmi_line *l);

/* Length in bytes of the longest prefix of s[0..n) at most cols wide that
 * ends on a code point boundary. */
size_t layout_fit(const char *s, size_t n, size_t cols);

#endif
