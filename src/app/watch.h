/*
 * watch: `canyon serve --watch`. A child process watches the blog with
 * inotify and, once a burst of changes has settled, rebuilds the capsule
 * with a `canyon build` process of its own; when the build succeeds it
 * sends SIGHUP to the server, whose usual reload then picks up the new
 * capsule. A process rather than a thread: it is started before the
 * server confines itself (sandbox), which must not stop builds writing.
 */
#ifndef CANYON_WATCH_H
#define CANYON_WATCH_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Watch source_dir (the Hexo site: its folder itself and everything under
 * its source/ folder) and rebuild with `canyon build [-c config_file]`
 * (config_file may be NULL), for this process. Call it before starting
 * any thread. Returns the watcher's pid, or -1 with err set. The watcher
 * ends when this process does.
 */
pid_t watch_start(
    const char *source_dir, const char *config_file, char *err, size_t errlen);

/* Stop the watcher and reap it. */
void watch_stop(pid_t pid);

#endif
