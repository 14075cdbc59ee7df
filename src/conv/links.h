/*
 * links: what a post's links and assets become in the capsule.
 *
 * links_for() gives render_post() its callbacks for one document:
 * - a link into the blog (root-relative, or on the blog's web address)
 *   that names a post or page becomes that page's Gemini path; one that
 *   names nothing is a warning (and, root-relative with a web address
 *   configured, points at the web so it does not go dead); a post's own
 *   absolute web address stays as written (a link to its original);
 * - an asset of the post's folder becomes "/<permalink>/<name>" when the
 *   file exists; a missing one is counted (doc->missing_assets) and linked
 *   to "<site.url>/<permalink>/<name>" when a web address is configured;
 * - post_link / post_path look a post up by file name, slug, then title.
 * Every URL handed back is recorded in doc->origins with its source line,
 * for the dead-link report, but for links to the web blog, which the link
 * check never looks up (url_is_plain_web()).
 */
#ifndef CANYON_LINKS_H
#define CANYON_LINKS_H

#include "post.h"
#include "site.h"

struct links_ctx {
	struct site *site;
	struct site_doc *doc;
	/* doc->asset_base percent-encoded, made at its first asset (when it
	 * fits): a post links forty images under it */
	char base[256];
	size_t base_len; /* 0: not made yet, or too long */
	/* the host of site.url, found at the first web link */
	char host[256];
	int host_len; /* -1: not found yet; -2: none (or too long) */
	/* whether site.url and a percent-encoded path make a plain web link
	 * (url_is_plain_web()): 0 not known yet, 1 yes, 2 no */
	int web_plain;
};

/* Callbacks for render_opts.links; ctx must outlive the rendering. */
struct render_links links_for(struct links_ctx *ctx);

/* The warning for doc's missing assets (one per post), if it has any. */
void links_report_missing(const struct site *s, struct site_doc *doc);

/* Origin line marking a target whose problem is already reported. */
#define LINK_REPORTED (-1)

#endif
