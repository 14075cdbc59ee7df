/* search_build() apart from search.c, so that the index links without
 * the store (its unit test builds one from plain pages). */
#include "search.h"

#include <string.h>

struct search_index *
search_build(const struct store *st)
{
	struct search_index *idx = search_new();
	size_t i, n = store_count(st);

	for (i = 0; i < n; i++) {
		const struct store_entry *e = store_at(st, i);
		if (e->is_dir || e->data == NULL || e->mime == NULL ||
		    strcmp(e->mime, "text/gemini") != 0)
			continue;
		search_add(idx, e->path, e->data, e->size);
	}
	return idx;
}
