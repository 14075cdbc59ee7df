#include "utf8.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define UTF8_AVX2 1
#endif

size_t
utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c, min;
	size_t len, i;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Posts are mostly ASCII and Hangul: ASCII is skipped eight bytes at a
 * time and three-byte sequences are checked in place; the rest goes
 * through utf8_decode(). */
static bool
valid_scalar(const char *str, size_t n)
{
	/* the second byte of a three-byte sequence, by lead & 15, lies in
	 * [lo, lo + span]: no overlong form after 0xe0, no surrogate after
	 * 0xed */
	static const unsigned char lo[16] = {0xa0, 0x80, 0x80, 0x80, 0x80, 0x80,
	    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
	static const unsigned char span[16] = {0x1f, 0x3f, 0x3f, 0x3f, 0x3f,
	    0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x1f, 0x3f, 0x3f};
	const unsigned char *s = (const unsigned char *)str, *end = s + n;
	uint32_t cp;
	size_t len;

	while (s < end) {
		if (*s < 0x80) {
			uint64_t w;

			s++;
			while (end - s >= 8 && *s < 0x80) {
				memcpy(&w, s, 8);
				if (w & UINT64_C(0x8080808080808080))
					break;
				s += 8;
			}
			continue;
		}
		while (end - s >= 3 && (*s & 0xf0) == 0xe0) {
			unsigned k = *s & 15;

			if ((unsigned)(s[1] - lo[k]) > span[k] ||
			    (s[2] & 0xc0) != 0x80)
				return false;
			s += 3;
		}
		if (s == end || *s < 0x80)
			continue;
		if ((len = utf8_decode(
			 (const char *)s, (size_t)(end - s), &cp)) == 0)
			return false;
		s += len;
	}
	return true;
}

#ifdef UTF8_AVX2

/*
 * 32 bytes at a time with AVX2, after Keiser and Lemire, "Validating
 * UTF-8 in less than one instruction per byte" (2021): three table
 * look-ups, by the high and low nibble of each byte's predecessor and the
 * high nibble of the byte, flag every malformed pair of bytes; the bytes
 * that must be the second continuation of a three- or four-byte sequence
 * are found from the bytes two and three before. A whole post is checked
 * before rendering: the scalar loop above took a tenth of the build.
 */
#define U8_TOO_SHORT (1 << 0) /* lead or ASCII, then lead or ASCII... */
#define U8_TOO_LONG (1 << 1) /* ASCII, then a continuation */
#define U8_OVERLONG_3 (1 << 2) /* e0 80..9f */
#define U8_TOO_LARGE (1 << 3) /* f4 90..bf, f5..ff then 90..bf */
#define U8_SURROGATE (1 << 4) /* ed a0..bf */
#define U8_OVERLONG_2 (1 << 5) /* c0..c1, then a continuation */
#define U8_TOO_LARGE_1000 (1 << 6) /* f5..ff 80..8f */
#define U8_OVERLONG_4 (1 << 6) /* f0 80..8f */
#define U8_TWO_CONTS (1 << 7) /* a continuation after a continuation */
#define U8_CARRY (U8_TOO_SHORT | U8_TOO_LONG | U8_TWO_CONTS)

/* The 16-entry table t, in both 128-bit lanes. */
#define U8_TABLE(t)                                                            \
	_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(t)))

__attribute__((target("avx2"))) static inline __m256i
nibbles_high(__m256i v)
{
	return _mm256_and_si256(
	    _mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0f));
}

/* v with the last k bytes of prev before it, shifted by k (k = 1..3). */
#define U8_PREV(v, prev, k)                                                    \
	_mm256_alignr_epi8(                                                    \
	    (v), _mm256_permute2x128_si256((prev), (v), 0x21), 16 - (k))

__attribute__((target("avx2"))) static bool
valid_avx2(const char *str, size_t n)
{
	static const unsigned char b1_high[16] = {U8_TOO_LONG, U8_TOO_LONG,
	    U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,
	    U8_TOO_LONG, U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS,
	    U8_TOO_SHORT | U8_OVERLONG_2, U8_TOO_SHORT,
	    U8_TOO_SHORT | U8_OVERLONG_3 | U8_SURROGATE,
	    U8_TOO_SHORT | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_OVERLONG_4};
	static const unsigned char b1_low[16] = {
	    U8_CARRY | U8_OVERLONG_3 | U8_OVERLONG_2 | U8_OVERLONG_4,
	    U8_CARRY | U8_OVERLONG_2, U8_CARRY, U8_CARRY,
	    U8_CARRY | U8_TOO_LARGE,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_SURROGATE,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000};
	static const unsigned char b2_high[16] = {U8_TOO_SHORT, U8_TOO_SHORT,
	    U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,
	    U8_TOO_SHORT, U8_TOO_SHORT,
	    U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 |
		U8_TOO_LARGE_1000 | U8_OVERLONG_4,
	    U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 |
		U8_TOO_LARGE,
	    U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE |
		U8_TOO_LARGE,
	    U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE |
		U8_TOO_LARGE,
	    U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT};
	/* a block ending in these bytes needs more: 1111____ 111_____
	 * 11______ as its last three */
	static const unsigned char last3[32] = {255, 255, 255, 255, 255, 255,
	    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0xf0 - 1,
	    0xe0 - 1, 0xc0 - 1};
	const __m256i t1h = U8_TABLE(b1_high), t1l = U8_TABLE(b1_low),
		      t2h = U8_TABLE(b2_high), low4 = _mm256_set1_epi8(0x0f),
		      max = _mm256_loadu_si256((const __m256i *)last3);
	__m256i prev = _mm256_setzero_si256(), err = _mm256_setzero_si256(),
		incomplete = _mm256_setzero_si256(), v, p1, sc, must23;
	unsigned char tail[32];
	size_t i = 0;

	for (; i < n; i += 32) {
		if (n - i >= 32) {
			v = _mm256_loadu_si256((const __m256i *)(str + i));
		} else {
			/* the rest, padded with ASCII */
			memset(tail, 0, sizeof(tail));
			memcpy(tail, str + i, n - i);
			v = _mm256_loadu_si256((const __m256i *)tail);
		}
		if (_mm256_movemask_epi8(v) == 0) {
			err = _mm256_or_si256(err, incomplete);
			incomplete = _mm256_setzero_si256();
			prev = v;
			continue;
		}
		p1 = U8_PREV(v, prev, 1);
		sc = _mm256_and_si256(
		    _mm256_and_si256(_mm256_shuffle_epi8(t1h, nibbles_high(p1)),
			_mm256_shuffle_epi8(t1l, _mm256_and_si256(p1, low4))),
		    _mm256_shuffle_epi8(t2h, nibbles_high(v)));
		must23 = _mm256_or_si256(_mm256_subs_epu8(U8_PREV(v, prev, 2),
					     _mm256_set1_epi8(0x60)),
		    _mm256_subs_epu8(
			U8_PREV(v, prev, 3), _mm256_set1_epi8(0x70)));
		must23 = _mm256_and_si256(must23, _mm256_set1_epi8((char)0x80));
		err = _mm256_or_si256(err, _mm256_xor_si256(must23, sc));
		incomplete = _mm256_subs_epu8(v, max);
		prev = v;
	}
	err = _mm256_or_si256(err, incomplete);
	return _mm256_testz_si256(err, err);
}
#endif

#ifdef UTF8_AVX2
/* Whether n bytes go to the AVX2 loops: short strings (requests, names)
 * are not worth their set-up. */
static bool
avx2_pays(size_t n)
{
	return n >= 64 && __builtin_cpu_supports("avx2");
}
#endif

bool
utf8_valid(const char *s, size_t n)
{
#ifdef UTF8_AVX2
	if (avx2_pays(n))
		return valid_avx2(s, n);
#endif
	return valid_scalar(s, n);
}

bool
utf8_has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

static size_t
count_newlines_scalar(const char *s, size_t n)
{
	const char *end = s + n;
	size_t k = 0;

	for (; (s = memchr(s, '\n', (size_t)(end - s))) != NULL; s++)
		k++;
	return k;
}

#ifdef UTF8_AVX2
/* 32 bytes a step: each line feed subtracts -1 from its byte's counter,
 * and the counters are summed before any can pass 255. Rather than a
 * memchr() per line: a page's lines are short. */
__attribute__((target("avx2"))) static size_t
count_newlines_avx2(const char *s, size_t n)
{
	const __m256i nl = _mm256_set1_epi8('\n'),
		      zero = _mm256_setzero_si256();
	__m256i counts, sums = zero;
	size_t k = 0, run, i;

	while (n >= 32) {
		run = n / 32 < 255 ? n / 32 : 255;
		counts = zero;
		for (i = 0; i < run; i++, s += 32)
			counts = _mm256_sub_epi8(counts,
			    _mm256_cmpeq_epi8(
				_mm256_loadu_si256(
				    (const __m256i *)(const void *)s),
				nl));
		sums = _mm256_add_epi64(sums, _mm256_sad_epu8(counts, zero));
		n -= run * 32;
	}
	k = (size_t)_mm256_extract_epi64(sums, 0) +
	    (size_t)_mm256_extract_epi64(sums, 1) +
	    (size_t)_mm256_extract_epi64(sums, 2) +
	    (size_t)_mm256_extract_epi64(sums, 3);
	return k + count_newlines_scalar(s, n);
}
#endif

size_t
utf8_count_newlines(const char *s, size_t n)
{
#ifdef UTF8_AVX2
	if (avx2_pays(n))
		return count_newlines_avx2(s, n);
#endif
	return count_newlines_scalar(s, n);
}

size_t
utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp > 0x10ffff)
		return 0;
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

struct range {
	uint32_t lo, hi;
};

/* Zero-width: combining marks, joiners and format characters (the common
 * blocks; enough for Latin, Hangul and CJK text). */
static const struct range zero_width[] = {
    {0x0300, 0x036f},
    {0x0483, 0x0489},
    {0x0591, 0x05bd},
    {0x0610, 0x061a},
    {0x064b, 0x065f},
    {0x0e31, 0x0e31},
    {0x0e34, 0x0e3a},
    {0x0e47, 0x0e4e},
    {0x1160, 0x11ff},
    {0x1ab0, 0x1aff},
    {0x1dc0, 0x1dff},
    {0x200b, 0x200f},
    {0x2028, 0x202e},
    {0x2060, 0x2064},
    {0x20d0, 0x20ff},
    {0xd7b0, 0xd7ff},
    {0xfe00, 0xfe0f},
    {0xfe20, 0xfe2f},
    {0xfeff, 0xfeff},
    {0xe0100, 0xe01ef},
};

/* East Asian Wide and Fullwidth (Unicode 15, grouped). */
static const struct range wide[] = {
    {0x1100, 0x115f},
    {0x231a, 0x231b},
    {0x2329, 0x232a},
    {0x23e9, 0x23ec},
    {0x23f0, 0x23f0},
    {0x23f3, 0x23f3},
    {0x25fd, 0x25fe},
    {0x2614, 0x2615},
    {0x2648, 0x2653},
    {0x267f, 0x267f},
    {0x2693, 0x2693},
    {0x26a1, 0x26a1},
    {0x26aa, 0x26ab},
    {0x26bd, 0x26be},
    {0x26c4, 0x26c5},
    {0x26ce, 0x26ce},
    {0x26d4, 0x26d4},
    {0x26ea, 0x26ea},
    {0x26f2, 0x26f3},
    {0x26f5, 0x26f5},
    {0x26fa, 0x26fa},
    {0x26fd, 0x26fd},
    {0x2705, 0x2705},
    {0x270a, 0x270b},
    {0x2728, 0x2728},
    {0x274c, 0x274c},
    {0x274e, 0x274e},
    {0x2753, 0x2755},
    {0x2757, 0x2757},
    {0x2795, 0x2797},
    {0x27b0, 0x27b0},
    {0x27bf, 0x27bf},
    {0x2b1b, 0x2b1c},
    {0x2b50, 0x2b50},
    {0x2b55, 0x2b55},
    {0x2e80, 0x303e},
    {0x3041, 0x33ff},
    {0x3400, 0x4dbf},
    {0x4e00, 0x9fff},
    {0xa000, 0xa4cf},
    {0xa960, 0xa97f},
    {0xac00, 0xd7a3},
    {0xf900, 0xfaff},
    {0xfe10, 0xfe19},
    {0xfe30, 0xfe6f},
    {0xff00, 0xff60},
    {0xffe0, 0xffe6},
    {0x16fe0, 0x16fe4},
    {0x17000, 0x18cff},
    {0x1b000, 0x1b2ff},
    {0x1f004, 0x1f004},
    {0x1f0cf, 0x1f0cf},
    {0x1f18e, 0x1f18e},
    {0x1f191, 0x1f19a},
    {0x1f200, 0x1f251},
    {0x1f300, 0x1f64f},
    {0x1f680, 0x1f6ff},
    {0x1f7e0, 0x1f7eb},
    {0x1f90c, 0x1f9ff},
    {0x1fa70, 0x1faff},
    {0x20000, 0x2fffd},
    {0x30000, 0x3fffd},
};

static bool
in_table(uint32_t cp, const struct range *t, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp > t[mid].hi)
			lo = mid + 1;
		else if (cp < t[mid].lo)
			hi = mid;
		else
			return true;
	}
	return false;
}

int
utf8_cp_width(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 0;
	if (cp < 0x300)
		return 1;
	if (in_table(
		cp, zero_width, sizeof(zero_width) / sizeof(zero_width[0])))
		return 0;
	if (in_table(cp, wide, sizeof(wide) / sizeof(wide[0])))
		return 2;
	return 1;
}

/* Length of the code point at s (1 for a malformed byte) and its width. */
static size_t
step(const char *s, size_t n, int *width)
{
	uint32_t cp;
	size_t len = utf8_decode(s, n, &cp);

	if (len == 0) {
		*width = 1;
		return 1;
	}
	*width = utf8_cp_width(cp);
	return len;
}

size_t
utf8_width(const char *s, size_t n)
{
	size_t i = 0, cols = 0;
	int w;

	while (i < n) {
		i += step(s + i, n - i, &w);
		cols += (size_t)w;
	}
	return cols;
}

size_t
utf8_wrap(const char *s, size_t n, size_t cols, size_t *next)
{
	size_t i = 0, used = 0, brk = SIZE_MAX, end, len;
	int w;

	if (cols == 0)
		cols = 1;
	while (i < n) {
		len = step(s + i, n - i, &w);
		if (s[i] == ' ')
			brk = i;
		if (used + (size_t)w >
		    cols) { /* a space may not overflow either */
			end = brk != SIZE_MAX ? brk : i;
			while (end > 0 && s[end - 1] == ' ')
				end--;
			if (end == 0)
				end =
				    i ? i : len; /* a word wider than a line */
			*next = end;
			while (*next < n && s[*next] == ' ')
				(*next)++;
			return end;
		}
		used += (size_t)w;
		i += len;
	}
	*next = n;
	return n;
}
