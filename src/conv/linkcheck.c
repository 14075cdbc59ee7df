#include "linkcheck.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "links.h"
#include "url.h"
#include "utf8.h"
#include "workers.h"

void
linkcheck_init(struct linkcheck *lc)
{
	memset(lc, 0, sizeof(*lc));
	/* Answered by the server itself, not a file. */
	strmap_put(&lc->exists, "/search", NULL);
	strmap_put(&lc->exists, "/", NULL);
}

static void
drop(struct dead_link *dl)
{
	if (!dl->owned)
		return;
	free((char *)(uintptr_t)dl->target);
	free((char *)(uintptr_t)dl->path);
}

void
linkcheck_free(struct linkcheck *lc)
{
	size_t i;

	for (i = 0; i < lc->npending; i++)
		drop(&lc->pending[i]);
	free(lc->pending);
	for (i = 0; i < lc->nbatches; i++)
		if (lc->batches[i].owned)
			page_links_free(
			    (struct page_link *)(uintptr_t)lc->batches[i].v,
			    lc->batches[i].n);
	free(lc->batches);
	for (i = 0; i < lc->nsrcs; i++)
		free(lc->srcs[i]);
	free(lc->srcs);
	strmap_free(&lc->exists);
}

void
linkcheck_exists(struct linkcheck *lc, const char *file)
{
	char small[256], *p = small; /* one per file written: no malloc */
	size_t n = strlen(file);

	if (n + 2 > sizeof(small))
		p = xmalloc(n + 2);
	p[0] = '/';
	memcpy(p + 1, file, n + 1);
	strmap_putn(&lc->exists, p, n + 1, NULL);
	if (n >= 9 && strcmp(file + n - 9, "index.gmi") == 0 &&
	    (n == 9 || file[n - 10] == '/'))
		strmap_putn(&lc->exists, p, n + 1 - 9, NULL);
	if (p != small)
		free(p);
}

/* The decoded capsule path of an internal link, or -1 for an external one.
 * A link that cannot be decoded leads nowhere: its path is left empty. */
static int
internal_path(const struct site *s, const char *file, const char *t, size_t n,
    struct buf *out)
{
	struct url u, base;
	const char *reason;

	/* Most links of a page are such (images on the web blog, videos):
	 * external, with no need to parse them. */
	if (url_is_plain_web(t, n))
		return -1;
	if (url_parse(t, n, &u, &reason) != 0)
		return 0;
	if (u.scheme.len > 0) {
		if (!slice_eq_nocase(u.scheme, "gemini") ||
		    url_parse(s->cfg->gemini_base, strlen(s->cfg->gemini_base),
			&base, &reason) != 0 ||
		    u.host.len != base.host.len ||
		    strncasecmp(u.host.p, base.host.p, u.host.len) != 0)
			return -1;
	} else if (u.has_authority) {
		return -1;
	}
	if (u.path.len == 0) {
		buf_putc(out, '/');
		return 0;
	}
	if (u.path.p[0] != '/') {
		/* Relative to the page's folder. */
		const char *slash = strrchr(file, '/');
		buf_putc(out, '/');
		if (slash != NULL)
			buf_append(out, file, (size_t)(slash - file) + 1);
	}
	if (url_decode(u.path.p, u.path.len, out, URL_DECODE_PATH, &reason) !=
	    0)
		buf_reset(out);
	return 0;
}

/* Room for need links in all in (*v, n): st->room says how many it has. */
static void
make_room(struct link_scan *st, struct page_link **v, size_t n, size_t need)
{
	if (st->room >= n && need <= st->room)
		return;
	if (need < 2 * n)
		need = 2 * n;
	*v = xrealloc(*v, need * sizeof(**v));
	st->room = need;
}

static void
collect_one(const struct site *s, const struct site_doc *doc, const char *file,
    struct link_scan *st, const char *t, size_t n, struct page_link **v,
    size_t *nv)
{
	struct buf path = BUF_INIT;
	struct page_link *pl;
	size_t i;

	if (internal_path(s, file, t, n, &path) != 0) {
		buf_free(&path);
		return;
	}
	make_room(st, v, *nv, *nv + 1);
	pl = &(*v)[(*nv)++];
	pl->target = xstrndup(t, n);
	pl->path = path.data ? buf_detach(&path, NULL) : xstrdup("");
	pl->line = doc ? 0 : st->line;
	for (i = 0; doc && i < doc->norigins; i++)
		if (strcmp(doc->origins[i].target, pl->target) == 0) {
			pl->line = doc->origins[i].line;
			break;
		}
}

/* Where a link line's target starting at p ends: the first space or tab
 * before eol, or eol. */
static const char *
target_end(const char *p, const char *eol)
{
	const char *sp = memchr(p, ' ', (size_t)(eol - p)), *tab;

	if (sp != NULL)
		eol = sp;
	tab = memchr(p, '\t', (size_t)(eol - p));
	return tab != NULL ? tab : eol;
}

/* The next c in [from, end) unless at (a previous find) is still ahead. */
static const char *
next_of(const char *at, const char *from, const char *end, char c)
{
	if (at == NULL || at >= from)
		return at;
	return from < end ? memchr(from, c, (size_t)(end - from)) : NULL;
}

/*
 * The link lines of text[0..len), a piece of a page that ends a line,
 * scanned from st and leaving st where the piece ends. Only lines that
 * begin with "=>" or "```" matter: found by memchr on '=' and '`' (rare
 * in prose) rather than line by line. Lines are counted only for a page
 * without a document (doc NULL), whose links are reported at their line
 * in the page; a document's are reported at their source line.
 */
static void
collect_piece(const struct site *s, const struct site_doc *doc,
    const char *file, const char *text, size_t len, struct link_scan *st,
    struct page_link **v, size_t *n)
{
	const char *end = text + len, *counted = text, *q, *eol, *t;
	const char *eq = memchr(text, '=', len), *tick = memchr(text, '`', len);

	while (eq != NULL || tick != NULL) {
		q = eq == NULL ? tick : tick == NULL || eq < tick ? eq : tick;
		if (q > text && q[-1] != '\n') { /* inside a line */
			eq = next_of(eq, q + 1, end, '=');
			tick = next_of(tick, q + 1, end, '`');
			continue;
		}
		if (doc == NULL) {
			st->line += (int)utf8_count_newlines(
			    counted, (size_t)(q - counted));
			counted = q;
		}
		if ((eol = memchr(q, '\n', (size_t)(end - q))) == NULL)
			eol = end;
		if (eol - q >= 3 && memcmp(q, "```", 3) == 0) {
			st->pre = !st->pre;
		} else if (!st->pre && eol - q >= 2 && q[0] == '=' &&
		    q[1] == '>') {
			for (q += 2; q < eol && (*q == ' ' || *q == '\t'); q++)
				;
			t = q;
			q = target_end(q, eol);
			if (q > t)
				collect_one(
				    s, doc, file, st, t, (size_t)(q - t), v, n);
		}
		eol = eol < end ? eol + 1 : end;
		eq = next_of(eq, eol, end, '=');
		tick = next_of(tick, eol, end, '`');
	}
	if (doc == NULL)
		st->line +=
		    (int)utf8_count_newlines(counted, (size_t)(end - counted)) +
		    (len > 0 && end[-1] != '\n');
}

void
linkcheck_collect(const struct site *s, const struct site_doc *doc,
    const char *file, const char *text, size_t len, struct page_link **v,
    size_t *n)
{
	struct link_scan st = LINK_SCAN_INIT;

	collect_piece(s, doc, file, text, len, &st, v, n);
}

void
linkcheck_scanv(const struct site *s, const struct site_doc *doc,
    const char *file, struct link_scan *st, const struct iovec *pieces,
    size_t npieces, struct page_link **v, size_t *n)
{
	for (size_t i = 0; i < npieces; i++)
		collect_piece(s, doc, file, pieces[i].iov_base,
		    pieces[i].iov_len, st, v, n);
}

void
linkcheck_reserve(
    struct link_scan *st, struct page_link **v, size_t n, size_t more)
{
	make_room(st, v, n, n + more);
}

void
linkcheck_collectv(const struct site *s, const struct site_doc *doc,
    const char *file, const struct iovec *pieces, size_t npieces,
    struct page_link **v, size_t *n)
{
	struct link_scan st = LINK_SCAN_INIT;

	linkcheck_scanv(s, doc, file, &st, pieces, npieces, v, n);
}

static struct dead_link *
push(struct linkcheck *lc)
{
	if (lc->npending == lc->cap) {
		lc->cap = lc->cap ? lc->cap * 2 : 256;
		lc->pending =
		    xrealloc(lc->pending, lc->cap * sizeof(*lc->pending));
	}
	return &lc->pending[lc->npending++];
}

static void
add_batch(struct linkcheck *lc, const char *src, const struct page_link *v,
    size_t n, bool owned)
{
	if (lc->nbatches == lc->batches_cap) {
		lc->batches_cap = lc->batches_cap ? lc->batches_cap * 2 : 256;
		lc->batches = xrealloc(
		    lc->batches, lc->batches_cap * sizeof(*lc->batches));
	}
	lc->batches[lc->nbatches++] = (struct link_batch){src, v, n, owned};
}

void
linkcheck_add(
    struct linkcheck *lc, const char *src, const struct page_link *v, size_t n)
{
	if (n > 0)
		add_batch(lc, src, v, n, false);
}

/* Add links collected here: their strings move to the linkcheck. */
void
linkcheck_take(
    struct linkcheck *lc, const char *src, struct page_link *v, size_t n)
{
	char *own = xstrdup(src); /* one copy for all the page's links */

	lc->srcs = xrealloc(lc->srcs, (lc->nsrcs + 1) * sizeof(*lc->srcs));
	lc->srcs[lc->nsrcs++] = own;
	add_batch(lc, own, v, n, true);
}

void
page_links_free(struct page_link *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].target);
		free(v[i].path);
	}
	free(v);
}

void
linkcheck_atom(struct linkcheck *lc, const struct site *s, const char *file,
    const char *xml, size_t len)
{
	const char *p = xml, *end = xml + len, *q, *nl;
	struct page_link *v = NULL;
	struct link_scan st = LINK_SCAN_INIT;
	size_t n = 0;

	while ((q = memmem(p, (size_t)(end - p), "href=\"", 6)) != NULL) {
		for (nl = p; (nl = memchr(nl, '\n', (size_t)(q - nl))) != NULL;
		     nl++)
			st.line++;
		q += 6;
		p = memchr(q, '"', (size_t)(end - q));
		if (p == NULL)
			break;
		collect_one(s, NULL, file, &st, q, (size_t)(p - q), &v, &n);
	}
	linkcheck_take(lc, file, v, n);
}

/* Whether each link of each batch is dead (lookups in the finished
 * exists set only: checked in parallel, a batch at a time). */
struct finish {
	struct linkcheck *lc;
	bool *dead; /* per link, the batches' one after the other */
	size_t *first; /* per batch: where its links are in dead */
};

static void
check_batch(void *ctx, size_t i)
{
	struct finish *f = ctx;
	const struct link_batch *lb = &f->lc->batches[i];
	struct page_link *v = (struct page_link *)(uintptr_t)lb->v;
	bool *dead = f->dead + f->first[i];

	for (size_t j = 0; j < lb->n; j++) {
		dead[j] = v[j].line != LINK_REPORTED &&
		    (v[j].path[0] == '\0' ||
			!strmap_has(&f->lc->exists, v[j].path));
		/* freed here too: tens of thousands on the index */
		if (!dead[j] && lb->owned) {
			free(v[j].target);
			free(v[j].path);
			v[j].target = v[j].path = NULL;
		}
	}
}

size_t
linkcheck_finish(struct linkcheck *lc)
{
	struct finish f = {lc, NULL, xcalloc(lc->nbatches + 1, sizeof(size_t))};
	size_t i, j, total = 0;
	struct page_link *v;
	struct dead_link *dl;

	for (i = 0; i < lc->nbatches; i++) {
		f.first[i] = total;
		total += lc->batches[i].n;
	}
	f.dead = xcalloc(total + 1, sizeof(bool));
	workers_run(lc->nbatches, check_batch, &f, NULL, NULL);
	for (i = 0; i < lc->nbatches; i++) {
		v = (struct page_link *)(uintptr_t)lc->batches[i].v;
		for (j = 0; j < lc->batches[i].n; j++) {
			if (!f.dead[f.first[i] + j])
				continue;
			dl = push(lc);
			dl->src = lc->batches[i].src;
			dl->line = v[j].line;
			dl->target = v[j].target;
			dl->path = v[j].path;
			dl->owned = lc->batches[i].owned;
			if (dl->owned) /* they move to pending */
				v[j].target = v[j].path = NULL;
		}
	}
	free(f.dead);
	free(f.first);
	/* checked: what is left of the batches is only their arrays */
	for (i = 0; i < lc->nbatches; i++)
		if (lc->batches[i].owned)
			free((void *)(uintptr_t)lc->batches[i].v);
	free(lc->batches);
	lc->batches = NULL;
	lc->nbatches = lc->batches_cap = 0;
	return lc->npending;
}
