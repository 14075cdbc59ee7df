/*
 * url: RFC 3986 parsing, percent-coding and dot-segment checks.
 *
 * url_parse() does not copy: every component is a slice of the caller's
 * string, which must outlive the struct url.
 */
#ifndef CANYON_URL_H
#define CANYON_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct slice {
	const char *p;
	size_t len;
};

struct url {
	struct slice scheme; /* empty for a relative reference */
	struct slice userinfo; /* has_userinfo tells "u@" from no "@" */
	struct slice host; /* brackets of an IPv6 literal removed */
	struct slice port;
	struct slice path;
	struct slice query; /* without the '?' */
	struct slice fragment; /* without the '#' */
	bool has_authority, has_userinfo, has_query, has_fragment;
	int port_num; /* -1 when no port is written */
};

/* True when s[0..n) holds a control character, a space or DEL: what
 * url_parse() refuses. */
bool url_has_control(const char *s, size_t n);

/* True when s[0..n) is "http://" or "https://" and a host alone (no
 * port, no IPv6 literal), with no byte that url_parse() refuses: a link
 * that leaves the capsule for certain, known without parsing it. */
bool url_is_plain_web(const char *s, size_t n);

/* Parse s[0..n) as a URI reference. Returns 0, or -1 and a static reason.
 * Control characters, spaces and a bad port are refused. */
int url_parse(const char *s, size_t n, struct url *u, const char **reason);

/* Flags for url_decode. */
#define URL_DECODE_PATH 0x1 /* refuse %00 and %2F (an encoded NUL or '/') */

/* Append the percent-decoded s[0..n) to out. Returns 0, or -1 with a static
 * reason for a malformed escape or one refused by flags. */
int url_decode(const char *s, size_t n, struct buf *out, unsigned flags,
    const char **reason);

/* Append s[0..n) to out, percent-encoding every byte that is not an RFC 3986
 * unreserved character or listed in keep (e.g. "/" for paths). */
void url_encode(struct buf *out, const char *s, size_t n, const char *keep);

/* True when the path has a "." or ".." segment. */
bool url_has_dot_segment(const char *path, size_t n);

/* The value of a hexadecimal digit, or -1 when c is not one. */
int url_hex_value(char c);

/* Case-insensitive comparison of a slice with a C string. */
bool slice_eq_nocase(struct slice s, const char *str);

#endif
