/*
 * build_report: how canyon build and canyon check run and print a build.
 *
 * Every problem as "file:line: message" ("file:line: error: message" for
 * an error) on stderr, and a progress line on a terminal; the summary is
 * the command's.
 */
#ifndef CANYON_BUILD_REPORT_H
#define CANYON_BUILD_REPORT_H

#include <stdbool.h>

#include "build.h"
#include "config.h"
#include "config_site.h"

/*
 * Read the site settings of cfg into set and build that site with the
 * flags of flags (dry_run, use_cache, exiting; its other fields are not
 * read), reporting its problems as above (quiet: errors only). Returns 0
 * with st filled, or -1 with err set. The caller frees set with
 * site_settings_free() either way.
 */
int build_report_run(const struct config *cfg, bool quiet,
    const struct build_opts *flags, struct site_settings *set,
    struct build_stats *st, char *err, size_t errlen);

#endif
