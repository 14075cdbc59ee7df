/*
 * config: canyon.yaml, read once into a YAML tree.
 *
 * Each part of canyon reads its own section of the tree (config_site.c for
 * the converter's options, config_server.c for the server's), so this
 * module knows only how to find and load the file.
 */
#ifndef CANYON_CONFIG_H
#define CANYON_CONFIG_H

#include <stddef.h>

#include "yamltree.h"

#define CONFIG_DEFAULT_FILE "canyon.yaml"

struct config {
	char *file; /* the file read, or NULL for built-in defaults */
	char *dir; /* folder relative paths in the file start from */
	struct ynode *root; /* the whole document, a map */
};

/*
 * Load file, or when file is NULL ./canyon.yaml if it exists and built-in
 * defaults otherwise. Returns 0, or -1 with err set to "FILE:LINE: message".
 * The caller frees cfg with config_free().
 */
int config_load(const char *file, struct config *cfg, char *err, size_t errlen);
void config_free(struct config *cfg);

/*
 * Refuse keys of map that are not in known (a NULL-terminated list): a typo
 * in the config must stop the start, not be silently ignored.
 * Returns 0, or -1 with err set to "FILE:LINE: unknown key 'k' in SECTION".
 */
int config_check_keys(const struct config *cfg, const struct ynode *map,
    const char *section, const char *const *known, char *err, size_t errlen);

/* Resolve a path from the config against cfg->dir. The caller frees. */
char *config_path(const struct config *cfg, const char *path);

#endif
