/*
 * permalink: where a post lives, following Hexo's rules.
 *
 * Hexo publishes a post at its `permalink` pattern (default
 * ":year/:month/:day/:title/"), with the date taken in the site's time
 * zone and :title the file name under source/_posts without ".md" (and
 * without the date prefix that new_post_name adds). canyon puts the
 * Gemini page at the same path, so every web link has its twin.
 * All paths here are decoded (UTF-8 as written); callers percent-encode
 * them when they write a link.
 */
#ifndef CANYON_PERMALINK_H
#define CANYON_PERMALINK_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define PERMALINK_DEFAULT ":year/:month/:day/:title/"

/*
 * The :title of a post from its file stem. When new_post_name (Hexo's
 * option, e.g. ":year-:month-:day-:title.md") starts with a date, a stem
 * that starts with "YYYY-MM-DD-" loses that prefix. Returns a new string.
 */
char *permalink_slug(const char *stem, const char *new_post_name);

struct permalink_vars {
	const char *title; /* the slug */
	time_t date; /* UTC */
	int tz_minutes; /* minutes east of UTC the date is local to */
	const char *category; /* "parent/child" of the post's first category,
				 or NULL for Hexo's "uncategorized" */
};

/*
 * Expand pattern into out as a root-relative path starting with '/'.
 * Variables: :year :month :day :i_month :i_day :hour :minute :second
 * :title :name :category. Returns 0, or -1 with a static reason for an
 * unknown variable or an empty result.
 */
int permalink_expand(const char *pattern, const struct permalink_vars *v,
    struct buf *out, const char **reason);

/*
 * The file of the Gemini page for a permalink path (relative, no leading
 * '/'), and in *url the path readers use: "/a/b/" -> "a/b/index.gmi" and
 * "/a/b/"; "/a/b.html" -> "a/b.gmi" and "/a/b.gmi"; "/a/b" -> "a/b/index.gmi"
 * and "/a/b/". Both are new strings.
 */
char *permalink_page_file(const char *permalink, char **url);

#endif
