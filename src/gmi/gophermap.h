/*
 * gophermap: a gemtext page as a Gopher menu (type 1), RFC 1436.
 *
 * Every line has four fields and ends in CRLF; host and port are the
 * public ones given by the caller. Text, headings, list items and quotes
 * become info lines (`i<text>\t\t<host>\t<port>`) wrapped under 70 display
 * columns (layout.h). Preformatted lines are cut, not wrapped, at the same
 * width, so ASCII art keeps its columns. A link becomes one item: `h` with
 * selector `URL:<url>` for an absolute URL, otherwise the local path,
 * resolved against the page, with the type the caller's item_type callback
 * gives; a label too wide for one line continues on indented info lines.
 * The menu ends with a line holding only ".". Display strings never hold a
 * tab or a control character, and no line can start with '.'.
 */
#ifndef CANYON_GOPHERMAP_H
#define CANYON_GOPHERMAP_H

#include <stddef.h>

#include "buf.h"
#include "gemtext.h"

/* The Gopher item type of a local path (decoded, absolute, no query). */
typedef char (*gmi_item_type_fn)(void *ctx, const char *path, size_t len);

struct gmi_menu_opts {
	const char *host; /* public host, written into every line */
	int port; /* public port */
	gmi_item_type_fn item_type; /* NULL: gmi_item_type_guess() */
	void *ctx; /* passed to item_type */
	/* Complete menu lines (CRLF-terminated) placed right after the page's
	 * leading level-1 heading, or at the top when there is none; may be
	 * NULL. The root menu's search item and a post's text item go here. */
	const char *after_title;
	size_t after_title_len;
};

/*
 * Append the menu of the gemtext page text[0..len), whose URL path is
 * page_path, to out, terminator included.
 */
void gmi_gophermap(const char *text, size_t len, const char *page_path,
    const struct gmi_menu_opts *o, struct buf *out);

/* Item type by the path's form: '1' for a folder ("/x/") or a gemtext page,
 * '0' for .txt, 'g' for .gif, 'I' for other images, '9' for the rest. */
char gmi_item_type_guess(const char *path, size_t len);

/* Append one menu line. The display string is cleaned and cut to fit;
 * the selector must hold no tab, CR or LF. */
void gmi_menu_item(struct buf *out, char type, const char *display, size_t dlen,
    const char *selector, size_t slen, const char *host, int port);
/* Append an info line (display cleaned and cut). */
void gmi_menu_info(struct buf *out, const char *display, size_t dlen,
    const char *host, int port);
/* Append the terminator line ".". */
void gmi_menu_end(struct buf *out);

#endif
