/*
 * store: the built capsule, held in memory.
 *
 * store_load() reads a capsule folder once (at start and on SIGHUP) into an
 * immutable table of entries keyed by URL path. Small files are kept in
 * memory; files above a size threshold keep only their path and are
 * streamed when served. A reload builds a new store and swaps it in, so a
 * store is never changed while requests use it.
 */
#ifndef CANYON_STORE_H
#define CANYON_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct store;

struct store_entry {
	const char
	    *path; /* URL path: "/", "/tags/", "/2021/12/31/slug/index.gmi",
		      "/atom.xml"; folders end in '/' */
	const char *mime; /* MIME type without parameters; NULL for a folder */
	const char *data; /* whole contents when in memory, else NULL */
	size_t size; /* size in bytes */
	const char *file; /* relative path inside the root, for streaming */
	bool is_dir; /* a folder (its page is path + "index.gmi") */
	const char *response; /* in memory only, after store_prepare_gemini():
				 the whole Gemini success reply, header then
				 data, contiguous (one write); else NULL */
	size_t response_len;
};

/*
 * Load every public file below root (dot-files are skipped, symlinks that
 * lead out of root are refused). Files up to max_in_memory bytes are read
 * into memory. Returns NULL and fills err on failure. store_free() frees.
 */
struct store *store_load(
    const char *root, size_t max_in_memory, char *err, size_t errlen);
void store_free(struct store *st);

/*
 * Build every in-memory file's Gemini success reply ("20 text/gemini;
 * charset=utf-8; lang=ko" CRLF, then the data) in place, in room reserved
 * in front of the data, so that serving a file is one write. lang may be
 * NULL. Call once, before the store is shared between threads.
 */
void store_prepare_gemini(struct store *st, const char *lang);

/* The entry for a decoded URL path, exact match, or NULL. */
const struct store_entry *store_lookup(
    const struct store *st, const char *path, size_t len);

/* A directory fd on the root, for opening streamed files beneath it. */
int store_rootfd(const struct store *st);

/* Every entry, in path order, for indexing (search, Gopher). */
size_t store_count(const struct store *st);
const struct store_entry *store_at(const struct store *st, size_t i);

#endif
