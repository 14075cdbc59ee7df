#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "gemini.h"
#include "mime.h"
#include "path.h"

/* Room kept in front of each in-memory file for its Gemini header. */
#define STORE_HEADROOM 256
#define STORE_MAX_DEPTH 32

struct item {
	struct store_entry e;
	char *mem; /* headroom + data, or NULL */
	char *path, *file; /* owned strings behind e.path and e.file */
	size_t plen;
};

struct store {
	int rootfd;
	struct item *items;
	size_t n, cap;
	size_t max_in_memory;
};

static struct item *
add_item(struct store *st, const char *urlpath)
{
	struct item *it;

	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->items = xrealloc(st->items, st->cap * sizeof(*st->items));
	}
	it = &st->items[st->n++];
	memset(it, 0, sizeof(*it));
	it->path = xstrdup(urlpath);
	it->e.path = it->path;
	it->plen = strlen(urlpath);
	return it;
}

static int
read_all(int fd, char *dst, size_t size, size_t *got)
{
	size_t off = 0;
	ssize_t r;

	while (off < size) {
		r = pread(fd, dst + off, size - off, (off_t)off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			break;
		off += (size_t)r;
	}
	*got = off;
	return 0;
}

static int
add_file(struct store *st, int fd, const struct stat *sb, const char *rel,
    char *err, size_t errlen)
{
	struct buf url = BUF_INIT;
	struct item *it;
	size_t got;

	buf_putc(&url, '/');
	buf_puts(&url, rel);
	it = add_item(st, buf_cstr(&url));
	buf_free(&url);
	it->e.mime = mime_for_path(rel);
	it->file = xstrdup(rel);
	it->e.file = it->file;
	it->e.size = (size_t)sb->st_size;
	if ((size_t)sb->st_size > st->max_in_memory)
		return 0;
	it->mem = xmalloc(STORE_HEADROOM + (size_t)sb->st_size + 1);
	if (read_all(fd, it->mem + STORE_HEADROOM, (size_t)sb->st_size, &got) ==
	    -1) {
		snprintf(err, errlen, "%s: %s", rel, strerror(errno));
		return -1;
	}
	it->mem[STORE_HEADROOM + got] = '\0';
	it->e.data = it->mem + STORE_HEADROOM;
	it->e.size = got;
	return 0;
}

static bool
skip_name(const char *name, size_t depth)
{
	if (name[0] != '.')
		return false;
	/* Dot-files stay private, except the top-level .well-known folder. */
	return !(depth == 0 && strcmp(name, ".well-known") == 0);
}

static int
walk(struct store *st, const char *rel, size_t depth, char *err, size_t errlen)
{
	struct buf url = BUF_INIT, child = BUF_INIT;
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int dfd, fd, rc = 0;

	if (depth > STORE_MAX_DEPTH)
		return 0;
	dfd = rel[0]
	    ? path_open_beneath(st->rootfd, rel, O_RDONLY | O_DIRECTORY)
	    : openat(st->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1 || (d = fdopendir(dfd)) == NULL) {
		snprintf(
		    err, errlen, "%s: %s", rel[0] ? rel : ".", strerror(errno));
		if (dfd != -1)
			close(dfd);
		return -1;
	}
	buf_putc(&url, '/');
	if (rel[0]) {
		buf_puts(&url, rel);
		buf_putc(&url, '/');
	}
	add_item(st, buf_cstr(&url))->e.is_dir = true;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    skip_name(de->d_name, depth))
			continue;
		buf_reset(&child);
		if (rel[0]) {
			buf_puts(&child, rel);
			buf_putc(&child, '/');
		}
		buf_puts(&child, de->d_name);
		if (de->d_type == DT_DIR) {
			rc = walk(st, buf_cstr(&child), depth + 1, err, errlen);
			continue;
		}
		/* Anything else is opened beneath the root: a symlink that
		 * leads out of it fails here and is left out. */
		fd = path_open_beneath(
		    st->rootfd, buf_cstr(&child), O_RDONLY | O_NONBLOCK);
		if (fd == -1)
			continue;
		/* Linked folders are left out too: they could form a loop. */
		if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
			rc = add_file(
			    st, fd, &sb, buf_cstr(&child), err, errlen);
		close(fd);
	}
	closedir(d);
	buf_free(&url);
	buf_free(&child);
	return rc;
}

static int
cmp_items(const void *a, const void *b)
{
	return strcmp(
	    ((const struct item *)a)->e.path, ((const struct item *)b)->e.path);
}

struct store *
store_load(const char *root, size_t max_in_memory, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof(*st));

	st->max_in_memory = max_in_memory;
	st->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->rootfd == -1) {
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		free(st);
		return NULL;
	}
	if (walk(st, "", 0, err, errlen) == -1) {
		store_free(st);
		return NULL;
	}
	qsort(st->items, st->n, sizeof(*st->items), cmp_items);
	return st;
}

void
store_prepare_gemini(struct store *st, const char *lang)
{
	char head[STORE_HEADROOM];
	size_t i, len;

	for (i = 0; i < st->n; i++) {
		struct item *it = &st->items[i];
		if (it->mem == NULL)
			continue;
		len =
		    gemini_success_header(head, sizeof(head), it->e.mime, lang);
		if (len == 0)
			continue;
		memcpy(it->mem + STORE_HEADROOM - len, head, len);
		it->e.response = it->mem + STORE_HEADROOM - len;
		it->e.response_len = len + it->e.size;
	}
}

void
store_free(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++) {
		free(st->items[i].path);
		free(st->items[i].file);
		free(st->items[i].mem);
	}
	free(st->items);
	if (st->rootfd != -1)
		close(st->rootfd);
	free(st);
}

const struct store_entry *
store_lookup(const struct store *st, const char *path, size_t len)
{
	size_t lo = 0, hi = st->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *p = st->items[mid].e.path;
		size_t plen = st->items[mid].plen;
		int c = memcmp(p, path, plen < len ? plen : len);
		if (c == 0)
			c = plen < len ? -1 : plen > len;
		if (c == 0)
			return &st->items[mid].e;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int
store_rootfd(const struct store *st)
{
	return st->rootfd;
}

size_t
store_count(const struct store *st)
{
	return st->n;
}

const struct store_entry *
store_at(const struct store *st, size_t i)
{
	return &st->items[i].e;
}
