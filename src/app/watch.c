#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "path.h"

/* A burst of saves (an editor's, a git pull's) makes one build: wait for
 * this long without a change before building. */
#define SETTLE_MS 300

#define WATCH_MASK (IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
    IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF)

extern char **environ;

struct watch {
	pthread_t thread;
	int inotify_fd;
	int stop_fd; /* eventfd: watch_stop() writes it */
	char *source;
	char *config;
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
drain_events(struct watch *w)
{
	char ev_buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while ((n = read(w->inotify_fd, ev_buf, sizeof(ev_buf))) > 0) {
		for (char *p = ev_buf; p < ev_buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			p += sizeof(*ev) + ev->len;
			if (ignored(ev))
				continue;
			changed = true;
			if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)))
				/* The folder's path is not kept per watch: rescan
				 * (watching a folder twice is harmless). */
				add_tree(w->inotify_fd, w->source);
		}
	}
	return changed;
}

/* Wait up to ms (-1: for ever) for a change. -1 when stopping. */
static int
wait_change(struct watch *w, int ms)
{
	struct pollfd pfd[2] = {
		{.fd = w->inotify_fd, .events = POLLIN},
		{.fd = w->stop_fd, .events = POLLIN},
	};
	int n;

	do
		n = poll(pfd, 2, ms);
	while (n == -1 && errno == EINTR);
	if (n == -1 || pfd[1].revents)
		return -1;
	return n > 0 && drain_events(w) ? 1 : 0;
}

/* Run `canyon build [-c config]` (this very binary); its exit status. */
static int
run_build(const struct watch *w)
{
	char *argv[5], exe[PATH_MAX];
	int status, argc = 0;
	ssize_t n;
	pid_t pid;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) == -1) {
		log_warn("watch: /proc/self/exe");
		return -1;
	}
	exe[n] = '\0';
	argv[argc++] = exe;
	argv[argc++] = (char *)(uintptr_t) "build";
	if (w->config != NULL) {
		argv[argc++] = (char *)(uintptr_t) "-c";
		argv[argc++] = w->config;
	}
	argv[argc] = NULL;
	if ((errno = posix_spawn(&pid, exe, NULL, NULL, argv, environ)) != 0) {
		log_warn("watch: cannot run %s build", exe);
		return -1;
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void *
watch_main(void *arg)
{
	struct watch *w = arg;
	int rc;

	for (;;) {
		if (wait_change(w, -1) == -1)
			break;
		/* Let the burst settle. */
		while ((rc = wait_change(w, SETTLE_MS)) == 1)
			;
		if (rc == -1)
			break;
		log_info("watch: %s changed, rebuilding", w->source);
		rc = run_build(w);
		if (rc == 0) {
			kill(getpid(), SIGHUP);
		} else {
			log_warnx("watch: build failed (status %d); still serving "
			    "the previous capsule", rc);
		}
	}
	return NULL;
}

struct watch *
watch_start(const char *source_dir, const char *config_file, char *err,
    size_t errlen)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	sigset_t all, old;
	int rc;

	w->source = path_join(source_dir, "source");
	w->config = config_file ? xstrdup(config_file) : NULL;
	w->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	w->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->stop_fd == -1 || w->inotify_fd == -1) {
		snprintf(err, errlen, "watch: %s", strerror(errno));
		goto fail;
	}
	/* The site folder itself, for its _config.yml, then every post,
	 * page and asset folder. */
	if (inotify_add_watch(w->inotify_fd, source_dir, WATCH_MASK | IN_ONLYDIR) == -1 ||
	    add_tree(w->inotify_fd, w->source) == -1) {
		snprintf(err, errlen, "watch: %s: %s", errno == ENOENT ? source_dir : w->source,
		    strerror(errno));
		goto fail;
	}
	/* The thread must not take the signals the server waits for. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&w->thread, NULL, watch_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "watch: %s", strerror(rc));
		goto fail;
	}
	return w;
fail:
	if (w->stop_fd != -1)
		close(w->stop_fd);
	if (w->inotify_fd != -1)
		close(w->inotify_fd);
	free(w->source);
	free(w->config);
	free(w);
	return NULL;
}

void
watch_stop(struct watch *w)
{
	uint64_t one = 1;

	if (w == NULL)
		return;
	if (write(w->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_warn("watch: stop");
	pthread_join(w->thread, NULL);
	close(w->stop_fd);
	close(w->inotify_fd);
	free(w->source);
	free(w->config);
	free(w);
}
