/*
 * buf: a growable byte buffer.
 *
 * A struct buf owns its storage; buf_free() releases it. The data is always
 * kept NUL-terminated so buf_cstr() is free, but it may also hold NUL bytes.
 * Allocation failure aborts the process (like redis' zmalloc): every caller
 * would otherwise have to handle an out-of-memory error it cannot recover from.
 */
#ifndef CANYON_BUF_H
#define CANYON_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* NULL until the first append */
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                               \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

void buf_init(struct buf *b);
void buf_free(struct buf *b);
/* Forget the contents, keep the storage. */
void buf_reset(struct buf *b);
/* Make room for extra more bytes (plus the terminating NUL). */
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Append s[0..n) escaped for XML and HTML text and double-quoted
 * attributes: & < > " become entities; control characters other than tab
 * and newline, which XML 1.0 forbids, are left out. */
void buf_escape_markup(struct buf *b, const char *s, size_t n);
/* Drop n bytes from the end (n is clamped to len). */
void buf_truncate(struct buf *b, size_t len);
/* A NUL-terminated view of the contents; valid until the next change. */
const char *buf_cstr(struct buf *b);
/* Hand the storage to the caller, who frees it with free(); b is emptied. */
char *buf_detach(struct buf *b, size_t *len);

/* Allocation helpers that abort on failure, for the same reason as above. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Free the n strings of v, then v: a list built with the helpers above. */
void free_string_list(char **v, size_t n);

#endif
