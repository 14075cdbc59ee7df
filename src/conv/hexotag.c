/*
 * hexotag: expansion of Hexo tags into Markdown (see hexotag.h).
 *
 * The expander copies the source to the output byte for byte, keeping a
 * map from output lines to file lines so that the renderer's diagnostics
 * name the line the author wrote. Searches are bounded (inline code spans
 * and tags end at a blank line) so that no input makes it quadratic.
 */
#include "hexotag.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "utf8.h"

/* How far a closing backtick run is looked for. */
#define SEARCH_LIMIT (64 * 1024)

struct expander {
	const char *p, *end;
	int line; /* file line of p */
	struct buf *out;
	struct line_map *map;
	const struct labels *words; /* for the labels of video links */
	bool out_bol; /* the output is at the start of a line */
	struct diag_list *d;
	size_t errors;
	size_t warnings;
	/* the next "%}", blank line, backtick, brace and "~~~" seen by a
	 * search; searches only move forward, so remembering them keeps the
	 * expansion linear */
	const char *close_memo, *blank_memo;
	const char *tick_memo, *brace_memo, *tilde_memo;
};

/* At most this many warnings per post, then one line saying how many. */
#define MAX_WARNINGS 100

static void warn(struct expander *ex, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
warn(struct expander *ex, int line, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	if (ex->warnings++ >= MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	diag_add(ex->d, line, false, "%s", buf_cstr(&msg));
	buf_free(&msg);
}

/* The first pat (n bytes) in [p, end), or NULL: by memchr() on its
 * first byte, rare in prose ('%', '~'), but for a pattern that begins
 * with a line feed (the blank line that bounds a search), which would
 * take a memchr() and a comparison per line: that one is looked for by
 * its first two bytes, sixteen places a step (SSE2, which every x86-64
 * has). */
static const char *
find_in(const char *p, const char *end, const char *pat, size_t n)
{
	const char *q = p;

#ifdef __SSE2__
	if (n >= 2 && pat[0] == '\n') {
		const __m128i a = _mm_set1_epi8(pat[0]),
			      b = _mm_set1_epi8(pat[1]);
		unsigned m;

		for (; end - q >= 17; q += 16) {
			m = (unsigned)_mm_movemask_epi8(_mm_and_si128(
			    _mm_cmpeq_epi8(_mm_loadu_si128((
					       const __m128i *)(const void *)q),
				a),
			    _mm_cmpeq_epi8(
				_mm_loadu_si128(
				    (const __m128i *)(const void *)(q + 1)),
				b)));
			for (; m != 0; m &= m - 1) {
				const char *at = q + __builtin_ctz(m);

				if ((size_t)(end - at) >= n &&
				    (n == 2 ||
					memcmp(at + 2, pat + 2, n - 2) == 0))
					return at;
			}
		}
	}
#endif
	/* memchr() is vectorised; memmem() on short needles is not */
	while ((q = memchr(q, pat[0], (size_t)(end - q))) != NULL &&
	    ((size_t)(end - q) < n || memcmp(q, pat, n) != 0))
		q++;
	return q;
}

/* The first pat (a string) at or after p, or NULL; *memo remembers it. */
static const char *
find_memo(const char *p, const char *end, const char *pat, const char **memo)
{
	if (*memo == NULL || (*memo != end && *memo < p)) {
		const char *q = find_in(p, end, pat, strlen(pat));

		*memo = q ? q : end;
	}
	return *memo == end ? NULL : *memo;
}

/* count more expanded lines, from file lines line, line + 1, ... on:
 * they go on the last run when they continue it. */
static void
map_add(struct line_map *m, int line, size_t count)
{
	struct line_run *r = m->nruns ? &m->runs[m->nruns - 1] : NULL;

	if (count == 0)
		return;
	if (r != NULL) {
		size_t len = m->n - r->out;
		int d = line - (r->line + r->step * (int)(len - 1));

		/* the next line, or the same one again (a tag's output); a
		 * run of one line takes either */
		if ((d == 1 || (d == 0 && count == 1)) &&
		    (len == 1 || r->step == d)) {
			r->step = d;
			m->n += count;
			return;
		}
	}
	if (m->nruns == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->runs = xrealloc(m->runs, m->cap * sizeof(*m->runs));
	}
	m->runs[m->nruns++] = (struct line_run){m->n, line, 1};
	m->n += count;
}

static void
map_push(struct line_map *m, int line)
{
	map_add(m, line, 1);
}

int
line_map_get(const struct line_map *map, size_t i)
{
	size_t lo = 0, hi = map->nruns;
	const struct line_run *r;

	if (map->n == 0)
		return 0;
	if (i >= map->n)
		i = map->n - 1;
	/* the last run beginning at or before i */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (map->runs[mid].out <= i)
			lo = mid;
		else
			hi = mid;
	}
	r = &map->runs[lo];
	return r->line + r->step * (int)(i - r->out);
}

void
line_map_free(struct line_map *map)
{
	free(map->runs);
	*map = (struct line_map)LINE_MAP_INIT;
}

/* Append s[0..n) to the output; its lines come from file line src_line. */
static void
emit(struct expander *ex, const char *s, size_t n, int src_line)
{
	if (ex->out == NULL)
		return; /* a post without tags: only checked, not copied */
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t k = nl ? (size_t)(nl - s) + 1 : n;

		if (ex->out_bol)
			map_push(ex->map, src_line);
		buf_append(ex->out, s, k);
		ex->out_bol = nl != NULL;
		s += k;
		n -= k;
	}
}

static void
emits(struct expander *ex, const char *s, int src_line)
{
	emit(ex, s, strlen(s), src_line);
}

/* Copy source bytes up to q as they are: one append, its lines counted
 * (not looked for one by one), and one run of the map for the lines it
 * begins. */
static void
copy_plain(struct expander *ex, const char *q)
{
	const char *s = ex->p;
	size_t n = q > s ? (size_t)(q - s) : 0, k;
	bool ends_line;

	ex->p = q;
	if (n == 0)
		return;
	k = utf8_count_newlines(s, n);
	ends_line = q[-1] == '\n';
	if (ex->out) {
		buf_append(ex->out, s, n);
		/* a line is begun where the output is at a line's start,
		 * and after each line feed but one that ends the copy */
		map_add(ex->map, ex->out_bol ? ex->line : ex->line + 1,
		    (ex->out_bol ? 1 : 0) + k - (ends_line ? 1 : 0));
		ex->out_bol = ends_line;
	}
	ex->line += (int)k;
}

/* Copy source bytes up to q, each output line starting with prefix. */
static void
copy_to(struct expander *ex, const char *q, const char *prefix)
{
	if (prefix == NULL) {
		copy_plain(ex, q);
		return;
	}
	while (ex->p < q) {
		const char *nl = memchr(ex->p, '\n', (size_t)(q - ex->p));
		size_t k = nl ? (size_t)(nl - ex->p) + 1 : (size_t)(q - ex->p);

		if (prefix && ex->out_bol)
			emits(ex, prefix, ex->line);
		emit(ex, ex->p, k, ex->line);
		ex->p += k;
		if (nl)
			ex->line++;
	}
}

static void
newline_if_needed(struct expander *ex, int line)
{
	if (!ex->out_bol && ex->out->len > 0)
		emits(ex, "\n", line);
}

/* Markdown link text: every ASCII punctuation character escaped. */
static void
md_text(struct buf *b, const char *s)
{
	while (*s) {
		size_t n = 0;

		/* runs that need no escape go in with one copy */
		while (s[n] && s[n] != '\n' && s[n] != '\r' &&
		    !ispunct((unsigned char)s[n]))
			n++;
		buf_append(b, s, n);
		s += n;
		if (*s == '\n' || *s == '\r') {
			buf_putc(b, ' ');
			s++;
		} else if (*s) {
			buf_putc(b, '\\');
			buf_putc(b, *s++);
		}
	}
}

/* A Markdown link destination in angle brackets. */
static void
md_dest(struct buf *b, const char *prefix, const char *s)
{
	buf_putc(b, '<');
	buf_puts(b, prefix);
	while (*s) {
		size_t n = strcspn(s, "\n\r<>\\");

		buf_append(b, s, n);
		s += n;
		if (*s == '<' || *s == '>' || *s == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, *s);
		}
		s += *s != '\0';
	}
	buf_putc(b, '>');
}

static void
md_link(struct buf *b, bool image, const char *label, const char *scheme,
    const char *url)
{
	if (image)
		buf_putc(b, '!');
	buf_putc(b, '[');
	md_text(b, label);
	buf_puts(b, "](");
	md_dest(b, scheme, url);
	buf_putc(b, ')');
}

size_t
hexotag_split_args(const char *s, size_t n, char ***argv)
{
	const char *end = s + n;
	size_t argc = 0;

	*argv = NULL;
	while (s < end) {
		struct buf w = BUF_INIT;
		bool any = false;

		while (s < end && isspace((unsigned char)*s))
			s++;
		while (s < end && !isspace((unsigned char)*s)) {
			if (*s == '"' || *s == '\'') {
				char q = *s++;

				while (s < end && *s != q)
					buf_putc(&w, *s++);
				s += s < end;
			} else {
				buf_putc(&w, *s++);
			}
			any = true;
		}
		if (!any)
			break;
		*argv = xrealloc(*argv, (argc + 1) * sizeof(**argv));
		(*argv)[argc++] = w.data ? buf_detach(&w, NULL) : xstrdup("");
	}
	return argc;
}

void
hexotag_args_free(char **argv, size_t argc)
{
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

static void
join_args(struct buf *b, char **argv, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		if (b->len)
			buf_putc(b, ' ');
		buf_puts(b, argv[i]);
	}
}

static bool
is_url(const char *s)
{
	return s[0] == '/' || strstr(s, "://") != NULL ||
	    strncmp(s, "./", 2) == 0 || strncmp(s, "mailto:", 7) == 0;
}

static bool
is_number(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 &&
	    (s[n] == '\0' || strcmp(s + n, "px") == 0 ||
		strcmp(s + n, "%") == 0);
}

/* youtube ID [video|playlist] [cookie]; ID may be "ID?t=514" or a URL. */
static void
tag_youtube(struct buf *b, const struct labels *words, char **argv, size_t argc)
{
	struct buf url = BUF_INIT, label = BUF_INIT;
	bool playlist = argc > 1 && strcmp(argv[1], "playlist") == 0;
	const char *id = argv[0], *v;
	size_t idlen;

	if (strstr(id, "://")) {
		buf_puts(&url, id);
		v = strstr(id, "v=");
		if (v == NULL)
			v = strstr(id, "list=");
		if (v == NULL) {
			v = strrchr(id, '/');
			v = v ? v + 1 : id;
		} else {
			v = strchr(v, '=') + 1;
		}
		id = v;
	} else if (playlist) {
		buf_printf(
		    &url, "https://www.youtube.com/playlist?list=%s", id);
	} else {
		/* "ID?t=514" keeps its start time as a query parameter. */
		const char *q = strchr(id, '?');

		if (q)
			buf_printf(&url,
			    "https://www.youtube.com/watch?v=%.*s&%s",
			    (int)(q - id), id, q + 1);
		else { /* the usual form: no printf */
			buf_puts(&url, "https://www.youtube.com/watch?v=");
			buf_puts(&url, id);
		}
	}
	idlen = strcspn(id, "?&#/");
	buf_puts(&label, "YouTube ");
	buf_puts(&label, playlist ? words->playlist : words->video);
	buf_puts(&label, " (");
	buf_append(&label, id, idlen);
	buf_putc(&label, ')');
	md_link(b, false, buf_cstr(&label), "", buf_cstr(&url));
	buf_free(&url);
	buf_free(&label);
}

/* Single-line tags. Returns false for a name that is not one of them. */
static bool
tag_inline(struct buf *b, const struct labels *words, const char *name,
    char **argv, size_t argc)
{
	struct buf label = BUF_INIT, url = BUF_INIT;
	size_t i;

	if (strcmp(name, "youtube") == 0) {
		tag_youtube(b, words, argv, argc);
	} else if (strcmp(name, "vimeo") == 0) {
		buf_printf(&label, "Vimeo %s (%s)", words->video, argv[0]);
		buf_printf(&url, "https://vimeo.com/%s", argv[0]);
		md_link(b, false, buf_cstr(&label), "", buf_cstr(&url));
	} else if (strcmp(name, "asset_img") == 0) {
		/* asset_img [class] NAME [width] [height] [title] */
		i = 0;
		while (i + 1 < argc && strchr(argv[i], '.') == NULL)
			i++;
		size_t j = i + 1;
		while (j < argc && is_number(argv[j]))
			j++;
		join_args(&label, argv, j, argc);
		md_link(
		    b, true, buf_cstr(&label), HEXOTAG_ASSET_SCHEME, argv[i]);
	} else if (strcmp(name, "asset_link") == 0 ||
	    strcmp(name, "asset_path") == 0) {
		size_t to = argc;
		if (to > 2 &&
		    (strcmp(argv[to - 1], "true") == 0 ||
			strcmp(argv[to - 1], "false") == 0))
			to--; /* the escape flag */
		join_args(&label, argv, 1, name[6] == 'l' ? to : 1);
		md_link(b, false, label.len ? buf_cstr(&label) : argv[0],
		    HEXOTAG_ASSET_SCHEME, argv[0]);
	} else if (strcmp(name, "post_link") == 0 ||
	    strcmp(name, "post_path") == 0) {
		size_t to = argc;
		if (to > 2 &&
		    (strcmp(argv[to - 1], "true") == 0 ||
			strcmp(argv[to - 1], "false") == 0))
			to--;
		join_args(&label, argv, 1, name[5] == 'l' ? to : 1);
		md_link(
		    b, false, buf_cstr(&label), HEXOTAG_POST_SCHEME, argv[0]);
	} else if (strcmp(name, "link") == 0) {
		/* link TEXT... URL [external] [title] */
		for (i = 0; i < argc && !is_url(argv[i]); i++)
			;
		if (i == argc) {
			join_args(&label, argv, 0, argc);
			buf_puts(b, buf_cstr(&label));
		} else {
			join_args(&label, argv, 0, i);
			md_link(b, false,
			    label.len ? buf_cstr(&label) : argv[i], "",
			    argv[i]);
		}
	} else if (strcmp(name, "img") == 0) {
		/* img [class...] URL [width] [height] ["title" ["alt"]] */
		for (i = 0; i < argc && !is_url(argv[i]) &&
		     strchr(argv[i], '.') == NULL;
		     i++)
			;
		if (i == argc)
			i = 0;
		size_t j = i + 1;
		while (j < argc && is_number(argv[j]))
			j++;
		/* A quoted '"title" "alt"' argument: the alt text wins. */
		if (j < argc && argv[j][0] == '"') {
			const char *alt = strrchr(argv[j], '"');
			const char *open = alt > argv[j] ? alt - 1 : alt;
			while (open > argv[j] && *open != '"')
				open--;
			if (open > argv[j] && alt > open + 1)
				buf_printf(&label, "%.*s",
				    (int)(alt - open - 1), open + 1);
			else
				buf_printf(&label, "%.*s",
				    (int)strcspn(argv[j] + 1, "\""),
				    argv[j] + 1);
		} else {
			join_args(&label, argv, j, argc);
		}
		md_link(b, true, buf_cstr(&label), "", argv[i]);
	} else if (strcmp(name, "iframe") == 0) {
		md_link(b, false, "Embedded page", "", argv[0]);
	} else if (strcmp(name, "gist") == 0) {
		buf_printf(&label, "Gist %s", argv[0]);
		if (argc > 1)
			buf_printf(&label, " (%s)", argv[1]);
		buf_printf(&url, "https://gist.github.com/%s", argv[0]);
		md_link(b, false, buf_cstr(&label), "", buf_cstr(&url));
	} else if (strcmp(name, "jsfiddle") == 0) {
		buf_printf(&label, "JSFiddle %s", argv[0]);
		buf_printf(&url, "https://jsfiddle.net/%s/", argv[0]);
		md_link(b, false, buf_cstr(&label), "", buf_cstr(&url));
	} else if (strcmp(name, "include_code") == 0) {
		/* include_code [title] [lang:x] [from:n] [to:n] PATH */
		const char *path = argv[argc - 1], *base = strrchr(path, '/');
		for (i = 0; i + 1 < argc; i++)
			if (strchr(argv[i], ':') == NULL)
				join_args(&label, argv, i, i + 1);
		if (label.len == 0)
			buf_puts(&label, base ? base + 1 : path);
		buf_printf(&url, "/downloads/code/%s", path);
		md_link(b, false, buf_cstr(&label), "", buf_cstr(&url));
	} else {
		buf_free(&label);
		buf_free(&url);
		return false;
	}
	buf_free(&label);
	buf_free(&url);
	return true;
}

/* The end of the block tag {% endNAME %} at or after p: *tag_start is set
 * to its "{%", the return value is just past its "%}", NULL if none. */
static const char *
find_end_tag(
    const char *p, const char *end, const char *name, const char **tag_start)
{
	size_t nlen = strlen(name);

	while ((p = memmem(p, (size_t)(end - p), "{%", 2)) != NULL) {
		const char *q = p + 2;

		if (q < end && *q == '-')
			q++;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if ((size_t)(end - q) > 3 + nlen && memcmp(q, "end", 3) == 0 &&
		    memcmp(q + 3, name, nlen) == 0) {
			q += 3 + nlen;
			while (
			    q < end && (*q == ' ' || *q == '\t' || *q == '-'))
				q++;
			if (end - q >= 2 && q[0] == '%' && q[1] == '}') {
				*tag_start = p;
				return q + 2;
			}
		}
		p += 2;
	}
	return NULL;
}

/* The content of a block tag without the line breaks next to the tags. */
static void
trim_content(struct expander *ex, const char **to)
{
	const char *q = ex->p;

	while (q < *to && (*q == ' ' || *q == '\t'))
		q++;
	if (q < *to && *q == '\r')
		q++;
	if (q < *to && *q == '\n') {
		ex->p = q + 1;
		ex->line++;
	}
	q = *to;
	while (q > ex->p && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	if (q > ex->p && q[-1] == '\n')
		q--;
	if (q > ex->p && q[-1] == '\r')
		q--;
	*to = q;
}

/* Longest run of backticks in s[0..n), for a fence that outlasts it. */
static size_t
longest_backticks(const char *s, size_t n)
{
	size_t best = 0, run = 0;

	for (size_t i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static void
skip_to(struct expander *ex, const char *q)
{
	for (; ex->p < q; ex->p++)
		ex->line += *ex->p == '\n';
}

/* Block tags: raw, blockquote, pullquote, codeblock. ex->p is just past
 * the opening tag. Returns false for a name that is not one of them. */
static bool
tag_block(struct expander *ex, const char *name, char **argv, size_t argc,
    int tag_line)
{
	const char *end_start, *after, *to;
	struct buf b = BUF_INIT;
	size_t i;

	if (strcmp(name, "raw") != 0 && strcmp(name, "blockquote") != 0 &&
	    strcmp(name, "pullquote") != 0 && strcmp(name, "codeblock") != 0)
		return false;
	after = find_end_tag(ex->p, ex->end, name, &end_start);
	if (after == NULL) {
		diag_add(ex->d, tag_line, true,
		    "{%% %s %%} is never closed by {%% end%s %%}; its content "
		    "is"
		    " kept as text",
		    name, name);
		ex->errors++;
		copy_to(ex, ex->end, NULL);
		return true;
	}
	to = end_start;
	if (strcmp(name, "raw") == 0) {
		copy_to(ex, to, NULL);
		skip_to(ex, after);
		return true;
	}
	trim_content(ex, &to);
	newline_if_needed(ex, tag_line);
	if (strcmp(name, "codeblock") == 0) {
		/* codeblock [title] [lang:x] [url [link text]] */
		struct buf title = BUF_INIT;
		const char *lang = "", *url = NULL;
		size_t fence =
		    longest_backticks(ex->p, (size_t)(to - ex->p)) + 1;

		for (i = 0; i < argc; i++) {
			if (strncmp(argv[i], "lang:", 5) == 0)
				lang = argv[i] + 5;
			else if (is_url(argv[i]))
				url = argv[i];
			else if (url == NULL)
				join_args(&title, argv, i, i + 1);
		}
		if (title.len) {
			md_text(&b, buf_cstr(&title));
			buf_putc(&b, '\n');
			buf_putc(&b, '\n');
		}
		for (i = 0; i < (fence < 3 ? 3 : fence); i++)
			buf_putc(&b, '`');
		buf_printf(&b, "%s\n", lang);
		emit(ex, b.data, b.len, tag_line);
		copy_to(ex, to, NULL);
		buf_reset(&b);
		buf_putc(&b, '\n');
		for (i = 0; i < (fence < 3 ? 3 : fence); i++)
			buf_putc(&b, '`');
		buf_putc(&b, '\n');
		if (url) {
			struct buf lt = BUF_INIT;

			for (i = 0; i < argc && argv[i] != url; i++)
				;
			for (i++; i < argc; i++)
				if (strncmp(argv[i], "lang:", 5) != 0)
					join_args(&lt, argv, i, i + 1);
			buf_putc(&b, '\n');
			md_link(
			    &b, false, lt.len ? buf_cstr(&lt) : url, "", url);
			buf_putc(&b, '\n');
			buf_free(&lt);
		}
		buf_free(&title);
	} else {
		/* blockquote [author[, source]] [link] [link title] */
		copy_to(ex, to, "> ");
		buf_putc(&b, '\n');
		if (strcmp(name, "blockquote") == 0 && argc > 0) {
			struct buf who = BUF_INIT;
			const char *link = NULL;

			for (i = 0; i < argc && !is_url(argv[i]); i++)
				;
			join_args(&who, argv, 0, i);
			if (i < argc)
				link = argv[i];
			buf_puts(&b, ">\n> \xe2\x80\x94 ");
			md_text(&b, who.len ? buf_cstr(&who) : link);
			buf_putc(&b, '\n');
			if (link) {
				struct buf lt = BUF_INIT;

				join_args(&lt, argv, i + 1, argc);
				buf_puts(&b, "> ");
				md_link(&b, false,
				    lt.len ? buf_cstr(&lt) : link, "", link);
				buf_putc(&b, '\n');
				buf_free(&lt);
			}
			buf_free(&who);
		}
	}
	emit(ex, b.data, b.len, ex->line);
	buf_free(&b);
	skip_to(ex, after);
	return true;
}

/* ex->p is at "{%". Expand the tag or copy it as text. */
static void
expand_tag(struct expander *ex)
{
	const char *start = ex->p, *q, *close;
	const char *nm, *args;
	char name[64], **argv;
	size_t argc, nlen;
	int tag_line = ex->line;
	struct buf b = BUF_INIT;

	close = find_memo(start + 2, ex->end, "%}", &ex->close_memo);
	q = find_memo(start + 2, ex->end, "\n\n", &ex->blank_memo);
	if (close == NULL || (q && q < close)) {
		warn(ex, tag_line,
		    "'{%%' without a closing '%%}'; kept as text");
		copy_to(ex, start + 2, NULL);
		return;
	}
	nm = start + 2;
	if (*nm == '-')
		nm++;
	while (nm < close && isspace((unsigned char)*nm))
		nm++;
	nlen = 0;
	while (nm + nlen < close &&
	    (isalnum((unsigned char)nm[nlen]) || nm[nlen] == '_'))
		nlen++;
	args = nm + nlen;
	q = close;
	if (q > args && q[-1] == '-')
		q--;
	if (nlen == 0 || nlen >= sizeof(name)) {
		warn(ex, tag_line, "a tag without a name; kept as text");
		copy_to(ex, close + 2, NULL);
		return;
	}
	memcpy(name, nm, nlen);
	name[nlen] = '\0';
	argc = hexotag_split_args(args, (size_t)(q - args), &argv);

	static const char *need_arg[] = {"youtube", "vimeo", "asset_img",
	    "asset_link", "asset_path", "post_link", "post_path", "link", "img",
	    "iframe", "gist", "jsfiddle", "include_code"};
	for (size_t i = 0; i < sizeof(need_arg) / sizeof(need_arg[0]); i++) {
		if (argc == 0 && strcmp(name, need_arg[i]) == 0) {
			warn(ex, tag_line,
			    "{%% %s %%} needs an argument; kept as text", name);
			copy_to(ex, close + 2, NULL);
			hexotag_args_free(argv, argc);
			return;
		}
	}
	if (tag_inline(&b, ex->words, name, argv, argc)) {
		skip_to(ex, close + 2);
		emit(ex, b.data, b.len, tag_line);
	} else {
		skip_to(ex, close + 2);
		if (!tag_block(ex, name, argv, argc, tag_line)) {
			warn(ex, tag_line,
			    "unknown tag {%% %s %%}; kept as text", name);
			ex->p = start;
			ex->line = tag_line;
			copy_to(ex, close + 2, NULL);
		}
	}
	buf_free(&b);
	hexotag_args_free(argv, argc);
}

/* A fence line at p (up to 3 spaces, then 3+ backticks or tildes): its
 * character and length, or 0. */
static size_t
fence_at(const char *p, const char *end, char *c)
{
	size_t ind = 0, n = 0;

	while (p < end && *p == ' ' && ind < 4) {
		p++;
		ind++;
	}
	if (ind > 3 || p >= end || (*p != '`' && *p != '~'))
		return 0;
	*c = *p;
	while (p + n < end && p[n] == *c)
		n++;
	return n >= 3 ? n : 0;
}

static const char *
line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl + 1 : end;
}

/* A closing fence has nothing but spaces after its run of c. */
static bool
only_spaces_after(const char *p, const char *le, char c)
{
	while (p < le && *p == ' ')
		p++;
	while (p < le && *p == c)
		p++;
	while (p < le && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p == le;
}

/* Copy a fenced code block (ex->p at its opening line) unchanged. */
static void
copy_fence(struct expander *ex, char c, size_t n)
{
	int open_line = ex->line;

	copy_to(ex, line_end(ex->p, ex->end), NULL);
	while (ex->p < ex->end) {
		char c2;
		size_t n2 = fence_at(ex->p, ex->end, &c2);
		const char *le = line_end(ex->p, ex->end);

		bool closes =
		    n2 >= n && c2 == c && only_spaces_after(ex->p, le, c);

		copy_to(ex, le, NULL);
		if (closes)
			return;
	}
	warn(ex, open_line,
	    "this code fence is never closed: the rest of the"
	    " post is code");
}

/* ex->p at a run of backticks: copy the code span it opens, or the run. */
static void
copy_code_span(struct expander *ex)
{
	const char *p = ex->p, *q, *limit, *blank;
	size_t n = 0;

	while (p + n < ex->end && p[n] == '`')
		n++;
	limit = ex->end - p > SEARCH_LIMIT ? p + SEARCH_LIMIT : ex->end;
	blank = find_memo(p, ex->end, "\n\n", &ex->blank_memo);
	if (blank && blank < limit)
		limit = blank;
	for (q = p + n; q < limit; q++) {
		size_t m = 0;

		if ((q = memchr(q, '`', (size_t)(limit - q))) == NULL)
			break;
		while (q + m < limit && q[m] == '`')
			m++;
		if (m == n) {
			copy_to(ex, q + m, NULL);
			return;
		}
		q += m;
	}
	copy_to(ex, p + n, NULL);
}

/* Where the plain text at ex->p (not a tag, code span or fence) ends:
 * at the next backtick or brace on its line, else at the start of the
 * line holding the next one (or a "~~~"), since lines without any of them
 * open no fence. */
static const char *
plain_end(struct expander *ex)
{
	const char *from = ex->p + 1, *stop = ex->end, *q, *nl;

	if ((q = find_memo(from, ex->end, "`", &ex->tick_memo)) && q < stop)
		stop = q;
	if ((q = find_memo(from, ex->end, "{", &ex->brace_memo)) && q < stop)
		stop = q;
	if ((q = find_memo(from, ex->end, "~~~", &ex->tilde_memo)) && q < stop)
		stop = q;
	if (stop == ex->end)
		return stop;
	nl = memrchr(ex->p, '\n', (size_t)(stop - ex->p));
	return nl ? nl + 1 : stop;
}

/* By memchr on '{', rare in prose, rather than memmem. */
bool
hexotag_present(const char *md, size_t len)
{
	const char *end = md + len;

	for (const char *p = md;
	     (p = memchr(p, '{', (size_t)(end - p))) != NULL; p++)
		if (p + 1 < end && p[1] == '%')
			return true;
	return false;
}

size_t
hexotag_expand(const char *md, size_t len, int first_line,
    const struct labels *words, struct buf *out, struct line_map *map,
    struct diag_list *d)
{
	struct expander ex = {md, md + len, first_line, out, map, words, true,
	    d, 0, 0, NULL, NULL, NULL, NULL, NULL};
	bool bol = true;

	if (!hexotag_present(md, len))
		ex.out = NULL;
	else
		buf_reserve(out, len + len / 8);

	while (ex.p < ex.end) {
		char c;
		size_t n;

		if (bol && (n = fence_at(ex.p, ex.end, &c)) != 0) {
			copy_fence(&ex, c, n);
			continue;
		}
		if (*ex.p == '`') {
			copy_code_span(&ex);
			bol = false;
		} else if (*ex.p == '{' && ex.p + 1 < ex.end &&
		    ex.p[1] == '%') {
			expand_tag(&ex);
			bol = ex.p > md && ex.p[-1] == '\n';
		} else {
			copy_to(&ex, plain_end(&ex), NULL);
			bol = ex.p[-1] == '\n';
		}
	}
	if (ex.warnings > MAX_WARNINGS)
		diag_add(d, 0, false, "%zu more warnings about tags not shown",
		    ex.warnings - MAX_WARNINGS);
	return ex.errors;
}
