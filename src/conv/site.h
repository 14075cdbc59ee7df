/*
 * site: the blog as canyon sees it, before anything is written.
 *
 * site_load() walks a Hexo source folder: posts are the *.md files of
 * source/_posts, pages every other *.md under source/ outside folders whose
 * name starts with '_' or '.', and any other file there is copied as it is
 * (e.g. source/images/). It reads each file's front matter and gives every
 * document its permalink and Gemini page. Rendering, indexes and writing
 * are other modules' work (build.c drives them).
 *
 * Paths (permalink, url) are decoded UTF-8; write them into a link with
 * site_put_link(), which percent-encodes them.
 */
#ifndef CANYON_SITE_H
#define CANYON_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "diag.h"
#include "post.h"
#include "strmap.h"

/* The converter's options (canyon.yaml "site:" and Hexo's _config.yml). */
struct site_config {
	char *title;
	char *subtitle; /* "## " line under the title, or NULL */
	char *intro; /* a paragraph on the home page, or NULL */
	char *author; /* Atom author, or NULL (the title is used) */
	char *url; /* the blog on the web, no trailing '/', or NULL */
	char *gemini_base; /* absolute base for Atom, ends with '/' */
	char *permalink; /* Hexo pattern */
	char *new_post_name; /* Hexo pattern, or NULL */
	char *lang; /* "ko", "en", ... */
	char *robots; /* robots.txt contents */
	int tz_minutes; /* the site's zone, minutes east of UTC */
	bool join_soft_breaks;
};

void site_config_free(struct site_config *c);

enum doc_kind { DOC_POST, DOC_PAGE };

/* A file that is published as it is (a static file or a post's asset). */
struct site_file {
	char *src; /* path in the source tree */
	char *rel; /* decoded path in the capsule, no leading '/' */
	unsigned long long key; /* changes when the file does (size, mtime) */
};

/* An internal link of a generated page, kept for the dead-link check. */
struct page_link {
	char *target; /* as written in the page */
	char *path; /* decoded capsule path it leads to ("" when undecodable) */
	int line; /* source line, 0 when unknown, LINK_REPORTED (-1) when
		     its problem was already reported */
};

/* Where the collection of a page's links (linkcheck) stands between the
 * pieces of the page: its line (counted for a page without a document
 * only), whether in a preformatted block, and how
 * many links the array they go to has room for (when it is smaller than
 * their number, the room is not known). */
struct link_scan {
	int line;
	bool pre;
	size_t room;
};
#define LINK_SCAN_INIT                                                         \
	{                                                                      \
		1, false, 0                                                    \
	}

/* Where a link of a generated page came from, for dead-link reports. */
struct link_origin {
	char *target; /* as written in the gemtext */
	int line; /* line in the document's source file */
};

struct site_doc {
	enum doc_kind kind;
	char *src; /* the .md file, as reported in messages */
	char *stem; /* file name without ".md" */
	char *slug; /* Hexo's :title */
	char *asset_dir; /* posts: source/_posts/<stem> (may not exist) */
	bool has_asset_dir; /* a folder of that name may exist */
	char *text; /* the file's bytes, while needed */
	size_t len;
	const char *body; /* into text */
	size_t body_len;
	bool text_scratch; /* text is the workers' scratch (not owned) */
	/* Read by site_load(), its text then dropped: rendering reads the
	 * body again (site_read_body()), which starts at body_off. */
	bool body_in_file;
	size_t body_off;
	/* Change detection (cache.c): the file's identity and content, and
	 * keys of what was made from it. */
	unsigned long long sig_size, sig_mtime_s, sig_mtime_ns, sig_ino;
	unsigned long long content_hash, render_key, body_hash, page_key;
	bool from_cache; /* meta and rendering restored from the cache: the
			    body's gemtext is not in memory, only its excerpt */
	const char *restored_from; /* the cache record (cache.c) */
	/* Hashes of what other documents and pages see of it, made when it
	 * is placed (in parallel) so that the build's passes over every
	 * document hash numbers rather than strings (site_doc_keys()). */
	unsigned long long name_key; /* url, stem, slug, title */
	unsigned long long list_key; /* what the index pages show */
	unsigned long long frame_own; /* its page's frame but neighbours */
	unsigned long long link_key; /* url and title (a neighbour's link) */
	/* strmap_hash() of url, stem, slug and title, and their lengths, for
	 * the site's maps (made in parallel too). */
	unsigned long long url_hash, stem_hash, slug_hash, title_hash;
	size_t url_len, stem_len, slug_len, title_len;
	struct post_meta meta;
	bool usable; /* front matter read; false: the post failed */
	char *permalink; /* "/2021/12/31/slug/" */
	char *url; /* Gemini page path: "/2021/12/31/slug/" */
	char *file; /* page file in the capsule: "2021/12/31/slug/index.gmi" */
	char *link; /* url percent-encoded, as written in link lines */
	char day[11]; /* "YYYY-MM-DD" of the date in its zone */
	bool place_borrowed; /* permalink, url, file, link and asset_base
				are the cache's, restored with its meta */
	struct diag_list diags;
	struct render_result res;
	bool rendered;
	size_t index; /* position in site.posts or site.pages */
	struct site_doc *prev, *next; /* series neighbours, or NULL */
	char *asset_base; /* decoded folder path assets publish to:
			     "/2021/12/31/slug/" */
	struct site_file *assets; /* every file of asset_dir, published */
	size_t nassets;
	size_t missing_assets;
	int first_missing_line;
	struct link_origin *origins;
	size_t norigins, origins_cap;
	struct page_link *links; /* internal links of the page */
	size_t nlinks;
	bool links_borrowed; /* their strings are borrowed (as meta.borrowed),
				the array owned */
	/* Its page's head and body are in its file already, the footer to
	 * be appended (build.c); page_scan: where its links' collection
	 * stands. */
	bool page_begun;
	struct link_scan page_scan;
	struct buf cache_rec; /* its cache record when made with its page
				 (in parallel), else empty */
};

struct site {
	const struct site_config *cfg;
	char *root; /* the Hexo source folder (holds _posts) */
	struct site_doc **posts; /* oldest first: by date, then slug */
	size_t nposts;
	struct site_doc **pages; /* by file path */
	size_t npages;
	struct site_file *files; /* static files */
	size_t nfiles;
	struct strmap by_url; /* Gemini page path -> doc */
	struct strmap by_slug; /* slug and stem -> post */
	struct strmap by_title; /* title -> post */
	struct strmap statics; /* "/images/x.jpg" -> site_file */
	struct diag_list diags; /* problems not tied to one document */
};

struct cache;

/*
 * Find the source folder in dir (dir/source when it holds _posts, or dir
 * itself), walk it and read every document's front matter, or take it from
 * cache (may be NULL) when the file did not change. Per-document problems
 * go to the documents' diags (a post whose front matter cannot be used is
 * kept with usable == false); returns -1 only when the folder cannot be
 * walked, with err filled. The caller frees with site_free().
 */
int site_load(struct site *s, const struct site_config *cfg, const char *dir,
    const struct cache *cache, char *err, size_t errlen);

/*
 * Read a document's file again and parse its front matter, for rendering:
 * doc->text, body and meta are set, diags start afresh. Inside a
 * workers_run() item the text is the thread's scratch (text_scratch),
 * good until the thread's next item; else doc owns it. Either way it goes
 * with site_drop_text(). Returns 0, or -1 (an error is then in doc->diags
 * and doc->usable is false).
 */
int site_read_doc(const struct site *s, struct site_doc *doc);
/*
 * Read again the body of a document whose text site_load() dropped
 * (body_in_file), for rendering: doc->text (held as site_read_doc() holds
 * it) and body are set, the rest is as loaded. A file changed since has its
 * front matter skipped anew (what the build knows of the document stays as
 * loaded: the next build sees the change). Returns 0, or -1 with an error in
 * doc->diags.
 */
int site_read_body(const struct site *s, struct site_doc *doc);
/* Forget a document's text (and body): free it unless it is the
 * scratch. */
void site_drop_text(struct site_doc *doc);
void site_free(struct site *s);

/* The Hexo site folder of dir: dir itself when it holds source/_posts,
 * else NULL (dir is then a bare source folder). The caller frees. */
char *site_hexo_dir(const char *dir);

/*
 * The document a site path leads to ("/2021/12/31/slug/", "/2021/12/31/slug",
 * ".../index.html", "/about.html"), or NULL. path is decoded.
 */
struct site_doc *site_find_path(
    const struct site *s, const char *path, size_t n);

/*
 * The site path (decoded, query and fragment dropped) of a link written in
 * a post when it points into this blog: root-relative, or absolute on the
 * blog's web address or Gemini base. Returns 0 and fills out, or -1 for a
 * link elsewhere (or relative, or undecodable).
 */
int site_link_path(const struct site *s, const char *href, struct buf *out);

/* Append a decoded site path to out as a link target (percent-encoded). */
void site_put_link(struct buf *out, const char *path);

/* "YYYY-MM-DD" of t in the zone tz (minutes east of UTC); out has 11 bytes. */
void site_format_day(time_t t, int tz, char out[11]);

/* Make doc's name_key, list_key, frame_own and link_key from its meta and
 * place (once placed, and again when its front matter is read again). */
void site_doc_keys(struct site_doc *doc);

/* True when the document is published: read, placed and not a draft. */
bool site_doc_live(const struct site_doc *doc);

/* Record that the page of doc links to target from its source line. */
void site_doc_origin(struct site_doc *doc, const char *target, int line);
/* Forget them, once the page's links are collected (linkcheck). */
void site_doc_forget_origins(struct site_doc *doc);

#endif
