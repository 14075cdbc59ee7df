/*
 * entity: HTML character references, which md4c 0.4.8 passes through
 * verbatim (MD_TEXT_ENTITY, and inside attributes and raw HTML).
 */
#ifndef CANYON_ENTITY_H
#define CANYON_ENTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Decode one reference s[0..n) ("&amp;", "&#1234;", "&#x1F600;") into out.
 * Numeric references to NUL, surrogates or beyond U+10FFFF give U+FFFD.
 * Returns false (and appends nothing) for a name not in the table.
 */
bool entity_decode_one(const char *s, size_t n, struct buf *out);

/* Append s[0..n) to out with every reference it contains decoded; unknown
 * ones are copied as written. */
void entity_decode(const char *s, size_t n, struct buf *out);

#endif
