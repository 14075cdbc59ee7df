/*
 * plaintext: a gemtext page as a Gopher text document (type 0).
 *
 * Lines are laid out as in the menu (layout.h: wrapped under 70 display
 * columns, list and quote markers kept, headings underlined) and end in
 * CRLF. A link line shows its label followed by a marker "[N]"; the
 * references "[N] URL" are listed at the end: absolute URLs as written,
 * local targets as gopher:// URLs (RFC 4266) on the public host and port.
 * Preformatted lines are kept whole (a text document has no width limit).
 * Lines starting with '.' are dot-stuffed and the document ends with ".".
 */
#ifndef CANYON_PLAINTEXT_H
#define CANYON_PLAINTEXT_H

#include <stddef.h>

#include "buf.h"
#include "gophermap.h"

/* Append the text document of text[0..len) (URL path page_path) to out.
 * Only o->host, o->port, o->item_type and o->ctx are used. */
void gmi_plaintext(const char *text, size_t len, const char *page_path,
    const struct gmi_menu_opts *o, struct buf *out);

/* Append the gopher:// URL of a selector with its item type. */
void gmi_gopher_url(struct buf *out, const char *host, int port, char type,
    const char *selector, size_t len);

#endif
