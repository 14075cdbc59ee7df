#include "search.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gemtext.h"
#include "layout.h"
#include "url.h"
#include "utf8.h"

/* Columns of context shown before the first hit. */
#define SNIPPET_BEFORE 20

struct post {
	char *path; /* the post's URL path, "/2021/12/31/slug/" */
	char date[11];
	char *title;
	char *text; /* display text, whitespace runs made one space */
	char *lower; /* text with ASCII lowercased: same offsets as text */
	size_t text_len;
	char *title_lower;
};

struct search_index {
	struct post *posts;
	size_t n, cap;
};

static bool
is_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

char *
search_post_path(const char *path)
{
	size_t n = strlen(path), rest_len;
	const char *rest;

	if (n < 12 || path[0] != '/' || path[5] != '/' || path[8] != '/' ||
	    path[11] != '/' || !is_digits(path + 1, 4) ||
	    !is_digits(path + 6, 2) || !is_digits(path + 9, 2))
		return NULL;
	rest = path + 12;
	rest_len = n - 12;
	if (rest_len > 10 && strcmp(path + n - 10, "/index.gmi") == 0 &&
	    memchr(rest, '/', rest_len - 10) == NULL)
		return xstrndup(path, n - 9);
	if (rest_len > 4 && strcmp(path + n - 4, ".gmi") == 0 &&
	    strcmp(rest, "index.gmi") != 0 && strchr(rest, '/') == NULL)
		return xstrdup(path);
	return NULL;
}

/* Clean s[0..n) and append it to out with whitespace runs as one space. */
static void
append_words(struct buf *out, const char *s, size_t n, struct buf *tmp)
{
	size_t i;

	buf_reset(tmp);
	layout_clean(tmp, s, n, false);
	for (i = 0; i < tmp->len; i++) {
		if (tmp->data[i] == ' ') {
			if (out->len > 0 && out->data[out->len - 1] != ' ')
				buf_putc(out, ' ');
		} else {
			buf_putc(out, tmp->data[i]);
		}
	}
}

static char *
ascii_lower(const char *s, size_t n)
{
	char *l = xmalloc(n + 1);
	size_t i;

	for (i = 0; i < n; i++)
		l[i] = (char)tolower((unsigned char)s[i]);
	l[n] = '\0';
	return l;
}

struct search_index *
search_new(void)
{
	return xcalloc(1, sizeof(struct search_index));
}

int
search_add(
    struct search_index *idx, const char *path, const char *text, size_t len)
{
	struct gmi_doc doc;
	struct buf body = BUF_INIT, tmp = BUF_INIT, title = BUF_INIT;
	struct post *p;
	char *url = search_post_path(path);
	size_t i;

	if (url == NULL)
		return 0;
	gmi_parse(text, len, &doc);
	for (i = 0; i < doc.n; i++) {
		const struct gmi_line *l = &doc.lines[i];
		if (l->kind == GMI_PRE_TOGGLE)
			continue;
		if (l->kind == GMI_HEADING && l->level == 1 && title.len == 0) {
			append_words(&title, l->text.p, l->text.len, &tmp);
			continue;
		}
		if (body.len > 0 && body.data[body.len - 1] != ' ')
			buf_putc(&body, ' ');
		append_words(&body, l->text.p, l->text.len, &tmp);
	}
	while (body.len > 0 && body.data[body.len - 1] == ' ')
		buf_truncate(&body, body.len - 1);
	if (title.len == 0)
		append_words(&title, url + 12, strlen(url + 12), &tmp);
	if (idx->n == idx->cap) {
		idx->cap = idx->cap ? idx->cap * 2 : 16;
		idx->posts =
		    xrealloc(idx->posts, idx->cap * sizeof(*idx->posts));
	}
	p = &idx->posts[idx->n++];
	p->path = url;
	memcpy(p->date, url + 1, 10);
	p->date[4] = p->date[7] = '-';
	p->date[10] = '\0';
	p->text_len = body.len;
	p->text = buf_detach(&body, NULL);
	p->lower = ascii_lower(p->text, p->text_len);
	p->title = buf_detach(&title, NULL);
	p->title_lower = ascii_lower(p->title, strlen(p->title));
	buf_free(&tmp);
	gmi_doc_free(&doc);
	return 1;
}

size_t
search_count(const struct search_index *idx)
{
	return idx->n;
}

void
search_free(struct search_index *idx)
{
	size_t i;

	if (idx == NULL)
		return;
	for (i = 0; i < idx->n; i++) {
		free(idx->posts[i].path);
		free(idx->posts[i].title);
		free(idx->posts[i].text);
		free(idx->posts[i].lower);
		free(idx->posts[i].title_lower);
	}
	free(idx->posts);
	free(idx);
}

/* A gemtext text line that would read as another line type gets a
 * leading space (gemtext has no escape). */
static void
put_text_line(struct buf *out, const char *s, size_t n)
{
	if ((n >= 2 && s[0] == '=' && s[1] == '>') || (n >= 1 && s[0] == '#') ||
	    (n >= 2 && s[0] == '*' && s[1] == ' ') || (n >= 1 && s[0] == '>') ||
	    (n >= 3 && memcmp(s, "```", 3) == 0))
		buf_putc(out, ' ');
	buf_append(out, s, n);
	buf_putc(out, '\n');
}

static void
snippet(struct buf *out, const struct post *p, size_t hit)
{
	size_t start = hit, before = 0, len, avail = SEARCH_SNIPPET_COLS;
	struct buf s = BUF_INIT;
	uint32_t cp;

	while (start > 0 && before < SNIPPET_BEFORE) {
		size_t k = start - 1;
		while (k > 0 && ((unsigned char)p->text[k] & 0xc0) == 0x80)
			k--;
		utf8_decode(p->text + k, start - k, &cp);
		before += (size_t)utf8_cp_width(cp);
		start = k;
	}
	if (start > 0) {
		/* Begin at a word when one starts before the hit. */
		const char *sp = memchr(p->text + start, ' ', hit - start);
		if (sp)
			start = (size_t)(sp - p->text) + 1;
		buf_puts(&s, "...");
		avail -= 3;
	}
	len = layout_fit(p->text + start, p->text_len - start, avail);
	if (start + len < p->text_len)
		len =
		    layout_fit(p->text + start, p->text_len - start, avail - 3);
	buf_append(&s, p->text + start, len);
	if (start + len < p->text_len)
		buf_puts(&s, "...");
	put_text_line(out, s.data, s.len);
	buf_free(&s);
}

struct hit {
	const struct post *p;
	size_t at; /* offset of the first hit in the text */
};

static int
hit_newest_first(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	int c = strcmp(y->p->date, x->p->date);

	return c ? c : strcmp(y->p->path, x->p->path);
}

static void
explain(struct buf *out, const char *why)
{
	buf_puts(out, "# Search\n\n");
	if (why)
		put_text_line(out, why, strlen(why));
	buf_puts(out,
	    "Type one or more words to look for in the titles and "
	    "text of the posts, Korean or not: 라스베가스, load shedding. "
	    "Upper and lower case match alike; the words are found as "
	    "written, side by side.\n\n=> " SEARCH_PATH " Search the posts\n");
}

void
search_gemtext(const struct search_index *idx, const char *query, size_t len,
    struct buf *out)
{
	struct buf q = BUF_INIT, tmp = BUF_INIT, line = BUF_INIT;
	struct hit *hits;
	size_t i, nhits = 0;
	char *lq;

	if (len > SEARCH_MAX_QUERY) {
		buf_printf(&line,
		    "That query is %zu bytes long; at most %d are "
		    "read. Try a shorter one.",
		    len, SEARCH_MAX_QUERY);
		explain(out, line.data);
		buf_free(&line);
		return;
	}
	if (!utf8_valid(query, len)) {
		explain(out, "That query is not valid UTF-8 text.");
		return;
	}
	append_words(&q, query, len, &tmp);
	while (q.len > 0 && q.data[q.len - 1] == ' ')
		buf_truncate(&q, q.len - 1);
	buf_free(&tmp);
	if (q.len == 0) {
		explain(out, NULL);
		buf_free(&q);
		return;
	}
	lq = ascii_lower(q.data, q.len);
	hits = xmalloc((idx->n ? idx->n : 1) * sizeof(*hits));
	for (i = 0; i < idx->n; i++) {
		const struct post *p = &idx->posts[i];
		const char *at = memmem(p->lower, p->text_len, lq, q.len);
		if (at)
			hits[nhits++] =
			    (struct hit){p, (size_t)(at - p->lower)};
		else if (strstr(p->title_lower, lq))
			hits[nhits++] = (struct hit){p, 0};
	}
	qsort(hits, nhits, sizeof(*hits), hit_newest_first);
	buf_printf(out, "# Search: %.*s\n\n", (int)q.len, q.data);
	if (nhits == 0)
		buf_printf(
		    out, "No post contains \"%.*s\".\n", (int)q.len, q.data);
	else
		buf_printf(out, "%zu post%s contain%s \"%.*s\".\n", nhits,
		    nhits == 1 ? "" : "s", nhits == 1 ? "s" : "", (int)q.len,
		    q.data);
	if (nhits > SEARCH_MAX_RESULTS)
		buf_printf(
		    out, "The newest %d are listed.\n", SEARCH_MAX_RESULTS);
	for (i = 0; i < nhits && i < SEARCH_MAX_RESULTS; i++) {
		/* Paths are decoded; a link's URL is percent-encoded. */
		buf_puts(out, "\n=> ");
		url_encode(out, hits[i].p->path, strlen(hits[i].p->path), "/");
		buf_printf(out, " %s %s\n", hits[i].p->date, hits[i].p->title);
		snippet(out, hits[i].p, hits[i].at);
	}
	buf_puts(out, "\n=> " SEARCH_PATH " Search again\n");
	free(hits);
	free(lq);
	buf_free(&q);
}

struct menu_types {
	const struct gmi_menu_opts *o;
};

static char
search_item_type(void *ctx, const char *path, size_t len)
{
	const struct menu_types *t = ctx;

	if (len == strlen(SEARCH_PATH) && memcmp(path, SEARCH_PATH, len) == 0)
		return '7';
	if (t->o->item_type)
		return t->o->item_type(t->o->ctx, path, len);
	return gmi_item_type_guess(path, len);
}

void
search_menu(const struct search_index *idx, const char *query, size_t len,
    const struct gmi_menu_opts *o, struct buf *out)
{
	struct buf page = BUF_INIT;
	struct menu_types t = {o};
	struct gmi_menu_opts mo = *o;

	search_gemtext(idx, query, len, &page);
	mo.item_type = search_item_type;
	mo.ctx = &t;
	mo.after_title = NULL;
	gmi_gophermap(page.data, page.len, SEARCH_PATH, &mo, out);
	buf_free(&page);
}
