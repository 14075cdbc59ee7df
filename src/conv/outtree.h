/*
 * outtree: the capsule being written, put in place in one step.
 *
 * The capsule folder (say "public") is a symbolic link to one of two
 * generations beside it, ".public.gen-a" and ".public.gen-b". A build
 * writes the generation the link does not point at, then replaces the
 * link in one atomic rename: a server that opens "public" sees either the
 * old capsule or the new one, never a mix. Each generation keeps a
 * manifest (".canyon-manifest": every file with a key, a hash of what it
 * holds), so a build rewrites only the files whose key changed since that
 * generation was written, and removes the files it no longer has: a
 * one-post change costs a few writes, not a copy of the whole capsule.
 * A real folder found at the capsule's path (an older layout, or made by
 * hand) is exchanged with the link atomically and then removed. A
 * generation is marked as the top of a folder tree for the filesystem's
 * allocator (ext4's chattr +T), where the filesystem has the mark.
 * With dry set nothing is created or written (canyon check).
 */
#ifndef CANYON_OUTTREE_H
#define CANYON_OUTTREE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "strmap.h"

struct outtree {
	char *final; /* the capsule path (the link) */
	char *live; /* the generation now served, or NULL */
	char *target; /* the generation being written */
	char *target_name; /* its name, the link's contents */
	bool dry;
	int lockfd;
	int dirfd; /* the target, open: files are made relative to it
		      (no walk of its path for each one) */
	struct strmap dirs; /* folders already made, relative */
	struct strmap old; /* manifest of target: rel -> key (boxed) */
	struct strmap now; /* files of this build: rel -> key (boxed) */
	/* files begun by outtree_start(): rel -> (boxed) the file open
	 * for outtree_finish() plus 2, or 1 when closed */
	struct strmap started;
	size_t open_started, open_max; /* how many are open, at most */
	size_t written; /* files actually written or copied */
	/* guards dirs, now, started, open_started, written:
	 * outtree_write() and outtree_fresh() may run in several threads */
	pthread_mutex_t lock;
};

/* 0, or -1 with err filled (another build running, no permission...). */
int outtree_open(
    struct outtree *t, const char *final, bool dry, char *err, size_t errlen);
/* True when the target generation already holds rel with this key; the
 * file is then kept as it is (and counted as part of this build). */
bool outtree_fresh(struct outtree *t, const char *rel, uint64_t key);
/* Write data as rel (decoded, relative), making its folders, unless it is
 * fresh. key 0 means "the hash of data". 0, or -1 with err filled.
 * outtree_write() and outtree_fresh() may be called from several threads
 * at once (for different files); the other functions may not. */
int outtree_write(struct outtree *t, const char *rel, uint64_t key,
    const void *data, size_t len, char *err, size_t errlen);
/* The same with the data in pieces, written in order; key 0 means the
 * hash of the pieces, one after the other (cut otherwise, the same bytes
 * may get another key: at worst they are written again). */
int outtree_writev(struct outtree *t, const char *rel, uint64_t key,
    const struct iovec *pieces, size_t n, char *err, size_t errlen);
/*
 * A file written in two steps, for a page whose end is known only late:
 * outtree_start() writes its beginning (making its folders) and
 * outtree_finish() appends the rest and records rel with key as a file of
 * this build (until then it is not one: one never finished is removed by
 * outtree_commit()). Unlike outtree_writev(), the file
 * is written even when fresh: meant for files the target did not have
 * (!outtree_had()). Thread-safe as outtree_write(). 0 or -1 with err.
 * The file stays open in between (while the process may open half as
 * many files again as it has open: ten thousand pages are then not
 * looked up and opened twice); outtree_commit() and outtree_free() close
 * those never finished.
 */
int outtree_start(struct outtree *t, const char *rel,
    const struct iovec *pieces, size_t n, char *err, size_t errlen);
int outtree_finish(struct outtree *t, const char *rel, uint64_t key,
    const struct iovec *pieces, size_t n, char *err, size_t errlen);
/* Room for n files begun by outtree_start() and left open, made in the
 * process's table of open files now: to be called while the process
 * runs one thread, since the kernel waits for a grace period (about 10
 * ms, every other thread opening a file waiting too) each time a table
 * that threads share doubles. */
void outtree_expect(struct outtree *t, size_t n);
/* True when the target generation's last build had rel (so a write of it
 * may turn out to be unneeded: outtree_fresh()). */
bool outtree_had(const struct outtree *t, const char *rel);
/* Copy the file src to rel unless fresh with key. 0 or -1 with err. */
int outtree_copy(struct outtree *t, const char *rel, uint64_t key,
    const char *src, char *err, size_t errlen);
/* The file path of the live generation's rel (for reading state), or NULL. */
char *outtree_live_file(const struct outtree *t, const char *rel);
/* Remove files of the target that this build did not produce, save the
 * manifest, and switch the link. 0 or -1 with err. */
int outtree_commit(struct outtree *t, char *err, size_t errlen);
/* Give up (after an error): the live capsule is untouched. Frees t. */
void outtree_abort(struct outtree *t);
/* Free t after a commit. */
void outtree_free(struct outtree *t);

/* Remove a folder and everything in it. 0 or -1/errno. */
int outtree_remove(const char *dir);

#endif
