#include "hash.h"

#include <string.h>

/* Eight bytes per step: multiply, then fold the high bits down. */
static uint64_t
mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 32;
	return h;
}

uint64_t
hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t w;

	h = mix(h, n);
	while (n >= 8) {
		memcpy(&w, s, 8);
		h = mix(h, w);
		s += 8;
		n -= 8;
	}
	w = 0;
	if (n > 0)
		memcpy(&w, s, n);
	h = mix(h, w ^ ((uint64_t)n << 56));
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 32);
}

uint64_t
hash_str(uint64_t h, const char *s)
{
	if (s == NULL)
		return mix(h, 0x5bd1e995ULL);
	return hash_bytes(h, s, strlen(s) + 1);
}

uint64_t
hash_u64(uint64_t h, uint64_t v)
{
	return hash_bytes(h, &v, sizeof(v));
}
