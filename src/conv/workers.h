/*
 * workers: one loop spread over a few threads.
 *
 * The build's costly steps (reading posts, rendering them, writing their
 * pages) handle thousands of independent items; workers_run() hands them
 * out in short runs of neighbours to one thread per processor and one
 * more (a few at most), the calling thread being one of them, and returns
 * when all are done. The one more: making folders and files, a thread
 * waits now and then on the file system (a bitmap or an inode table read
 * from the disk, a folder another thread is adding to); the processors
 * stay busy meanwhile.
 */
#ifndef CANYON_WORKERS_H
#define CANYON_WORKERS_H

#include <stddef.h>

/* Threads at most, the caller included. */
#define WORKERS_MAX 4

/* Called for every i of [0, n), in no set order nor thread: it must be
 * safe to call for different items at once. */
typedef void (*workers_fn)(void *ctx, size_t i);
/* Told how many items were started, from the calling thread only (it
 * need not be thread-safe). */
typedef void (*workers_progress_fn)(void *ctx, size_t done, size_t total);

/* Run one(ctx, i) for every i < n; progress (may be NULL) now and then.
 * A few items are not worth a thread: they run in the caller alone. */
void workers_run(size_t n, workers_fn one, void *ctx,
    workers_progress_fn progress, void *progress_ctx);

/*
 * Inside one(): a buffer of the thread running it, kept from item to item
 * (an item's bytes read into memory that the thread's last item already
 * used: no fresh pages, no block freed by another thread). What it holds
 * lasts until the thread's next item; freed when workers_run() returns.
 * Outside of workers_run(): NULL.
 */
struct buf *workers_scratch(void);
/* A second such buffer, for what an item makes (the first holding what
 * it reads). */
struct buf *workers_out_scratch(void);

#endif
