/*
 * utf8: validation, decoding and display width of UTF-8 text.
 *
 * Display width follows the terminal convention (wcwidth): East Asian wide
 * and fullwidth characters, Hangul syllables among them, take two columns,
 * combining marks and zero-width characters none. Widths never count bytes
 * or code points, so Korean text lines up in tables and Gopher menus.
 */
#ifndef CANYON_UTF8_H
#define CANYON_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when s[0..n) is well-formed UTF-8: no overlong forms, no surrogates,
 * nothing above U+10FFFF. NUL bytes are valid UTF-8 and are accepted. */
bool utf8_valid(const char *s, size_t n);

/* Decode the code point at s[0..n). Returns its length in bytes (1..4) and
 * stores it in *cp, or returns 0 when the bytes are malformed or truncated. */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Append the UTF-8 form of cp to out (at least 4 bytes); returns its length,
 * or 0 for a surrogate or a value above U+10FFFF. */
size_t utf8_encode(uint32_t cp, char *out);

/* True when s[0..n) holds an ASCII control character (C0 or DEL). */
bool utf8_has_control(const char *s, size_t n);

/* The line feeds in s[0..n): how many lines a position moves past. */
size_t utf8_count_newlines(const char *s, size_t n);

/* Columns taken by one code point: 0, 1 or 2. Control characters are 0. */
int utf8_cp_width(uint32_t cp);

/* Columns taken by s[0..n). A malformed byte counts as one column. */
size_t utf8_width(const char *s, size_t n);

/*
 * Word wrapping. utf8_wrap() returns the length in bytes of the first line
 * of s[0..n) that fits in cols columns, breaking after a space when it can
 * and inside a word only when the word alone is wider than a line. *next is
 * set to the offset where the following line starts (spaces at the break
 * are skipped). A line never ends in the middle of a code point.
 */
size_t utf8_wrap(const char *s, size_t n, size_t cols, size_t *next);

#endif
