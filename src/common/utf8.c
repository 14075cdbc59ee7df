#include "utf8.h"

#include <string.h>

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
bool
utf8_valid(const char *str, size_t n)
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

bool
utf8_has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
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
