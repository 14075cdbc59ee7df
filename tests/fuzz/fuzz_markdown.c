/*
 * Markdown to gemtext (Hexo tags expanded first) on arbitrary bodies:
 * never a crash, a hang or a leak, and what comes out is gemtext as
 * protocols.md section 4 wants it: valid UTF-8, LF line endings, no CR.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "post.h"
#include "url.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Resolve every link to a fixed URL half the time, to run both paths. */
static char *
link_cb(void *ctx, const char *href, int line, struct diag_list *d)
{
	(void)ctx, (void)line, (void)d;
	return strlen(href) % 2 ? xstrdup("/resolved/") : NULL;
}

static char *
asset_cb(void *ctx, const char *name, int line, struct diag_list *d)
{
	struct buf b = BUF_INIT;

	(void)ctx, (void)line, (void)d;
	buf_puts(&b, "/assets/");
	url_encode(&b, name, strlen(name), "/");
	return buf_detach(&b, NULL);
}

static char *
post_cb(
    void *ctx, const char *slug, char **title, int line, struct diag_list *d)
{
	(void)ctx, (void)line, (void)d, (void)slug;
	*title = xstrdup("A post");
	return xstrdup("/2021/12/31/post/");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct render_opts opts;
	struct render_result res;
	struct diag_list d = {0};

	memset(&opts, 0, sizeof(opts));
	memset(&res, 0, sizeof(res));
	opts.asset_stem = "post";
	opts.expand_tags = size > 0 && data[0] % 2;
	opts.join_soft_breaks = size > 0 && data[0] % 4 >= 2;
	opts.first_line = 1;
	opts.links.link = link_cb;
	opts.links.asset = asset_cb;
	opts.links.post = post_cb;
	if (render_post((const char *)data, size, &opts, &res, &d) == 0) {
		assert(utf8_valid(res.gemtext.data, res.gemtext.len));
		assert(res.gemtext.len == 0 ||
		    memchr(res.gemtext.data, '\r', res.gemtext.len) == NULL);
		assert(res.excerpt_len <= res.gemtext.len);
	}
	render_result_free(&res);
	diag_free(&d);
	return 0;
}
