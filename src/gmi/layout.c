#include "layout.h"

#include <stdint.h>
#include <string.h>

#include "utf8.h"

void
layout_init(struct layout *lo, size_t cols,
    void (*emit)(struct layout *, const char *, size_t), void *ctx)
{
	lo->cols = cols;
	lo->emit = emit;
	lo->ctx = ctx;
	buf_init(&lo->line);
	buf_init(&lo->clean);
}

void
layout_free(struct layout *lo)
{
	buf_free(&lo->line);
	buf_free(&lo->clean);
}

void
layout_clean(struct buf *out, const char *s, size_t n, bool keep_tabs)
{
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if ((c < 0x20 && !(keep_tabs && c == '\t')) ||
			    c == 0x7f)
				buf_putc(out, ' ');
			else
				buf_putc(out, (char)c);
			i++;
			continue;
		}
		len = utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			buf_puts(out, "\xef\xbf\xbd");
			i++;
		} else if (cp < 0xa0) {
			buf_putc(out, ' '); /* C1 controls */
			i += len;
		} else {
			buf_append(out, s + i, len);
			i += len;
		}
	}
}

size_t
layout_fit(const char *s, size_t n, size_t cols)
{
	size_t i = 0, used = 0, len;
	uint32_t cp;
	int w;

	while (i < n) {
		len = utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			len = 1;
			w = 1;
		} else {
			w = utf8_cp_width(cp);
		}
		if (used + (size_t)w > cols)
			break;
		used += (size_t)w;
		i += len;
	}
	return i;
}

void
layout_wrap(struct layout *lo, const char *first, const char *next,
    const char *s, size_t n)
{
	const char *prefix = first;
	size_t off = 0, len, nx, pw, avail;

	buf_reset(&lo->clean);
	layout_clean(&lo->clean, s, n, false);
	s = lo->clean.data ? lo->clean.data : "";
	n = lo->clean.len;
	do {
		pw = utf8_width(prefix, strlen(prefix));
		avail = lo->cols > pw + 1 ? lo->cols - pw : 1;
		len = utf8_wrap(s + off, n - off, avail, &nx);
		buf_reset(&lo->line);
		buf_puts(&lo->line, prefix);
		buf_append(&lo->line, s + off, len);
		lo->emit(lo, lo->line.data, lo->line.len);
		off += nx;
		prefix = next;
	} while (off < n);
}

void
layout_cut(struct layout *lo, const char *s, size_t n)
{
	buf_reset(&lo->clean);
	layout_clean(&lo->clean, s, n, false);
	s = lo->clean.data ? lo->clean.data : "";
	lo->emit(lo, s, layout_fit(s, lo->clean.len, lo->cols));
}

void
layout_gmi_line(struct layout *lo, const struct gmi_line *l)
{
	size_t w, i;

	switch (l->kind) {
	case GMI_HEADING:
		layout_wrap(lo, "", "", l->text.p, l->text.len);
		if (l->level > 2)
			break;
		w = utf8_width(lo->clean.data, lo->clean.len);
		if (w > lo->cols)
			w = lo->cols;
		buf_reset(&lo->line);
		for (i = 0; i < w; i++)
			buf_putc(&lo->line, l->level == 1 ? '=' : '-');
		lo->emit(lo, buf_cstr(&lo->line), lo->line.len);
		break;
	case GMI_LIST:
		layout_wrap(lo, "* ", "  ", l->text.p, l->text.len);
		break;
	case GMI_QUOTE:
		layout_wrap(lo, "> ", "> ", l->text.p, l->text.len);
		break;
	default:
		layout_wrap(lo, "", "", l->text.p, l->text.len);
		break;
	}
}
