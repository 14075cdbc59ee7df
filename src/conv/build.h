/*
 * build: the whole conversion, from a Hexo source folder to a capsule.
 *
 * Reads the site, renders every post and page, links series, writes the
 * pages, indexes, feed, robots.txt, assets and static files into a new
 * tree, checks every internal link of it, and swaps it into place (unless
 * dry_run: canyon check). Problems are handed to report() as they are
 * found, with the file and line they belong to; a post that fails is left
 * out and the others are still built.
 */
#ifndef CANYON_BUILD_H
#define CANYON_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "site.h"

struct build_opts {
	const struct site_config *cfg;
	const char *source; /* Hexo site folder, or its source folder */
	const char *output; /* the capsule folder */
	bool dry_run; /* check only: write nothing */
	bool use_cache; /* reuse renderings of unchanged documents */
	/* The process ends right after build_run(): leave the site's memory
	 * (tens of thousands of blocks for a large blog) to the system rather
	 * than free it block by block. */
	bool exiting;
	time_t now; /* for an empty feed's date */
	/* line is 0 when the problem has no line. msg is borrowed. */
	void (*report)(void *ctx, const char *file, int line, bool is_error,
	    const char *msg);
	/* Called now and then while rendering; may be NULL. */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *ctx;
};

struct build_stats {
	size_t posts; /* posts published */
	size_t pages; /* pages published */
	size_t assets; /* asset and static files copied */
	size_t failed; /* posts and pages left out because of errors */
	size_t drafts; /* skipped: published: false / draft */
	size_t cached; /* documents whose rendering came from the cache */
	size_t warnings;
	size_t errors;
	size_t dead_links;
	size_t files; /* files in the capsule */
	size_t written; /* files written by this build (the others were
			   already up to date) */
};

/*
 * Returns 0 when the capsule was built (some posts may have failed: see
 * stats->failed), -1 when nothing could be built (source unreadable,
 * output not writable) with err filled.
 */
int build_run(const struct build_opts *o, struct build_stats *stats, char *err,
    size_t errlen);

#endif
