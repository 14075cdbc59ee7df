/*
 * render_html: raw HTML. Tags are dropped and their text kept; <br> and
 * block tags break lines; <a>, <img>, <iframe> and media become links;
 * <!-- more --> marks the excerpt.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "entity.h"
#include "render_int.h"

/* ---- raw HTML ---- */

static bool
tag_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

/* The value of attribute attr in the tag s[0..n), decoded; NULL if none. */
static char *
html_attr(const char *s, size_t n, const char *attr)
{
	size_t an = strlen(attr);
	const char *end = s + n, *p = s;

	while (p < end) {
		while (p < end && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n'))
			p++;
		if ((size_t)(end - p) > an && strncasecmp(p, attr, an) == 0 &&
		    p[an] == '=') {
			const char *v = p + an + 1, *ve;
			struct buf b = BUF_INIT;

			if (v < end && (*v == '"' || *v == '\'')) {
				ve = memchr(v + 1, *v, (size_t)(end - v - 1));
				v++;
			} else {
				ve = v;
				while (ve < end && *ve != ' ' && *ve != '>' &&
				    *ve != '\t')
					ve++;
			}
			if (ve == NULL)
				ve = end;
			entity_decode(v, (size_t)(ve - v), &b);
			return b.data ? buf_detach(&b, NULL) : xstrdup("");
		}
	}
	return NULL;
}

static bool
is_more_comment(const char *s, size_t n)
{
	if (n < 7 || strncmp(s, "<!--", 4) != 0)
		return false;
	s += 4;
	n -= 4;
	if (n >= 3 && strncmp(s + n - 3, "-->", 3) == 0)
		n -= 3;
	while (n && (*s == ' ' || *s == '\t' || *s == '\n'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	return n == 4 && strncasecmp(s, "more", 4) == 0;
}

/* One tag or comment s[0..n) ("<...>"). */
void
rd_html_tag(struct renderer *r, const char *s, size_t n)
{
	const char *name = s + 1;
	size_t nl;
	bool closing = false;
	char *v;

	if (n >= 4 && strncmp(s, "<!--", 4) == 0) {
		if (is_more_comment(s, n) && r->res->excerpt_len == 0)
			r->res->excerpt_len = r->res->gemtext.len;
		return;
	}
	if (*name == '/') {
		closing = true;
		name++;
	}
	nl = strcspn(name, " \t\n/>");
	if (nl > (size_t)(s + n - name))
		nl = (size_t)(s + n - name);
	if (tag_is(name, nl, "br")) {
		rd_end_line(r, false);
	} else if (tag_is(name, nl, "a")) {
		if (closing)
			rd_link_leave(r);
		else if ((v = html_attr(s, n, "href")) != NULL)
			rd_link_enter(r, v);
	} else if (!closing &&
	    (tag_is(name, nl, "img") || tag_is(name, nl, "iframe") ||
		tag_is(name, nl, "video") || tag_is(name, nl, "source") ||
		tag_is(name, nl, "audio") || tag_is(name, nl, "embed"))) {
		bool image = tag_is(name, nl, "img");
		char *label;

		if ((v = html_attr(s, n, "src")) == NULL)
			return;
		label = html_attr(s, n, image ? "alt" : "title");
		if (label == NULL && !image)
			label =
			    xstrdup(tag_is(name, nl, "iframe") ? "Embedded page"
							       : "Media");
		rd_end_line(r, false);
		rd_add_link(r, v, label ? label : "", image);
		rd_end_line(r, false);
		free(label);
		free(v);
	} else if (tag_is(name, nl, "p") || tag_is(name, nl, "div") ||
	    tag_is(name, nl, "li") || tag_is(name, nl, "tr") ||
	    tag_is(name, nl, "h1") || tag_is(name, nl, "h2") ||
	    tag_is(name, nl, "h3") || tag_is(name, nl, "h4") ||
	    tag_is(name, nl, "figure") || tag_is(name, nl, "figcaption") ||
	    tag_is(name, nl, "blockquote") || tag_is(name, nl, "table")) {
		rd_end_line(r, false);
	}
}

/* An HTML block: tags handled, text kept line by line, entities decoded;
 * script and style contents dropped. */
void
rd_html_block(struct renderer *r, const char *s, size_t n)
{
	const char *end = s + n, *p = s;
	struct buf dec = BUF_INIT;

	while (p < end) {
		if (*p == '<') {
			const char *q;

			if (end - p >= 4 && strncmp(p, "<!--", 4) == 0) {
				q = memmem(p, (size_t)(end - p), "-->", 3);
				q = q ? q + 3 : end;
			} else {
				q = memchr(p, '>', (size_t)(end - p));
				q = q ? q + 1 : end;
			}
			rd_html_tag(r, p, (size_t)(q - p));
			if (end - p > 7 &&
			    (strncasecmp(p, "<script", 7) == 0 ||
				strncasecmp(p, "<style", 6) == 0)) {
				const char *close = p[2] == 'c' || p[2] == 'C'
				    ? "</script"
				    : "</style";
				const char *c = q;

				while (c < end &&
				    strncasecmp(c, close, strlen(close)) != 0)
					c++;
				q = c;
			}
			p = q;
			continue;
		}
		const char *t = p;

		while (t < end && *t != '<' && *t != '\n')
			t++;
		buf_reset(&dec);
		entity_decode(p, (size_t)(t - p), &dec);
		if (dec.len)
			rd_put_text(r, dec.data, dec.len);
		if (t < end && *t == '\n') {
			rd_end_line(r, true);
			t++;
		}
		p = t;
	}
	buf_free(&dec);
}
