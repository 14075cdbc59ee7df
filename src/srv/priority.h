/*
 * priority: how much a request matters when the server must shed load.
 *
 * Classified as soon as the request line is parsed, from the decoded URL
 * path and the size of what it names (known from the in-memory store, so
 * no file is touched):
 *   PRIO_PAGE   gemtext pages and the home page (what readers come for)
 *   PRIO_LIGHT  feeds, search and small files
 *   PRIO_HEAVY  large assets such as images
 *   PRIO_OVER   any request from a client over its per-address budget
 * Lower values matter more. Patterns are fnmatch(3) globs on the path
 * ("*" also matches "/"), tried in the order page, light, heavy; a path
 * matching none is heavy when its size reaches heavy_size, else light.
 */
#ifndef CANYON_PRIORITY_H
#define CANYON_PRIORITY_H

#include <stdbool.h>
#include <stddef.h>

enum priority { PRIO_PAGE, PRIO_LIGHT, PRIO_HEAVY, PRIO_OVER, PRIO_COUNT };

struct priority_rules {
	char **page; /* NULL-terminated lists of patterns, owned */
	char **light;
	char **heavy;
	size_t heavy_size; /* bytes from which an unmatched file is heavy */
};

/* Fill r with the defaults documented in canyon.yaml. */
void priority_rules_default(struct priority_rules *r);
/* Replace one list (page, light or heavy) by a copy of the patterns. */
void priority_rules_set(char ***list, const char *const *patterns, size_t n);
void priority_rules_free(struct priority_rules *r);

/*
 * The priority of a request for path[0..len) (decoded, starting with '/')
 * naming something of size bytes (size_known false when the path names
 * nothing known, e.g. a search or a missing page). over_budget forces
 * PRIO_OVER.
 */
enum priority priority_classify(const struct priority_rules *r,
    const char *path, size_t len, bool size_known, size_t size,
    bool over_budget);

/* "page", "light", "heavy", "over". */
const char *priority_name(enum priority p);

#endif
