/*
 * render_out: helpers of the renderer, writing gemtext lines, and turning
 * link and image targets into URLs through the callbacks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "entity.h"
#include "render_int.h"
#include "url.h"
#include "utf8.h"

/* ---- small helpers ---- */

void
rd_links_push(struct links_vec *v, struct link_ref l)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = xrealloc(v->v, v->cap * sizeof(*v->v));
	}
	v->v[v->n++] = l;
}

void
rd_link_free(struct link_ref *l)
{
	free(l->url); /* label and raw are the pool's */
}

void
rd_links_free(struct links_vec *v)
{
	for (size_t i = 0; i < v->n; i++)
		rd_link_free(&v->v[i]);
	free(v->v);
	free(v->set);
	memset(v, 0, sizeof(*v));
}

static size_t
str_hash(const char *s)
{
	size_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot of url in the set: where it is, or the empty one to fill. */
static size_t *
set_slot(struct links_vec *v, const char *url)
{
	size_t i = str_hash(url) & (v->set_cap - 1);

	while (v->set[i] && strcmp(v->v[v->set[i] - 1].url, url) != 0)
		i = (i + 1) & (v->set_cap - 1);
	return &v->set[i];
}

static void
set_grow(struct links_vec *v)
{
	free(v->set);
	v->set_cap = v->set_cap ? v->set_cap * 2 : 64;
	v->set = xcalloc(v->set_cap, sizeof(*v->set));
	for (size_t i = 0; i < v->n; i++)
		*set_slot(v, v->v[i].url) = i + 1;
}

bool
rd_is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\t')
			continue;
		if (i + 1 < n && (unsigned char)s[i] == 0xc2 &&
		    (unsigned char)s[i + 1] == 0xa0) {
			i++; /* U+00A0, a decoded &nbsp; */
			continue;
		}
		return false;
	}
	return true;
}

/* Copy s[0..n) to d, line feeds and carriage returns as spaces: sixteen
 * bytes a step (SSE2, which every x86-64 has), rather than a copy and a
 * memchr pass for each. */
static void
copy_one_line(char *d, const char *s, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	if (n >= 16) {
		const __m128i lf = _mm_set1_epi8('\n'),
			      cr = _mm_set1_epi8('\r'), sp = _mm_set1_epi8(' ');
		__m128i v, m;

		for (;; i += 16) {
			/* the last step ends at n, over bytes done already */
			if (i + 16 > n)
				i = n - 16;
			v = _mm_loadu_si128(
			    (const __m128i *)(const void *)(s + i));
			m = _mm_or_si128(
			    _mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr));
			_mm_storeu_si128((__m128i *)(void *)(d + i),
			    _mm_or_si128(
				_mm_andnot_si128(m, v), _mm_and_si128(m, sp)));
			if (i + 16 == n)
				return;
		}
	}
#endif
	for (; i < n; i++)
		d[i] = s[i] == '\n' || s[i] == '\r' ? ' ' : s[i];
}

size_t
rd_trim_into(struct buf *out, const char *s, size_t n)
{
	size_t at = out->len;

	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n'))
		s++, n--;
	while (
	    n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	/* once per source line: one pass, its NUL kept (the next text
	 * starts after it) */
	buf_reserve(out, n + 1);
	copy_one_line(out->data + at, s, n);
	out->data[at + n] = '\0';
	out->len = at + n + 1;
	out->data[out->len] = '\0';
	return n;
}

/* s trimmed of spaces (and no-break spaces) at both ends, newlines to
 * spaces: a new string. */
char *
rd_trimmed(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	rd_trim_into(&b, s, n);
	return buf_detach(&b, NULL);
}

void
rd_attr_text(const MD_ATTRIBUTE *a, struct buf *out)
{
	for (unsigned i = 0; a->substr_offsets[i] < a->size; i++) {
		const char *s = a->text + a->substr_offsets[i];
		size_t n = a->substr_offsets[i + 1] - a->substr_offsets[i];

		if (a->substr_types[i] == MD_TEXT_ENTITY) {
			if (!entity_decode_one(s, n, out))
				buf_append(out, s, n);
		} else if (a->substr_types[i] == MD_TEXT_NULLCHAR) {
			buf_puts(out, "\xef\xbf\xbd");
		} else {
			buf_append(out, s, n);
		}
	}
}

char *
rd_attr_dup(const MD_ATTRIBUTE *a)
{
	struct buf b = BUF_INIT;

	rd_attr_text(a, &b);
	if (b.data == NULL)
		return xstrdup("");
	return buf_detach(&b, NULL);
}

void
rd_see(struct renderer *r, const char *p)
{
	if (p >= r->doc && p < r->doc + r->doc_len)
		r->seen = p;
}

int
rd_line(struct renderer *r)
{
	if (r->seen == NULL)
		return r->first;
	/* mostly forward, from where the last question left off */
	if (r->seen >= r->at)
		r->at_idx +=
		    utf8_count_newlines(r->at, (size_t)(r->seen - r->at));
	else
		r->at_idx -=
		    utf8_count_newlines(r->seen, (size_t)(r->at - r->seen));
	r->at = r->seen;
	return r->has_tags ? line_map_get(r->map, r->at_idx)
			   : r->first + (int)r->at_idx;
}

/* ---- output ---- */

struct buf *
rd_line_begin(struct renderer *r)
{
	struct buf *g = &r->res->gemtext;

	if (!r->block_open && g->len > 0)
		buf_putc(g, '\n');
	r->block_open = true;
	return g;
}

void
rd_put_raw_line(struct renderer *r, const char *s, size_t n)
{
	struct buf *g = rd_line_begin(r);

	buf_append(g, s, n);
	buf_putc(g, '\n');
}

static bool
starts_with(const char *s, size_t n, const char *prefix, size_t pn)
{
	return n >= pn && memcmp(s, prefix, pn) == 0;
}

/* A text line: protected when it would read as gemtext markup. */
void
rd_put_text_line(
    struct renderer *r, const char *prefix, const char *text, size_t n)
{
	struct buf *g = rd_line_begin(r);
	size_t pn = strlen(prefix);
	bool guard = pn == 0 &&
	    (starts_with(text, n, "=>", 2) || starts_with(text, n, "#", 1) ||
		starts_with(text, n, "* ", 2) || starts_with(text, n, ">", 1) ||
		starts_with(text, n, "```", 3));
	char *d;

	/* most of a post's lines: one reservation, written in place */
	buf_reserve(g, pn + 1 + n + 1);
	d = g->data + g->len;
	memcpy(d, prefix, pn);
	d += pn;
	if (guard)
		*d++ = ' ';
	memcpy(d, text, n);
	d += n;
	*d++ = '\n';
	*d = '\0';
	g->len = (size_t)(d - g->data);
}

/* A URL with spaces or controls as a link line needs it: those
 * percent-encoded. */
static void
put_escaped_url(struct buf *b, const char *url)
{
	while (*url) {
		size_t n = 0;

		while ((unsigned char)url[n] > ' ' && url[n] != 0x7f)
			n++;
		buf_append(b, url, n);
		url += n;
		if (*url)
			buf_printf(b, "%%%02X", (unsigned char)*url++);
	}
}

void
rd_put_link_line(struct renderer *r, const struct link_ref *l)
{
	struct buf *g = rd_line_begin(r);
	size_t un = strlen(l->url), ln = strlen(l->label);
	char *d;

	if (url_has_control(l->url, un)) {
		buf_append(g, "=> ", 3);
		put_escaped_url(g, l->url);
	} else { /* the usual case: as it is, written in place */
		buf_reserve(g, 3 + un);
		memcpy(g->data + g->len, "=> ", 3);
		memcpy(g->data + g->len + 3, l->url, un);
		g->len += 3 + un;
	}
	buf_reserve(g, 1 + ln + 1);
	d = g->data + g->len;
	if (ln > 0) {
		*d++ = ' ';
		memcpy(d, l->label, ln);
		d += ln;
	}
	*d++ = '\n';
	*d = '\0';
	g->len = (size_t)(d - g->data);
}

void
rd_pending_add(struct renderer *r, struct link_ref *l)
{
	struct links_vec *v = &r->pending;
	size_t *slot;

	if (2 * (v->n + 1) > v->set_cap)
		set_grow(v);
	slot = set_slot(v, l->url);
	if (*slot) {
		rd_link_free(l);
		return;
	}
	rd_links_push(v, *l);
	*slot = v->n;
}

/* End of a top-level block: its links, then a blank line before the next. */
void
rd_end_top_block(struct renderer *r)
{
	for (size_t i = 0; i < r->pending.n; i++)
		rd_put_link_line(r, &r->pending.v[i]);
	rd_links_free(&r->pending);
	r->block_open = false;
	r->quote_para = false;
}

/* ---- resolving targets ---- */

static bool
has_scheme(const char *s)
{
	size_t n = 0;

	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
	    (s[n] >= '0' && s[n] <= '9') || s[n] == '+' || s[n] == '-' ||
	    s[n] == '.')
		n++;
	return n > 0 && s[n] == ':';
}

/* s percent-decoded into out (reset first), or as it is when an escape
 * makes a NUL, a '/' or invalid UTF-8. */
static const char *
decoded(const char *s, struct buf *out)
{
	const char *reason;
	size_t n = strlen(s);

	buf_reset(out);
	if (memchr(s, '%', n) == NULL ||
	    url_decode(s, n, out, URL_DECODE_PATH, &reason) == -1 ||
	    out->data == NULL || !utf8_valid(out->data, out->len)) {
		buf_reset(out);
		buf_append(out, s, n);
	}
	return out->data;
}

/* The name in the asset folder of a relative image path (in r->asset),
 * or NULL when the path leads elsewhere ("../x.png"). */
static const char *
asset_name(struct renderer *r, const char *path)
{
	size_t stem = r->o->asset_stem ? strlen(r->o->asset_stem) : 0;
	const char *name;

	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (stem && strncmp(path, r->o->asset_stem, stem) == 0 &&
	    path[stem] == '/')
		path += stem + 1;
	name = decoded(path, &r->asset);
	if (strncmp(name, "../", 3) == 0 || strstr(name, "/../"))
		return NULL;
	return name;
}

/* Append s[0..n) to out with each malformed UTF-8 byte replaced by
 * U+FFFD; returns how many were, and the offset of the first in *first. */
size_t
rd_replace_invalid(const char *s, size_t n, struct buf *out, size_t *first)
{
	size_t bad = 0, i = 0;

	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);

		if (k == 0) {
			buf_puts(out, "\xef\xbf\xbd");
			if (bad++ == 0)
				*first = i;
			i++;
			continue;
		}
		buf_append(out, s + i, k);
		i += k;
	}
	return bad;
}

/* s (or a copy of def when s is NULL) made valid UTF-8: what callbacks
 * return is not trusted, and the output promises valid UTF-8. */
static char *
utf8_fixed(char *s, const char *def)
{
	struct buf b = BUF_INIT;
	size_t first;

	if (s == NULL)
		s = xstrdup(def);
	if (utf8_valid(s, strlen(s)))
		return s;
	rd_replace_invalid(s, strlen(s), &b, &first);
	free(s);
	return buf_detach(&b, NULL);
}

static char *
call_link(struct renderer *r, const char *href)
{
	char *u = NULL;

	if (r->o->links.link)
		u = r->o->links.link(r->o->links.ctx, href, rd_line(r), r->d);
	return utf8_fixed(u, href);
}

static char *
call_asset(struct renderer *r, const char *name)
{
	char *u = NULL;

	if (r->o->links.asset)
		u = r->o->links.asset(r->o->links.ctx, name, rd_line(r), r->d);
	return utf8_fixed(u, name);
}

/* The URL of a link or image target (entities already decoded). */
char *
rd_resolve(struct renderer *r, const char *href, bool image, char **post_title)
{
	size_t an = strlen(HEXOTAG_ASSET_SCHEME),
	       pn = strlen(HEXOTAG_POST_SCHEME);
	/* most links begin with neither scheme's first byte: spared the
	 * calls */
	bool tag = href[0] == HEXOTAG_ASSET_SCHEME[0] ||
	    href[0] == HEXOTAG_POST_SCHEME[0];
	const char *name;
	char *u;

	if (tag && strncmp(href, HEXOTAG_ASSET_SCHEME, an) == 0)
		return call_asset(r, decoded(href + an, &r->asset));
	if (tag && strncmp(href, HEXOTAG_POST_SCHEME, pn) == 0) {
		u = NULL;
		if (r->o->links.post)
			u = r->o->links.post(r->o->links.ctx, href + pn,
			    post_title, rd_line(r), r->d);
		if (post_title && *post_title &&
		    !utf8_valid(*post_title, strlen(*post_title))) {
			char *t = utf8_fixed(*post_title, "");

			*post_title = t;
		}
		return utf8_fixed(u, href + pn);
	}
	if (image && !has_scheme(href) && href[0] != '/' && href[0] != '#' &&
	    (name = asset_name(r, href)) != NULL)
		return call_asset(r, name);
	return call_link(r, href);
}

const char *
rd_file_name(const char *path, struct buf *out)
{
	const char *slash = strrchr(path, '/'), *colon = strrchr(path, ':');
	const char *base = slash ? slash + 1 : colon ? colon + 1 : path;
	const char *dec = decoded(base, out);
	size_t n = strcspn(dec, "?#");

	if (n == 0) { /* "http://": no name, the path says most */
		buf_reset(out);
		buf_puts(out, path);
	} else {
		buf_truncate(out, n);
	}
	return out->data;
}
