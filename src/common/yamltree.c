#include "yamltree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "buf.h"

#define MAX_DEPTH 32
#define MAX_NODES 100000

struct builder {
	struct ynode *stack[MAX_DEPTH + 1]; /* open lists and maps */
	struct ynode *last[MAX_DEPTH + 1]; /* last child of each */
	char *pending_key[MAX_DEPTH + 1]; /* maps: key waiting for a value */
	int pending_line[MAX_DEPTH + 1]; /* and the line it is on */
	int depth;
	size_t nodes;
	struct ynode *root;
};

static void
add_child(struct builder *b, struct ynode *n)
{
	struct ynode *parent = b->stack[b->depth];

	if (parent->kind == YNODE_MAP) {
		n->key = b->pending_key[b->depth];
		n->line = b->pending_line[b->depth];
		b->pending_key[b->depth] = NULL;
	}
	if (b->last[b->depth])
		b->last[b->depth]->next = n;
	else
		parent->child = n;
	b->last[b->depth] = n;
}

/* Returns 0 or -1 with err filled. */
static int
on_event(struct builder *b, const yaml_event_t *ev, char *err, size_t errlen)
{
	int line = (int)ev->start_mark.line + 1;
	struct ynode *n;
	enum ynode_kind kind;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		snprintf(err, errlen, "%d: aliases are not supported", line);
		return -1;
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.anchor) {
			snprintf(
			    err, errlen, "%d: anchors are not supported", line);
			return -1;
		}
		if (b->depth < 0) {
			/* A document that is a lone scalar: treat as empty map
			 * only when it is empty, refuse otherwise. */
			if (ev->data.scalar.length == 0)
				return 0;
			snprintf(err, errlen, "%d: expected a mapping", line);
			return -1;
		}
		if (b->stack[b->depth]->kind == YNODE_MAP &&
		    b->pending_key[b->depth] == NULL) {
			b->pending_key[b->depth] =
			    xstrndup((const char *)ev->data.scalar.value,
				ev->data.scalar.length);
			b->pending_line[b->depth] = line;
			return 0;
		}
		n = xcalloc(1, sizeof(*n));
		n->kind = YNODE_SCALAR;
		n->value = xstrndup((const char *)ev->data.scalar.value,
		    ev->data.scalar.length);
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->line = line;
		add_child(b, n);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		kind = ev->type == YAML_MAPPING_START_EVENT ? YNODE_MAP
							    : YNODE_LIST;
		if ((kind == YNODE_MAP && ev->data.mapping_start.anchor) ||
		    (kind == YNODE_LIST && ev->data.sequence_start.anchor)) {
			snprintf(
			    err, errlen, "%d: anchors are not supported", line);
			return -1;
		}
		if (b->depth + 1 > MAX_DEPTH) {
			snprintf(err, errlen, "%d: nested too deeply", line);
			return -1;
		}
		if (b->depth >= 0 && b->stack[b->depth]->kind == YNODE_MAP &&
		    b->pending_key[b->depth] == NULL) {
			snprintf(
			    err, errlen, "%d: a key must be a scalar", line);
			return -1;
		}
		n = xcalloc(1, sizeof(*n));
		n->kind = kind;
		n->line = line;
		if (b->depth < 0) {
			if (kind != YNODE_MAP) {
				snprintf(err, errlen, "%d: expected a mapping",
				    line);
				free(n);
				return -1;
			}
			b->root = n;
		} else {
			add_child(b, n);
		}
		b->depth++;
		b->stack[b->depth] = n;
		b->last[b->depth] = NULL;
		b->pending_key[b->depth] = NULL;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		free(b->pending_key[b->depth]);
		b->pending_key[b->depth] = NULL;
		b->depth--;
		break;
	default:
		return 0;
	}
	if (++b->nodes > MAX_NODES) {
		snprintf(err, errlen, "%d: too many nodes", line);
		return -1;
	}
	return 0;
}

struct ynode *
ynode_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct builder b;
	yaml_parser_t parser;
	yaml_event_t ev;
	int done = 0, failed = 0, docs = 0;

	memset(&b, 0, sizeof(b));
	b.depth = -1;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "1: cannot initialise the YAML parser");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && !failed) {
		if (!yaml_parser_parse(&parser, &ev)) {
			snprintf(err, errlen, "%zu: %s%s%s",
			    parser.problem_mark.line + 1,
			    parser.problem ? parser.problem : "invalid YAML",
			    parser.context ? " " : "",
			    parser.context ? parser.context : "");
			failed = 1;
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			snprintf(err, errlen, "%zu: more than one document",
			    ev.start_mark.line + 1);
			failed = 1;
		} else if (on_event(&b, &ev, err, errlen) == -1) {
			failed = 1;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	for (; b.depth >= 0; b.depth--)
		free(b.pending_key[b.depth]);
	if (failed) {
		ynode_free(b.root);
		return NULL;
	}
	if (b.root == NULL) {
		b.root = xcalloc(1, sizeof(*b.root));
		b.root->kind = YNODE_MAP;
		b.root->line = 1;
	}
	return b.root;
}

void
ynode_free(struct ynode *n)
{
	while (n) {
		struct ynode *next = n->next;
		ynode_free(n->child);
		free(n->key);
		free(n->value);
		free(n);
		n = next;
	}
}

const struct ynode *
ynode_get(const struct ynode *map, const char *key)
{
	const struct ynode *c, *found = NULL;

	if (map == NULL || map->kind != YNODE_MAP)
		return NULL;
	for (c = map->child; c; c = c->next)
		if (c->key && strcmp(c->key, key) == 0)
			found = c;
	return found;
}

const char *
ynode_str(const struct ynode *map, const char *key, const char *def)
{
	const struct ynode *n = ynode_get(map, key);

	return n && n->kind == YNODE_SCALAR ? n->value : def;
}

size_t
ynode_count(const struct ynode *n)
{
	size_t c = 0;

	for (n = n ? n->child : NULL; n; n = n->next)
		c++;
	return c;
}

int
ynode_bool(const char *s, bool *out)
{
	static const char *yes[] = {"true", "yes", "on"};
	static const char *no[] = {"false", "no", "off"};

	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = true, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}
