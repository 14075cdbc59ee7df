#include "search.h"

#include <stdlib.h>

struct search_index {
	const struct store *st;
};

struct search_index *
search_build(const struct store *st)
{
	struct search_index *idx = xcalloc(1, sizeof(*idx));

	idx->st = st;
	return idx;
}

void
search_free(struct search_index *idx)
{
	free(idx);
}

void
search_gemtext(const struct search_index *idx, const char *query, size_t len,
    struct buf *out)
{
	(void)idx, (void)query, (void)len;
	buf_puts(out, "# Search\n\nSearch is not available yet.\n");
}
