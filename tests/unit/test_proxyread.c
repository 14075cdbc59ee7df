#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxyread.h"

/* A connected pair of stream sockets, the reading end non-blocking. */
static void
pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
}

static void
send_all(int fd, const void *p, size_t n)
{
	assert_int_equal(write(fd, p, n), (ssize_t)n);
}

static void
test_header_then_data(void **state)
{
	const char *hdr_text = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 70\r\n";
	struct proxy_reader r = {0};
	struct proxy_header h;
	const struct sockaddr_in *src = (const struct sockaddr_in *)&h.src;
	char rest[32];
	int sv[2];

	(void)state;
	pair(sv);
	assert_int_equal(proxy_read(sv[0], &r, &h), PROXY_NEED_MORE);
	/* The header in three pieces, the request in the same write as its end.
	 */
	send_all(sv[1], hdr_text, 10);
	assert_int_equal(proxy_read(sv[0], &r, &h), PROXY_NEED_MORE);
	send_all(sv[1], hdr_text + 10, 20);
	assert_int_equal(proxy_read(sv[0], &r, &h), PROXY_NEED_MORE);
	assert_int_equal(r.have, 30); /* taken off the socket */
	send_all(sv[1], hdr_text + 30, strlen(hdr_text) - 30);
	send_all(sv[1], "/about\r\n", 8);
	assert_int_equal(proxy_read(sv[0], &r, &h), PROXY_DONE);
	assert_int_equal(h.family, AF_INET);
	assert_int_equal(ntohs(src->sin_port), 56324);
	/* Not a byte of the request was read. */
	assert_int_equal(read(sv[0], rest, sizeof(rest)), 8);
	assert_memory_equal(rest, "/about\r\n", 8);
	close(sv[0]);
	close(sv[1]);
}

static void
test_v2_then_tls(void **state)
{
	static const unsigned char hdr[] = {
	    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54,
	    0x0a, 0x21, 0x11, 0x00, 0x0c, 127, 0, 0, 2, 127, 0, 0, 1, 0x30,
	    0x39, 0x07, 0xad, 0x16, 0x03, 0x01, /* the start of a ClientHello */
	};
	struct proxy_reader r = {0};
	struct proxy_header h;
	unsigned char rest[8];
	int sv[2];

	(void)state;
	pair(sv);
	send_all(sv[1], hdr, sizeof(hdr));
	assert_int_equal(proxy_read(sv[0], &r, &h), PROXY_DONE);
	assert_int_equal(h.consumed, 28);
	assert_int_equal(read(sv[0], rest, sizeof(rest)), 3);
	assert_int_equal(rest[0], 0x16);
	close(sv[0]);
	close(sv[1]);
}

static void
test_bad_and_eof(void **state)
{
	struct proxy_reader r = {0};
	struct proxy_header h;
	int sv[2];

	(void)state;
	pair(sv);
	send_all(sv[1], "\x16\x03\x01\x02\x00", 5); /* TLS without a header */
	assert_int_equal(proxy_read(sv[0], &r, &h), PROXY_BAD);
	close(sv[0]);
	close(sv[1]);

	memset(&r, 0, sizeof(r));
	pair(sv);
	send_all(sv[1], "PROXY TCP4 1.2.3.4", 18);
	close(sv[1]); /* the peer goes away mid-header */
	assert_int_equal(proxy_read(sv[0], &r, &h), PROXY_BAD);
	close(sv[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_then_data),
	    cmocka_unit_test(test_v2_then_tls),
	    cmocka_unit_test(test_bad_and_eof),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
