/*
 * path: file-system paths that must stay inside a root.
 */
#ifndef CANYON_PATH_H
#define CANYON_PATH_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/*
 * Open rel (a relative path, no leading '/') beneath the directory rootfd.
 * Nothing outside the root can be reached: ".." segments, absolute
 * symlinks and symlinks leading out are refused (openat2 RESOLVE_BENEATH
 * where the kernel has it, a component-by-component O_NOFOLLOW walk
 * otherwise). Returns a file descriptor, or -1 with errno set (EXDEV or
 * ELOOP for an escape attempt).
 */
int path_open_beneath(int rootfd, const char *rel, int flags);

/* True when a URL path may be served: no segment starting with '.', except
 * for the "/.well-known/" folder. The path must already be decoded. */
bool path_is_public(const char *path, size_t n);

/* Join a directory and a name with exactly one '/'. The caller frees. */
char *path_join(const char *dir, const char *name);

/* Create dir and its missing parents with the given mode. 0 or -1/errno. */
int path_mkdirs(const char *dir, unsigned mode);

/* Read a whole file (at most max bytes) into a new buffer the caller frees;
 * NUL-terminated. Returns NULL with errno set (EFBIG when larger than max). */
char *path_read_file(const char *file, size_t max, size_t *len);
/* Read all of fd (at most max bytes) into b, emptied first; size is the
 * file's size when known (from fstat(), else 0): reading stops there, so
 * a file that grew since reads as it was then, and one that shrank is
 * read to its end. b stays NUL-terminated and owned by the caller.
 * Returns 0, or -1 with errno set (EFBIG when larger than max). */
int path_read_fd(int fd, size_t max, size_t size, struct buf *b);

#endif
