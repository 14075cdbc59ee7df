#include "gemini.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mime.h"
#include "utf8.h"

void
gemini_request_init(struct gemini_request *req)
{
	memset(req, 0, sizeof(*req));
	buf_init(&req->path);
	buf_init(&req->query);
}

void
gemini_request_free(struct gemini_request *req)
{
	buf_free(&req->path);
	buf_free(&req->query);
}

static enum gemini_parse
refuse(struct gemini_request *req, int status, const char *reason)
{
	req->status = status;
	req->reason = reason;
	return GEMINI_REFUSE;
}

static bool
is_ip_literal(struct slice h)
{
	size_t i;

	if (memchr(h.p, ':', h.len) != NULL)
		return true; /* IPv6: url_parse removed the brackets */
	for (i = 0; i < h.len; i++)
		if (!((h.p[i] >= '0' && h.p[i] <= '9') || h.p[i] == '.'))
			return false;
	return true;
}

static int
match_host(struct slice h, const struct gemini_hosts *hosts)
{
	size_t i;

	if (h.len > 0 && h.p[h.len - 1] == '.')
		h.len--;
	if (is_ip_literal(h))
		return 0;
	for (i = 0; i < hosts->n; i++)
		if (strlen(hosts->names[i]) == h.len &&
		    strncasecmp(hosts->names[i], h.p, h.len) == 0)
			return (int)i;
	return -1;
}

/* Find the CRLF ending the line within the first max+2 bytes. */
static bool
find_crlf(const char *in, size_t len, size_t *at)
{
	size_t scan = len < GEMINI_MAX_URI + 2 ? len : GEMINI_MAX_URI + 2, i;
	const char *lf;

	for (i = 1; i < scan; i = (size_t)(lf - in) + 1) {
		lf = memchr(in + i, '\n', scan - i);
		if (lf == NULL)
			return false;
		if (lf[-1] == '\r') {
			*at = (size_t)(lf - in) - 1;
			return true;
		}
	}
	return false;
}

enum gemini_parse
gemini_parse(const char *in, size_t len, const struct gemini_hosts *hosts,
    struct gemini_request *req)
{
	const char *reason;
	struct url u;
	size_t n;

	buf_reset(&req->path);
	buf_reset(&req->query);
	req->has_query = false;
	req->host = -1;
	req->host_seen = (struct slice){in, 0};
	req->raw_path = (struct slice){in, 0};
	if (!find_crlf(in, len, &n)) {
		/* 1024 bytes and a CR could still be a valid line. */
		if (len > GEMINI_MAX_URI + 1 ||
		    (len == GEMINI_MAX_URI + 1 && in[GEMINI_MAX_URI] != '\r')) {
			req->line_len = len;
			return refuse(req, 59, "Request too long");
		}
		return GEMINI_NEED_MORE;
	}
	req->line_len = n;
	if (!utf8_valid(in, n))
		return refuse(req, 59, "Request is not valid UTF-8");
	if (n == 0)
		return refuse(req, 59, "Empty request");
	if (url_parse(in, n, &u, &reason) == -1)
		return refuse(req, 59, "Malformed URL");
	if (u.scheme.len == 0 || !u.has_authority)
		return refuse(req, 59, "Not an absolute URL");
	if (u.has_userinfo)
		return refuse(req, 59, "Userinfo is not allowed");
	if (u.has_fragment)
		return refuse(req, 59, "Fragment is not allowed");
	req->host_seen = u.host;
	if (!slice_eq_nocase(u.scheme, "gemini"))
		return refuse(req, 53, "Proxy request refused");
	if (u.host.len == 0)
		return refuse(req, 59, "No host");
	if (u.port_num != -1 && u.port_num != hosts->port)
		return refuse(req, 53, "Proxy request refused");
	if ((req->host = match_host(u.host, hosts)) == -1)
		return refuse(req, 53, "Proxy request refused");
	req->raw_path = u.path;
	if (url_decode(u.path.p, u.path.len, &req->path, URL_DECODE_PATH,
		&reason) == -1)
		return refuse(req, 59, "Malformed path");
	if (req->path.len == 0)
		buf_putc(&req->path, '/');
	if (url_has_dot_segment(u.path.p, u.path.len) ||
	    url_has_dot_segment(req->path.data, req->path.len))
		return refuse(req, 59, "Dot segment in path");
	if (!utf8_valid(req->path.data, req->path.len) ||
	    utf8_has_control(req->path.data, req->path.len))
		return refuse(req, 59, "Malformed path");
	if (u.has_query) {
		req->has_query = true;
		if (url_decode(
			u.query.p, u.query.len, &req->query, 0, &reason) == -1)
			return refuse(req, 59, "Malformed query");
	}
	return GEMINI_REQUEST;
}

void
gemini_header(struct buf *out, int status, const char *meta, size_t len)
{
	size_t start, i;

	buf_printf(out, "%02d ", status);
	start = out->len;
	buf_reserve(out, len < GEMINI_MAX_META ? len : GEMINI_MAX_META);
	for (i = 0; i < len && out->len - start < GEMINI_MAX_META; i++)
		if ((unsigned char)meta[i] >= 0x20 && meta[i] != 0x7f)
			buf_putc(out, meta[i]);
	/* Cut inside a character: drop its leading bytes too. */
	if (i < len) {
		size_t end = out->len;
		while (end > start && ((unsigned char)meta[i] & 0xC0) == 0x80 &&
		    ((unsigned char)out->data[end - 1] & 0xC0) == 0x80)
			end--;
		if (end > start && ((unsigned char)meta[i] & 0xC0) == 0x80 &&
		    (unsigned char)out->data[end - 1] >= 0xC0)
			end--;
		buf_truncate(out, end);
	}
	buf_puts(out, "\r\n");
}

size_t
gemini_success_header(char *out, size_t cap, const char *mime, const char *lang)
{
	bool gemtext = strcmp(mime, "text/gemini") == 0,
	     has_lang = lang && *lang;
	int n;

	n = snprintf(out, cap, "20 %s%s%s%s%s%s\r\n", mime,
	    mime_is_text(mime) ? "; charset=utf-8" : "",
	    gemtext && has_lang ? "; lang=" : "",
	    gemtext && has_lang && strchr(lang, ',') ? "\"" : "",
	    gemtext && has_lang ? lang : "",
	    gemtext && has_lang && strchr(lang, ',') ? "\"" : "");
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}
