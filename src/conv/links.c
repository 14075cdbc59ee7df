#include "links.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "path.h"
#include "url.h"

static char *
encoded(const char *prefix, const char *path)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, prefix);
	site_put_link(&b, path);
	return buf_detach(&b, NULL);
}

/* True when href is an http(s) link whose authority cannot hold the
 * blog's host (site.url's, in any case): site_link_path() would refuse
 * it, with no need to parse it and site.url again. Most links of a post
 * are such (videos, other sites). */
static bool
foreign_web_link(struct links_ctx *ctx, const char *href)
{
	const char *web = ctx->site->cfg->url, *auth;
	size_t alen;
	struct url u;
	const char *reason;

	if (strncmp(href, "https://", 8) == 0)
		auth = href + 8;
	else if (strncmp(href, "http://", 7) == 0)
		auth = href + 7;
	else
		return false;
	if (ctx->host_len == -1) {
		ctx->host_len = -2;
		if (web != NULL &&
		    url_parse(web, strlen(web), &u, &reason) == 0 &&
		    u.host.len < sizeof(ctx->host)) {
			memcpy(ctx->host, u.host.p, u.host.len);
			ctx->host_len = (int)u.host.len;
		}
	}
	if (ctx->host_len == -2)
		return web == NULL;
	alen = strcspn(auth, "/?#");
	for (size_t i = 0; i + (size_t)ctx->host_len <= alen; i++)
		if (strncasecmp(auth + i, ctx->host, (size_t)ctx->host_len) ==
		    0)
			return false;
	return true;
}

/* Record where a URL handed back came from, for the dead-link report:
 * not when it is site.url and a path encoded by site_put_link() (which
 * escapes every space and control character), that is, a plain web link
 * if site.url is one: the link check never looks those up, and they are
 * most of a post's links when its images are on the web. */
static void
note_origin(struct links_ctx *ctx, const char *target, bool on_web, int line)
{
	const char *web = ctx->site->cfg->url;

	if (on_web && ctx->web_plain == 0)
		ctx->web_plain =
		    web && url_is_plain_web(web, strlen(web)) ? 1 : 2;
	if (!on_web || ctx->web_plain != 1)
		site_doc_origin(ctx->doc, target, line);
}

static char *
on_link(void *vctx, const char *href, int line, struct diag_list *d)
{
	struct links_ctx *ctx = vctx;
	const struct site *s = ctx->site;
	struct buf path = BUF_INIT;
	struct site_doc *target;
	char *ret = NULL;

	if (foreign_web_link(ctx, href) ||
	    site_link_path(s, href, &path) != 0) {
		/* Relative links stay as written; the dead-link check needs
		 * their line. */
		if (strchr(href, ':') == NULL && href[0] != '#' &&
		    href[0] != '/')
			note_origin(ctx, href, false, line);
		goto out;
	}
	target = site_find_path(s, path.data, path.len);
	if (target == ctx->doc && href[0] != '/') {
		/* A post's own address on the web: "read the original there".
		 */
		goto out;
	} else if (target != NULL && site_doc_live(target)) {
		ret = encoded("", target->url);
	} else if (strmap_has(&s->statics, buf_cstr(&path)) ||
	    strcmp(buf_cstr(&path), "/") == 0) {
		ret = encoded("", buf_cstr(&path));
	} else {
		diag_add(d, line, false,
		    "link to %s: no such post or page in the blog", href);
		if (href[0] == '/' && s->cfg->url != NULL)
			ret = encoded(s->cfg->url, buf_cstr(&path));
		else
			ret = href[0] == '/' ? NULL
					     : encoded("", buf_cstr(&path));
		note_origin(ctx, ret ? ret : href,
		    href[0] == '/' && s->cfg->url != NULL, LINK_REPORTED);
		goto out;
	}
	note_origin(ctx, ret, false, line);
out:
	buf_free(&path);
	return ret;
}

/* The post's asset folder, percent-encoded, appended to u: encoded once
 * per post and copied after that. */
static void
put_asset_base(struct links_ctx *ctx, struct buf *u)
{
	size_t at = u->len;

	if (ctx->base_len > 0) {
		buf_append(u, ctx->base, ctx->base_len);
		return;
	}
	site_put_link(u, ctx->doc->asset_base);
	if (u->len - at < sizeof(ctx->base)) {
		memcpy(ctx->base, u->data + at, u->len - at);
		ctx->base_len = u->len - at;
	}
}

static char *
on_asset(void *vctx, const char *name, int line, struct diag_list *d)
{
	struct links_ctx *ctx = vctx;
	struct site_doc *doc = ctx->doc;
	const char *web = ctx->site->cfg->url;
	struct buf u = BUF_INIT;
	struct stat st;
	char *file, *ret;
	bool found;

	if (doc->asset_base == NULL)
		return NULL;
	while (name[0] == '/' || (name[0] == '.' && name[1] == '/'))
		name += name[0] == '/' ? 1 : 2;
	if (url_has_dot_segment(name, strlen(name))) {
		diag_add(d, line, false,
		    "asset %s is outside the post's folder", name);
		return NULL;
	}
	/* a post without published assets (most have no folder) needs no
	 * stat per image to know none is there */
	found = false;
	if (doc->nassets > 0) {
		file = path_join(doc->asset_dir, name);
		found = stat(file, &st) == 0 && S_ISREG(st.st_mode);
		free(file);
	}
	if (!found && doc->missing_assets++ == 0)
		doc->first_missing_line = line;
	if (found || web == NULL)
		web = "";
	/* one allocation: room for the base and name all escaped */
	buf_reserve(
	    &u, strlen(web) + 3 * (strlen(doc->asset_base) + strlen(name)));
	buf_puts(&u, web);
	put_asset_base(ctx, &u);
	site_put_link(&u, name);
	ret = buf_detach(&u, NULL);
	note_origin(
	    ctx, ret, !found && web[0] != '\0', found ? line : LINK_REPORTED);
	return ret;
}

static char *
on_post(
    void *vctx, const char *slug, char **title, int line, struct diag_list *d)
{
	struct links_ctx *ctx = vctx;
	const struct site *s = ctx->site;
	struct site_doc *target = strmap_get(&s->by_slug, slug);
	char *ret;

	if (target == NULL)
		target = strmap_get(&s->by_title, slug);
	if (target == NULL || !site_doc_live(target)) {
		diag_add(d, line, false,
		    "post_link %s: no such post in the blog", slug);
		return NULL;
	}
	*title = xstrdup(target->meta.title);
	ret = encoded("", target->url);
	note_origin(ctx, ret, false, line);
	return ret;
}

struct render_links
links_for(struct links_ctx *ctx)
{
	struct render_links l = {on_link, on_asset, on_post, ctx};

	return l;
}

void
links_report_missing(const struct site *s, struct site_doc *doc)
{
	if (doc->missing_assets == 0)
		return;
	if (s->cfg->url != NULL)
		diag_add(&doc->diags, doc->first_missing_line, false,
		    "%zu asset%s missing from %s/; linked to %s%s instead",
		    doc->missing_assets, doc->missing_assets == 1 ? "" : "s",
		    doc->asset_dir, s->cfg->url, doc->asset_base);
	else
		diag_add(&doc->diags, doc->first_missing_line, false,
		    "%zu asset%s missing from %s/; their links will be dead "
		    "(set site.url to link them to the blog on the web)",
		    doc->missing_assets, doc->missing_assets == 1 ? "" : "s",
		    doc->asset_dir);
}
