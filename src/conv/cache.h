/*
 * cache: what the last build learned about each document, so the next one
 * neither reads nor renders a post that did not change.
 *
 * For each document a record keeps the file's identity (size,
 * modification time, inode), a hash of its bytes, its front matter, and
 * what rendering gave: render key, body hash, page key, series items,
 * excerpt, diagnostics, internal links, and where it is published
 * (permalink, page, link, day). The records are tied to a stamp
 * (hash of the configuration and of the canyon binary): a different
 * stamp starts from nothing.
 *
 * Each capsule generation holds two files. The base (CACHE_BASE_FILE)
 * has many records and is written seldom: it stays as it is from build
 * to build, so the generation being written usually has it already. The
 * cache file (CACHE_FILE) names the base it goes with, the index pages,
 * and every record that differs from the base's (changed, new): a build
 * that changed one post writes a few kilobytes, not the whole cache. A
 * record there replaces the base's of the same source. When the base
 * holds a source that is no longer cached, or the cache file grows past
 * a share of the base, a new base is written with every record.
 */
#ifndef CANYON_CACHE_H
#define CANYON_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "buf.h"
#include "site.h"
#include "strmap.h"

#define CACHE_FILE ".canyon-cache"
#define CACHE_BASE_FILE ".canyon-cache-base"

/* A record of the cache: where it is (in one of the mappings), and
 * whether the base has a record of the same source. */
struct cache_entry {
	const char *rec;
	bool in_base;
};

struct cache {
	const char *data, *base; /* the files' bytes (mapped), owned */
	size_t len, base_len;
	uint64_t base_id; /* the base's, 0 when there is none */
	size_t base_records; /* its records and their bytes */
	size_t base_bytes;
	struct cache_entry *entries;
	size_t nentries;
	struct strmap by_src; /* source path -> 1 + its entry's index */
	/* The index pages (home, tags, categories, archive) of the last build,
	 * and a hash of what they were made from. */
	uint64_t index_key;
	char **index_files; /* capsule files, owned */
	uint64_t *index_keys; /* their manifest keys */
	size_t nindex;
	/* Why the files found could not be used (damaged, cut short), or
	 * NULL: they were used, or there were none, or they were made for
	 * another stamp (a new canyon or configuration). Static. */
	const char *damage;
};

/* Read the cache files of the folder dir (NULL: none). A missing, damaged
 * or differently stamped file gives an empty cache (c->damage says when
 * it was damaged). Always succeeds; free with cache_free(). */
void cache_load(struct cache *c, const char *dir, uint64_t stamp);
void cache_free(struct cache *c);

/* The record of a source file, or NULL. */
const char *cache_find(const struct cache *c, const char *src);
/* True when the record was made from a file with doc's sig_* identity. */
bool cache_same_file(
    const struct cache *c, const char *rec, const struct site_doc *doc);
/* The content hash the record was made from (0 if damaged). */
uint64_t cache_content_hash(const struct cache *c, const char *rec);
/*
 * Restore the record into doc (of the record's kind): front matter,
 * keys, series, excerpt (as doc->res.gemtext with excerpt_len),
 * diagnostics, links and place; sets usable, rendered and from_cache.
 * Returns false when damaged. The strings of doc->meta, doc->res.series,
 * doc->links and the place (permalink, url, file, link, asset_base) are
 * read in place: they belong to c and live until cache_free(c), which is
 * to come after the document is done with (meta.borrowed, res.borrowed,
 * links_borrowed and place_borrowed say so); their arrays, the excerpt
 * and the diagnostics belong to doc.
 */
bool cache_restore(
    const struct cache *c, const char *rec, struct site_doc *doc);

/* Append doc's record (a live, rendered or restored document) to out. */
void cache_put(struct buf *out, const struct site_doc *doc);
/*
 * The record of c that doc was restored from (doc->restored_from), as it
 * is (its length first, *n bytes in c's data), when nothing of it
 * changed since: still
 * from_cache (not rendered again), the same file identity and keys. It
 * is what cache_put() would write. NULL otherwise: cache_put() doc then.
 */
const char *cache_kept(
    const struct cache *c, const struct site_doc *doc, size_t *n);

/*
 * The new cache's files, as pieces of memory to write in order (they
 * point into the old cache's mappings and into the records added: these
 * must live until the files are written).
 */
struct cache_file {
	struct iovec *pieces;
	size_t n, cap;
	uint64_t key; /* its manifest key (0: the hash of the pieces) */
};

struct cache_writer {
	const struct cache *old;
	uint64_t stamp;
	struct buf head, base_head;
	struct cache_file file, base; /* CACHE_FILE, CACHE_BASE_FILE */
	struct iovec *recs; /* every record, in order */
	bool *old_base_rec; /* per record: the old base's own */
	size_t nrecs, cap;
	size_t base_covered; /* old base sources still cached */
	size_t changed_bytes; /* bytes of records not the old base's */
	bool base_laid; /* cache_writer_base() done; stays: the old base
			   kept */
	bool stays;
	uint64_t base_id;
};

void cache_writer_init(
    struct cache_writer *w, const struct cache *old, uint64_t stamp);
/* Add the record of doc: the old one (cache_kept()) or a new one, which
 * must live until the files are written. */
void cache_writer_add(struct cache_writer *w, const struct site_doc *doc,
    const char *rec, size_t n);
/* Lay the base file out (w->base), every record added: the old base
 * again, or a new base with every record. It does not depend on the
 * index pages, so it may be written before they are known. */
void cache_writer_base(struct cache_writer *w);
/* Lay the files out (w->file, and w->base unless cache_writer_base() did)
 * with the index pages. */
void cache_writer_end(struct cache_writer *w, uint64_t index_key,
    char *const *index_files, const uint64_t *index_keys, size_t nindex);
void cache_writer_free(struct cache_writer *w);

#endif
