/*
 * strpool: NUL-terminated copies of strings that all live as long as the
 * pool, allocated a block at a time rather than one by one.
 *
 * A pool owns its blocks; strpool_free() releases every copy at once.
 * Blocks start at 4 KiB and double up to 64 KiB, so a pool that holds a
 * page's few dozen links stays small and one that holds a site's paths
 * makes few allocations; a longer string gets a block of its own.
 * A zeroed struct strpool is an empty pool.
 */
#ifndef CANYON_STRPOOL_H
#define CANYON_STRPOOL_H

#include <stddef.h>

struct strpool_block;

struct strpool {
	struct strpool_block *blocks; /* the newest (it links the others) */
	char *next; /* where the next copy goes in it */
	size_t left; /* bytes free there */
};

#define STRPOOL_INIT                                                           \
	{                                                                      \
		NULL, NULL, 0                                                  \
	}

/* A copy of s[0..n) and a NUL, owned by the pool. */
char *strpool_dup(struct strpool *p, const char *s, size_t n);

/* Release every copy; the pool is empty again. */
void strpool_free(struct strpool *p);

#endif
