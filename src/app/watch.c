#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "path.h"

/* A burst of saves (an editor's, a git pull's) makes one build: wait for
 * this long without a change before building. */
#define SETTLE_MS 300

#define WATCH_MASK                                                             \
	(IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM |              \
	    IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF)

extern char **environ;

struct watcher {
	int inotify_fd;
	const char *source; /* the site's source/ folder */
	const char *config; /* NULL: the default file */
	const char *exe; /* this program */
	pid_t server;
};

/* Watch dir and, recursively, its subfolders (dot folders skipped: .git). */
static int
add_tree(int ifd, const char *dir)
{
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (inotify_add_watch(ifd, dir, WATCH_MASK | IN_ONLYDIR) == -1)
		return -1;
	if ((d = opendir(dir)) == NULL)
		return -1;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char *sub;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		sub = path_join(dir, e->d_name);
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			rc = add_tree(ifd, sub);
		free(sub);
	}
	closedir(d);
	return rc;
}

/* Hidden files and editors' backups (.post.md.swp, post.md~) are not
 * content: saving them must not rebuild. */
static bool
ignored(const struct inotify_event *ev)
{
	size_t n;

	if (ev->len == 0)
		return false; /* an event on the watched folder itself */
	n = strlen(ev->name);
	return ev->name[0] == '.' || (n > 0 && ev->name[n - 1] == '~');
}

/*
 * Read the pending events. A new folder is watched at once (its files
 * are part of the change). Returns true when something changed.
 */
static bool
drain_events(const struct watcher *w)
{
	char ev_buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while ((n = read(w->inotify_fd, ev_buf, sizeof(ev_buf))) > 0) {
		for (char *p = ev_buf; p < ev_buf + n;) {
			const struct inotify_event *ev =
			    (const struct inotify_event *)p;
			p += sizeof(*ev) + ev->len;
			if (ignored(ev))
				continue;
			changed = true;
			if ((ev->mask & IN_ISDIR) &&
			    (ev->mask & (IN_CREATE | IN_MOVED_TO)))
				/* The folder's path is not kept per watch:
				 * rescan (watching a folder twice is harmless).
				 */
				add_tree(w->inotify_fd, w->source);
		}
	}
	return changed;
}

/* Wait up to ms (-1: for ever) for a change: 1 changed, 0 timed out. */
static int
wait_change(const struct watcher *w, int ms)
{
	struct pollfd pfd = {.fd = w->inotify_fd, .events = POLLIN};
	int n;

	do
		n = poll(&pfd, 1, ms);
	while (n == -1 && errno == EINTR);
	return n > 0 && drain_events(w) ? 1 : 0;
}

/* Run `canyon build [-c config]`; its exit status, -1 if it did not run. */
static int
run_build(const struct watcher *w)
{
	char *argv[5];
	int status, argc = 0;
	pid_t pid;

	argv[argc++] = (char *)(uintptr_t)w->exe;
	argv[argc++] = (char *)(uintptr_t) "build";
	if (w->config != NULL) {
		argv[argc++] = (char *)(uintptr_t) "-c";
		argv[argc++] = (char *)(uintptr_t)w->config;
	}
	argv[argc] = NULL;
	if ((errno = posix_spawn(&pid, w->exe, NULL, NULL, argv, environ)) !=
	    0) {
		log_warn("watch: cannot run %s build", w->exe);
		return -1;
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static _Noreturn void
watch_main(const struct watcher *w)
{
	int rc;

	for (;;) {
		while (wait_change(w, -1) == 0)
			;
		/* Let the burst settle. */
		while (wait_change(w, SETTLE_MS) == 1)
			;
		log_info("watch: %s changed, rebuilding", w->source);
		if ((rc = run_build(w)) == 0) {
			if (kill(w->server, SIGHUP) == -1)
				_exit(0); /* the server is gone */
		} else {
			log_warnx(
			    "watch: build failed (status %d); still serving "
			    "the previous capsule",
			    rc);
		}
	}
}

pid_t
watch_start(
    const char *source_dir, const char *config_file, char *err, size_t errlen)
{
	struct watcher w = {.config = config_file, .server = getpid()};
	char exe[PATH_MAX], *source;
	ssize_t n;
	pid_t pid;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) == -1) {
		snprintf(
		    err, errlen, "watch: /proc/self/exe: %s", strerror(errno));
		return -1;
	}
	exe[n] = '\0';
	w.exe = exe;
	source = path_join(source_dir, "source");
	w.source = source;
	/* Set up in the parent, so that a missing folder is reported there.
	 * The site folder itself for its _config.yml, then every post, page
	 * and asset folder. */
	if ((w.inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) == -1 ||
	    inotify_add_watch(
		w.inotify_fd, source_dir, WATCH_MASK | IN_ONLYDIR) == -1 ||
	    add_tree(w.inotify_fd, source) == -1) {
		snprintf(err, errlen, "watch: %s: %s", source, strerror(errno));
		goto fail;
	}
	if ((pid = fork()) == -1) {
		snprintf(err, errlen, "watch: fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		/* End with the server, even when it is killed. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != w.server)
			_exit(0);
		watch_main(&w);
	}
	close(w.inotify_fd);
	free(source);
	return pid;
fail:
	if (w.inotify_fd != -1)
		close(w.inotify_fd);
	free(source);
	return -1;
}

void
watch_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
}
