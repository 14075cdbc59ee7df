#include "workers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

#include "buf.h"

/* Fewer items than this run in the calling thread alone. */
#define WORKERS_MIN_ITEMS 64

struct workers {
	size_t n;
	atomic_size_t next;
	workers_fn one;
	void *ctx;
	workers_progress_fn progress;
	void *progress_ctx;
};

/*
 * Items go out in runs of neighbours: posts next to each other publish
 * in the same folders, and two threads making entries in one folder wait
 * on its lock in the kernel; runs of this many keep them apart, yet are
 * short enough that the threads finish together.
 */
#define WORKERS_RUN 32

/* The running thread's workers_scratch() and workers_out_scratch(),
 * while it works. */
static _Thread_local struct buf *scratch, *out_scratch;

struct buf *
workers_scratch(void)
{
	return scratch;
}

struct buf *
workers_out_scratch(void)
{
	return out_scratch;
}

static void
work_some(struct workers *w, bool caller)
{
	struct buf mine = BUF_INIT, mine_out = BUF_INIT, *outer = scratch,
		   *outer_out = out_scratch;
	size_t i, end;

	scratch = &mine;
	out_scratch = &mine_out;
	while ((i = atomic_fetch_add(&w->next, WORKERS_RUN)) < w->n) {
		end = i + WORKERS_RUN < w->n ? i + WORKERS_RUN : w->n;
		if (caller && w->progress && i % 256 == 0)
			w->progress(w->progress_ctx, i + 1, w->n);
		for (; i < end; i++)
			w->one(w->ctx, i);
	}
	scratch = outer;
	out_scratch = outer_out;
	buf_free(&mine);
	buf_free(&mine_out);
}

static void *
work_thread(void *arg)
{
	work_some(arg, false);
	return NULL;
}

void
workers_run(size_t n, workers_fn one, void *ctx, workers_progress_fn progress,
    void *progress_ctx)
{
	struct workers w = {n, 0, one, ctx, progress, progress_ctx};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t threads = cpus > 1 ? (size_t)cpus + 1 : 1, i, started = 0;
	pthread_t tid[WORKERS_MAX];

	if (threads > WORKERS_MAX)
		threads = WORKERS_MAX;
	if (n < WORKERS_MIN_ITEMS)
		threads = 1;
	atomic_init(&w.next, 0);
	for (i = 1; i < threads; i++)
		if (pthread_create(&tid[started], NULL, work_thread, &w) == 0)
			started++;
	work_some(&w, true);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}
