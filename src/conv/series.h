/*
 * series: previous and next posts of a multi-part series.
 *
 * A post's series navigation list (render_result.series) links its
 * siblings by permalink; the item without a link is the post itself.
 * Posts linked by such lists form one series, ordered as the longest of
 * their lists gives them (members no list orders follow, oldest first).
 */
#ifndef CANYON_SERIES_H
#define CANYON_SERIES_H

#include "site.h"

/* Set prev/next of every live post of a series; needs rendered posts. */
void series_link(struct site *s);

#endif
