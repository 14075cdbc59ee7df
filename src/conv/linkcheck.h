/*
 * linkcheck: every internal link of the generated capsule must answer.
 *
 * The builder declares each file it writes, hands over each generated
 * page (gemtext, or the Atom feed), and at the end asks for the links that
 * lead nowhere. A link is internal when it is root-relative, relative, or
 * absolute on the capsule's own gemini:// host. A dead one is reported at
 * the source line it came from when the document's link origins know it,
 * else at its line in the generated file.
 */
#ifndef CANYON_LINKCHECK_H
#define CANYON_LINKCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "site.h"
#include "strmap.h"

struct dead_link {
	const char *src; /* source file (or generated file) */
	int line; /* 0 when unknown */
	const char *target; /* as written in the page */
	const char *path; /* decoded capsule path it leads to */
	bool owned; /* target and path belong to the linkcheck (src is
		       one of its srcs) */
};

/* The links of one page, checked at the end. */
struct link_batch {
	const char *src;
	const struct page_link *v;
	size_t n;
	bool owned; /* v and its strings belong to the linkcheck */
};

struct linkcheck {
	struct strmap exists; /* decoded capsule paths */
	/* the pages' links to check, in the order given: a page's links
	 * are not copied one by one (a few hundred thousand for ten
	 * thousand posts) */
	struct link_batch *batches;
	size_t nbatches, batches_cap;
	struct dead_link *pending; /* the dead links: linkcheck_finish() */
	size_t npending, cap;
	char **srcs; /* the names of pages whose links it took, owned */
	size_t nsrcs;
};

void linkcheck_init(struct linkcheck *lc);
void linkcheck_free(struct linkcheck *lc);

/* A file of the capsule (decoded, no leading '/'); "a/index.gmi" also
 * makes "/a/" answer. */
void linkcheck_exists(struct linkcheck *lc, const char *file);

/* The internal links of a generated page, appended to (*v, *n): doc (or
 * NULL) gives their source lines; file is the page's capsule file. */
void linkcheck_collect(const struct site *s, const struct site_doc *doc,
    const char *file, const char *text, size_t len, struct page_link **v,
    size_t *n);
/* The same for a page given as pieces, each ending a line (a line never
 * spans two pieces). */
void linkcheck_collectv(const struct site *s, const struct site_doc *doc,
    const char *file, const struct iovec *pieces, size_t npieces,
    struct page_link **v, size_t *n);
/* The same for a page given in several calls, st (LINK_SCAN_INIT at
 * first) carried from one to the next. */
void linkcheck_scanv(const struct site *s, const struct site_doc *doc,
    const char *file, struct link_scan *st, const struct iovec *pieces,
    size_t npieces, struct page_link **v, size_t *n);
/* Room in (*v, n), collected so far from st, for more links: a page's
 * last pieces, scanned in another thread, then grow nothing that the
 * thread that made *v owns (which would wait on its allocator's lock). */
void linkcheck_reserve(
    struct link_scan *st, struct page_link **v, size_t n, size_t more);
/* Check these links (of src) at the end. src and v are borrowed: they
 * must live until linkcheck_free(). */
void linkcheck_add(
    struct linkcheck *lc, const char *src, const struct page_link *v, size_t n);
void page_links_free(struct page_link *v, size_t n);

/* Check links collected by linkcheck_collect() for the page file (src)
 * at the end: lc takes v and its strings, and keeps a copy of src. */
void linkcheck_take(
    struct linkcheck *lc, const char *src, struct page_link *v, size_t n);
/* The href="..." links of the Atom feed. */
void linkcheck_atom(struct linkcheck *lc, const struct site *s,
    const char *file, const char *xml, size_t len);

/* Check the links given so far: the dead ones go to lc->pending (in the
 * order given), the others are forgotten. Returns lc->npending. */
size_t linkcheck_finish(struct linkcheck *lc);

#endif
