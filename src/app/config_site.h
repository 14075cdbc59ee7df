/*
 * config_site: the converter's part of canyon.yaml.
 *
 * Top-level `source` (the Hexo site, default "capsule") and `output` (the
 * capsule, default "public"), and the `site:` section. A key missing from
 * `site:` is taken from the Hexo site's own _config.yml when the source
 * is a Hexo site (title, subtitle, description as intro, author, url,
 * timezone, permalink, new_post_name, language), else from the defaults
 * documented in canyon.yaml.
 */
#ifndef CANYON_CONFIG_SITE_H
#define CANYON_CONFIG_SITE_H

#include <stddef.h>

#include "config.h"
#include "site.h"

struct site_settings {
	char *source; /* resolved against the config's folder */
	char *output;
	struct site_config site;
};

/* 0, or -1 with err set to "FILE:LINE: message". Free with
 * site_settings_free(). */
int config_site(const struct config *cfg, struct site_settings *out, char *err,
    size_t errlen);
void site_settings_free(struct site_settings *s);

/* Minutes east of UTC of a zone written as "+09:00", "-0530", "Z", "UTC"
 * or an IANA name ("Asia/Seoul", its offset now). 0, or -1 if unknown. */
int config_parse_tz(const char *s, int *minutes);

#endif
