#include "gemtext.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static size_t
skip_ws(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

static struct slice
trim_end(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return (struct slice){s, n};
}

static void
parse_line(const char *s, size_t n, int *pre, struct gmi_line *l)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	if (n >= 3 && memcmp(s, "```", 3) == 0) {
		l->kind = GMI_PRE_TOGGLE;
		*pre = !*pre;
		if (*pre) {
			i = skip_ws(s, 3, n);
			l->text = trim_end(s + i, n - i);
		}
		return;
	}
	if (*pre) {
		l->kind = GMI_PRE;
		l->text = (struct slice){s, n};
		return;
	}
	if (n >= 2 && s[0] == '=' && s[1] == '>') {
		size_t u = skip_ws(s, 2, n), e = u;
		while (e < n && s[e] != ' ' && s[e] != '\t')
			e++;
		if (e > u) {
			l->kind = GMI_LINK;
			l->url = (struct slice){s + u, e - u};
			i = skip_ws(s, e, n);
			l->text = trim_end(s + i, n - i);
			return;
		}
	} else if (n >= 1 && s[0] == '#') {
		l->kind = GMI_HEADING;
		l->level = 1;
		while (
		    l->level < 3 && (size_t)l->level < n && s[l->level] == '#')
			l->level++;
		i = skip_ws(s, (size_t)l->level, n);
		l->text = trim_end(s + i, n - i);
		return;
	} else if (n >= 2 && s[0] == '*' && s[1] == ' ') {
		l->kind = GMI_LIST;
		i = skip_ws(s, 2, n);
		l->text = trim_end(s + i, n - i);
		return;
	} else if (n >= 1 && s[0] == '>') {
		l->kind = GMI_QUOTE;
		i = skip_ws(s, 1, n);
		l->text = trim_end(s + i, n - i);
		return;
	}
	l->kind = GMI_TEXT;
	l->text = (struct slice){s, n};
}

void
gmi_parse(const char *text, size_t len, struct gmi_doc *doc)
{
	size_t i = 0, cap = 16;
	int pre = 0;

	doc->n = 0;
	doc->lines = xmalloc(cap * sizeof(*doc->lines));
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - i;

		if (n > 0 && text[i + n - 1] == '\r')
			n--;
		if (doc->n == cap) {
			cap *= 2;
			doc->lines =
			    xrealloc(doc->lines, cap * sizeof(*doc->lines));
		}
		parse_line(text + i, n, &pre, &doc->lines[doc->n++]);
		i = nl ? end + 1 : len;
	}
}

void
gmi_doc_free(struct gmi_doc *doc)
{
	free(doc->lines);
	doc->lines = NULL;
	doc->n = 0;
}

/* RFC 3986 section 5.2.4 on a decoded absolute path, in place. A ".." at
 * the root stays at the root, so the result never leaves the capsule. */
static void
remove_dot_segments(struct buf *p, size_t start)
{
	char *s = p->data + start;
	size_t n = p->len - start, r = 0, w = 0;

	while (r < n) {
		size_t e = r + 1, seg;
		while (e < n && s[e] != '/')
			e++;
		seg = e - r - 1; /* s[r] is '/' */
		if (seg == 1 && s[r + 1] == '.') {
			if (e == n)
				s[w++] = '/';
		} else if (seg == 2 && s[r + 1] == '.' && s[r + 2] == '.') {
			while (w > 0 && s[--w] != '/')
				;
			if (e == n)
				s[w++] = '/';
		} else {
			memmove(s + w, s + r, e - r);
			w += e - r;
		}
		r = e;
	}
	if (w == 0)
		s[w++] = '/';
	buf_truncate(p, start + w);
}

/* Well-formed UTF-8 without C0, DEL or C1 controls: safe in any field. */
static bool
is_printable(const char *s, size_t n)
{
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		len = utf8_decode(s + i, n - i, &cp);
		if (len == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			return false;
		i += len;
	}
	return true;
}

enum gmi_target
gmi_resolve(const char *page_path, struct slice url, struct buf *out)
{
	struct url u;
	const char *reason;
	struct buf joined = BUF_INIT;
	size_t start = out->len;
	enum gmi_target t = GMI_TARGET_LOCAL;

	if (!is_printable(url.p, url.len) ||
	    url_parse(url.p, url.len, &u, &reason) < 0)
		return GMI_TARGET_INVALID;
	if (u.scheme.len > 0) {
		buf_append(out, url.p, url.len);
		return GMI_TARGET_EXTERNAL;
	}
	if (u.has_authority) {
		buf_puts(out, "gemini:");
		buf_append(out, url.p, url.len);
		return GMI_TARGET_EXTERNAL;
	}
	if (u.path.len == 0) {
		buf_puts(&joined, page_path);
	} else if (u.path.p[0] == '/') {
		buf_append(&joined, u.path.p, u.path.len);
	} else {
		const char *slash = strrchr(page_path, '/');
		if (slash)
			buf_append(&joined, page_path,
			    (size_t)(slash - page_path) + 1);
		else
			buf_putc(&joined, '/');
		buf_append(&joined, u.path.p, u.path.len);
	}
	if (url_decode(joined.data, joined.len, out, URL_DECODE_PATH, &reason) <
		0 ||
	    !is_printable(out->data + start, out->len - start))
		t = GMI_TARGET_INVALID;
	if (t == GMI_TARGET_LOCAL)
		remove_dot_segments(out, start);
	else
		buf_truncate(out, start);
	buf_free(&joined);
	return t;
}
