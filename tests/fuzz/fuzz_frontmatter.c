/*
 * The front-matter reader on arbitrary post files: metadata or an error
 * with a line number, never a crash, a hang or a leak; the body it returns
 * lies inside the input.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "post.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *body = NULL;
	struct post_meta meta;
	struct diag_list d = {0};
	size_t body_len = 0, i;
	int rc;

	memset(&meta, 0, sizeof(meta));
	rc = frontmatter_parse(text, size, 540, &meta, &body, &body_len, &d);
	if (rc == 0) {
		assert(body != NULL && body >= text &&
		    body + body_len <= text + size);
		assert(meta.body_line >= 1);
	} else {
		assert(diag_errors(&d) > 0);
	}
	for (i = 0; i < d.n; i++)
		assert(d.v[i].msg != NULL && d.v[i].line >= 0);
	post_meta_free(&meta);
	diag_free(&d);
	return 0;
}
