/*
 * frontmatter: helpers of frontmatter_parse() (declared in post.h) that the
 * site builder and the tests use on their own.
 */
#ifndef CANYON_FRONTMATTER_H
#define CANYON_FRONTMATTER_H

#include <time.h>

/*
 * Parse a front-matter date: "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]", ISO 8601
 * with 'T', fractional seconds, and a zone ("Z", "+09:00", "+0900").
 * Without a zone the date is in site_tz (minutes east of UTC). Stores the
 * UTC time in *t and the zone used in *tz. Returns 0, or -1 when s is not
 * such a date (or names a day that does not exist).
 */
int fm_parse_date(const char *s, int site_tz, time_t *t, int *tz);

#endif
