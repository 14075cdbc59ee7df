/*
 * search: full-text search over the capsule's posts, held in memory.
 *
 * Built from a store (and rebuilt with it on reload). Matching is a
 * substring match on normalised text, ASCII case-insensitive, so Korean
 * queries work without a tokenizer.
 *
 * A post is a gemtext page under /YYYY/MM/DD/ ("/2021/12/31/slug/index.gmi"
 * is listed as "/2021/12/31/slug/"). Its title is its first "# " line, its
 * date comes from the path, and its text is every line's display text
 * (link labels, not URLs) with whitespace runs made one space. Results
 * come newest first with a snippet of the text around the first hit, cut
 * at UTF-8 boundaries and at most SEARCH_SNIPPET_COLS display columns.
 */
#ifndef CANYON_SEARCH_H
#define CANYON_SEARCH_H

#include <stddef.h>

#include "buf.h"
#include "gophermap.h"
#include "store.h"

/* The URL path of search on both protocols (Gemini `/search?q`, Gopher
 * type 7 selector). */
#define SEARCH_PATH "/search"
/* Longer queries (in bytes, after decoding) get an explanation instead. */
#define SEARCH_MAX_QUERY 256
#define SEARCH_SNIPPET_COLS 66
/* At most this many results are listed (all are counted). */
#define SEARCH_MAX_RESULTS 50

struct search_index;

/* The index borrows st, which must outlive it. */
struct search_index *search_build(const struct store *st);
void search_free(struct search_index *idx);

/* An empty index, and adding one page to it (path is the page's URL path;
 * pages that are not posts are skipped). search_build() is these over the
 * store; the index copies what it keeps. Returns 1 when added, else 0. */
struct search_index *search_new(void);
int search_add(
    struct search_index *idx, const char *path, const char *text, size_t len);
/* When path is the page of a post ("/2021/12/31/slug/index.gmi",
 * "/2021/12/31/name.gmi"), the post's URL path ("/2021/12/31/slug/",
 * "/2021/12/31/name.gmi") in a string the caller frees; else NULL. */
char *search_post_path(const char *path);

/* Number of posts indexed. */
size_t search_count(const struct search_index *idx);

/* Append a gemtext results page for the (decoded) query to out. An empty,
 * over-long or malformed query gets a page that says what to type. */
void search_gemtext(const struct search_index *idx, const char *query,
    size_t len, struct buf *out);

/* The same page as a Gopher menu: links to SEARCH_PATH become type 7
 * items, others get their type from o as in gmi_gophermap(). */
void search_menu(const struct search_index *idx, const char *query, size_t len,
    const struct gmi_menu_opts *o, struct buf *out);

#endif
