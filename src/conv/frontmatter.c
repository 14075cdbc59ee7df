/*
 * frontmatter: the metadata block at the top of a Hexo post.
 *
 * Hexo (hexo-front-matter) accepts YAML between "---" lines and JSON
 * without its outer braces between ";;;" lines or ending at a ";;;" line.
 * JSON is read with the YAML parser too (a flow mapping is JSON's syntax),
 * which keeps one tree type and one set of limits for both.
 */
#include "frontmatter.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "post.h"
#include "yamltree.h"

/* YAML's null (plain ~, null, Null, NULL or nothing): the key is absent. */
static bool
is_null(const struct ynode *n)
{
	return n->kind == YNODE_SCALAR &&
	    (n->value[0] == '\0' ||
		(n->plain &&
		    (strcmp(n->value, "~") == 0 ||
			strcmp(n->value, "null") == 0 ||
			strcmp(n->value, "Null") == 0 ||
			strcmp(n->value, "NULL") == 0)));
}

/* Length of the delimiter line at p (three or more of c, then spaces), its
 * line break included, or 0 when the line is something else. */
static size_t
delimiter_line(const char *p, const char *end, char c)
{
	const char *q = p;

	while (q < end && *q == c)
		q++;
	if (q - p < 3)
		return 0;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q < end && *q == '\r')
		q++;
	if (q < end && *q != '\n')
		return 0;
	return (size_t)(q - p) + (q < end);
}

/* Find the closing delimiter line of c at or after p; *line counts the
 * lines passed. Returns its start, or NULL. */
static const char *
find_closing(const char *p, const char *end, char c, int *line)
{
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (delimiter_line(p, end, c))
			return p;
		if (nl == NULL)
			return NULL;
		p = nl + 1;
		(*line)++;
	}
	return NULL;
}

/* The YAML text as Hexo sees it: CR before LF dropped, leading tabs of
 * each line turned into two spaces each. */
static void
clean_yaml(const char *p, size_t n, struct buf *out)
{
	bool line_start = true;
	char *d;

	/* room for every byte as two (a tab's spaces): written in place,
	 * not a call per byte */
	buf_reserve(out, n <= SIZE_MAX / 2 ? 2 * n : SIZE_MAX);
	d = out->data + out->len;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			continue;
		if (line_start && p[i] == '\t') {
			*d++ = ' ';
			*d++ = ' ';
			continue;
		}
		line_start = p[i] == '\n';
		*d++ = p[i];
	}
	*d = '\0';
	out->len = (size_t)(d - out->data);
}

static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long long
days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
fm_parse_date(const char *s, int site_tz, time_t *t, int *tz)
{
	static const int mdays[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h = 0, mi = 0, sec = 0, zone = site_tz;
	const char *p = s;

	while (*p == ' ')
		p++;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return -1;
	if (*p == 'T' || *p == 't' ||
	    (*p == ' ' && isdigit((unsigned char)p[1]))) {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return -1;
			if (*p == '.' || *p == ',') {
				p++;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
	}
	while (*p == ' ')
		p++;
	if (*p == 'Z' || *p == 'z') {
		zone = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, zh, zm = 0;

		if (digits(&p, 2, &zh))
			return -1;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p) && digits(&p, 2, &zm))
			return -1;
		if (zh > 14 || zm > 59)
			return -1;
		zone = sign * (zh * 60 + zm);
	}
	while (*p == ' ')
		p++;
	if (*p != '\0')
		return -1;
	*t = (time_t)(days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 +
	    sec - zone * 60LL);
	*tz = zone;
	return 0;
}

/* A scalar, or a list of scalars joined with spaces (with a warning). */
static char *
scalar_text(
    const struct ynode *n, const char *what, struct diag_list *d, int off)
{
	struct buf b = BUF_INIT;

	if (n->kind == YNODE_SCALAR)
		return n->value[0] ? xstrdup(n->value) : NULL;
	if (n->kind == YNODE_LIST) {
		for (const struct ynode *c = n->child; c; c = c->next) {
			if (c->kind != YNODE_SCALAR)
				continue;
			if (b.len)
				buf_putc(&b, ' ');
			buf_puts(&b, c->value);
		}
		diag_add(d, n->line + off, false,
		    "front matter: %s is a list; joined with spaces (quote the "
		    "value"
		    " if it starts with '[')",
		    what);
		if (b.len)
			return buf_detach(&b, NULL);
		buf_free(&b);
		return NULL;
	}
	diag_add(d, n->line + off, false,
	    "front matter: %s is a mapping; ignored", what);
	return NULL;
}

static void
push_str(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

static void
read_tags(
    const struct ynode *n, struct post_meta *m, struct diag_list *d, int off)
{
	if (n->kind == YNODE_SCALAR) {
		if (n->value[0])
			push_str(&m->tags, &m->ntags, n->value);
		return;
	}
	if (n->kind != YNODE_LIST) {
		diag_add(d, n->line + off, false,
		    "front matter: tags must be a list");
		return;
	}
	for (const struct ynode *c = n->child; c; c = c->next) {
		if (is_null(c))
			continue;
		if (c->kind == YNODE_SCALAR)
			push_str(&m->tags, &m->ntags, c->value);
		else if (c->kind != YNODE_SCALAR)
			diag_add(d, c->line + off, false,
			    "front matter: a tag must be a plain value; "
			    "ignored");
	}
}

static struct category_path *
new_category(struct post_meta *m)
{
	struct category_path *c;

	m->categories = xrealloc(
	    m->categories, (m->ncategories + 1) * sizeof(*m->categories));
	c = &m->categories[m->ncategories++];
	c->names = NULL;
	c->n = 0;
	return c;
}

/* A list of scalars is one hierarchy; a list whose items are lists is
 * several categories (a scalar item among them is a one-level category). */
static void
read_categories(
    const struct ynode *n, struct post_meta *m, struct diag_list *d, int off)
{
	bool nested = false;
	struct category_path *c;

	if (n->kind == YNODE_SCALAR) {
		if (n->value[0]) {
			c = new_category(m);
			push_str(&c->names, &c->n, n->value);
		}
		return;
	}
	if (n->kind != YNODE_LIST) {
		diag_add(d, n->line + off, false,
		    "front matter: categories must be a list");
		return;
	}
	for (const struct ynode *ch = n->child; ch; ch = ch->next)
		nested |= ch->kind == YNODE_LIST;
	if (!nested) {
		if (n->child == NULL)
			return;
		c = new_category(m);
		for (const struct ynode *ch = n->child; ch; ch = ch->next)
			if (ch->kind == YNODE_SCALAR && ch->value[0])
				push_str(&c->names, &c->n, ch->value);
		return;
	}
	for (const struct ynode *ch = n->child; ch; ch = ch->next) {
		if (ch->kind == YNODE_SCALAR) {
			c = new_category(m);
			push_str(&c->names, &c->n, ch->value);
		} else if (ch->kind == YNODE_LIST) {
			c = new_category(m);
			for (const struct ynode *g = ch->child; g; g = g->next)
				if (g->kind == YNODE_SCALAR && g->value[0])
					push_str(&c->names, &c->n, g->value);
		} else {
			diag_add(d, ch->line + off, false,
			    "front matter: a category must be a name or a "
			    "list");
		}
	}
}

static void
read_date(const struct ynode *n, const char *what, int site_tz, bool *has,
    time_t *t, int *tz, struct diag_list *d, int off)
{
	if (n->kind != YNODE_SCALAR || n->value[0] == '\0')
		return;
	if (fm_parse_date(n->value, site_tz, t, tz) == 0) {
		*has = true;
		return;
	}
	diag_add(d, n->line + off, false,
	    "front matter: %s '%s' is not a date (YYYY-MM-DD[ "
	    "HH:MM[:SS]][zone]); ignored",
	    what, n->value);
}

static void
read_bool(const struct ynode *n, const char *what, bool *out,
    struct diag_list *d, int off)
{
	if (n->kind == YNODE_SCALAR && ynode_bool(n->value, out) == 0)
		return;
	diag_add(d, n->line + off, false,
	    "front matter: %s must be true or false", what);
}

static void
read_fields(const struct ynode *root, int site_tz, struct post_meta *m,
    struct diag_list *d, int off)
{
	for (const struct ynode *n = root->child; n; n = n->next) {
		const char *k = n->key;
		bool b;

		if (k == NULL || is_null(n))
			continue;
		if (strcmp(k, "title") == 0) {
			free(m->title);
			m->title = scalar_text(n, "title", d, off);
		} else if (strcmp(k, "date") == 0) {
			read_date(n, "date", site_tz, &m->has_date, &m->date,
			    &m->date_tz, d, off);
		} else if (strcmp(k, "updated") == 0) {
			read_date(n, "updated", site_tz, &m->has_updated,
			    &m->updated, &m->updated_tz, d, off);
		} else if (strcmp(k, "tags") == 0 || strcmp(k, "tag") == 0) {
			read_tags(n, m, d, off);
		} else if (strcmp(k, "categories") == 0 ||
		    strcmp(k, "category") == 0) {
			read_categories(n, m, d, off);
		} else if (strcmp(k, "permalink") == 0) {
			free(m->permalink);
			m->permalink = scalar_text(n, "permalink", d, off);
		} else if (strcmp(k, "lang") == 0) {
			free(m->lang);
			m->lang = scalar_text(n, "lang", d, off);
		} else if (strcmp(k, "excerpt") == 0) {
			free(m->excerpt);
			m->excerpt = scalar_text(n, "excerpt", d, off);
		} else if (strcmp(k, "published") == 0) {
			b = true;
			read_bool(n, "published", &b, d, off);
			m->published = m->published && b;
		} else if (strcmp(k, "draft") == 0) {
			b = false;
			read_bool(n, "draft", &b, d, off);
			m->published = m->published && !b;
		} else if (strcmp(k, "disableNunjucks") == 0) {
			read_bool(
			    n, "disableNunjucks", &m->disable_nunjucks, d, off);
		}
	}
}

int
frontmatter_parse(const char *text, size_t len, int site_tz,
    struct post_meta *meta, const char **body, size_t *body_len,
    struct diag_list *d)
{
	const char *p = text, *end = text + len, *fm, *close;
	struct buf yaml = BUF_INIT;
	struct ynode *root;
	char err[256];
	size_t dl;
	int close_line = 1, fm_line;
	char delim;

	memset(meta, 0, sizeof(*meta));
	meta->published = true;
	meta->date_tz = meta->updated_tz = site_tz;
	meta->body_line = 1;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	*body = p;
	*body_len = (size_t)(end - p);

	if ((dl = delimiter_line(p, end, '-')) != 0) {
		delim = '-';
		fm = p + dl;
		fm_line = 2;
		close_line = 2;
	} else if ((dl = delimiter_line(p, end, ';')) != 0) {
		delim = ';';
		fm = p + dl;
		fm_line = 2;
		close_line = 2;
	} else if (p < end && *p == '"') {
		/* JSON front matter without the opening ";;;". */
		delim = ';';
		fm = p;
		fm_line = 1;
	} else {
		return 0;
	}
	close = find_closing(fm, end, delim, &close_line);
	if (close == NULL) {
		if (fm == p)
			return 0; /* a post starting with a quote, not JSON */
		diag_add(d, 1, true, "front matter: no closing '%s' line",
		    delim == '-' ? "---" : ";;;");
		return -1;
	}
	if (delim == ';')
		buf_putc(&yaml, '{');
	clean_yaml(fm, (size_t)(close - fm), &yaml);
	if (delim == ';')
		buf_puts(&yaml, "\n}");
	root =
	    ynode_parse(yaml.data ? yaml.data : "", yaml.len, err, sizeof(err));
	buf_free(&yaml);
	if (root == NULL) {
		char *rest;
		long l = strtol(err, &rest, 10);

		if (*rest == ':')
			rest += 2;
		else
			rest = err;
		diag_add(
		    d, (int)l + fm_line - 1, true, "front matter: %s", rest);
		return -1;
	}
	meta->has_front_matter = true;
	read_fields(root, site_tz, meta, d, fm_line - 1);
	ynode_free(root);
	close += delimiter_line(close, end, delim);
	meta->body_line = close_line + 1;
	*body = close;
	*body_len = (size_t)(end - close);
	return 0;
}

void
post_meta_free(struct post_meta *m)
{
	bool own = !m->borrowed;

	if (own)
		free(m->title);
	for (size_t i = 0; own && i < m->ntags; i++)
		free(m->tags[i]);
	free(m->tags);
	for (size_t i = 0; i < m->ncategories; i++) {
		for (size_t j = 0; own && j < m->categories[i].n; j++)
			free(m->categories[i].names[j]);
		free(m->categories[i].names);
	}
	free(m->categories);
	if (own) {
		free(m->permalink);
		free(m->lang);
		free(m->excerpt);
	}
	memset(m, 0, sizeof(*m));
}
