#include "route.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"

#define SEARCH_PATH "/search"

static void
header(struct response *resp, int status, const char *meta)
{
	gemini_header(&resp->head, status, meta, strlen(meta));
	resp->status = status;
}

static bool
has_prefix(const char *path, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return n <= len && memcmp(path, prefix, n) == 0;
}

static bool
is_gone(const struct server_conf *conf, const char *path, size_t len)
{
	size_t i, n;

	for (i = 0; i < conf->n_gone; i++) {
		n = strlen(conf->gone[i]);
		if (n > 0 && conf->gone[i][n - 1] == '/'
			? has_prefix(path, len, conf->gone[i])
			: (n == len && memcmp(path, conf->gone[i], n) == 0))
			return true;
	}
	return false;
}

/* 0 to go on, else the status already written. */
static int
check_cert(const struct server_conf *conf, const char *path, size_t len,
    route_cert_fn cert, void *arg, struct response *resp)
{
	unsigned char fp[32];
	size_t i, k;

	for (i = 0; i < conf->n_areas; i++) {
		const struct srv_cert_area *a = &conf->areas[i];
		if (!has_prefix(path, len, a->prefix))
			continue;
		if (cert == NULL || !cert(arg, fp)) {
			header(resp, 60, "Client certificate required");
			return 60;
		}
		if (a->n_fingerprints == 0)
			return 0;
		for (k = 0; k < a->n_fingerprints; k++)
			if (memcmp(a->fingerprints[k], fp, 32) == 0)
				return 0;
		header(resp, 61, "Certificate not authorised");
		return 61;
	}
	return 0;
}

static void
serve_entry(const struct route_site *site, const struct store_entry *e,
    struct response *resp)
{
	char head[256];
	struct stat sb;
	size_t n;
	int fd;

	resp->status = 20;
	if (e->response) {
		resp->body = e->response;
		resp->body_len = e->response_len;
		return;
	}
	n = gemini_success_header(
	    head, sizeof(head), e->mime, site->host->lang);
	if (n == 0) {
		header(resp, 40, "Temporary failure");
		return;
	}
	if (e->data) {
		buf_append(&resp->head, head, n);
		resp->body = e->data;
		resp->body_len = e->size;
		return;
	}
	fd = path_open_beneath(store_rootfd(site->st), e->file, O_RDONLY);
	if (fd == -1 || fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		if (fd != -1)
			close(fd);
		header(resp, 40, "Temporary failure");
		return;
	}
	buf_append(&resp->head, head, n);
	resp->file_fd = fd;
	resp->file_len = sb.st_size;
}

static void
search(const struct route_site *site, const struct gemini_request *req,
    struct response *resp)
{
	char head[256];
	size_t n;

	if (!req->has_query || req->query.len == 0) {
		header(resp, 10, "Search the capsule");
		return;
	}
	n = gemini_success_header(
	    head, sizeof(head), "text/gemini", site->host->lang);
	buf_append(&resp->head, head, n);
	search_gemtext(site->idx, req->query.data, req->query.len, &resp->head);
	resp->status = 20;
}

void
route_gemini(const struct route_site *site, const struct gemini_request *req,
    route_cert_fn cert, void *cert_arg, struct response *resp)
{
	const struct server_conf *conf = site->conf;
	const struct store_entry *e;
	const char *path = req->path.data;
	size_t len = req->path.len, i;
	struct buf *tmp = &resp->head;

	if (!path_is_public(path, len)) {
		header(resp, 51, "Not found");
		return;
	}
	for (i = 0; i < conf->n_redirects; i++) {
		const struct srv_redirect *r = &conf->redirects[i];
		if (strlen(r->from) == len && memcmp(r->from, path, len) == 0) {
			header(resp, r->permanent ? 31 : 30, r->to);
			return;
		}
	}
	if (is_gone(conf, path, len)) {
		header(resp, 52, "Gone");
		return;
	}
	if (check_cert(conf, path, len, cert, cert_arg, resp) != 0)
		return;
	if (site->idx && len == strlen(SEARCH_PATH) &&
	    memcmp(path, SEARCH_PATH, len) == 0) {
		search(site, req, resp);
		return;
	}
	e = store_lookup(site->st, path, len);
	if (e == NULL && path[len - 1] != '/') {
		/* A folder asked without its slash: send the client there. The
		 * head buffer is free scratch space until the header is set. */
		buf_append(tmp, path, len);
		buf_putc(tmp, '/');
		e = store_lookup(site->st, tmp->data, tmp->len);
		buf_reset(tmp);
		if (e && e->is_dir) {
			/* The raw path is part of a checked request line of at
			 * most 1024 bytes, printable UTF-8: it fits the meta.
			 */
			buf_puts(tmp, "31 ");
			buf_append(tmp, req->raw_path.p, req->raw_path.len);
			buf_puts(tmp, "/\r\n");
			resp->status = 31;
			return;
		}
		e = NULL;
	}
	if (e && e->is_dir) {
		buf_append(tmp, path, len);
		buf_puts(tmp, "index.gmi");
		e = store_lookup(site->st, tmp->data, tmp->len);
		buf_reset(tmp);
	}
	if (e == NULL) {
		header(resp, 51, "Not found");
		return;
	}
	serve_entry(site, e, resp);
}
