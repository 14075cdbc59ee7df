#include "strmap.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"

unsigned long long
strmap_hash(const char *key, size_t n)
{
	return hash_bytes(HASH_SEED, key, n);
}

static struct strmap_slot *
find_hashed(const struct strmap *m, const char *key, size_t n, uint64_t h)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = (size_t)h & (m->cap - 1);
	while (m->slots[i].key != NULL) {
		if (m->slots[i].hash == h && m->slots[i].len == n &&
		    memcmp(m->slots[i].key, key, n) == 0)
			return &m->slots[i];
		i = (i + 1) & (m->cap - 1);
	}
	return &m->slots[i];
}

static struct strmap_slot *
find(const struct strmap *m, const char *key, size_t n)
{
	return find_hashed(m, key, n, strmap_hash(key, n));
}

/* Rehash into cap slots (a power of two). */
static void
resize(struct strmap *m, size_t cap)
{
	struct strmap_slot *old = m->slots, *s;
	size_t oldcap = m->cap, i;

	m->cap = cap;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		s = find_hashed(m, old[i].key, old[i].len, old[i].hash);
		*s = old[i];
	}
	free(old);
}

void
strmap_reserve(struct strmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;

	while (n * 4 > cap * 3)
		cap *= 2;
	if (cap != m->cap)
		resize(m, cap);
}

/* Set key to value; a new key is copied unless borrowed. */
static void
put(struct strmap *m, const char *key, size_t n, uint64_t h, void *value,
    bool borrow)
{
	struct strmap_slot *s;

	if ((m->n + 1) * 4 > m->cap * 3)
		strmap_reserve(m, m->n + 1);
	s = find_hashed(m, key, n, h);
	if (s->key == NULL) {
		s->key = borrow ? (char *)(uintptr_t)key
				: strpool_dup(&m->keys, key, n);
		s->hash = h;
		s->len = n;
		m->n++;
	}
	s->value = value;
}

void
strmap_putn(struct strmap *m, const char *key, size_t n, void *value)
{
	put(m, key, n, strmap_hash(key, n), value, false);
}

void *
strmap_get_hashed(
    const struct strmap *m, const char *key, size_t n, unsigned long long h)
{
	struct strmap_slot *s = find_hashed(m, key, n, h);

	return s && s->key ? s->value : NULL;
}

void
strmap_put_hashed(struct strmap *m, const char *key, size_t n,
    unsigned long long h, void *value)
{
	put(m, key, n, h, value, false);
}

void
strmap_put_borrowed(struct strmap *m, const char *key, size_t n,
    unsigned long long h, void *value)
{
	put(m, key, n, h, value, true);
}

void
strmap_put(struct strmap *m, const char *key, void *value)
{
	strmap_putn(m, key, strlen(key), value);
}

void *
strmap_getn(const struct strmap *m, const char *key, size_t n)
{
	struct strmap_slot *s = find(m, key, n);

	return s && s->key ? s->value : NULL;
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	return strmap_getn(m, key, strlen(key));
}

int
strmap_has(const struct strmap *m, const char *key)
{
	struct strmap_slot *s = find(m, key, strlen(key));

	return s != NULL && s->key != NULL;
}

void
strmap_free(struct strmap *m)
{
	strpool_free(&m->keys);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
