#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "buf.h"

/* Fallback for kernels without openat2: walk one component at a time and
 * refuse every symlink, which also refuses those that stay inside. */
static int
open_walk(int rootfd, const char *rel, int flags)
{
	char *copy = xstrdup(rel), *seg, *save = NULL;
	int dirfd = rootfd, fd = -1;

	for (seg = strtok_r(copy, "/", &save); seg != NULL;
	     seg = strtok_r(NULL, "/", &save)) {
		bool last = save == NULL || *save == '\0';
		if (strcmp(seg, "..") == 0) {
			errno = EXDEV;
			fd = -1;
			break;
		}
		fd = openat(dirfd, seg,
		    (last ? flags : O_RDONLY | O_DIRECTORY) | O_NOFOLLOW |
			O_CLOEXEC);
		if (dirfd != rootfd)
			close(dirfd);
		dirfd = rootfd;
		if (fd == -1 || last)
			break;
		dirfd = fd;
		fd = -1;
	}
	if (dirfd != rootfd)
		close(dirfd);
	free(copy);
	return fd;
}

int
path_open_beneath(int rootfd, const char *rel, int flags)
{
	static int have_openat2 = 1;
	struct open_how how;
	int fd;

	if (rel[0] == '/' || rel[0] == '\0') {
		errno = EXDEV;
		return -1;
	}
	if (have_openat2) {
		memset(&how, 0, sizeof(how));
		how.flags = (unsigned long long)(flags | O_CLOEXEC);
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
		if (fd != -1 || errno != ENOSYS)
			return fd;
		have_openat2 = 0;
	}
	return open_walk(rootfd, rel, flags);
}

bool
path_is_public(const char *path, size_t n)
{
	size_t i = 0;

	if (n >= 13 && memcmp(path, "/.well-known/", 13) == 0)
		i = 13;
	for (; i < n; i++)
		if (path[i] == '.' && (i == 0 || path[i - 1] == '/'))
			return false;
	return true;
}

char *
path_join(const char *dir, const char *name)
{
	struct buf b = BUF_INIT;
	size_t dl = strlen(dir);

	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	while (*name == '/')
		name++;
	buf_append(&b, dir, dl);
	if (dl == 0 || dir[dl - 1] != '/')
		buf_putc(&b, '/');
	buf_puts(&b, name);
	return buf_detach(&b, NULL);
}

int
path_mkdirs(const char *dir, unsigned mode)
{
	char *p = xstrdup(dir), *s;
	int rc = 0;

	for (s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, (mode_t)mode) == -1 && errno != EEXIST) {
				rc = -1;
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return rc;
}

int
path_read_fd(int fd, size_t max, size_t size, struct buf *b)
{
	ssize_t r;

	buf_reset(b);
	/* room for the whole file: one allocation, no copy (a size that
	 * was wrong only costs more reads) */
	buf_reserve(b, size > 0 && size <= max ? size + 1 : 0);
	for (;;) {
		size_t room;

		if (b->cap - b->len <= 1)
			buf_reserve(b, 65536);
		room = b->cap - b->len - 1;
		if (max - b->len < room)
			room = max - b->len + 1; /* one byte more tells EFBIG */
		if (b->len < size && size - b->len < room)
			room = size - b->len;
		if ((r = read(fd, b->data + b->len, room)) == 0)
			break;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b->len += (size_t)r;
		b->data[b->len] = '\0';
		if (b->len > max) {
			errno = EFBIG;
			return -1;
		}
		/* All the size said: no read() to find the end (twenty
		 * thousand of them in a large blog's build). */
		if (b->len == size)
			break;
	}
	return 0;
}

char *
path_read_file(const char *file, size_t max, size_t *len)
{
	struct buf b = BUF_INIT;
	struct stat st;
	int fd, saved;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		st.st_size = 0; /* no size known */
	if (path_read_fd(fd, max, (size_t)st.st_size, &b) != 0) {
		saved = errno;
		close(fd);
		buf_free(&b);
		errno = saved;
		return NULL;
	}
	close(fd);
	return buf_detach(&b, len);
}
