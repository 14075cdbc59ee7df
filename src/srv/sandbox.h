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

#include <stdbool.h>
#include <stddef.h>

struct server_conf;

/* The user the server switches to, resolved while /etc/passwd is still
 * readable (before sandbox_confine()). */
struct sandbox_user {
	unsigned uid, gid;
	char name[64];
};

/* Look user up. Returns 0, or -1 with err set. */
int sandbox_user_lookup(
    const char *user, struct sandbox_user *u, char *err, size_t errlen);

/*
 * Become u: supplementary groups, gid, then uid, and check that root cannot
 * be regained. Must be called as root. Returns 0, or -1 with err set.
 */
int sandbox_drop_privileges(
    const struct sandbox_user *u, char *err, size_t errlen);

/*
 * Restrict this process (every thread started later, and children) to
 * reading beneath each of paths[0..n) (folders or single files) and its
 * own /proc entry, and to writing (not truncating) append[0..nappend):
 * existing files, or folders where files may also be created; every other
 * file-system access is refused with EACCES. It cannot be undone.
 * Returns the Landlock ABI version applied (>= 1), 0 when the kernel has
 * no Landlock or a seccomp filter refuses it (nothing done), or -1 with
 * err set.
 */
int sandbox_confine(const char *const *paths, size_t n,
    const char *const *append, size_t nappend, char *err, size_t errlen);

/* What sandbox_server() did, for the caller to report. */
struct sandbox_report {
	bool dropped; /* now running as conf->user */
	bool still_root; /* root, and no user configured */
	bool user_ignored; /* a user configured, but not started as root */
	int landlock; /* Landlock ABI applied, 0 when the kernel has none */
};

/*
 * The server's sandbox, from its settings, once its sockets are bound and
 * its first generation loaded, before any thread starts: become
 * conf->user (when running as root), then confine the process to reading
 * beneath the folders that hold the hosts' capsules, certificates and keys,
 * the session-ticket key file and the config file (their folders rather than
 * the files themselves, so that a capsule swapped in by a rebuild, or a config
 * saved by an editor as a new file, can still be read by a reload) and to
 * writing files in the access log's folder (SIGUSR1 re-creates the log after a
 * rotation). Returns 0, or -1 with err set.
 */
int sandbox_server(const struct server_conf *conf, struct sandbox_report *r,
    char *err, size_t errlen);

#endif
