#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/landlock.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "buf.h"
#include "serverconf.h"

/* Rights added by later Landlock ABIs; the values are fixed by the kernel
 * ABI, so they are spelled out for older headers. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

int
sandbox_user_lookup(
    const char *user, struct sandbox_user *u, char *err, size_t errlen)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "user '%s': %s", user,
		    errno ? strerror(errno) : "no such user");
		return -1;
	}
	if (strlen(user) >= sizeof(u->name)) {
		snprintf(err, errlen, "user '%s': name too long", user);
		return -1;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	strcpy(u->name, user);
	return 0;
}

int
sandbox_drop_privileges(const struct sandbox_user *u, char *err, size_t errlen)
{
	if (initgroups(u->name, u->gid) < 0 ||
	    setresgid(u->gid, u->gid, u->gid) < 0 ||
	    setresuid(u->uid, u->uid, u->uid) < 0) {
		snprintf(err, errlen, "cannot become user '%s': %s", u->name,
		    strerror(errno));
		return -1;
	}
	if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen,
		    "still able to regain root after becoming '%s'", u->name);
		return -1;
	}
	return 0;
}

/* Every right of this ABI, so that all of them are refused by default. */
static uint64_t
handled_rights(int abi)
{
	uint64_t r = LANDLOCK_ACCESS_FS_EXECUTE |
	    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
	    LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
	    LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
	    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
	    LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;

	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

static int
add_rule(int ruleset, const char *path, bool write, char *err, size_t errlen)
{
	struct landlock_path_beneath_attr rule;
	struct stat st;
	int fd, rc;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memset(&rule, 0, sizeof(rule));
	rule.parent_fd = fd;
	/* A file rule may only carry rights that apply to files. A folder
	 * given to write into may also get new files: the access log is
	 * created anew there when SIGUSR1 follows a rotation. */
	rule.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE |
	    (S_ISDIR(st.st_mode) ? LANDLOCK_ACCESS_FS_READ_DIR : 0) |
	    (write ? LANDLOCK_ACCESS_FS_WRITE_FILE : 0) |
	    (write && S_ISDIR(st.st_mode) ? LANDLOCK_ACCESS_FS_MAKE_REG : 0);
	rc = (int)syscall(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
	if (rc < 0)
		snprintf(err, errlen, "%s: landlock rule: %s", path,
		    strerror(errno));
	close(fd);
	return rc < 0 ? -1 : 0;
}

int
sandbox_confine(const char *const *paths, size_t n, const char *const *append,
    size_t nappend, char *err, size_t errlen)
{
	struct landlock_ruleset_attr attr;
	int abi, ruleset, rc = -1;
	size_t i;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		/* EPERM: a container's seccomp filter refuses the call, which
		 * leaves us as confined as a kernel without Landlock. */
		if (errno == ENOSYS || errno == EOPNOTSUPP || errno == EPERM)
			return 0;
		snprintf(err, errlen, "landlock: %s", strerror(errno));
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = handled_rights(abi);
	if ((ruleset = (int)syscall(
		 SYS_landlock_create_ruleset, &attr, sizeof(attr), 0)) < 0) {
		snprintf(err, errlen, "landlock ruleset: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		if (add_rule(ruleset, paths[i], false, err, errlen) < 0)
			goto out;
	for (i = 0; i < nappend; i++)
		if (add_rule(ruleset, append[i], true, err, errlen) < 0)
			goto out;
	/* The process's own /proc entry: the leak checker reads it at exit,
	 * and it tells nothing the process does not already know. Skipped
	 * when /proc is not mounted. */
	if (access("/proc/self/maps", R_OK) == 0 &&
	    add_rule(ruleset, "/proc/self", false, err, errlen) < 0)
		goto out;
	/* Required to restrict oneself without CAP_SYS_ADMIN; the server never
	 * executes anything, so it costs nothing. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_landlock_restrict_self, ruleset, 0) < 0) {
		snprintf(err, errlen, "landlock restrict: %s", strerror(errno));
		goto out;
	}
	rc = abi;
out:
	close(ruleset);
	return rc;
}

/* Add the folder holding path (path itself when it is "/") to list. */
static void
add_parent(char **list, size_t *n, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		list[(*n)++] = xstrdup(".");
	else if (slash == path)
		list[(*n)++] = xstrdup("/");
	else
		list[(*n)++] = xstrndup(path, (size_t)(slash - path));
}

int
sandbox_server(const struct server_conf *conf, struct sandbox_report *r,
    char *err, size_t errlen)
{
	struct sandbox_user u;
	char **reads;
	char *append[1] = {NULL};
	size_t n = 0, i, nappend = 0;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (conf->user &&
	    sandbox_user_lookup(conf->user, &u, err, errlen) == -1)
		return -1;
	if (geteuid() == 0) {
		if (conf->user == NULL)
			r->still_root = true;
		else if (sandbox_drop_privileges(&u, err, errlen) == -1)
			return -1;
		else
			r->dropped = true;
	} else if (conf->user && geteuid() != u.uid) {
		r->user_ignored = true;
	}
	reads = xcalloc(3 * conf->n_hosts + 2, sizeof(*reads));
	for (i = 0; i < conf->n_hosts; i++) {
		add_parent(reads, &n, conf->hosts[i].root);
		add_parent(reads, &n, conf->hosts[i].cert);
		add_parent(reads, &n, conf->hosts[i].key);
	}
	if (conf->config_file)
		add_parent(reads, &n, conf->config_file);
	/* Read again on every reload, to pick up rotated keys. */
	if (conf->ticket_key_file)
		add_parent(reads, &n, conf->ticket_key_file);
	if (conf->access_log && conf->access_log[0] != '\0' &&
	    strcmp(conf->access_log, "-") != 0)
		add_parent(append, &nappend, conf->access_log);
	r->landlock = sandbox_confine((const char *const *)reads, n,
	    (const char *const *)append, nappend, err, errlen);
	if (r->landlock >= 0)
		rc = 0;
	for (i = 0; i < n; i++)
		free(reads[i]);
	free(reads);
	for (i = 0; i < nappend; i++)
		free(append[i]);
	return rc;
}
