/*
 * page: the frame around a rendered body, and the words it uses.
 *
 * A post's page is "# title", a line with its date, tags and categories,
 * a blank line, the body, then a footer: previous/next in its series,
 * links to its tag and category pages, a link home, and with a web
 * address configured a link to the same post on the web.
 */
#ifndef CANYON_PAGE_H
#define CANYON_PAGE_H

#include <sys/uio.h>

#include "buf.h"
#include "site.h"

/* The fixed words of generated pages, in the site's language. */
struct labels {
	const char *tags, *categories, *archive, *feed, *search, *home;
	const char *prev, *next, *original, *browse, *series;
	const char *video, *playlist; /* "YouTube video (ID)" */
};

/* Korean for "ko" (and by default), English otherwise. */
const struct labels *labels_for(const char *lang);

/* Decoded capsule paths of a tag's and a category's pages:
 * "/tags/<tag>/", "/categories/<a>/<b>/" (depth names of c). */
void page_tag_path(struct buf *out, const char *tag);
void page_category_path(
    struct buf *out, const struct category_path *c, size_t depth);

/* The frame of a document's page: what comes before its body (title and
 * date line: the document's own) and after it (series, tags, categories,
 * home, original: the series is known only once every post is rendered). */
void page_head(
    const struct site *s, const struct site_doc *doc, struct buf *head);
void page_foot(
    const struct site *s, const struct site_doc *doc, struct buf *foot);
/* How many link lines page_foot() writes at most, whatever the series. */
size_t page_foot_links_max(const struct site_doc *doc);

/* The whole page of a rendered document as pieces to write in order
 * (at most PAGE_PIECES, each ending with a newline): the frame, made in
 * head and foot, and the body, borrowed from doc. Returns their number. */
#define PAGE_PIECES 4
/* The same without the footer: the head and the body (at most
 * PAGE_PIECES - 1), for a page whose footer is written later. */
size_t page_start(const struct site *s, const struct site_doc *doc,
    struct buf *head, struct iovec *v);
size_t page_pieces(const struct site *s, const struct site_doc *doc,
    struct buf *head, struct buf *foot, struct iovec *v);

#endif
