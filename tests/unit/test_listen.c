#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen.h"

/* A key as the admission has it: IPv4 mapped. */
static void
v4_key(const char *ip, uint8_t key[16])
{
	memset(key, 0, 16);
	key[10] = key[11] = 0xff;
	inet_pton(AF_INET, ip, &key[12]);
}

/* ip:port as a socket address. */
static struct sockaddr_in
v4_addr(const char *ip, int port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sa.sin_addr);
	return sa;
}

/* A listening socket on 127.0.0.1, on a port the kernel picks. */
static int
loopback_listener(void)
{
	struct sockaddr_in sa = v4_addr("127.0.0.1", 0);
	int fd = listen_socket((struct sockaddr *)&sa, sizeof(sa), false);

	assert_true(fd >= 0);
	return fd;
}

/* Whether a connection from src to the listener on port is accepted by
 * the kernel (its handshake completes) within 300 ms. */
static int
connects(const char *src, int port)
{
	struct sockaddr_in from = v4_addr(src, 0),
			   to = v4_addr("127.0.0.1", port);
	struct pollfd p;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), err = 0, n;
	socklen_t len = sizeof(err);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof(from)), 0);
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) == -1)
		assert_int_equal(errno, EINPROGRESS);
	p = (struct pollfd){.fd = fd, .events = POLLOUT};
	n = poll(&p, 1, 300);
	if (n == 1)
		assert_int_equal(
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	close(fd);
	return n == 1 && err == 0;
}

/* Connections from a dropped address never complete; others do; an
 * empty list lets everybody in again. */
static void
test_drop_from(void **state)
{
	uint8_t keys[2][16];
	int fd, port;

	(void)state;
	fd = loopback_listener();
	port = listen_port(fd);
	v4_key("127.0.0.2", keys[0]);
	/* An IPv6 /64 among them changes nothing for IPv4. */
	memset(keys[1], 0, 16);
	keys[1][0] = 0x20;
	keys[1][1] = 0x01;
	assert_int_equal(
	    listen_drop_from(fd, (const uint8_t(*)[16])keys, 2), 0);
	assert_false(connects("127.0.0.2", port));
	assert_true(connects("127.0.0.3", port));
	assert_int_equal(listen_drop_from(fd, NULL, 0), 0);
	assert_true(connects("127.0.0.2", port));
	/* No filter to remove: still fine. */
	assert_int_equal(listen_drop_from(fd, NULL, 0), 0);
	close(fd);
}

/* A client connected to port that has sent one byte (the listening
 * socket defers the accept until then). Returns its socket. */
static int
connect_and_send(int port)
{
	struct sockaddr_in to = v4_addr("127.0.0.1", port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	assert_int_equal(send(fd, "\n", 1, 0), 1);
	return fd;
}

/* The accept queue's length: what accept() would take, one less after
 * each accept. */
static void
test_queued(void **state)
{
	struct pollfd p;
	int fd, a, b, c;

	(void)state;
	fd = loopback_listener();
	assert_int_equal(listen_queued(fd), 0);
	a = connect_and_send(listen_port(fd));
	b = connect_and_send(listen_port(fd));
	p = (struct pollfd){.fd = fd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 1000), 1);
	assert_int_equal(listen_queued(fd), 2);
	c = accept(fd, NULL, NULL);
	assert_true(c >= 0);
	close(c);
	assert_int_equal(listen_queued(fd), 1);
	c = accept(fd, NULL, NULL);
	assert_true(c >= 0);
	close(c);
	assert_int_equal(listen_queued(fd), 0);
	close(a);
	close(b);
	close(fd);
	assert_int_equal(listen_queued(fd), -1);
}

/* IPv6 keys are /64 networks: ::1 is held off by the key of ::/64, and
 * not by another /64. Skipped where loopback has no IPv6. */
static void
test_drop_from_v6(void **state)
{
	struct sockaddr_in6 sa;
	uint8_t keys[1][16];
	struct pollfd p;
	int fd, c, port, n;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_addr = in6addr_loopback;
	fd = listen_socket((struct sockaddr *)&sa, sizeof(sa), false);
	if (fd < 0)
		skip();
	port = listen_port(fd);
	sa.sin6_port = htons((uint16_t)port);
	memset(keys[0], 0, 16);
	keys[0][7] = 1; /* 0:0:0:1::/64, not ::1's */
	assert_int_equal(
	    listen_drop_from(fd, (const uint8_t(*)[16])keys, 1), 0);
	for (int held = 0; held < 2; held++) {
		c = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
		assert_true(c >= 0);
		if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) == -1)
			assert_int_equal(errno, EINPROGRESS);
		p = (struct pollfd){.fd = c, .events = POLLOUT};
		n = poll(&p, 1, 300);
		close(c);
		assert_int_equal(n, held ? 0 : 1);
		keys[0][7] = 0; /* ::/64, which holds ::1 */
		assert_int_equal(
		    listen_drop_from(fd, (const uint8_t(*)[16])keys, 1), 0);
	}
	close(fd);
}

/* More keys than a filter takes are refused, not cut. */
static void
test_drop_too_many(void **state)
{
	static uint8_t keys[LISTEN_DROP_MAX + 1][16];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(listen_drop_from(fd, (const uint8_t(*)[16])keys,
			     LISTEN_DROP_MAX + 1),
	    -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(
	    listen_drop_from(fd, (const uint8_t(*)[16])keys, LISTEN_DROP_MAX),
	    0);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_drop_from),
	    cmocka_unit_test(test_drop_from_v6),
	    cmocka_unit_test(test_drop_too_many),
	    cmocka_unit_test(test_queued),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
