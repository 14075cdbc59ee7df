#include "outtree.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "buf.h"
#include "hash.h"
#include "path.h"

#define MANIFEST ".canyon-manifest"
#define MANIFEST_MAX (256u * 1024 * 1024)

static void *
box(uint64_t key)
{
	return (void *)(uintptr_t)key;
}

static uint64_t
unbox(void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* "<parent>/.<base><suffix>" for the capsule path final. */
static char *
sibling(const char *final, const char *suffix)
{
	const char *slash = strrchr(final, '/');
	struct buf b = BUF_INIT;

	if (slash != NULL)
		buf_printf(&b, "%.*s/.%s%s", (int)(slash - final), final,
		    slash + 1, suffix);
	else
		buf_printf(&b, ".%s%s", final, suffix);
	return buf_detach(&b, NULL);
}

static void
load_manifest(struct outtree *t)
{
	char *file = path_join(t->target, MANIFEST), *text, *p, *nl, *end;
	size_t len;
	uint64_t key;

	text = path_read_file(file, MANIFEST_MAX, &len);
	/* Gone before anything is written: a build that stops half-way
	 * leaves a generation that the next build rewrites in full. */
	unlink(file);
	free(file);
	if (text == NULL)
		return;
	for (p = text, end = text + len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		if (nl - p < 18 || p[16] != ' ')
			continue;
		key = strtoull(p, NULL, 16);
		strmap_putn(&t->old, p + 17, (size_t)(nl - p - 17), box(key));
	}
	free(text);
}

/* Files begun by outtree_start() that may stay open: half of those the
 * process may open (it opens others meanwhile: the posts it reads, the
 * assets it copies, the cache). */
static size_t
started_max(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	return (size_t)rl.rlim_cur / 2;
}

/*
 * Mark the generation as the top of a folder tree for the filesystem's
 * allocator (ext4's "T" attribute, chattr +T): the folders made in it
 * then go to block groups with room, as for folders made at the root of
 * the filesystem, rather than next to the folder it is in, among the
 * inodes freed by whatever was removed there lately (ext4 without a
 * journal passes over those one by one for every inode it allocates
 * for some minutes: a build after a large removal took three times the
 * kernel time). It helps when the removal was a while ago, not within
 * the last minute. A filesystem without the attribute refuses, and
 * nothing changes.
 */
static void
mark_top_dir(int fd)
{
	int flags;

	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 &&
	    (flags & FS_TOPDIR_FL) == 0) {
		flags |= FS_TOPDIR_FL;
		(void)ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
}

int
outtree_open(
    struct outtree *t, const char *final, bool dry, char *err, size_t errlen)
{
	char *lock, *gen_a, *gen_b, link[4096];
	const char *base, *slash;
	struct stat st;
	ssize_t n;
	size_t k;

	memset(t, 0, sizeof(*t));
	t->lockfd = -1;
	t->dirfd = -1;
	pthread_mutex_init(&t->lock, NULL);
	t->dry = dry;
	t->open_max = started_max();
	k = strlen(final);
	while (k > 1 && final[k - 1] == '/')
		k--;
	t->final = xstrndup(final, k);
	if (dry)
		return 0;
	if ((slash = strrchr(t->final, '/')) != NULL && slash != t->final) {
		char *parent = xstrndup(t->final, (size_t)(slash - t->final));
		int rc = path_mkdirs(parent, 0755);
		if (rc != 0)
			snprintf(
			    err, errlen, "%s: %s", parent, strerror(errno));
		free(parent);
		if (rc != 0) {
			outtree_free(t);
			return -1;
		}
	}
	lock = sibling(t->final, ".lock");
	t->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (t->lockfd < 0 || flock(t->lockfd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(err, errlen, "%s: %s", lock,
		    t->lockfd < 0 ? strerror(errno)
				  : "another build is writing this capsule");
		free(lock);
		outtree_free(t);
		return -1;
	}
	free(lock);
	gen_a = sibling(t->final, ".gen-a");
	gen_b = sibling(t->final, ".gen-b");
	t->target = gen_a;
	if (lstat(t->final, &st) == 0 && S_ISLNK(st.st_mode)) {
		if ((n = readlink(t->final, link, sizeof(link) - 1)) > 0) {
			link[n] = '\0';
			base = strrchr(gen_a, '/') ? strrchr(gen_a, '/') + 1
						   : gen_a;
			if (strcmp(link, base) == 0) {
				t->live = gen_a;
				t->target = gen_b;
			} else {
				t->live = xstrdup(t->final);
			}
		}
	} else if (lstat(t->final, &st) == 0 && S_ISDIR(st.st_mode)) {
		t->live = xstrdup(t->final);
	} else if (lstat(t->final, &st) == 0) {
		snprintf(err, errlen, "%s: not a folder", t->final);
		free(gen_a == t->target ? gen_b : gen_a);
		outtree_free(t);
		return -1;
	}
	if (t->live != gen_a && t->target != gen_a)
		free(gen_a);
	if (t->target != gen_b)
		free(gen_b);
	base = strrchr(t->target, '/');
	t->target_name = xstrdup(base ? base + 1 : t->target);
	if (lstat(t->target, &st) == 0 && S_ISDIR(st.st_mode)) {
		load_manifest(t);
		if (t->old.n == 0) /* unknown contents: start afresh */
			outtree_remove(t->target);
	} else if (errno != ENOENT || lstat(t->target, &st) == 0) {
		outtree_remove(t->target);
	}
	if ((mkdir(t->target, 0755) != 0 && errno != EEXIST) ||
	    (t->dirfd = open(t->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
		0) {
		snprintf(err, errlen, "%s: %s", t->target, strerror(errno));
		outtree_free(t);
		return -1;
	}
	mark_top_dir(t->dirfd);
	return 0;
}

/* Make the folder rel (relative to the target) and its parents. */
static int
ensure_dir(struct outtree *t, const char *rel, size_t n)
{
	char *dir;
	const char *slash;
	bool made;
	int rc = 0;

	if (n == 0)
		return 0;
	pthread_mutex_lock(&t->lock);
	made = strmap_getn(&t->dirs, rel, n) != NULL;
	pthread_mutex_unlock(&t->lock);
	if (made)
		return 0;
	/* Its parents first: each folder is made in one call rather than
	 * tried, refused for want of its parent, and tried again (a fifth
	 * of a 10,000-post blog's folders are parents). */
	slash = memrchr(rel, '/', n);
	if (slash != NULL && ensure_dir(t, rel, (size_t)(slash - rel)) != 0)
		return -1;
	/* Two threads may make the same folder: EEXIST is success. */
	dir = xstrndup(rel, n);
	rc = mkdirat(t->dirfd, dir, 0755) == 0 || errno == EEXIST ? 0 : -1;
	free(dir);
	if (rc == 0) {
		pthread_mutex_lock(&t->lock);
		strmap_putn(&t->dirs, rel, n, box(1));
		pthread_mutex_unlock(&t->lock);
	}
	return rc;
}

/* rel without leading '/': a path under the target for the *at calls. */
static const char *
under(const char *rel)
{
	while (*rel == '/')
		rel++;
	return rel;
}

static int
make_parent(struct outtree *t, const char *rel, char *err, size_t errlen)
{
	const char *slash;

	rel = under(rel);
	slash = strrchr(rel, '/');

	if (slash != NULL && ensure_dir(t, rel, (size_t)(slash - rel)) != 0) {
		snprintf(err, errlen, "%s/%.*s: %s", t->target,
		    (int)(slash - rel), rel, strerror(errno));
		return -1;
	}
	return 0;
}

/* Record rel as a file of this build. */
static void
keep(struct outtree *t, const char *rel, uint64_t key, bool written)
{
	pthread_mutex_lock(&t->lock);
	strmap_put(&t->now, rel, box(key));
	if (written)
		t->written++;
	pthread_mutex_unlock(&t->lock);
}

bool
outtree_fresh(struct outtree *t, const char *rel, uint64_t key)
{
	/* old is only read once open: no lock needed for it. */
	if (t->dry || !strmap_has(&t->old, rel) ||
	    unbox(strmap_get(&t->old, rel)) != key)
		return false;
	keep(t, rel, key, false);
	return true;
}

/* Write every piece (iov is used up), a thousand at a time at most. */
static int
write_pieces(int fd, struct iovec *iov, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = writev(fd, iov, n > 1024 ? 1024 : (int)n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--)
			w -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* Write the pieces to the open file fd (rel's): closed after unless
 * keep, and then only on an error. 0, or -1 with err filled. */
static int
put_pieces_fd(struct outtree *t, const char *rel, int fd, bool keep,
    const struct iovec *pieces, size_t n, char *err, size_t errlen)
{
	struct iovec *iov;
	int rc = 0;

	iov = xcalloc(n + 1, sizeof(*iov));
	memcpy(iov, pieces, n * sizeof(*iov));
	if (write_pieces(fd, iov, n) != 0)
		rc = -1;
	free(iov);
	if ((!keep || rc != 0) && close(fd) != 0 && rc == 0)
		rc = -1;
	if (rc != 0) {
		char *full = path_join(t->target, rel);
		snprintf(err, errlen, "%s: %s", full, strerror(errno));
		free(full);
	}
	return rc;
}

/* Open rel with flags (O_TRUNC, or O_APPEND to add to it). The file, or
 * -1 with err filled. */
static int
open_file(
    struct outtree *t, const char *rel, int flags, char *err, size_t errlen)
{
	int fd = openat(
	    t->dirfd, under(rel), O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);

	if (fd < 0) {
		char *full = path_join(t->target, rel);
		snprintf(err, errlen, "%s: %s", full, strerror(errno));
		free(full);
	}
	return fd;
}

/* Write the pieces to rel, opened with flags (O_TRUNC, or O_APPEND to
 * add to it). 0, or -1 with err filled. */
static int
put_pieces(struct outtree *t, const char *rel, int flags,
    const struct iovec *pieces, size_t n, char *err, size_t errlen)
{
	int fd = open_file(t, rel, flags, err, errlen);

	if (fd < 0)
		return -1;
	return put_pieces_fd(t, rel, fd, false, pieces, n, err, errlen);
}

int
outtree_writev(struct outtree *t, const char *rel, uint64_t key,
    const struct iovec *pieces, size_t n, char *err, size_t errlen)
{
	size_t i;

	if (t->dry)
		return 0;
	if (key == 0)
		for (i = 0, key = HASH_SEED; i < n; i++)
			key = hash_bytes(
			    key, pieces[i].iov_base, pieces[i].iov_len);
	if (outtree_fresh(t, rel, key))
		return 0;
	if (make_parent(t, rel, err, errlen) != 0 ||
	    put_pieces(t, rel, O_TRUNC, pieces, n, err, errlen) != 0)
		return -1;
	keep(t, rel, key, true);
	return 0;
}

bool
outtree_had(const struct outtree *t, const char *rel)
{
	return strmap_has(&t->old, rel);
}

void
outtree_expect(struct outtree *t, size_t n)
{
	int fd;

	if (t->dry || t->dirfd < 0)
		return;
	if (n > t->open_max)
		n = t->open_max;
	/* a number above those in use and the n to come: the table grows
	 * to hold it, once */
	if (n > 0 && (fd = fcntl(t->dirfd, F_DUPFD_CLOEXEC, (int)n + 64)) >= 0)
		close(fd);
}

/* rel's file if outtree_start() left it open, else -1; it is no longer
 * the tree's. Called with the lock held. */
static int
take_started(struct outtree *t, const char *rel)
{
	uint64_t v = unbox(strmap_get(&t->started, rel));

	if (v < 2)
		return -1;
	strmap_put(&t->started, rel, box(1));
	t->open_started--;
	return (int)(v - 2);
}

/* take_started() for a caller that does not hold the lock: takes it. */
static int
take_started_locking(struct outtree *t, const char *rel)
{
	int fd;

	pthread_mutex_lock(&t->lock);
	fd = take_started(t, rel);
	pthread_mutex_unlock(&t->lock);
	return fd;
}

int
outtree_start(struct outtree *t, const char *rel, const struct iovec *pieces,
    size_t n, char *err, size_t errlen)
{
	bool keep_open;
	int fd, old;

	if (t->dry)
		return 0;
	if (make_parent(t, rel, err, errlen) != 0 ||
	    (fd = open_file(t, rel, O_TRUNC, err, errlen)) < 0)
		return -1;
	pthread_mutex_lock(&t->lock);
	old = take_started(t, rel); /* started again: written afresh */
	if ((keep_open = t->open_started < t->open_max))
		t->open_started++;
	strmap_put(&t->started, rel, box(keep_open ? (uint64_t)fd + 2 : 1));
	pthread_mutex_unlock(&t->lock);
	if (old >= 0)
		close(old);
	if (put_pieces_fd(t, rel, fd, keep_open, pieces, n, err, errlen) == 0)
		return 0;
	if (keep_open) /* closed by put_pieces_fd() */
		take_started_locking(t, rel);
	return -1;
}

int
outtree_finish(struct outtree *t, const char *rel, uint64_t key,
    const struct iovec *pieces, size_t n, char *err, size_t errlen)
{
	int fd;

	if (t->dry)
		return 0;
	fd = take_started_locking(t, rel);
	if (fd < 0 && (fd = open_file(t, rel, O_APPEND, err, errlen)) < 0)
		return -1;
	if (put_pieces_fd(t, rel, fd, false, pieces, n, err, errlen) != 0)
		return -1;
	keep(t, rel, key, true);
	return 0;
}

/* Close the files begun and never finished. */
static void
close_started(struct outtree *t)
{
	size_t i;
	uint64_t v;

	for (i = 0; i < t->started.cap && t->open_started > 0; i++) {
		if (t->started.slots[i].key == NULL ||
		    (v = unbox(t->started.slots[i].value)) < 2)
			continue;
		close((int)(v - 2));
		t->started.slots[i].value = box(1);
		t->open_started--;
	}
}

int
outtree_write(struct outtree *t, const char *rel, uint64_t key,
    const void *data, size_t len, char *err, size_t errlen)
{
	struct iovec one = {(void *)(uintptr_t)data, len};

	return outtree_writev(t, rel, key, &one, 1, err, errlen);
}

int
outtree_copy(struct outtree *t, const char *rel, uint64_t key, const char *src,
    char *err, size_t errlen)
{
	char *full, chunk[65536];
	int in, out, rc = 0;
	ssize_t n, r;

	if (t->dry || outtree_fresh(t, rel, key))
		return 0;
	if (make_parent(t, rel, err, errlen) != 0)
		return -1;
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", src, strerror(errno));
		return -1;
	}
	full = path_join(t->target, rel);
	if ((out = openat(t->dirfd, under(rel),
		 O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		snprintf(err, errlen, "%s: %s", full, strerror(errno));
		close(in);
		free(full);
		return -1;
	}
	/* In the kernel when it can (even sharing extents), else by hand. */
	while ((n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
		;
	if (n < 0) {
		lseek(in, 0, SEEK_SET);
		if (ftruncate(out, 0) != 0)
			rc = -1;
		lseek(out, 0, SEEK_SET);
		while (rc == 0 && (r = read(in, chunk, sizeof(chunk))) != 0)
			if (r < 0 || write(out, chunk, (size_t)r) != r)
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
	if (rc == 0)
		keep(t, rel, key, true);
	return rc;
}

char *
outtree_live_file(const struct outtree *t, const char *rel)
{
	return t->live ? path_join(t->live, rel) : NULL;
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
	if (!S_ISDIR(st.st_mode))
		return unlink(dir);
	return nftw(dir, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
}

/* The files of map (rel -> anything) that this build did not produce. */
static void
remove_not_now(struct outtree *t, const struct strmap *map)
{
	char *full, *slash;
	size_t i;

	for (i = 0; i < map->cap; i++) {
		const char *rel = map->slots[i].key;
		if (rel == NULL || strmap_has(&t->now, rel))
			continue;
		full = path_join(t->target, rel);
		unlink(full);
		/* Folders left empty go too; rmdir refuses the others. */
		while ((slash = strrchr(full, '/')) != NULL &&
		    (size_t)(slash - full) > strlen(t->target)) {
			*slash = '\0';
			if (rmdir(full) != 0)
				break;
		}
		free(full);
	}
}

/* Files of the target's last build that this one did not produce, and
 * files this one started and never finished. */
static void
remove_stale(struct outtree *t)
{
	remove_not_now(t, &t->old);
	remove_not_now(t, &t->started);
}

/* key as 16 lowercase hex digits (what load_manifest() reads); by hand:
 * printf costs more than the rest of the manifest. */
static void
put_key(struct buf *b, uint64_t key)
{
	char hex[16];
	int i;

	for (i = 15; i >= 0; i--, key >>= 4)
		hex[i] = "0123456789abcdef"[key & 15];
	buf_append(b, hex, sizeof(hex));
}

static int
save_manifest(struct outtree *t, char *err, size_t errlen)
{
	struct buf m = BUF_INIT;
	char *file = path_join(t->target, MANIFEST);
	size_t i;
	int fd, rc = 0;

	buf_reserve(&m, t->now.n * 64);
	for (i = 0; i < t->now.cap; i++) {
		const char *rel = t->now.slots[i].key;
		if (rel != NULL && strchr(rel, '\n') == NULL) {
			put_key(&m, unbox(t->now.slots[i].value));
			buf_putc(&m, ' ');
			buf_puts(&m, rel);
			buf_putc(&m, '\n');
		}
	}
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 ||
	    write(fd, m.data ? m.data : "", m.len) != (ssize_t)m.len) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	buf_free(&m);
	free(file);
	return rc;
}

int
outtree_commit(struct outtree *t, char *err, size_t errlen)
{
	char *tmp;
	struct stat st;
	bool real_dir;

	if (t->dry)
		return 0;
	close_started(t);
	remove_stale(t);
	if (save_manifest(t, err, errlen) != 0)
		return -1;
	tmp = sibling(t->final, ".link-new");
	unlink(tmp);
	if (symlink(t->target_name, tmp) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	real_dir = lstat(t->final, &st) == 0 && S_ISDIR(st.st_mode);
	if (real_dir ? renameat2(AT_FDCWD, tmp, AT_FDCWD, t->final,
			   RENAME_EXCHANGE) != 0
		     : rename(tmp, t->final) != 0) {
		snprintf(err, errlen,
		    "%s: cannot put the new capsule in place: %s", t->final,
		    strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	/* After an exchange, tmp names the old folder. */
	if (real_dir && outtree_remove(tmp) != 0) {
		snprintf(err, errlen, "%s: cannot remove the old capsule: %s",
		    tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

void
outtree_abort(struct outtree *t)
{
	outtree_free(t);
}

void
outtree_free(struct outtree *t)
{
	if (t->lockfd >= 0)
		close(t->lockfd);
	if (t->dirfd >= 0)
		close(t->dirfd);
	close_started(t);
	free(t->final);
	if (t->live != t->target)
		free(t->live);
	free(t->target);
	free(t->target_name);
	strmap_free(&t->dirs);
	strmap_free(&t->old);
	strmap_free(&t->now);
	strmap_free(&t->started);
	pthread_mutex_destroy(&t->lock);
	memset(t, 0, sizeof(*t));
	t->lockfd = -1;
	t->dirfd = -1;
}
