/*
 * entity: a table of the named references seen in real posts (the whole
 * HTML5 list has 2,231 names; posts use a few dozen) plus numeric ones.
 */
#include "entity.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

struct named_entity {
	const char *name;
	uint32_t cp;
};

/* Sorted by strcmp() for bsearch(). */
static const struct named_entity names[] = {
    {"AElig", 0xc6},
    {"Aacute", 0xc1},
    {"Agrave", 0xc0},
    {"Auml", 0xc4},
    {"Ccedil", 0xc7},
    {"Eacute", 0xc9},
    {"Ntilde", 0xd1},
    {"Ouml", 0xd6},
    {"Uuml", 0xdc},
    {"aacute", 0xe1},
    {"acute", 0xb4},
    {"aelig", 0xe6},
    {"agrave", 0xe0},
    {"alpha", 0x3b1},
    {"amp", '&'},
    {"apos", '\''},
    {"auml", 0xe4},
    {"beta", 0x3b2},
    {"brvbar", 0xa6},
    {"bull", 0x2022},
    {"ccedil", 0xe7},
    {"cent", 0xa2},
    {"check", 0x2713},
    {"copy", 0xa9},
    {"dagger", 0x2020},
    {"darr", 0x2193},
    {"deg", 0xb0},
    {"delta", 0x3b4},
    {"divide", 0xf7},
    {"eacute", 0xe9},
    {"egrave", 0xe8},
    {"emsp", 0x2003},
    {"ensp", 0x2002},
    {"euml", 0xeb},
    {"euro", 0x20ac},
    {"frac12", 0xbd},
    {"frac14", 0xbc},
    {"frac34", 0xbe},
    {"gamma", 0x3b3},
    {"ge", 0x2265},
    {"gt", '>'},
    {"harr", 0x2194},
    {"hearts", 0x2665},
    {"hellip", 0x2026},
    {"iexcl", 0xa1},
    {"infin", 0x221e},
    {"iquest", 0xbf},
    {"lambda", 0x3bb},
    {"laquo", 0xab},
    {"larr", 0x2190},
    {"ldquo", 0x201c},
    {"le", 0x2264},
    {"lsquo", 0x2018},
    {"lt", '<'},
    {"mdash", 0x2014},
    {"micro", 0xb5},
    {"middot", 0xb7},
    {"mu", 0x3bc},
    {"nbsp", 0xa0},
    {"ndash", 0x2013},
    {"ne", 0x2260},
    {"not", 0xac},
    {"ntilde", 0xf1},
    {"oacute", 0xf3},
    {"ouml", 0xf6},
    {"para", 0xb6},
    {"pi", 0x3c0},
    {"plusmn", 0xb1},
    {"pound", 0xa3},
    {"quot", '"'},
    {"raquo", 0xbb},
    {"rarr", 0x2192},
    {"rdquo", 0x201d},
    {"reg", 0xae},
    {"rsquo", 0x2019},
    {"sect", 0xa7},
    {"shy", 0xad},
    {"sigma", 0x3c3},
    {"sup1", 0xb9},
    {"sup2", 0xb2},
    {"sup3", 0xb3},
    {"szlig", 0xdf},
    {"thinsp", 0x2009},
    {"times", 0xd7},
    {"trade", 0x2122},
    {"uarr", 0x2191},
    {"uuml", 0xfc},
    {"yen", 0xa5},
    {"zwj", 0x200d},
    {"zwnj", 0x200c},
};

static int
cmp_name(const void *key, const void *elem)
{
	const char *k = key;
	const char *const *e = elem;

	return strcmp(k, *e);
}

static void
put_cp(struct buf *out, uint32_t cp)
{
	char u[4];
	size_t n = cp == 0 ? 0 : utf8_encode(cp, u);

	if (n == 0)
		n = utf8_encode(0xfffd, u);
	buf_append(out, u, n);
}

bool
entity_decode_one(const char *s, size_t n, struct buf *out)
{
	char name[16];

	if (n < 3 || s[0] != '&' || s[n - 1] != ';')
		return false;
	s++;
	n -= 2;
	if (s[0] == '#') {
		uint32_t cp = 0;
		int base = 10;
		size_t i = 1;

		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			base = 16;
			i++;
		}
		if (i == n || n - i > 8)
			return false;
		for (; i < n; i++) {
			int v;

			if (s[i] >= '0' && s[i] <= '9')
				v = s[i] - '0';
			else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
				v = s[i] - 'a' + 10;
			else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
				v = s[i] - 'A' + 10;
			else
				return false;
			cp = cp * (uint32_t)base + (uint32_t)v;
			if (cp > 0x10ffff)
				cp = 0x110000; /* stays out of range, no
						  overflow */
		}
		put_cp(out, cp);
		return true;
	}
	if (n >= sizeof(name))
		return false;
	memcpy(name, s, n);
	name[n] = '\0';
	const void *hit = bsearch(name, names, sizeof(names) / sizeof(names[0]),
	    sizeof(names[0]), cmp_name);
	if (hit == NULL)
		return false;
	put_cp(out, ((const struct named_entity *)hit)->cp);
	return true;
}

void
entity_decode(const char *s, size_t n, struct buf *out)
{
	size_t i = 0;

	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		const char *semi;

		if (amp == NULL) {
			buf_append(out, s + i, n - i);
			return;
		}
		buf_append(out, s + i, (size_t)(amp - (s + i)));
		i = (size_t)(amp - s);
		semi = memchr(amp, ';', n - i < 12 ? n - i : 12);
		if (semi &&
		    entity_decode_one(amp, (size_t)(semi - amp) + 1, out)) {
			i += (size_t)(semi - amp) + 1;
		} else {
			buf_putc(out, '&');
			i++;
		}
	}
}
