#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* FNV-1a: short keys (URL paths, tag names), no adversary to defend against. */
static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct strmap_slot *
find_hashed(const struct strmap *m, const char *key, size_t n, uint64_t h)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = (size_t)h & (m->cap - 1);
	while (m->slots[i].key != NULL) {
		if (m->slots[i].hash == h &&
		    strncmp(m->slots[i].key, key, n) == 0 &&
		    m->slots[i].key[n] == '\0')
			return &m->slots[i];
		i = (i + 1) & (m->cap - 1);
	}
	return &m->slots[i];
}

static struct strmap_slot *
find(const struct strmap *m, const char *key, size_t n)
{
	return find_hashed(m, key, n, hash(key, n));
}

static void
grow(struct strmap *m)
{
	struct strmap_slot *old = m->slots, *s;
	size_t oldcap = m->cap, i;

	m->cap = oldcap ? oldcap * 2 : 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		s = find_hashed(m, old[i].key, strlen(old[i].key), old[i].hash);
		*s = old[i];
	}
	free(old);
}

void
strmap_putn(struct strmap *m, const char *key, size_t n, void *value)
{
	struct strmap_slot *s;
	uint64_t h;

	if ((m->n + 1) * 4 > m->cap * 3)
		grow(m);
	h = hash(key, n);
	s = find_hashed(m, key, n, h);
	if (s->key == NULL) {
		s->key = xstrndup(key, n);
		s->hash = h;
		m->n++;
	}
	s->value = value;
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
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
