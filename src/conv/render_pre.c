/*
 * render_pre: tables and code blocks as gemtext preformatted blocks.
 */
#include <stdlib.h>
#include <string.h>

#include "render_int.h"
#include "utf8.h"

/* ---- tables and code ---- */

void
rd_table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nrows; i++) {
		for (size_t j = 0; j < t->ncols[i]; j++)
			free(t->rows[i][j]);
		free(t->rows[i]);
	}
	free(t->rows);
	free(t->ncols);
	free(t);
}

static void
put_spaces(struct buf *b, size_t n)
{
	while (n--)
		buf_putc(b, ' ');
}

void
rd_table_write(struct renderer *r, struct table *t)
{
	size_t ncols = 0, *w;
	struct buf line = BUF_INIT;

	for (size_t i = 0; i < t->nrows; i++)
		if (t->ncols[i] > ncols)
			ncols = t->ncols[i];
	w = xcalloc(ncols ? ncols : 1, sizeof(*w));
	for (size_t i = 0; i < t->nrows; i++) {
		for (size_t j = 0; j < t->ncols[i]; j++) {
			size_t cw =
			    utf8_width(t->rows[i][j], strlen(t->rows[i][j]));

			if (cw > w[j])
				w[j] = cw;
		}
	}
	rd_put_raw_line(r, "```table", 8);
	for (size_t i = 0; i < t->nrows; i++) {
		buf_reset(&line);
		for (size_t j = 0; j < ncols; j++) {
			const char *c = j < t->ncols[i] ? t->rows[i][j] : "";

			if (j)
				buf_puts(&line, " | ");
			if (strncmp(c, "```", 3) == 0 && j == 0)
				buf_putc(&line, ' ');
			buf_puts(&line, c);
			if (j + 1 < ncols)
				put_spaces(
				    &line, w[j] - utf8_width(c, strlen(c)));
		}
		while (line.len && line.data[line.len - 1] == ' ')
			line.len--;
		rd_put_raw_line(r, line.data ? line.data : "", line.len);
		if (i + 1 == t->head_rows) {
			buf_reset(&line);
			for (size_t j = 0; j < ncols; j++) {
				if (j)
					buf_puts(&line, "-+-");
				for (size_t k = 0; k < (w[j] ? w[j] : 1); k++)
					buf_putc(&line, '-');
			}
			rd_put_raw_line(r, line.data, line.len);
		}
	}
	rd_put_raw_line(r, "```", 3);
	buf_free(&line);
	free(w);
}

void
rd_code_write(struct renderer *r)
{
	struct buf l = BUF_INIT;
	const char *p = r->code.data ? r->code.data : "",
		   *end = p + r->code.len;

	buf_puts(&l, "```");
	buf_puts(&l, r->code_lang ? r->code_lang : "");
	rd_put_raw_line(r, l.data, l.len);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		buf_reset(&l);
		if (n >= 3 && strncmp(p, "```", 3) == 0)
			buf_putc(&l, ' ');
		buf_append(&l, p, n);
		rd_put_raw_line(r, l.data, l.len);
		p += n + (nl != NULL);
	}
	rd_put_raw_line(r, "```", 3);
	buf_free(&l);
}
