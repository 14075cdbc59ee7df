#include "atom.h"

#include <stdlib.h>
#include <string.h>

#include "index.h"

void
atom_format_time(struct buf *out, time_t t, int tz)
{
	struct tm tm;
	time_t local = t + (time_t)tz * 60;
	int off = tz < 0 ? -tz : tz;

	gmtime_r(&local, &tm);
	buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (tz == 0)
		buf_putc(out, 'Z');
	else
		buf_printf(
		    out, "%c%02d:%02d", tz < 0 ? '-' : '+', off / 60, off % 60);
}

static void
xml_str(struct buf *out, const char *s)
{
	buf_escape_markup(out, s, strlen(s));
}

/* gemini_base + the percent-encoded path without its leading '/'. */
static void
abs_url(struct buf *out, const struct site *s, const char *path)
{
	struct buf u = BUF_INIT;

	buf_puts(&u, s->cfg->gemini_base);
	site_put_link(&u, path[0] == '/' ? path + 1 : path);
	buf_escape_markup(out, u.data, u.len);
	buf_free(&u);
}

static void
entry(struct buf *out, const struct site *s, const struct site_doc *doc)
{
	const struct post_meta *m = &doc->meta;
	size_t i;

	buf_puts(out, "  <entry>\n    <title>");
	xml_str(out, m->title);
	buf_puts(out, "</title>\n    <link rel=\"alternate\" href=\"");
	abs_url(out, s, doc->url);
	buf_puts(out, "\"/>\n    <id>");
	abs_url(out, s, doc->url);
	buf_puts(out, "</id>\n    <published>");
	atom_format_time(out, m->date, m->date_tz);
	buf_puts(out, "</published>\n    <updated>");
	if (m->has_updated)
		atom_format_time(out, m->updated, m->updated_tz);
	else
		atom_format_time(out, m->date, m->date_tz);
	buf_puts(out, "</updated>\n");
	for (i = 0; i < m->ntags; i++) {
		buf_puts(out, "    <category term=\"");
		xml_str(out, m->tags[i]);
		buf_puts(out, "\"/>\n");
	}
	if (m->excerpt != NULL) {
		buf_puts(out, "    <summary>");
		xml_str(out, m->excerpt);
		buf_puts(out, "</summary>\n");
	} else if (doc->rendered && doc->res.excerpt_len > 0) {
		buf_puts(out, "    <summary>");
		buf_escape_markup(
		    out, doc->res.gemtext.data, doc->res.excerpt_len);
		buf_puts(out, "</summary>\n");
	}
	buf_puts(out, "  </entry>\n");
}

void
atom_render(const struct site *s, time_t now, struct buf *out)
{
	struct site_doc **posts;
	time_t updated = now;
	int updated_tz = s->cfg->tz_minutes;
	size_t n, i;

	posts = index_newest_first(s, &n);
	for (i = 0; i < n && i < ATOM_ENTRIES; i++) {
		const struct post_meta *m = &posts[i]->meta;
		time_t t = m->has_updated && m->updated > m->date ? m->updated
								  : m->date;
		if (i == 0 || t > updated) {
			updated = t;
			updated_tz = m->date_tz;
		}
	}
	buf_puts(out,
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
	xml_str(out, s->cfg->lang);
	buf_puts(out, "\">\n  <title>");
	xml_str(out, s->cfg->title);
	buf_puts(out, "</title>\n");
	if (s->cfg->subtitle != NULL) {
		buf_puts(out, "  <subtitle>");
		xml_str(out, s->cfg->subtitle);
		buf_puts(out, "</subtitle>\n");
	}
	buf_puts(out, "  <link rel=\"self\" href=\"");
	abs_url(out, s, "/atom.xml");
	buf_puts(out, "\"/>\n  <link rel=\"alternate\" href=\"");
	abs_url(out, s, "/");
	buf_puts(out, "\"/>\n  <id>");
	abs_url(out, s, "/");
	buf_puts(out, "</id>\n  <updated>");
	atom_format_time(out, updated, updated_tz);
	buf_puts(out, "</updated>\n  <author><name>");
	xml_str(out, s->cfg->author ? s->cfg->author : s->cfg->title);
	buf_puts(out, "</name></author>\n");
	for (i = 0; i < n && i < ATOM_ENTRIES; i++)
		entry(out, s, posts[i]);
	buf_puts(out, "</feed>\n");
	free(posts);
}
