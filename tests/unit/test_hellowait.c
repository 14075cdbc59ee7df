#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "hellowait.h"
#include "tcp_fixture.h"

/* OpenSSL's own ClientHello, as a client would send it: len bytes. */
static unsigned char hello[4096];
static size_t hello_len;

static int
make_hello(void **state)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = SSL_new(ctx);
	BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	char *p;
	long n;

	(void)state;
	SSL_set_bio(ssl, rb, wb);
	SSL_set_tlsext_host_name(ssl, "localhost");
	(void)SSL_connect(ssl); /* wants the server's reply */
	n = BIO_get_mem_data(wb, &p);
	if (n > 0 && (size_t)n <= sizeof(hello)) {
		memcpy(hello, p, (size_t)n);
		hello_len = (size_t)n;
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return hello_len > 0 ? 0 : -1;
}

static void
test_record_header(void **state)
{
	static const unsigned char big[] = {0x16, 0x03, 0x01, 0x40, 0x00};
	static const unsigned char too_big[] = {0x16, 0x03, 0x01, 0x40, 0x01};
	static const unsigned char empty[] = {0x16, 0x03, 0x01, 0x00, 0x00};
	static const unsigned char app_data[] = {0x17, 0x03, 0x03, 0x00, 0x10};
	static const unsigned char sslv2[] = {0x80, 0x2e, 0x01, 0x00, 0x02};
	static const unsigned char major[] = {0x16, 0x02, 0x00, 0x00, 0x10};
	static const unsigned char six[] = {
	    0x16, 0x03, 0x01, 0x00, 0x01, 0x01, 0xff};
	size_t need = 0;

	(void)state;
	/* Nothing yet, or part of a header: wait for the bytes of the
	 * shortest ClientHello, which hold the header. */
	assert_int_equal(tls_first_record(six, 0, &need), TLS_FIRST_PARTIAL);
	assert_int_equal(need, TLS_HELLO_MIN);
	assert_int_equal(tls_first_record(six, 4, &need), TLS_FIRST_PARTIAL);
	assert_int_equal(need, TLS_HELLO_MIN);
	/* A header: wait for the record it announces, no byte past it. */
	need = 0;
	assert_int_equal(tls_first_record(six, 5, &need), TLS_FIRST_PARTIAL);
	assert_int_equal(need, 6);
	assert_int_equal(tls_first_record(six, 6, &need), TLS_FIRST_COMPLETE);
	assert_int_equal(tls_first_record(six, 7, &need), TLS_FIRST_COMPLETE);
	assert_int_equal(tls_first_record(big, 5, &need), TLS_FIRST_PARTIAL);
	assert_int_equal(need, TLS_RECORD_MAX);
	/* Nothing OpenSSL would take as a ClientHello record: at once. */
	assert_int_equal(tls_first_record(too_big, 5, &need), TLS_FIRST_OTHER);
	assert_int_equal(tls_first_record(empty, 5, &need), TLS_FIRST_OTHER);
	assert_int_equal(tls_first_record(app_data, 1, &need), TLS_FIRST_OTHER);
	assert_int_equal(tls_first_record(sslv2, 5, &need), TLS_FIRST_OTHER);
	assert_int_equal(tls_first_record(major, 2, &need), TLS_FIRST_OTHER);
	assert_int_equal(
	    tls_first_record((const unsigned char *)"gemini://", 9, &need),
	    TLS_FIRST_OTHER);
}

/* Every prefix of a real ClientHello waits for the shortest ClientHello's
 * bytes, then, its header known, for the whole of it (OpenSSL sends it in
 * one record). */
static void
test_real_hello(void **state)
{
	size_t k, need;

	(void)state;
	assert_int_equal(5 + ((size_t)hello[3] << 8 | hello[4]), hello_len);
	for (k = 0; k < hello_len; k++) {
		need = 0;
		assert_int_equal(
		    tls_first_record(hello, k, &need), TLS_FIRST_PARTIAL);
		assert_int_equal(need, k < 5 ? TLS_HELLO_MIN : hello_len);
	}
	assert_int_equal(
	    tls_first_record(hello, hello_len, &need), TLS_FIRST_COMPLETE);
}

/* A loopback TCP connection: sv[0] the server's end (non-blocking), sv[1]
 * the client's, each write its own segment. */
static void
tcp_pair(int sv[2])
{
	int one = 1;

	tcp_fixture_pair(&sv[1], &sv[0]);
	assert_int_equal(
	    setsockopt(sv[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
}

static void
send_all(int fd, const void *p, size_t n)
{
	assert_int_equal(write(fd, p, n), (ssize_t)n);
}

/* Wait (2 s at most) until n bytes are in fd's receive queue: on
 * loopback they are there as the write returns, but nothing promises it. */
static void
arrived(int fd, int n)
{
	struct timespec ms = {0, 1000000};
	int have = 0, i;

	for (i = 0; i < 2000; i++) {
		assert_int_equal(ioctl(fd, FIONREAD, &have), 0);
		if (have >= n)
			break;
		nanosleep(&ms, NULL);
	}
	assert_int_equal(have, n);
}

static int
readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static int
lowat(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &v, &len), 0);
	return v;
}

/* The point of it all: bytes of an incomplete record do not make the
 * socket readable, so a trickling client does not wake the loop. */
static void
test_kernel_holds_bytes(void **state)
{
	int sv[2], n = (int)hello_len;

	(void)state;
	tcp_pair(sv);
	send_all(sv[1], hello, 1);
	assert_int_equal(hello_wait(sv[0], false), HELLO_WAIT);
	send_all(sv[1], hello + 1, 1);
	send_all(sv[1], hello + 2, 2);
	arrived(sv[0], 4);
	assert_false(readable(sv[0]));
	send_all(sv[1], hello + 4, 1); /* the header, not yet a ClientHello */
	arrived(sv[0], 5);
	assert_false(readable(sv[0]));
	send_all(sv[1], hello + 5, TLS_HELLO_MIN - 6);
	arrived(sv[0], TLS_HELLO_MIN - 1);
	assert_false(readable(sv[0]));
	send_all(sv[1], hello + TLS_HELLO_MIN - 1, 1);
	arrived(sv[0], TLS_HELLO_MIN);
	assert_true(readable(sv[0]));
	assert_int_equal(hello_wait(sv[0], true), HELLO_WAIT);
	assert_int_equal(lowat(sv[0]), n);
	send_all(sv[1], hello + TLS_HELLO_MIN, 1);
	send_all(
	    sv[1], hello + TLS_HELLO_MIN + 1, hello_len - TLS_HELLO_MIN - 2);
	arrived(sv[0], n - 1);
	assert_false(readable(sv[0]));
	send_all(sv[1], hello + hello_len - 1, 1);
	arrived(sv[0], n);
	assert_true(readable(sv[0]));
	assert_int_equal(hello_wait(sv[0], true), HELLO_READY);
	/* Back to normal for TLS, and not a byte taken. */
	assert_int_equal(lowat(sv[0]), 1);
	arrived(sv[0], n);
	close(sv[0]);
	close(sv[1]);
}

/* A whole ClientHello at accept, or bytes that are no TLS: no waiting,
 * the socket left as it is. */
static void
test_nothing_to_wait_for(void **state)
{
	int sv[2];

	(void)state;
	tcp_pair(sv);
	send_all(sv[1], hello, hello_len);
	arrived(sv[0], (int)hello_len);
	assert_int_equal(hello_wait(sv[0], false), HELLO_READY);
	assert_int_equal(lowat(sv[0]), 1);
	close(sv[0]);
	close(sv[1]);

	tcp_pair(sv);
	send_all(sv[1], "gemini://localhost/\r\n", 21);
	arrived(sv[0], 21);
	assert_int_equal(hello_wait(sv[0], false), HELLO_READY);
	assert_int_equal(lowat(sv[0]), 1);
	close(sv[0]);
	close(sv[1]);
}

/* A client that leaves mid-record, or before a byte: gone. */
static void
test_client_leaves(void **state)
{
	int sv[2];

	(void)state;
	tcp_pair(sv);
	send_all(sv[1], hello, 7);
	assert_int_equal(hello_wait(sv[0], false), HELLO_WAIT);
	assert_false(readable(sv[0]));
	shutdown(sv[1], SHUT_WR);
	assert_int_equal(
	    poll(&(struct pollfd){.fd = sv[0], .events = POLLIN}, 1, 2000), 1);
	assert_int_equal(hello_wait(sv[0], true), HELLO_GONE);
	close(sv[0]);
	close(sv[1]);

	tcp_pair(sv);
	shutdown(sv[1], SHUT_WR);
	assert_int_equal(
	    poll(&(struct pollfd){.fd = sv[0], .events = POLLIN}, 1, 2000), 1);
	assert_int_equal(hello_wait(sv[0], false), HELLO_GONE);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_record_header),
	    cmocka_unit_test(test_real_hello),
	    cmocka_unit_test(test_kernel_holds_bytes),
	    cmocka_unit_test(test_nothing_to_wait_for),
	    cmocka_unit_test(test_client_leaves),
	};
	return cmocka_run_group_tests(tests, make_hello, NULL);
}
