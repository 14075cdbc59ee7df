/*
 * cache: what the last build learned about each document, so the next one
 * neither reads nor renders a post that did not change.
 *
 * One file per capsule generation (".canyon-cache"). For each document it
 * keeps the file's identity (size, modification time, inode), a hash of
 * its bytes, its front matter, and what rendering gave: render key, body
 * hash, page key, series items, excerpt, diagnostics, internal links.
 * The whole cache is tied to a stamp (hash of the configuration and of
 * the canyon binary): a different stamp starts from nothing.
 */
#ifndef CANYON_CACHE_H
#define CANYON_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "site.h"
#include "strmap.h"

struct cache {
	const char *data; /* the file's bytes (mapped), owned */
	size_t len;
	size_t header_len; /* the bytes before the first record */
	struct strmap by_src; /* source path -> its record in data */
	/* The index pages (home, tags, categories, archive) of the last build,
	 * and a hash of what they were made from. */
	uint64_t index_key;
	char **index_files; /* capsule files, owned */
	uint64_t *index_keys; /* their manifest keys */
	size_t nindex;
};

/* Read file; a missing, damaged or differently stamped file gives an empty
 * cache. Always succeeds; free with cache_free(). */
void cache_load(struct cache *c, const char *file, uint64_t stamp);
void cache_free(struct cache *c);

/* The record of a source file, or NULL. */
const char *cache_find(const struct cache *c, const char *src);
/* True when the record was made from a file with doc's sig_* identity. */
bool cache_same_file(
    const struct cache *c, const char *rec, const struct site_doc *doc);
/* The content hash the record was made from (0 if damaged). */
uint64_t cache_content_hash(const struct cache *c, const char *rec);
/*
 * Restore the record into doc: front matter, keys, series, excerpt (as
 * doc->res.gemtext with excerpt_len), diagnostics and links; sets
 * usable, rendered and from_cache. Returns false when damaged.
 */
bool cache_restore(
    const struct cache *c, const char *rec, struct site_doc *doc);

/* Start a new cache file's contents in out, with the index pages. */
void cache_begin(struct buf *out, uint64_t stamp, uint64_t index_key,
    char *const *index_files, const uint64_t *index_keys, size_t nindex);
/* Append doc's record (a live, rendered or restored document). */
void cache_put(struct buf *out, const struct site_doc *doc);
/*
 * The record of c that doc was restored from, as it is (its length
 * first, *n bytes in c's data), when nothing of it changed since: still
 * from_cache (not rendered again), the same file identity and keys. It
 * is what cache_put() would write. NULL otherwise: cache_put() doc then.
 */
const char *cache_kept(
    const struct cache *c, const struct site_doc *doc, size_t *n);

#endif
