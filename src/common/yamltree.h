/*
 * yamltree: a small YAML document as a tree of maps, lists and scalars.
 *
 * Built on libyaml's event API with limits on depth and node count, for the
 * two kinds of YAML canyon reads: canyon.yaml and posts' front matter.
 * Anchors and aliases are refused (neither needs them, and aliases can make
 * a cycle). Every scalar stays a string; the caller interprets it, using
 * `plain` to tell `2021` from `"2021"`.
 */
#ifndef CANYON_YAMLTREE_H
#define CANYON_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>

enum ynode_kind { YNODE_SCALAR, YNODE_LIST, YNODE_MAP };

struct ynode {
	enum ynode_kind kind;
	char *key; /* the key when the parent is a map, else NULL */
	char *value; /* scalars only */
	bool plain; /* scalar written without quotes or block style */
	int line; /* 1-based line: of its key in a map, else of the node */
	struct ynode *child; /* first child of a list or map */
	struct ynode *next; /* next sibling */
};

/*
 * Parse text[0..len). An empty document gives an empty map. Returns the
 * root, which the caller frees with ynode_free(), or NULL and fills
 * err with "LINE: message" (line 1-based within text).
 */
struct ynode *ynode_parse(
    const char *text, size_t len, char *err, size_t errlen);
void ynode_free(struct ynode *n);

/* The child of a map with this key (the last one if repeated), or NULL. */
const struct ynode *ynode_get(const struct ynode *map, const char *key);
/* The value of a scalar child, or def when absent or not a scalar. */
const char *ynode_str(
    const struct ynode *map, const char *key, const char *def);
/* Number of children of a list or map. */
size_t ynode_count(const struct ynode *n);
/* Parse a YAML boolean (true/false/yes/no/on/off, any case). 0 or -1. */
int ynode_bool(const char *s, bool *out);

#endif
