/*
 * The YAML tree reader (canyon.yaml and posts' front matter) on arbitrary
 * text: it must return a tree or an error, never crash, loop or leak, and
 * a returned tree must be walkable.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "yamltree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
walk(const struct ynode *n, int depth)
{
	size_t count = 1;

	assert(depth < 1000);
	if (n->kind == YNODE_SCALAR)
		assert(n->value != NULL && n->child == NULL);
	for (n = n->child; n; n = n->next)
		count += walk(n, depth + 1);
	return count;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct ynode *root;
	bool b;

	err[0] = '\0';
	root = ynode_parse((const char *)data, size, err, sizeof(err));
	if (root == NULL) {
		assert(err[0] != '\0');
		return 0;
	}
	(void)walk(root, 0);
	(void)ynode_str(root, "title", NULL);
	(void)ynode_bool(ynode_str(root, "draft", "no"), &b);
	ynode_free(root);
	return 0;
}
