#include "gophermap.h"

#include <string.h>
#include <strings.h>

#include "layout.h"
#include "url.h"

struct menu {
	const struct gmi_menu_opts *o;
	struct buf *out;
	char item_type; /* type of the next emitted line, 0 for info */
	const char *sel;
	size_t sel_len;
};

static bool
has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

char
gmi_item_type_guess(const char *path, size_t len)
{
	static const char *const images[] = {".jpg", ".jpeg", ".png", ".webp",
	    ".svg", ".bmp", ".ico", ".avif", ".tif", ".tiff", NULL};
	size_t i;

	if ((len > 0 && path[len - 1] == '/') ||
	    has_suffix(path, len, ".gmi") || has_suffix(path, len, ".gemini"))
		return '1';
	if (has_suffix(path, len, ".txt"))
		return '0';
	if (has_suffix(path, len, ".gif"))
		return 'g';
	for (i = 0; images[i]; i++)
		if (has_suffix(path, len, images[i]))
			return 'I';
	return '9';
}

static void
menu_line(struct buf *out, char type, const char *display, size_t dlen,
    const char *sel, size_t slen, const char *host, int port)
{
	buf_putc(out, type);
	buf_append(out, display, dlen);
	buf_putc(out, '\t');
	buf_append(out, sel, slen);
	buf_printf(out, "\t%s\t%d\r\n", host, port);
}

void
gmi_menu_item(struct buf *out, char type, const char *display, size_t dlen,
    const char *selector, size_t slen, const char *host, int port)
{
	struct buf clean = BUF_INIT;

	layout_clean(&clean, display, dlen, false);
	menu_line(out, type, buf_cstr(&clean),
	    layout_fit(clean.data, clean.len, GMI_COLS), selector, slen, host,
	    port);
	buf_free(&clean);
}

void
gmi_menu_info(struct buf *out, const char *display, size_t dlen,
    const char *host, int port)
{
	gmi_menu_item(out, 'i', display, dlen, "", 0, host, port);
}

void
gmi_menu_end(struct buf *out)
{
	buf_puts(out, ".\r\n");
}

static void
menu_emit(struct layout *lo, const char *s, size_t n)
{
	struct menu *m = lo->ctx;

	if (m->item_type) {
		menu_line(m->out, m->item_type, s, n, m->sel, m->sel_len,
		    m->o->host, m->o->port);
		m->item_type = 0;
	} else {
		menu_line(m->out, 'i', s, n, "", 0, m->o->host, m->o->port);
	}
}

static void
menu_link(struct layout *lo, struct menu *m, const char *page_path,
    const struct gmi_line *l)
{
	struct buf target = BUF_INIT, sel = BUF_INIT;
	struct slice label = l->text.len ? l->text : l->url;

	switch (gmi_resolve(page_path, l->url, &target)) {
	case GMI_TARGET_EXTERNAL:
		buf_puts(&sel, "URL:");
		buf_append(&sel, target.data, target.len);
		m->item_type = 'h';
		break;
	case GMI_TARGET_LOCAL:
		/* Percent-encoded, so that the selector is ASCII: clients
		 * such as lynx mangle raw UTF-8 selectors (Korean tags), and
		 * the server decodes escapes in every selector. */
		url_encode(&sel, target.data, target.len, "/");
		m->item_type = m->o->item_type
		    ? m->o->item_type(m->o->ctx, target.data, target.len)
		    : gmi_item_type_guess(target.data, target.len);
		break;
	case GMI_TARGET_INVALID:
		m->item_type = 0;
		break;
	}
	m->sel = buf_cstr(&sel);
	m->sel_len = sel.len;
	layout_wrap(lo, "", "  ", label.p, label.len);
	m->item_type = 0;
	buf_free(&target);
	buf_free(&sel);
}

void
gmi_gophermap(const char *text, size_t len, const char *page_path,
    const struct gmi_menu_opts *o, struct buf *out)
{
	struct gmi_doc doc;
	struct menu m = {o, out, 0, NULL, 0};
	struct layout lo;
	size_t i, first = 0;

	gmi_parse(text, len, &doc);
	layout_init(&lo, GMI_COLS, menu_emit, &m);
	while (first < doc.n && doc.lines[first].kind == GMI_TEXT &&
	    doc.lines[first].text.len == 0)
		first++;
	if (first < doc.n && doc.lines[first].kind == GMI_HEADING &&
	    doc.lines[first].level == 1)
		first++;
	else
		first = 0;
	for (i = 0; i <= doc.n; i++) {
		if (i == first && o->after_title)
			buf_append(out, o->after_title, o->after_title_len);
		if (i == doc.n)
			break;
		switch (doc.lines[i].kind) {
		case GMI_LINK:
			menu_link(&lo, &m, page_path, &doc.lines[i]);
			break;
		case GMI_PRE:
			layout_cut(
			    &lo, doc.lines[i].text.p, doc.lines[i].text.len);
			break;
		case GMI_PRE_TOGGLE:
			break;
		default:
			layout_gmi_line(&lo, &doc.lines[i]);
			break;
		}
	}
	gmi_menu_end(out);
	layout_free(&lo);
	gmi_doc_free(&doc);
}
