/*
 * index: the pages canyon makes from the whole blog.
 *
 * /index.gmi (a subscribable gemlog: "=> /path/ YYYY-MM-DD Title" lines,
 * newest first), /tags/ and a page per tag, /categories/ and a page per
 * category at every level of its hierarchy, /archive/ by year, and
 * /robots.txt. Each page is handed to emit() with its file path in the
 * capsule (decoded, no leading '/'); emit may take the buffer's contents.
 */
#ifndef CANYON_INDEX_H
#define CANYON_INDEX_H

#include "buf.h"
#include "site.h"

typedef void (*index_emit_fn)(void *ctx, const char *file, struct buf *page);

/* Live posts newest first (by date, then slug), in a new array. */
struct site_doc **index_newest_first(const struct site *s, size_t *n);

void index_write_all(const struct site *s, index_emit_fn emit, void *ctx);

#endif
