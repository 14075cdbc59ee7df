#include "hash.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HASH_AVX2 1
#endif

/* Eight bytes per step: multiply, then fold the high bits down. */
static uint64_t
mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 32;
	return h;
}

/*
 * Long inputs (posts, pages) go through four 64-bit lanes, 32 bytes a
 * block. Each lane adds the product of its word's two halves, the word
 * mixed with a key that moves on every block (so that the same bytes at
 * another place give another sum), and the neighbouring lane's word
 * as it is (so that no word is lost to a zero half); every 16 blocks
 * the lanes are stirred. These are all operations of AVX2's 64-bit
 * lanes: one instruction each for the four lanes, instead of a chain of
 * multiplications per lane. blocks_portable() computes the same in
 * plain C.
 */
#define BLOCK 32
#define STIR_EVERY 16
#define KEY_STEP 0x9e3779b97f4a7c15ULL
#define STIR_PRIME 0x9e3779b1ULL

static const uint64_t block_key[4] = {0xbe4ba423396cfeb8ULL,
    0x1cad21f72c81017cULL, 0xdb979083e96dd4deULL, 0x1f67b3b7a4a44072ULL};

static void
blocks_portable(uint64_t acc[4], const unsigned char *s, size_t nblocks)
{
	uint64_t key[4], d[4], x;
	size_t b;
	int i;

	memcpy(key, block_key, sizeof(key));
	for (b = 0; b < nblocks; b++, s += BLOCK) {
		memcpy(d, s, sizeof(d));
		for (i = 0; i < 4; i++) {
			x = d[i] ^ key[i];
			acc[i] += (x & 0xffffffffULL) * (x >> 32) + d[i ^ 1];
			key[i] += KEY_STEP;
		}
		if (b % STIR_EVERY == STIR_EVERY - 1)
			for (i = 0; i < 4; i++)
				acc[i] = (acc[i] ^ (acc[i] >> 47)) * STIR_PRIME;
	}
}

#ifdef HASH_AVX2
/* a * STIR_PRIME in each 64-bit lane, after folding its top down: the
 * low half times the prime, plus the high half times it moved up */
__attribute__((target("avx2"))) static inline __m256i
stir_avx2(__m256i a)
{
	const __m256i prime = _mm256_set1_epi64x((long long)STIR_PRIME);

	a = _mm256_xor_si256(a, _mm256_srli_epi64(a, 47));
	return _mm256_add_epi64(_mm256_mul_epu32(a, prime),
	    _mm256_slli_epi64(
		_mm256_mul_epu32(_mm256_srli_epi64(a, 32), prime), 32));
}

__attribute__((target("avx2"))) static void
blocks_avx2(uint64_t acc[4], const unsigned char *s, size_t nblocks)
{
	__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)acc),
		key = _mm256_loadu_si256(
		    (const __m256i *)(const void *)block_key),
		step = _mm256_set1_epi64x((long long)KEY_STEP), d, x;
	size_t b, run;

	while (nblocks > 0) {
		run = nblocks < STIR_EVERY ? nblocks : STIR_EVERY;
		for (b = 0; b < run; b++, s += BLOCK) {
			d = _mm256_loadu_si256(
			    (const __m256i *)(const void *)s);
			x = _mm256_xor_si256(d, key);
			a = _mm256_add_epi64(
			    a, _mm256_mul_epu32(x, _mm256_srli_epi64(x, 32)));
			/* d[i ^ 1]: the two words of each 128-bit half
			 * swapped */
			a = _mm256_add_epi64(a,
			    _mm256_shuffle_epi32(d, _MM_SHUFFLE(1, 0, 3, 2)));
			key = _mm256_add_epi64(key, step);
		}
		if (run == STIR_EVERY)
			a = stir_avx2(a);
		nblocks -= run;
	}
	_mm256_storeu_si256((__m256i *)(void *)acc, a);
}
#endif

/* Inputs this long or longer go through the blocks; shorter ones (the
 * maps' keys, numbers) through the chains of short_lanes(), which costs
 * them fewer instructions than a call and the blocks' set-up. */
#define LONG_INPUT (4 * BLOCK)

/* The four lanes' starting values, from h. */
static void
lanes_start(uint64_t lane[4], uint64_t h)
{
	lane[0] = h;
	lane[1] = h ^ 0x9e3779b97f4a7c15ULL;
	lane[2] = h ^ 0xc2b2ae3d27d4eb4fULL;
	lane[3] = h ^ 0x165667b19e3779f9ULL;
}

/* h with the four lanes folded in. */
static uint64_t
lanes_fold(uint64_t h, const uint64_t lane[4])
{
	return mix(mix(mix(mix(h, lane[0]), lane[1]), lane[2]), lane[3]);
}

/* s[0..n), n >= BLOCK, in four chains of multiplications, one per 64-bit
 * lane, 32 bytes a step: h with them folded in; *s and *n past the
 * steps. Each step waits on its own lane's multiply only. */
static uint64_t
short_lanes(uint64_t h, const unsigned char **s, size_t *n)
{
	uint64_t lane[4], v[4];

	lanes_start(lane, h);
	do {
		memcpy(v, *s, sizeof(v));
		lane[0] = mix(lane[0], v[0]);
		lane[1] = mix(lane[1], v[1]);
		lane[2] = mix(lane[2], v[2]);
		lane[3] = mix(lane[3], v[3]);
		*s += BLOCK;
		*n -= BLOCK;
	} while (*n >= BLOCK);
	return lanes_fold(h, lane);
}

/* The same for a long input, by its blocks. */
static uint64_t
long_lanes(uint64_t h, const unsigned char **s, size_t *n,
    void (*blocks)(uint64_t acc[4], const unsigned char *, size_t))
{
	uint64_t acc[4];

	lanes_start(acc, h);
	blocks(acc, *s, *n / BLOCK);
	*s += *n / BLOCK * BLOCK;
	*n %= BLOCK;
	return lanes_fold(h, acc);
}

/* The last bytes (fewer than BLOCK) and the final mix. */
static uint64_t
finish(uint64_t h, const unsigned char *s, size_t n)
{
	uint64_t w;

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

/* p[0..n) from h, long inputs by blocks(); inlined in both entry points,
 * so that the short keys most calls hash take no further call. */
static inline uint64_t
hash_with(uint64_t h, const void *p, size_t n,
    void (*blocks)(uint64_t acc[4], const unsigned char *, size_t))
{
	const unsigned char *s = p;

	h = mix(h, n);
	if (n >= LONG_INPUT)
		h = long_lanes(h, &s, &n, blocks);
	else if (n >= BLOCK)
		h = short_lanes(h, &s, &n);
	return finish(h, s, n);
}

uint64_t
hash_bytes_portable(uint64_t h, const void *p, size_t n)
{
	return hash_with(h, p, n, blocks_portable);
}

uint64_t
hash_bytes(uint64_t h, const void *p, size_t n)
{
#ifdef HASH_AVX2
	if (n >= LONG_INPUT && __builtin_cpu_supports("avx2"))
		return hash_with(h, p, n, blocks_avx2);
#endif
	return hash_with(h, p, n, blocks_portable);
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
