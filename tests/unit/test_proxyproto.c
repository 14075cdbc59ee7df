#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "proxyproto.h"

static const unsigned char sig[12] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

/* A v2 header into out: signature, version/command, family/protocol,
 * length, then payload. Returns the total length. */
static size_t
v2(unsigned char *out, unsigned char ver_cmd, unsigned char fam,
    const void *payload, size_t n)
{
	memcpy(out, sig, 12);
	out[12] = ver_cmd;
	out[13] = fam;
	out[14] = (unsigned char)(n >> 8);
	out[15] = (unsigned char)n;
	if (n > 0)
		memcpy(out + 16, payload, n);
	return 16 + n;
}

static void
assert_v4(const struct sockaddr_storage *ss, const char *addr, int port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	char text[INET_ADDRSTRLEN];

	assert_int_equal(sin->sin_family, AF_INET);
	assert_non_null(inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text)));
	assert_string_equal(text, addr);
	assert_int_equal(ntohs(sin->sin_port), port);
}

static void
assert_v6(const struct sockaddr_storage *ss, const char *addr, int port)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	char text[INET6_ADDRSTRLEN];

	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_non_null(
	    inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text)));
	assert_string_equal(text, addr);
	assert_int_equal(ntohs(sin6->sin6_port), port);
}

static enum proxy_status
parse_str(const char *s, struct proxy_header *h)
{
	return proxy_parse(s, strlen(s), h);
}

static void
test_v1_tcp4(void **state)
{
	const char *in = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 1965\r\nGET";
	struct proxy_header h;

	(void)state;
	assert_int_equal(parse_str(in, &h), PROXY_DONE);
	assert_int_equal(h.version, 1);
	assert_int_equal(h.family, AF_INET);
	assert_int_equal(h.consumed, strlen(in) - 3); /* the data stays */
	assert_v4(&h.src, "192.0.2.7", 56324);
	assert_v4(&h.dst, "198.51.100.1", 1965);
}

static void
test_v1_tcp6(void **state)
{
	const char *in = "PROXY TCP6 2001:db8::1 ::1 65535 70\r\n";
	struct proxy_header h;

	(void)state;
	assert_int_equal(parse_str(in, &h), PROXY_DONE);
	assert_int_equal(h.family, AF_INET6);
	assert_int_equal(h.consumed, strlen(in));
	assert_v6(&h.src, "2001:db8::1", 65535);
	assert_v6(&h.dst, "::1", 70);
}

static void
test_v1_unknown(void **state)
{
	struct proxy_header h;

	(void)state;
	assert_int_equal(parse_str("PROXY UNKNOWN\r\n", &h), PROXY_DONE);
	assert_int_equal(h.family, AF_UNSPEC);
	assert_int_equal(h.consumed, 15);
	/* The rest of an UNKNOWN line is ignored. */
	assert_int_equal(
	    parse_str("PROXY UNKNOWN ffff:f::1 ffff::2 1 2\r\n", &h),
	    PROXY_DONE);
	assert_int_equal(h.family, AF_UNSPEC);
}

static void
test_v1_longest(void **state)
{
	/* The worst case of the specification: exactly 107 bytes. */
	const char *in =
	    "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	struct proxy_header h;

	(void)state;
	assert_int_equal(strlen(in), PROXY_V1_MAX);
	assert_int_equal(parse_str(in, &h), PROXY_DONE);
	assert_int_equal(h.consumed, PROXY_V1_MAX);
}

static void
test_v1_truncated(void **state)
{
	const char *in = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 1965\r\n";
	struct proxy_header h;
	size_t n;

	(void)state;
	/* Every proper prefix, CR alone included, asks for more. */
	for (n = 0; n < strlen(in); n++)
		assert_int_equal(proxy_parse(in, n, &h), PROXY_NEED_MORE);
}

static void
test_v1_bad(void **state)
{
	static const char *const bad[] = {
	    "GET / HTTP/1.0\r\n",
	    "gemini://example.org/\r\n",
	    "PROXY TCP4 192.0.2.7 198.51.100.1 56324 1965\n", /* no CR */
	    "PROXY TCP4 192.0.2.7 198.51.100.1 56324 1965\rX", /* lone CR */
	    "PROXY TCP5 192.0.2.7 198.51.100.1 56324 1965\r\n", /* protocol */
	    "PROXY TCP4 192.0.2.7 198.51.100.1 56324\r\n", /* a field short */
	    "PROXY TCP4 192.0.2.7 198.51.100.1 1 2 3\r\n", /* one too many */
	    "PROXY TCP4 192.0.2.7  198.51.100.1 1 2\r\n", /* double space */
	    "PROXY TCP4 192.0.2.7 198.51.100.1 65536 1965\r\n", /* port range */
	    "PROXY TCP4 192.0.2.7 198.51.100.1 0443 1965\r\n", /* leading zero
								*/
	    "PROXY TCP4 192.0.2.7 198.51.100.1 -1 1965\r\n",
	    "PROXY TCP4 2001:db8::1 198.51.100.1 1 2\r\n", /* family */
	    "PROXY TCP6 192.0.2.7 ::1 1 2\r\n",
	    "PROXY TCP4 192.0.2.256 198.51.100.1 1 2\r\n",
	    "PROXY TCP4 192.0.2.7 198.51.100.1 1 2 \r\n", /* trailing space */
	    "PROXY \r\n",
	    "PROXY UNKNOWNX\r\n",
	    "PROXY TCP4 192.0.2.7\t198.51.100.1 1 2\r\n", /* control byte */
	    "PROXY TCP4 192.0.2.\x80 198.51.100.1 1 2\r\n",
	};
	struct proxy_header h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_str(bad[i], &h) != PROXY_BAD)
			fail_msg("accepted: %s", bad[i]);
	}
	/* Garbage is refused from its first byte, without waiting. */
	assert_int_equal(proxy_parse("\x16\x03\x01", 3, &h), PROXY_BAD);
	assert_int_equal(proxy_parse("PROXZ", 5, &h), PROXY_BAD);
}

static void
test_v1_overlong(void **state)
{
	char in[PROXY_V1_MAX + 2];
	struct proxy_header h;

	(void)state;
	/* 107 bytes without the end of the line: it can no longer fit. */
	memset(in, 'a', sizeof(in));
	memcpy(in, "PROXY UNKNOWN ", 14);
	assert_int_equal(
	    proxy_parse(in, PROXY_V1_MAX - 1, &h), PROXY_NEED_MORE);
	assert_int_equal(proxy_parse(in, PROXY_V1_MAX, &h), PROXY_BAD);
	/* Even when its CRLF comes right after. */
	in[PROXY_V1_MAX] = '\r';
	in[PROXY_V1_MAX + 1] = '\n';
	assert_int_equal(proxy_parse(in, sizeof(in), &h), PROXY_BAD);
}

static void
test_v2_inet(void **state)
{
	unsigned char p[12] = {
	    192, 0, 2, 7, 198, 51, 100, 1, 0xdc, 0x04, 0x07, 0xad};
	unsigned char in[64];
	struct proxy_header h;
	size_t n;

	(void)state;
	n = v2(in, 0x21, 0x11, p, sizeof(p));
	memcpy(in + n, "\x16\x03\x01", 3); /* a TLS ClientHello follows */
	assert_int_equal(proxy_parse(in, n + 3, &h), PROXY_DONE);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.family, AF_INET);
	assert_int_equal(h.consumed, 28);
	assert_v4(&h.src, "192.0.2.7", 56324);
	assert_v4(&h.dst, "198.51.100.1", 1965);
}

static void
test_v2_inet6_with_tlvs(void **state)
{
	unsigned char p[36 + 12], in[80];
	struct proxy_header h;
	size_t n;

	(void)state;
	memset(p, 0, sizeof(p));
	p[0] = 0x20, p[1] = 0x01, p[2] = 0x0d, p[3] = 0xb8,
	p[15] = 1; /* 2001:db8::1 */
	p[31] = 1; /* ::1 */
	p[32] = 0x30, p[33] = 0x39; /* 12345 */
	p[34] = 0x07, p[35] = 0xad; /* 1965 */
	/* PP2_TYPE_ALPN "gemini" (9 bytes), then a NOOP TLV of 0 bytes. */
	memcpy(p + 36, "\x01\x00\x06gemini", 9);
	memcpy(p + 45, "\x04\x00\x00", 3);
	n = v2(in, 0x21, 0x21, p, sizeof(p));
	assert_int_equal(proxy_parse(in, n, &h), PROXY_DONE);
	assert_int_equal(h.family, AF_INET6);
	assert_int_equal(h.consumed, n);
	assert_v6(&h.src, "2001:db8::1", 12345);
	assert_v6(&h.dst, "::1", 1965);
}

static void
test_v2_local_and_unspec(void **state)
{
	unsigned char junk[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	unsigned char unix_addr[216] = {0};
	unsigned char in[300];
	struct proxy_header h;
	size_t n;

	(void)state;
	/* LOCAL: the balancer's own health check, addresses ignored. */
	n = v2(in, 0x20, 0x00, NULL, 0);
	assert_int_equal(proxy_parse(in, n, &h), PROXY_DONE);
	assert_int_equal(h.family, AF_UNSPEC);
	assert_int_equal(h.consumed, 16);
	n = v2(in, 0x20, 0x11, junk, 5); /* even a short address block */
	assert_int_equal(proxy_parse(in, n, &h), PROXY_DONE);
	assert_int_equal(h.consumed, 21);
	/* PROXY over UNSPEC or UNIX: no IP address to take. */
	n = v2(in, 0x21, 0x00, NULL, 0);
	assert_int_equal(proxy_parse(in, n, &h), PROXY_DONE);
	assert_int_equal(h.family, AF_UNSPEC);
	n = v2(in, 0x21, 0x31, unix_addr, sizeof(unix_addr));
	assert_int_equal(proxy_parse(in, n, &h), PROXY_DONE);
	assert_int_equal(h.family, AF_UNSPEC);
	assert_int_equal(h.consumed, 16 + 216);
}

static void
test_v2_truncated(void **state)
{
	unsigned char p[12] = {127, 0, 0, 2, 127, 0, 0, 1, 0, 80, 0, 70};
	unsigned char in[64];
	struct proxy_header h;
	size_t n, i;

	(void)state;
	n = v2(in, 0x21, 0x11, p, sizeof(p));
	for (i = 0; i < n; i++)
		assert_int_equal(proxy_parse(in, i, &h), PROXY_NEED_MORE);
	assert_int_equal(proxy_parse(in, n, &h), PROXY_DONE);
	assert_v4(&h.src, "127.0.0.2", 80);
}

static void
test_v2_bad(void **state)
{
	unsigned char p[PROXY_V2_MAX_PAYLOAD + 1] = {0};
	unsigned char in[sizeof(p) + 16];
	struct proxy_header h;
	size_t n;

	(void)state;
	n = v2(in, 0x11, 0x11, p, 12); /* version 1 in binary form */
	assert_int_equal(proxy_parse(in, 13, &h), PROXY_BAD);
	n = v2(in, 0x22, 0x11, p, 12); /* command 2 */
	assert_int_equal(proxy_parse(in, n, &h), PROXY_BAD);
	n = v2(in, 0x21, 0x41, p, 12); /* family 4 */
	assert_int_equal(proxy_parse(in, 14, &h), PROXY_BAD);
	n = v2(in, 0x21, 0x13, p, 12); /* protocol 3 */
	assert_int_equal(proxy_parse(in, n, &h), PROXY_BAD);
	n = v2(in, 0x21, 0x11, p, 11); /* IPv4 block short */
	assert_int_equal(proxy_parse(in, n, &h), PROXY_BAD);
	n = v2(in, 0x21, 0x21, p, 12); /* IPv6 block short */
	assert_int_equal(proxy_parse(in, n, &h), PROXY_BAD);
	p[12] = 0x01, p[13] = 0x00, p[14] = 0x09; /* a TLV past the end */
	n = v2(in, 0x21, 0x11, p, 12 + 3 + 4);
	assert_int_equal(proxy_parse(in, n, &h), PROXY_BAD);
	n = v2(in, 0x21, 0x11, p, 12 + 2); /* a cut TLV header */
	assert_int_equal(proxy_parse(in, n, &h), PROXY_BAD);
	/* Over-long: refused as soon as the length is known. */
	v2(in, 0x21, 0x11, p, sizeof(p));
	assert_int_equal(proxy_parse(in, 16, &h), PROXY_BAD);
	/* A corrupted signature, even on its last byte. */
	n = v2(in, 0x21, 0x11, p, 12);
	in[11] = 0x0b;
	assert_int_equal(proxy_parse(in, n, &h), PROXY_BAD);
	assert_int_equal(proxy_parse(in, 11, &h), PROXY_NEED_MORE);
}

static void
test_v2_largest(void **state)
{
	unsigned char p[PROXY_V2_MAX_PAYLOAD] = {0};
	unsigned char in[PROXY_HEADER_MAX];
	struct proxy_header h;
	size_t n;

	(void)state;
	/* An IPv4 block then one TLV filling the rest to the limit. */
	p[12] = 0x04;
	p[13] = (unsigned char)((sizeof(p) - 15) >> 8);
	p[14] = (unsigned char)(sizeof(p) - 15);
	n = v2(in, 0x21, 0x11, p, sizeof(p));
	assert_int_equal(n, PROXY_HEADER_MAX);
	assert_int_equal(proxy_parse(in, n, &h), PROXY_DONE);
	assert_int_equal(h.consumed, PROXY_HEADER_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v1_tcp4),
	    cmocka_unit_test(test_v1_tcp6),
	    cmocka_unit_test(test_v1_unknown),
	    cmocka_unit_test(test_v1_longest),
	    cmocka_unit_test(test_v1_truncated),
	    cmocka_unit_test(test_v1_bad),
	    cmocka_unit_test(test_v1_overlong),
	    cmocka_unit_test(test_v2_inet),
	    cmocka_unit_test(test_v2_inet6_with_tlvs),
	    cmocka_unit_test(test_v2_local_and_unspec),
	    cmocka_unit_test(test_v2_truncated),
	    cmocka_unit_test(test_v2_bad),
	    cmocka_unit_test(test_v2_largest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
