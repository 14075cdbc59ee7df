#include "plaintext.h"

#include <string.h>

#include "layout.h"

struct text {
	struct buf *out;
	struct buf refs; /* "[N] URL" lines, CRLF-terminated */
	size_t nrefs;
};

static void
text_line(struct buf *out, const char *s, size_t n)
{
	if (n > 0 && s[0] == '.')
		buf_putc(out, '.');
	buf_append(out, s, n);
	buf_puts(out, "\r\n");
}

static void
text_emit(struct layout *lo, const char *s, size_t n)
{
	struct text *t = lo->ctx;

	text_line(t->out, s, n);
}

void
gmi_gopher_url(struct buf *out, const char *host, int port, char type,
    const char *selector, size_t len)
{
	buf_puts(out, "gopher://");
	if (strchr(host, ':'))
		buf_printf(out, "[%s]", host);
	else
		buf_puts(out, host);
	if (port != 70)
		buf_printf(out, ":%d", port);
	buf_putc(out, '/');
	buf_putc(out, type);
	url_encode(out, selector, len, "/");
}

static void
text_link(struct layout *lo, struct text *t, const char *page_path,
    const struct gmi_menu_opts *o, const struct gmi_line *l)
{
	struct buf target = BUF_INIT, label = BUF_INIT;
	char type;

	t->nrefs++;
	buf_printf(&t->refs, "[%zu] ", t->nrefs);
	switch (gmi_resolve(page_path, l->url, &target)) {
	case GMI_TARGET_EXTERNAL:
		buf_append(&t->refs, target.data, target.len);
		break;
	case GMI_TARGET_LOCAL:
		type = o->item_type
		    ? o->item_type(o->ctx, target.data, target.len)
		    : gmi_item_type_guess(target.data, target.len);
		gmi_gopher_url(
		    &t->refs, o->host, o->port, type, target.data, target.len);
		break;
	case GMI_TARGET_INVALID:
		layout_clean(&t->refs, l->url.p, l->url.len, false);
		break;
	}
	buf_puts(&t->refs, "\r\n");
	if (l->text.len)
		buf_append(&label, l->text.p, l->text.len);
	else
		buf_append(&label, l->url.p, l->url.len);
	buf_printf(&label, " [%zu]", t->nrefs);
	layout_wrap(lo, "", "", label.data, label.len);
	buf_free(&target);
	buf_free(&label);
}

void
gmi_plaintext(const char *text, size_t len, const char *page_path,
    const struct gmi_menu_opts *o, struct buf *out)
{
	struct gmi_doc doc;
	struct text t = {out, BUF_INIT, 0};
	struct layout lo;
	struct buf pre = BUF_INIT;
	size_t i;

	gmi_parse(text, len, &doc);
	layout_init(&lo, GMI_COLS, text_emit, &t);
	for (i = 0; i < doc.n; i++) {
		const struct gmi_line *l = &doc.lines[i];
		switch (l->kind) {
		case GMI_LINK:
			text_link(&lo, &t, page_path, o, l);
			break;
		case GMI_PRE:
			buf_reset(&pre);
			layout_clean(&pre, l->text.p, l->text.len, true);
			text_line(out, buf_cstr(&pre), pre.len);
			break;
		case GMI_PRE_TOGGLE:
			break;
		default:
			layout_gmi_line(&lo, l);
			break;
		}
	}
	if (t.nrefs > 0) {
		buf_puts(out, "\r\n");
		/* Reference lines start with '[', never with '.'. */
		buf_append(out, t.refs.data, t.refs.len);
	}
	buf_puts(out, ".\r\n");
	buf_free(&pre);
	buf_free(&t.refs);
	layout_free(&lo);
	gmi_doc_free(&doc);
}
