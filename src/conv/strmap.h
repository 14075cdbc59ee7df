/*
 * strmap: a hash table from strings to pointers.
 *
 * The site builder looks posts up by URL, slug and title, and the link
 * checker asks whether a path exists, thousands of times per build. Keys
 * are copied and owned by the map (in a strpool.h pool: no allocation
 * per key); values are borrowed (the map never frees them).
 */
#ifndef CANYON_STRMAP_H
#define CANYON_STRMAP_H

#include <stddef.h>

#include "strpool.h"

struct strmap_slot {
	char *key; /* owned by the map (or borrowed); NULL for an empty
		      slot */
	void *value;
	unsigned long long hash; /* of key: most probes end on a mismatch */
	size_t len; /* of key */
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap; /* a power of two, or 0 before the first insert */
	size_t n;
	struct strpool keys; /* where the keys are copied */
};

#define STRMAP_INIT                                                            \
	{                                                                      \
		NULL, 0, 0, STRPOOL_INIT                                       \
	}

/* Set key to value, replacing a previous value. */
void strmap_put(struct strmap *m, const char *key, void *value);
/* Same with a key of n bytes (not NUL-terminated). */
void strmap_putn(struct strmap *m, const char *key, size_t n, void *value);
/* The value of key, or NULL when absent. */
void *strmap_get(const struct strmap *m, const char *key);
void *strmap_getn(const struct strmap *m, const char *key, size_t n);
/* True when key is present (its value may be NULL). */
int strmap_has(const struct strmap *m, const char *key);
/*
 * For keys looked up or added many times, or hashed where it is cheaper
 * (another thread): the hash of a key of n bytes, and the calls that take
 * it. strmap_put_borrowed() does not copy the key: it must stay as it is
 * while the map is used.
 */
unsigned long long strmap_hash(const char *key, size_t n);
void *strmap_get_hashed(
    const struct strmap *m, const char *key, size_t n, unsigned long long hash);
void strmap_put_hashed(struct strmap *m, const char *key, size_t n,
    unsigned long long hash, void *value);
void strmap_put_borrowed(struct strmap *m, const char *key, size_t n,
    unsigned long long hash, void *value);
/* Make room for n keys in all, so that adding them moves nothing. */
void strmap_reserve(struct strmap *m, size_t n);
void strmap_free(struct strmap *m);

#endif
