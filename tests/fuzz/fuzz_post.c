/*
 * libFuzzer harness: any bytes through the front-matter reader and the
 * Markdown renderer, with callbacks like the site builder's (they return
 * new URLs and add warnings). Built and run by tests/fuzz/fuzz.sh (make fuzz).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "post.h"
#include "utf8.h"

static char *
fz_link(void *ctx, const char *href, int line, struct diag_list *d)
{
	(void)ctx;
	if (href[0] == '/') {
		char *u = malloc(strlen(href) + 10);

		sprintf(u, "%sindex.gmi", href);
		return u;
	}
	if (line % 7 == 0)
		diag_add(d, line, false, "a warning from link()");
	return NULL;
}

static char *
fz_asset(void *ctx, const char *name, int line, struct diag_list *d)
{
	char *u = malloc(strlen(name) + 2);

	(void)ctx;
	(void)line;
	(void)d;
	sprintf(u, "/%s", name);
	return u;
}

static char *
fz_post(
    void *ctx, const char *slug, char **title, int line, struct diag_list *d)
{
	(void)ctx;
	(void)line;
	(void)d;
	if (slug[0] == 'a')
		*title = strdup("A title");
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list d = {NULL, 0, 0};
	struct post_meta meta;
	struct render_opts o;
	struct render_result res;
	const char *body;
	size_t body_len;

	if (frontmatter_parse((const char *)data, size, 540, &meta, &body,
		&body_len, &d) == 0) {
		memset(&o, 0, sizeof(o));
		o.asset_stem = "post";
		o.join_soft_breaks = size % 2;
		o.expand_tags = !meta.disable_nunjucks;
		o.first_line = meta.body_line;
		o.links.link = fz_link;
		o.links.asset = fz_asset;
		o.links.post = fz_post;
		render_post(body, body_len, &o, &res, &d);
		/* the output promises: valid UTF-8, a final newline when not
		 * empty */
		if (!utf8_valid(res.gemtext.data ? res.gemtext.data : "",
			res.gemtext.len))
			abort();
		if (res.gemtext.len &&
		    res.gemtext.data[res.gemtext.len - 1] != '\n')
			abort();
		render_result_free(&res);
	}
	post_meta_free(&meta);
	diag_free(&d);
	return 0;
}
