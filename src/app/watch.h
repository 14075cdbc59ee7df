/*
 * watch: `canyon serve --watch`. A thread watches the blog with inotify
 * and, once a burst of changes has settled, rebuilds the capsule with a
 * `canyon build` child process; when the build succeeds it sends SIGHUP to
 * this process, whose usual reload then picks up the new capsule.
 */
#ifndef CANYON_WATCH_H
#define CANYON_WATCH_H

#include <stddef.h>

struct watch;

/*
 * Watch source_dir (the Hexo site: its folder itself and everything under
 * its source/ folder) and rebuild with `canyon build [-c config_file]`
 * (config_file may be NULL). Returns the running watcher, or NULL with err
 * set. The signals the server waits for are blocked in the thread.
 */
struct watch *watch_start(const char *source_dir, const char *config_file,
    char *err, size_t errlen);

/* Stop the thread (waiting for a build under way) and free w; NULL is allowed. */
void watch_stop(struct watch *w);

#endif
