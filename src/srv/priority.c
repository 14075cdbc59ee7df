#include "priority.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* A request path is at most 1024 bytes; longer ones never match. */
#define PRIORITY_PATH_MAX 1024

static const char *const default_page[] = {
    "/", "*/", "*.gmi", "*.gemini", NULL};
static const char *const default_light[] = {
    "*.xml", "*.atom", "*.txt", "/search", "/search/*", NULL};
static const char *const default_heavy[] = {"*.jpg", "*.jpeg", "*.png", "*.gif",
    "*.webp", "*.svg", "*.mp3", "*.mp4", "*.pdf", NULL};

static size_t
count(const char *const *list)
{
	size_t n = 0;

	while (list[n])
		n++;
	return n;
}

void
priority_rules_set(char ***list, const char *const *patterns, size_t n)
{
	char **copy = xcalloc(n + 1, sizeof(*copy));
	size_t i;

	for (i = 0; i < n; i++)
		copy[i] = xstrdup(patterns[i]);
	if (*list) {
		for (i = 0; (*list)[i]; i++)
			free((*list)[i]);
		free(*list);
	}
	*list = copy;
}

void
priority_rules_default(struct priority_rules *r)
{
	memset(r, 0, sizeof(*r));
	priority_rules_set(&r->page, default_page, count(default_page));
	priority_rules_set(&r->light, default_light, count(default_light));
	priority_rules_set(&r->heavy, default_heavy, count(default_heavy));
	r->heavy_size = 64 * 1024;
}

static void
free_list(char **list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; list[i]; i++)
		free(list[i]);
	free(list);
}

void
priority_rules_free(struct priority_rules *r)
{
	free_list(r->page);
	free_list(r->light);
	free_list(r->heavy);
	memset(r, 0, sizeof(*r));
}

static bool
matches(char *const *list, const char *path)
{
	size_t i;

	for (i = 0; list && list[i]; i++)
		if (fnmatch(list[i], path, 0) == 0)
			return true;
	return false;
}

enum priority
priority_classify(const struct priority_rules *r, const char *path, size_t len,
    bool size_known, size_t size, bool over_budget)
{
	char p[PRIORITY_PATH_MAX + 1];

	if (over_budget)
		return PRIO_OVER;
	/* fnmatch needs a C string; a NUL inside the path ends the match
	 * early, which can only make it match less. */
	if (len <= PRIORITY_PATH_MAX) {
		memcpy(p, path, len);
		p[len] = '\0';
		if (matches(r->page, p))
			return PRIO_PAGE;
		if (matches(r->light, p))
			return PRIO_LIGHT;
		if (matches(r->heavy, p))
			return PRIO_HEAVY;
	}
	if (size_known && size >= r->heavy_size)
		return PRIO_HEAVY;
	return PRIO_LIGHT;
}

const char *
priority_name(enum priority p)
{
	static const char *const names[PRIO_COUNT] = {
	    "page", "light", "heavy", "over"};

	return (unsigned)p < PRIO_COUNT ? names[p] : "?";
}
