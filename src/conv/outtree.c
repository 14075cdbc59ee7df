#include "outtree.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "path.h"

int
outtree_open(struct outtree *t, const char *final, bool dry, char *err,
    size_t errlen)
{
	const char *slash;
	struct buf tmp = BUF_INIT;
	size_t n;

	memset(t, 0, sizeof(*t));
	t->dry = dry;
	n = strlen(final);
	while (n > 1 && final[n - 1] == '/')
		n--;
	t->final = xstrndup(final, n);
	if (dry)
		return 0;
	slash = strrchr(t->final, '/');
	if (slash != NULL)
		buf_printf(&tmp, "%.*s/.%s.new-%ld", (int)(slash - t->final),
		    t->final, slash + 1, (long)getpid());
	else
		buf_printf(&tmp, ".%s.new-%ld", t->final, (long)getpid());
	t->tmp = buf_detach(&tmp, NULL);
	/* A folder left by a build that was killed with the same pid. */
	outtree_remove(t->tmp);
	if (mkdir(t->tmp, 0755) != 0) {
		snprintf(err, errlen, "%s: %s", t->tmp, strerror(errno));
		outtree_free(t);
		return -1;
	}
	return 0;
}

static int
make_parent(struct outtree *t, const char *rel, char *err, size_t errlen)
{
	const char *slash = strrchr(rel, '/');
	char *dir, *full;

	if (slash == NULL)
		return 0;
	dir = xstrndup(rel, (size_t)(slash - rel));
	if (strmap_has(&t->dirs, dir)) {
		free(dir);
		return 0;
	}
	full = path_join(t->tmp, dir);
	if (path_mkdirs(full, 0755) != 0) {
		snprintf(err, errlen, "%s: %s", full, strerror(errno));
		free(full);
		free(dir);
		return -1;
	}
	strmap_put(&t->dirs, dir, NULL);
	free(full);
	free(dir);
	return 0;
}

int
outtree_write(struct outtree *t, const char *rel, const void *data,
    size_t len, char *err, size_t errlen)
{
	char *full;
	const char *p = data;
	ssize_t w;
	int fd, rc = 0;

	if (t->dry)
		return 0;
	if (make_parent(t, rel, err, errlen) != 0)
		return -1;
	full = path_join(t->tmp, rel);
	if ((fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		snprintf(err, errlen, "%s: %s", full, strerror(errno));
		free(full);
		return -1;
	}
	while (len > 0) {
		if ((w = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", full, strerror(errno));
			rc = -1;
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) != 0 && rc == 0) {
		snprintf(err, errlen, "%s: %s", full, strerror(errno));
		rc = -1;
	}
	free(full);
	return rc;
}

int
outtree_copy(struct outtree *t, const char *rel, const char *src, char *err,
    size_t errlen)
{
	char *full;
	struct stat st;
	int in, out, rc = 0;
	ssize_t n;

	if (t->dry)
		return 0;
	if (make_parent(t, rel, err, errlen) != 0)
		return -1;
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0 || fstat(in, &st) != 0) {
		snprintf(err, errlen, "%s: %s", src, strerror(errno));
		if (in >= 0)
			close(in);
		return -1;
	}
	full = path_join(t->tmp, rel);
	if ((out = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		snprintf(err, errlen, "%s: %s", full, strerror(errno));
		close(in);
		free(full);
		return -1;
	}
	/* copy_file_range copies inside the kernel (or shares extents). */
	while ((n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
		;
	if (n < 0) {
		char chunk[65536];
		ssize_t r;
		lseek(in, 0, SEEK_SET);
		lseek(out, 0, SEEK_SET);
		n = 0;
		while ((r = read(in, chunk, sizeof(chunk))) > 0)
			if ((n = write(out, chunk, (size_t)r)) != r)
				break;
		if (r < 0 || n < 0)
			rc = -1;
	}
	if (rc != 0)
		snprintf(err, errlen, "%s: %s", full, strerror(errno));
	close(in);
	if (close(out) != 0 && rc == 0) {
		snprintf(err, errlen, "%s: %s", full, strerror(errno));
		rc = -1;
	}
	free(full);
	return rc;
}

static int
remove_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

int
outtree_remove(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	return nftw(dir, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
}

int
outtree_commit(struct outtree *t, char *err, size_t errlen)
{
	struct stat st;

	if (t->dry)
		return 0;
	if (lstat(t->final, &st) != 0) {
		if (rename(t->tmp, t->final) != 0) {
			snprintf(err, errlen, "%s: %s", t->final, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a folder", t->final);
		return -1;
	}
	if (renameat2(AT_FDCWD, t->tmp, AT_FDCWD, t->final, RENAME_EXCHANGE) != 0) {
		snprintf(err, errlen, "%s: cannot swap in the new capsule: %s",
		    t->final, strerror(errno));
		return -1;
	}
	/* t->tmp now holds the old capsule. */
	if (outtree_remove(t->tmp) != 0) {
		snprintf(err, errlen, "%s: cannot remove the old capsule: %s",
		    t->tmp, strerror(errno));
		return -1;
	}
	return 0;
}

void
outtree_abort(struct outtree *t)
{
	if (t->tmp != NULL)
		outtree_remove(t->tmp);
	outtree_free(t);
}

void
outtree_free(struct outtree *t)
{
	free(t->final);
	free(t->tmp);
	strmap_free(&t->dirs);
	memset(t, 0, sizeof(*t));
}
