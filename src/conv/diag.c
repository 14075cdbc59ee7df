#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>

#include "buf.h"

void
diag_add(struct diag_list *d, int line, bool is_error, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	diag_take(d, line, is_error, buf_detach(&msg, NULL));
}

void
diag_take(struct diag_list *d, int line, bool is_error, char *msg)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	d->v[d->n].line = line;
	d->v[d->n].is_error = is_error;
	d->v[d->n].msg = msg;
	d->n++;
}

size_t
diag_errors(const struct diag_list *d)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		n += d->v[i].is_error;
	return n;
}

void
diag_free(struct diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}
