/*
 * hexotag: Hexo's {% name args %} tags, expanded into Markdown before the
 * Markdown parser runs (as Hexo does with Nunjucks).
 *
 * Each tag becomes the Markdown that renders to its gemtext form: media
 * and links become a link on its own (the renderer turns a line made of
 * one link into a link line in place), quotes become "> " lines, code
 * becomes a fenced block. Targets the renderer must resolve through its
 * callbacks use two private URL schemes:
 *   canyon-asset:NAME   a file of the post's asset folder (asset_img,
 *                       asset_link, asset_path)
 *   canyon-post:SLUG    another post (post_link, post_path); the link text
 *                       is empty when the tag gives no label
 * Tags inside fenced code blocks and inline code spans are left alone,
 * and so is everything between {% raw %} and {% endraw %}.
 */
#ifndef CANYON_HEXOTAG_H
#define CANYON_HEXOTAG_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "diag.h"
#include "page.h"

#define HEXOTAG_ASSET_SCHEME "canyon-asset:"
#define HEXOTAG_POST_SCHEME "canyon-post:"

/* Which source line each line of the expanded text came from, as runs:
 * from expanded line runs[k].out on, file line runs[k].line, plus step
 * (0 or 1) per line; copied text is one run however many lines it has. */
struct line_run {
	size_t out;
	int line, step;
};
struct line_map {
	struct line_run *runs;
	size_t nruns, cap;
	size_t n; /* expanded lines mapped */
};
#define LINE_MAP_INIT                                                          \
	{                                                                      \
		NULL, 0, 0, 0                                                  \
	}

/* Whether md[0..len) holds "{%", the start of a tag (hexotag_expand()
 * appends nothing when it does not). */
bool hexotag_present(const char *md, size_t len);

/*
 * Expand the tags of md[0..len), whose first line is file line first_line,
 * appending the result to out and one entry per output line to map. The
 * labels of video links are in the words of `words` (labels_for()).
 * When md holds no "{%" at all, nothing is appended (md is its own
 * expansion, its line i is file line first_line + i). Unknown tags are
 * warnings and stay as text; an unclosed {% raw %} or block tag is an
 * error (its content is kept as text); an unclosed code fence is a
 * warning. Returns the number of errors added to d.
 */
size_t hexotag_expand(const char *md, size_t len, int first_line,
    const struct labels *words, struct buf *out, struct line_map *map,
    struct diag_list *d);

/* The file line of expanded line i (0-based), clamped to the map. */
int line_map_get(const struct line_map *map, size_t i);
void line_map_free(struct line_map *map);

/*
 * Split a tag's argument text into words: whitespace separates, single or
 * double quotes group (and are removed). Returns the count; *argv is an
 * allocated array of allocated strings freed with hexotag_args_free().
 */
size_t hexotag_split_args(const char *s, size_t n, char ***argv);
void hexotag_args_free(char **argv, size_t argc);

#endif
