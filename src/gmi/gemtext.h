/*
 * gemtext: the gemtext document model (one struct per line).
 *
 * gmi_parse() splits a page into typed lines without copying: every slice
 * points into the caller's text, which must outlive the document. The
 * renderers (gophermap.h, plaintext.h) work from this model, so the Gopher
 * menu and the text document of a page read the same lines the same way.
 */
#ifndef CANYON_GEMTEXT_H
#define CANYON_GEMTEXT_H

#include <stddef.h>

#include "buf.h"
#include "url.h"

enum gmi_kind {
	GMI_TEXT, /* text: the whole line */
	GMI_LINK, /* url, and text = label (may be empty) */
	GMI_HEADING, /* level 1..3, text without the '#'s */
	GMI_LIST, /* "* " item, text after the marker */
	GMI_QUOTE, /* ">" line, text after the marker */
	GMI_PRE_TOGGLE, /* a ``` line; text = alt text (opening toggle only) */
	GMI_PRE, /* a line inside a preformatted block, verbatim */
};

struct gmi_line {
	enum gmi_kind kind;
	int level; /* headings only: 1, 2 or 3 */
	struct slice text;
	struct slice url; /* links only */
};

struct gmi_doc {
	struct gmi_line *lines; /* owned */
	size_t n;
};

/* Parse text[0..len) (LF or CRLF line ends). A "=>" line without a URL is
 * text. Never fails; the caller frees doc with gmi_doc_free(). */
void gmi_parse(const char *text, size_t len, struct gmi_doc *doc);
void gmi_doc_free(struct gmi_doc *doc);

/* Where a link points, seen from the page it is on. */
enum gmi_target {
	GMI_TARGET_LOCAL, /* a path on this capsule, resolved */
	GMI_TARGET_EXTERNAL, /* an absolute URL with a scheme */
	GMI_TARGET_INVALID, /* unparsable, or not printable UTF-8 (raw or
			       decoded): it could not go into a menu line */
};

/*
 * Resolve a link URL against page_path (the page's URL path, "/a/b/" or
 * "/a/b.gmi"). For a local target the decoded absolute path, without query
 * and fragment and with dot segments removed, is appended to out. For an
 * external one the URL itself is appended; a network-path reference
 * ("//host/x") becomes "gemini://host/x" since pages are gemtext.
 */
enum gmi_target gmi_resolve(
    const char *page_path, struct slice url, struct buf *out);

#endif
