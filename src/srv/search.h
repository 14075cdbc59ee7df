/*
 * search: full-text search over the capsule's posts, held in memory.
 *
 * Built from a store (and rebuilt with it on reload). Matching is a
 * substring match on normalised text, ASCII case-insensitive, so Korean
 * queries work without a tokenizer.
 */
#ifndef CANYON_SEARCH_H
#define CANYON_SEARCH_H

#include <stddef.h>

#include "buf.h"
#include "store.h"

struct search_index;

/* The index borrows st, which must outlive it. */
struct search_index *search_build(const struct store *st);
void search_free(struct search_index *idx);

/* Append a gemtext results page for the (decoded) query to out. */
void search_gemtext(const struct search_index *idx, const char *query,
    size_t len, struct buf *out);

#endif
