/*
 * config_limits: the `limits:` section of canyon.yaml (load shedding,
 * per-address budgets, connection caps). Every key and its default is
 * documented in canyon.yaml.
 */
#ifndef CANYON_CONFIG_LIMITS_H
#define CANYON_CONFIG_LIMITS_H

#include <stddef.h>

#include "config.h"
#include "admission.h"

/*
 * Fill out from cfg's `limits:` section over the defaults. Returns 0, or -1
 * with err set to "FILE:LINE: message". Free out with limits_conf_free()
 * either way.
 */
int config_limits(const struct config *cfg, struct limits_conf *out, char *err,
    size_t errlen);

#endif
