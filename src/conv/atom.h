/*
 * atom: the capsule's Atom feed (RFC 4287) at /atom.xml.
 *
 * Links and ids are absolute gemini:// URLs under site.gemini_base (a
 * post's id is its page URL, stable while its permalink is), dates are
 * RFC 3339 in the post's zone. The newest ATOM_ENTRIES posts are listed.
 */
#ifndef CANYON_ATOM_H
#define CANYON_ATOM_H

#include "buf.h"
#include "site.h"

#define ATOM_ENTRIES 50

/* Append the feed to out. now is used as <updated> of an empty feed. */
void atom_render(const struct site *s, time_t now, struct buf *out);

/* Append t as RFC 3339 in the zone tz (minutes east of UTC). */
void atom_format_time(struct buf *out, time_t t, int tz);

#endif
