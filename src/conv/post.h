/*
 * post: one Markdown post, from its file's bytes to a gemtext body.
 *
 * Two steps, both pure (no file system access): frontmatter_parse() reads
 * the metadata, render_post() turns the Markdown body into gemtext. The
 * site builder (site.c) owns everything around a post: permalinks, assets,
 * the page frame (title, date line, footer), series, indexes.
 */
#ifndef CANYON_POST_H
#define CANYON_POST_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "diag.h"

struct category_path {
	char **names; /* hierarchy, top first: {"기타", "잡동사니"} */
	size_t n;
};

struct post_meta {
	char *title; /* NULL when absent */
	bool has_date;
	time_t date; /* UTC */
	int date_tz; /* minutes east of UTC of the written (or site) zone;
			the permalink's year/month/day are local to it */
	bool has_updated;
	time_t updated;
	int updated_tz;
	char **tags;
	size_t ntags;
	struct category_path *categories;
	size_t ncategories;
	char *permalink; /* front matter permalink, or NULL */
	char *lang; /* or NULL */
	char *excerpt; /* front matter excerpt, or NULL */
	bool published; /* false for `published: false` or `draft: true` */
	bool disable_nunjucks; /* Hexo tags left alone */
	bool has_front_matter;
	int body_line; /* 1-based file line where the body starts */
	/* The strings are borrowed, only the arrays owned (restored from the
	 * cache, they are read in place: see cache_restore()); else every
	 * string is owned. post_meta_free() frees what is owned. */
	bool borrowed;
};

/*
 * Split text[0..len) into front matter and body and read the metadata.
 * site_tz (minutes east of UTC) applies to dates written without a zone.
 * *body points into text. Problems are added to d with file line numbers;
 * returns -1 when the post cannot be used (it is then an error in d), else 0.
 * The caller frees meta with post_meta_free().
 */
int frontmatter_parse(const char *text, size_t len, int site_tz,
    struct post_meta *meta, const char **body, size_t *body_len,
    struct diag_list *d);
void post_meta_free(struct post_meta *meta);

/*
 * How the renderer turns what a post points at into URLs. Each callback
 * returns a newly allocated URL for the gemtext (the renderer frees it),
 * or NULL to keep the target as written. They may add warnings to d.
 */
struct render_links {
	/* Any link or bare URL written in the post (href as written,
	 * entities decoded; a bare URL without the non-ASCII tail md4c
	 * gives it), and images with an absolute or root-relative URL.
	 * Rewrites the blog's own permalinks to pages. */
	char *(*link)(
	    void *ctx, const char *href, int line, struct diag_list *d);
	/* A file of the post's asset folder: images with a relative path,
	 * asset_img/_link/_path. name is relative to the asset folder,
	 * percent-decoded: "photo.jpeg", "./photo.jpeg" and
	 * "<asset_stem>/photo.jpeg" all give "photo.jpeg"; a path with
	 * ".." goes to link() instead. */
	char *(*asset)(
	    void *ctx, const char *name, int line, struct diag_list *d);
	/* {% post_link slug %} / post_path: *title receives the post's title
	 * (allocated, freed by the renderer) for a label when the tag gives
	 * none; left NULL, the slug is the label. */
	char *(*post)(void *ctx, const char *slug, char **title, int line,
	    struct diag_list *d);
	void *ctx;
};

struct render_opts {
	const char *asset_stem; /* post file name without ".md" */
	bool join_soft_breaks; /* join soft-wrapped lines (default: keep) */
	bool expand_tags; /* Hexo {% %} tags (false: disableNunjucks) */
	const char *lang; /* of the words the renderer adds (labels_for()) */
	int first_line; /* file line of the body's first line */
	struct render_links links;
	/* A buffer whose storage res->gemtext takes (emptied first; the
	 * buffer is left empty), so that the body goes into memory a
	 * previous one used; NULL: res->gemtext allocates its own. */
	struct buf *storage;
};

/* A list item that links inside the blog: the series navigation. */
struct series_item {
	char *label; /* the item's text */
	char *href; /* the link as written (a root-relative path), NULL
		       for the item without one (the current post) */
	int line; /* file line of the item */
};

struct render_result {
	struct buf gemtext; /* the body, no title or footer */
	size_t
	    excerpt_len; /* bytes of gemtext before <!-- more -->, 0 if none */
	struct series_item *series; /* the first list with at least two items
				       that are nothing but a link to a
				       root-relative path, and no item that
				       mixes text and links; or NULL */
	size_t nseries;
	/* The series items' strings are borrowed, the array owned (as
	 * post_meta.borrowed); render_result_free() frees what is owned. */
	bool borrowed;
};

/* Bodies larger than this are refused with an error (a post is text; a
 * bigger file is a mistake, and refusing it keeps a build fast). */
#define RENDER_MAX_BYTES (16u << 20)

/*
 * Render the Markdown body md[0..len) as gemtext (rules: issue 3 and
 * conversion.md). Returns 0, or -1 when it added an error to d; res then
 * holds what could be rendered (empty when nothing could). The caller
 * frees res with render_result_free(), also after a failure.
 *
 * Errors: a body over RENDER_MAX_BYTES, a NUL byte (a binary file), an
 * unclosed {% raw %} or block tag. Warnings: invalid UTF-8 (the bytes are
 * replaced with U+FFFD, one warning for the post), an unknown tag (kept
 * as text), an unclosed code fence, an empty body. Hexo tags are expanded
 * first when opts->expand_tags (hexotag.h lists their gemtext forms).
 *
 * Output: LF line endings, a final newline, valid UTF-8. Blocks are
 * separated by one blank line; a block's inline links follow it as link
 * lines. Strikethrough is not parsed (tildes stay as written: Korean
 * ranges such as 3~4 would pair up); a table becomes a preformatted block
 * with the alt text "table"; links to "#fragment" keep only their text.
 * Lines of text that would read as gemtext markup get a leading space.
 */
int render_post(const char *md, size_t len, const struct render_opts *opts,
    struct render_result *res, struct diag_list *d);
void render_result_free(struct render_result *res);

#endif
