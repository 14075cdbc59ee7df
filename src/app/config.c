#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "path.h"

#define CONFIG_MAX_SIZE (1024 * 1024)

int
config_load(const char *file, struct config *cfg, char *err, size_t errlen)
{
	char yerr[512], *text, *slash;
	size_t len;

	memset(cfg, 0, sizeof(*cfg));
	if (file == NULL) {
		if (access(CONFIG_DEFAULT_FILE, F_OK) == 0) {
			file = CONFIG_DEFAULT_FILE;
		} else {
			cfg->dir = xstrdup(".");
			cfg->root = ynode_parse("", 0, yerr, sizeof(yerr));
			return 0;
		}
	}
	if ((text = path_read_file(file, CONFIG_MAX_SIZE, &len)) == NULL) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	cfg->root = ynode_parse(text, len, yerr, sizeof(yerr));
	free(text);
	if (cfg->root == NULL) {
		snprintf(err, errlen, "%s:%s", file, yerr);
		return -1;
	}
	cfg->file = xstrdup(file);
	if ((slash = strrchr(file, '/')) != NULL)
		cfg->dir =
		    xstrndup(file, (size_t)(slash - file) + (slash == file));
	else
		cfg->dir = xstrdup(".");
	return 0;
}

void
config_free(struct config *cfg)
{
	ynode_free(cfg->root);
	free(cfg->file);
	free(cfg->dir);
	memset(cfg, 0, sizeof(*cfg));
}

int
config_check_keys(const struct config *cfg, const struct ynode *map,
    const char *section, const char *const *known, char *err, size_t errlen)
{
	const struct ynode *c;
	size_t i;

	if (map == NULL)
		return 0;
	if (map->kind != YNODE_MAP) {
		snprintf(err, errlen, "%s:%d: '%s' must be a mapping",
		    cfg->file ? cfg->file : "(defaults)", map->line, section);
		return -1;
	}
	for (c = map->child; c; c = c->next) {
		for (i = 0; known[i]; i++)
			if (strcmp(c->key, known[i]) == 0)
				break;
		if (known[i] == NULL) {
			snprintf(err, errlen, "%s:%d: unknown key '%s' in %s",
			    cfg->file ? cfg->file : "(defaults)", c->line,
			    c->key, section);
			return -1;
		}
	}
	return 0;
}

char *
config_path(const struct config *cfg, const char *p)
{
	if (p[0] == '/' || strcmp(cfg->dir, ".") == 0)
		return xstrdup(p);
	return path_join(cfg->dir, p);
}
