/* The pure parts of the Gopher side: request parsing, the URL: page and
 * error menus. Nothing here knows the store. */
#include "gopher.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "gophermap.h"
#include "utf8.h"

/* "GET / HTTP/1.1" and the like: a method, a space, anything, " HTTP/". */
static bool
is_http_request(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isupper((unsigned char)s[i]))
		i++;
	if (i == 0 || i == n || s[i] != ' ')
		return false;
	return n - i >= 7 && memmem(s + i, n - i, " HTTP/", 6) != NULL;
}

static bool
is_gopher_plus(const char *s, size_t n)
{
	return n > 0 && (s[0] == '+' || s[0] == '!' || s[0] == '$');
}

int
gopher_parse(const char *line, size_t len, struct gopher_request *req,
    const char **reason)
{
	const char *tab, *sel = line, *q;
	size_t sel_len = len, qn;

	memset(req, 0, sizeof(*req));
	if (len > GOPHER_MAX_LINE) {
		*reason = "Selector too long";
		return -1;
	}
	if (!utf8_valid(line, len)) {
		*reason = "Selector is not valid UTF-8";
		return -1;
	}
	if ((tab = memchr(line, '\t', len)) != NULL) {
		sel_len = (size_t)(tab - line);
		q = tab + 1;
		qn = len - sel_len - 1;
		if (!is_gopher_plus(q, qn)) {
			const char *t2 = memchr(q, '\t', qn);
			if (t2 &&
			    is_gopher_plus(t2 + 1, qn - (size_t)(t2 - q) - 1))
				qn = (size_t)(t2 - q);
			req->query = (struct slice){q, qn};
			req->has_query = true;
		}
	}
	if (utf8_has_control(sel, sel_len) ||
	    (req->has_query &&
		utf8_has_control(req->query.p, req->query.len))) {
		*reason = "Control character in selector";
		return -1;
	}
	if (sel_len > 0 && sel[0] == '/' && sel_len >= 5 &&
	    memcmp(sel + 1, "URL:", 4) == 0) {
		sel++;
		sel_len--;
	}
	if (sel_len >= 4 && memcmp(sel, "URL:", 4) == 0) {
		req->kind = GOPHER_URL;
		req->url = (struct slice){sel + 4, sel_len - 4};
		return 0;
	}
	if (is_http_request(sel, sel_len)) {
		*reason = "This is a Gopher server, not a web server";
		return -1;
	}
	req->kind = GOPHER_PATH;
	if (sel_len == 0 || sel[0] != '/')
		req->path[req->path_len++] = '/';
	memcpy(req->path + req->path_len, sel, sel_len);
	req->path_len += sel_len;
	req->path[req->path_len] = '\0';
	if (url_has_dot_segment(req->path, req->path_len)) {
		*reason = "Dot segment in selector";
		return -1;
	}
	return 0;
}

int
gopher_url_page(const char *url, size_t len, struct buf *out)
{
	static const char *const refused[] = {
	    "javascript", "data", "vbscript", NULL};
	struct url u;
	const char *reason;
	size_t i;

	if (url_parse(url, len, &u, &reason) < 0 || u.scheme.len == 0)
		return -1;
	for (i = 0; refused[i]; i++)
		if (slice_eq_nocase(u.scheme, refused[i]))
			return -1;
	buf_puts(out,
	    "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"refresh\" content=\"0; url=");
	buf_escape_markup(out, url, len);
	buf_puts(out,
	    "\">\n<title>Link</title>\n</head>\n<body>\n"
	    "<p>This link leaves the Gopher space: <a href=\"");
	buf_escape_markup(out, url, len);
	buf_puts(out, "\">");
	buf_escape_markup(out, url, len);
	buf_puts(out, "</a></p>\n</body>\n</html>\n");
	return 0;
}

void
gopher_error_menu(struct buf *out, const char *message)
{
	gmi_menu_item(
	    out, '3', message, strlen(message), "", 0, "error.host", 1);
	gmi_menu_end(out);
}
