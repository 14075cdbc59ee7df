#include "url.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static bool
is_scheme_char(char c)
{
	return isalnum((unsigned char)c) || c == '+' || c == '-' || c == '.';
}

#ifdef __SSE2__
/* Whether one of the 16 bytes at s is below 0x21 or is 0x7f. */
static bool
control_in_16(const char *s)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s),
		space = _mm_set1_epi8(0x20);

	/* unsigned v <= 0x20: max(v, 0x20) is 0x20 */
	return _mm_movemask_epi8(
		   _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(v, space), space),
		       _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)))) != 0;
}
#endif

/* Sixteen bytes at a time (SSE2, which every x86-64 has), else eight:
 * the converter checks every link of every page, twice. */
bool
url_has_control(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = ones * 0x80;
	uint64_t w;
	size_t i = 0;

#ifdef __SSE2__
	if (n >= 16) {
		for (; i + 16 <= n; i += 16)
			if (control_in_16(s + i))
				return true;
		/* the tail, as the last sixteen bytes (some seen already) */
		return i < n && control_in_16(s + n - 16);
	}
#endif

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		/* a byte below 0x21, or equal to 0x7f: (x - k) borrows into
		 * the high bit of bytes below k; bytes >= 0x80 are not ones */
		if ((((w - ones * 0x21) | ((w ^ ones * 0x7f) - ones)) & ~w &
			highs) != 0)
			break;
	}
	if (i < n && i + 8 > n && n >= 8) {
		/* the tail, as the last eight bytes (some seen already) */
		memcpy(&w, s + n - 8, 8);
		return (((w - ones * 0x21) | ((w ^ ones * 0x7f) - ones)) & ~w &
			   highs) != 0;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f)
			return true;
	}
	return false;
}

/* What a byte does to a host in url_is_plain_web(): 1 ends it ('/', '?',
 * '#'), 2 makes it more than a host (':' of a port or userinfo, '[' of
 * an IPv6 literal), 0 neither. */
static const unsigned char host_byte[256] = {
    ['/'] = 1, ['?'] = 1, ['#'] = 1, [':'] = 2, ['['] = 2};

bool
url_is_plain_web(const char *s, size_t n)
{
	size_t i;

	if (n > 8 && memcmp(s, "https://", 8) == 0)
		i = 8;
	else if (n > 7 && memcmp(s, "http://", 7) == 0)
		i = 7;
	else
		return false;
	/* a table rather than five comparisons per byte: the converter
	 * asks for every link of every page */
	while (i < n && host_byte[(unsigned char)s[i]] == 0)
		i++;
	if (i < n && host_byte[(unsigned char)s[i]] == 2)
		return false;
	return !url_has_control(s, n);
}

/* The offset of the first byte of s[from..to) that is in set (one to
 * three bytes), or to: memchr, not a byte loop, since the converter
 * parses every link of every page. */
static size_t
first_of(const char *s, size_t from, size_t to, const char *set)
{
	const char *p;

	for (; *set && from < to; set++)
		if ((p = memchr(s + from, *set, to - from)) != NULL)
			to = (size_t)(p - s);
	return to;
}

/* The offset of the last c in s[from..to), or to. */
static size_t
last_at(const char *s, size_t from, size_t to, char c)
{
	const char *p = from < to ? memrchr(s + from, c, to - from) : NULL;

	return p != NULL ? (size_t)(p - s) : to;
}

int
url_parse(const char *s, size_t n, struct url *u, const char **reason)
{
	size_t i, start, end, auth_end, at;

	memset(u, 0, sizeof(*u));
	u->port_num = -1;
	if (url_has_control(s, n)) {
		*reason = "control character or space in URL";
		return -1;
	}

	/* scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	i = 0;
	if (n > 0 && isalpha((unsigned char)s[0])) {
		while (i < n && is_scheme_char(s[i]))
			i++;
		if (i < n && s[i] == ':') {
			u->scheme = (struct slice){s, i};
			i++;
		} else {
			i = 0;
		}
	}
	start = i;

	if (n - start >= 2 && s[start] == '/' && s[start + 1] == '/') {
		u->has_authority = true;
		start += 2;
		auth_end = first_of(s, start, n, "/?#");
		at = last_at(s, start, auth_end, '@');
		if (at != auth_end) {
			u->has_userinfo = true;
			u->userinfo = (struct slice){s + start, at - start};
			start = at + 1;
		}
		if (start < auth_end && s[start] == '[') {
			end = first_of(s, start, auth_end, "]");
			if (end == auth_end) {
				*reason = "unterminated IPv6 literal";
				return -1;
			}
			u->host =
			    (struct slice){s + start + 1, end - start - 1};
			i = end + 1;
		} else {
			i = first_of(s, start, auth_end, ":");
			u->host = (struct slice){s + start, i - start};
		}
		if (i < auth_end) {
			if (s[i] != ':') {
				*reason = "bad authority";
				return -1;
			}
			u->port = (struct slice){s + i + 1, auth_end - i - 1};
			if (u->port.len > 0) {
				long port = 0;
				for (size_t k = 0; k < u->port.len; k++) {
					if (!isdigit(
						(unsigned char)u->port.p[k]) ||
					    port > 65535) {
						*reason = "bad port";
						return -1;
					}
					port = port * 10 + (u->port.p[k] - '0');
				}
				if (port > 65535) {
					*reason = "bad port";
					return -1;
				}
				u->port_num = (int)port;
			}
		}
		start = auth_end;
	}

	end = first_of(s, start, n, "?#");
	u->path = (struct slice){s + start, end - start};
	if (end < n && s[end] == '?') {
		start = end + 1;
		end = first_of(s, start, n, "#");
		u->has_query = true;
		u->query = (struct slice){s + start, end - start};
	}
	if (end < n && s[end] == '#') {
		u->has_fragment = true;
		u->fragment = (struct slice){s + end + 1, n - end - 1};
	}
	return 0;
}

int
url_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
url_decode(const char *s, size_t n, struct buf *out, unsigned flags,
    const char **reason)
{
	size_t i = 0;

	buf_reserve(out, n);
	while (i < n) {
		const char *pct = memchr(s + i, '%', n - i);
		size_t run = pct != NULL ? (size_t)(pct - s) - i : n - i;
		int hi, lo;
		char c;

		/* the bytes up to the next escape, in one copy */
		buf_append(out, s + i, run);
		if ((i += run) == n)
			break;
		if (i + 2 >= n) {
			*reason = "truncated percent escape";
			return -1;
		}
		hi = url_hex_value(s[i + 1]);
		lo = url_hex_value(s[i + 2]);
		if (hi < 0 || lo < 0) {
			*reason = "malformed percent escape";
			return -1;
		}
		c = (char)(hi << 4 | lo);
		if ((flags & URL_DECODE_PATH) && (c == '\0' || c == '/')) {
			*reason =
			    c ? "encoded slash in path" : "encoded NUL in path";
			return -1;
		}
		buf_putc(out, c);
		i += 3;
	}
	return 0;
}

/* Bytes never escaped: ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986),
 * as a bit set over the 128 ASCII bytes: url_encode() asks for every byte
 * of every link. */
static bool
unreserved(unsigned char c)
{
	static const uint64_t set[2] = {
	    UINT64_C(0x03ff600000000000), /* - . 0-9 */
	    UINT64_C(0x47fffffe87fffffe), /* A-Z _ a-z ~ */
	};

	return c < 128 && (set[c >> 6] >> (c & 63) & 1) != 0;
}

void
url_encode(struct buf *out, const char *s, size_t n, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	char *d;

	/* room for every byte escaped: written in place, no call per byte */
	buf_reserve(out, n <= SIZE_MAX / 3 ? 3 * n : SIZE_MAX);
	d = out->data + out->len;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c) ||
		    (c != '\0' && keep != NULL &&
			(c == (unsigned char)keep[0] ||
			    (keep[0] != '\0' &&
				strchr(keep + 1, c) != NULL)))) {
			*d++ = (char)c;
		} else {
			*d++ = '%';
			*d++ = hex[c >> 4];
			*d++ = hex[c & 15];
		}
	}
	*d = '\0';
	out->len = (size_t)(d - out->data);
}

bool
url_has_dot_segment(const char *path, size_t n)
{
	size_t i = 0, start;

	while (i <= n) {
		start = i;
		while (i < n && path[i] != '/')
			i++;
		if ((i - start == 1 && path[start] == '.') ||
		    (i - start == 2 && path[start] == '.' &&
			path[start + 1] == '.'))
			return true;
		i++;
	}
	return false;
}

bool
slice_eq_nocase(struct slice s, const char *str)
{
	return strlen(str) == s.len && strncasecmp(s.p, str, s.len) == 0;
}
