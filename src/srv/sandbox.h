/*
 * sandbox: what the server gives up once its sockets are bound.
 *
 * The server only reads: the capsule, its certificates and its config.
 * sandbox_confine() uses Landlock (Linux 5.13 and later) so that, whatever
 * a bug in path handling let through, the process can read nothing but
 * the folders it is given and can write, create or remove nothing at all.
 * On a kernel without Landlock it does nothing and says so; the operator
 * can then start the server in a chroot of the capsule (see README.md).
 * sandbox_drop_privileges() switches from root to an unprivileged user.
 */
#ifndef CANYON_SANDBOX_H
#define CANYON_SANDBOX_H

#include <stddef.h>

/* The user the server switches to, resolved while /etc/passwd is still
 * readable (before sandbox_confine()). */
struct sandbox_user {
	unsigned uid, gid;
	char name[64];
};

/* Look user up. Returns 0, or -1 with err set. */
int sandbox_user_lookup(const char *user, struct sandbox_user *u, char *err,
    size_t errlen);

/*
 * Become u: supplementary groups, gid, then uid, and check that root cannot
 * be regained. Must be called as root. Returns 0, or -1 with err set.
 */
int sandbox_drop_privileges(const struct sandbox_user *u, char *err,
    size_t errlen);

/*
 * Restrict this process (every thread started later, and children) to
 * reading beneath each of paths[0..n) (folders or single files) and its
 * own /proc entry; every other file-system access is refused with EACCES. It cannot be undone.
 * Returns the Landlock ABI version applied (>= 1), 0 when the kernel has
 * no Landlock (nothing done), or -1 with err set.
 */
int sandbox_confine(const char *const *paths, size_t n, char *err, size_t errlen);

#endif
