#include "gopher.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gophermap.h"
#include "path.h"
#include "plaintext.h"
#include "url.h"

/* A reply rendered when the site is built, under one selector. Several
 * selectors may share a reply ("/x/" and "/x/index.gmi"). */
struct cached {
	char *key;
	const char *data; /* points into gs->blobs */
	size_t len;
};

struct gopher_site {
	const struct store *st;
	const struct search_index *idx;
	char *host;
	int port;
	struct cached *cache; /* sorted by key */
	size_t ncache, capcache;
	char **blobs; /* owned replies */
	size_t nblobs, capblobs;
};

static int
cached_cmp(const void *a, const void *b)
{
	const struct cached *x = a, *y = b;

	return strcmp(x->key, y->key);
}

static const char *
keep_blob(struct gopher_site *gs, struct buf *b, size_t *len)
{
	char *data = buf_detach(b, len);

	if (gs->nblobs == gs->capblobs) {
		gs->capblobs = gs->capblobs ? gs->capblobs * 2 : 64;
		gs->blobs = xrealloc(gs->blobs, gs->capblobs * sizeof(char *));
	}
	gs->blobs[gs->nblobs++] = data;
	return data;
}

static void
cache_put(struct gopher_site *gs, const char *key, size_t keylen,
    const char *data, size_t len)
{
	if (gs->ncache == gs->capcache) {
		gs->capcache = gs->capcache ? gs->capcache * 2 : 64;
		gs->cache =
		    xrealloc(gs->cache, gs->capcache * sizeof(*gs->cache));
	}
	gs->cache[gs->ncache++] =
	    (struct cached){xstrndup(key, keylen), data, len};
}

static const struct cached *
cache_get(const struct gopher_site *gs, const char *key)
{
	struct cached k = {(char *)(uintptr_t)key, NULL, 0};

	if (gs->ncache == 0)
		return NULL;
	return bsearch(&k, gs->cache, gs->ncache, sizeof(k), cached_cmp);
}

static bool
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* The item type of a local link target, from what the store holds. */
static char
site_item_type(void *ctx, const char *path, size_t len)
{
	const struct gopher_site *gs = ctx;
	const struct store_entry *e = store_lookup(gs->st, path, len);

	if (len == strlen(SEARCH_PATH) && memcmp(path, SEARCH_PATH, len) == 0 &&
	    gs->idx)
		return '7';
	if (e == NULL || e->is_dir || e->mime == NULL)
		return gmi_item_type_guess(path, len);
	if (strcmp(e->mime, "text/gemini") == 0)
		return '1';
	/* Feeds and other text read fine as a type 0 document. */
	if (strncmp(e->mime, "text/", 5) == 0 || strstr(e->mime, "xml") != NULL)
		return '0';
	if (strcmp(e->mime, "image/gif") == 0)
		return 'g';
	if (strncmp(e->mime, "image/", 6) == 0)
		return 'I';
	return '9';
}

/* A text file as a type 0 document: CRLF line ends, dot-stuffed, ".". */
static void
text_document(const char *s, size_t n, struct buf *out)
{
	size_t i = 0;

	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n, k = end;
		if (k > i && s[k - 1] == '\r')
			k--;
		if (k > i && s[i] == '.')
			buf_putc(out, '.');
		buf_append(out, s + i, k - i);
		buf_puts(out, "\r\n");
		i = end + 1;
	}
	buf_puts(out, ".\r\n");
}

/* A page too large to be kept in memory by the store is still a menu:
 * read it once here. Returns the text in b, or -1 when it cannot be read
 * (the page is then served as a file). */
static int
read_streamed(
    const struct gopher_site *gs, const struct store_entry *e, struct buf *b)
{
	int fd = path_open_beneath(
	    store_rootfd(gs->st), e->file, O_RDONLY | O_CLOEXEC);
	char chunk[16384];
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		buf_append(b, chunk, (size_t)n);
	}
	close(fd);
	return n < 0 ? -1 : 0;
}

/* True when the page already has a link line to path (as written). */
static bool
page_links_to(const char *text, size_t len, const char *path)
{
	struct gmi_doc doc;
	bool found = false;
	size_t i;

	gmi_parse(text, len, &doc);
	for (i = 0; i < doc.n && !found; i++)
		found = doc.lines[i].kind == GMI_LINK &&
		    doc.lines[i].url.len == strlen(path) &&
		    memcmp(doc.lines[i].url.p, path, doc.lines[i].url.len) == 0;
	gmi_doc_free(&doc);
	return found;
}

static void
build_page(struct gopher_site *gs, const struct store_entry *e,
    const char *text, size_t text_len)
{
	struct gmi_menu_opts o = {
	    gs->host, gs->port, site_item_type, gs, NULL, 0};
	struct buf menu = BUF_INIT, items = BUF_INIT, txt = BUF_INIT;
	size_t plen = strlen(e->path), len, dir_len;
	const char *data, *page_path = e->path;
	char *dir = NULL, *txt_path = NULL, *post;

	if (ends_with(e->path, plen, "/index.gmi")) {
		dir_len = plen - strlen("index.gmi");
		dir = xstrndup(e->path, dir_len);
		page_path = dir;
	}
	/* The home menu always offers search (type 7): added at the top
	 * when the page itself does not link to it. */
	if (strcmp(e->path, "/index.gmi") == 0 && gs->idx &&
	    !page_links_to(text, text_len, SEARCH_PATH))
		gmi_menu_item(&items, '7', "Search the posts", 16, SEARCH_PATH,
		    strlen(SEARCH_PATH), gs->host, gs->port);
	if ((post = search_post_path(e->path)) != NULL) {
		free(post);
		txt_path = xstrdup(e->path);
		memcpy(txt_path + plen - 4, ".txt", 4);
		if (store_lookup(gs->st, txt_path, plen) == NULL) {
			gmi_menu_item(&items, '0',
			    "Read this post as plain text", 28, txt_path, plen,
			    gs->host, gs->port);
			gmi_plaintext(text, text_len, page_path, &o, &txt);
			data = keep_blob(gs, &txt, &len);
			cache_put(gs, txt_path, plen, data, len);
		}
	}
	o.after_title = items.data;
	o.after_title_len = items.len;
	gmi_gophermap(text, text_len, page_path, &o, &menu);
	data = keep_blob(gs, &menu, &len);
	cache_put(gs, e->path, plen, data, len);
	if (dir)
		cache_put(gs, dir, strlen(dir), data, len);
	free(dir);
	free(txt_path);
	buf_free(&items);
}

struct gopher_site *
gopher_site_new(const struct store *st, const struct search_index *idx,
    const char *host, int port)
{
	struct gopher_site *gs = xcalloc(1, sizeof(*gs));
	size_t i, n = store_count(st), len;
	struct buf b = BUF_INIT;
	const char *data;

	gs->st = st;
	gs->idx = idx;
	gs->host = xstrdup(host);
	gs->port = port;
	for (i = 0; i < n; i++) {
		const struct store_entry *e = store_at(st, i);
		if (e->is_dir || e->mime == NULL)
			continue;
		if (strcmp(e->mime, "text/gemini") == 0) {
			if (e->data) {
				build_page(gs, e, e->data, e->size);
			} else if (read_streamed(gs, e, &b) == 0) {
				build_page(gs, e, b.data, b.len);
			}
			buf_reset(&b);
		} else if (strcmp(e->mime, "text/plain") == 0 && e->data) {
			text_document(e->data, e->size, &b);
			data = keep_blob(gs, &b, &len);
			cache_put(gs, e->path, strlen(e->path), data, len);
		}
	}
	qsort(gs->cache, gs->ncache, sizeof(*gs->cache), cached_cmp);
	buf_free(&b);
	return gs;
}

void
gopher_site_free(struct gopher_site *gs)
{
	size_t i;

	if (gs == NULL)
		return;
	for (i = 0; i < gs->ncache; i++)
		free(gs->cache[i].key);
	for (i = 0; i < gs->nblobs; i++)
		free(gs->blobs[i]);
	free(gs->cache);
	free(gs->blobs);
	free(gs->host);
	free(gs);
}

static void
fail(struct response *resp, const char *message, int status)
{
	buf_reset(&resp->head);
	gopher_error_menu(&resp->head, message);
	resp->status = status;
}

/* Serve path from the cache or the store; false when there is nothing. */
static bool
serve_path(const struct gopher_site *gs, const char *path, size_t len,
    struct response *resp)
{
	const struct cached *c = cache_get(gs, path);
	const struct store_entry *e;
	int fd;

	if (c) {
		resp->body = c->data;
		resp->body_len = c->len;
		resp->status = 20;
		return true;
	}
	if (!path_is_public(path, len))
		return false;
	e = store_lookup(gs->st, path, len);
	if (e == NULL || e->is_dir)
		return false;
	if (e->data) {
		resp->body = e->data;
		resp->body_len = e->size;
		resp->status = 20;
		return true;
	}
	fd = path_open_beneath(
	    store_rootfd(gs->st), e->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail(resp, "Cannot read this file", 51);
		return true;
	}
	resp->file_fd = fd;
	resp->file_len = (off_t)e->size;
	resp->status = 20;
	return true;
}

void
gopher_respond(const struct gopher_site *gs, const char *line, size_t len,
    struct response *resp)
{
	struct gopher_request req;
	struct gmi_menu_opts o = {
	    gs->host, gs->port, site_item_type, (void *)(uintptr_t)gs, NULL, 0};
	struct buf alt = BUF_INIT;
	const char *reason;

	if (gopher_parse(line, len, &req, &reason) < 0) {
		fail(resp, reason, 59);
		return;
	}
	if (req.kind == GOPHER_URL) {
		if (gopher_url_page(req.url.p, req.url.len, &resp->head) < 0)
			fail(resp, "Not an absolute URL", 59);
		else
			resp->status = 20;
		return;
	}
	if (strcmp(req.path, SEARCH_PATH) == 0 && gs->idx) {
		search_menu(gs->idx, req.query.p ? req.query.p : "",
		    req.query.len, &o, &resp->head);
		resp->status = 20;
		return;
	}
	if (serve_path(gs, req.path, req.path_len, resp))
		return;
	/* "/tags" for "/tags/", as Gemini redirects; and a selector a client
	 * sent percent-encoded. */
	if (req.path[req.path_len - 1] != '/') {
		buf_append(&alt, req.path, req.path_len);
		buf_putc(&alt, '/');
		if (serve_path(gs, alt.data, alt.len, resp))
			goto done;
	}
	buf_reset(&alt);
	if (memchr(req.path, '%', req.path_len) &&
	    url_decode(
		req.path, req.path_len, &alt, URL_DECODE_PATH, &reason) == 0 &&
	    !url_has_dot_segment(alt.data, alt.len) &&
	    serve_path(gs, alt.data, alt.len, resp))
		goto done;
	fail(resp, "Not found", 51);
done:
	buf_free(&alt);
}
