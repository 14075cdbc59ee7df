#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/sockios.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "tcp_fixture.h"
#include "tls.h"

static char dir[] = "/tmp/canyon-tls.XXXXXX";
static char cert_file[256], key_file[256];

static int
setup(void **state)
{
	char err[256];

	(void)state;
	assert_non_null(mkdtemp(dir));
	if (cert_ensure(dir, "localhost", err, sizeof(err)) == -1)
		fail_msg("%s", err);
	snprintf(cert_file, sizeof(cert_file), "%s/localhost.crt", dir);
	snprintf(key_file, sizeof(key_file), "%s/localhost.key", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(cert_file);
	unlink(key_file);
	rmdir(dir);
	return 0;
}

/* A connected pair of loopback TCP sockets: fds[0] the client's, fds[1]
 * the server's accepted one, both non-blocking. */
static void
tcp_pair(int fds[2])
{
	int one = 1;

	tcp_fixture_pair(&fds[0], &fds[1]);
	assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
	/* As the listener's sockets are (listen.c). */
	assert_int_equal(
	    setsockopt(fds[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
}

static int
corked(int fd)
{
	int v = -1;
	socklen_t len = sizeof(v);

	assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, &len), 0);
	return v;
}

/* Bytes written to fd that TCP has not sent yet. */
static int
unsent(int fd)
{
	int n = -1;

	assert_int_equal(ioctl(fd, SIOCOUTQNSD, &n), 0);
	return n;
}

/* One step of a side's handshake; 1 when done, else it must want to read. */
/* A server (fds[1], *s) and a client (fds[0], *c) over a fresh TCP pair,
 * neither started; the caller frees both and closes both ends. */
static void
ssl_pair(SSL_CTX *sctx, SSL_CTX *cctx, int fds[2], SSL **s, SSL **c)
{
	tcp_pair(fds);
	assert_non_null(*s = SSL_new(sctx));
	assert_non_null(*c = SSL_new(cctx));
	assert_int_equal(SSL_set_fd(*s, fds[1]), 1);
	assert_int_equal(SSL_set_fd(*c, fds[0]), 1);
	SSL_set_accept_state(*s);
	SSL_set_connect_state(*c);
}

static int
step(SSL *ssl)
{
	int r = SSL_do_handshake(ssl);

	if (r == 1)
		return 1;
	assert_int_equal(SSL_get_error(ssl, r), SSL_ERROR_WANT_READ);
	return 0;
}

/* Wait until fd has bytes to read. */
static void
readable(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};

	assert_int_equal(poll(&p, 1, 5000), 1);
}

/*
 * A handshake over real sockets with a server context of tls_ctx_new(),
 * checking the socket's cork at each step: the server's handshake flights
 * leave at once, and what it writes after the handshake (TLS 1.3: the
 * session ticket first) waits corked for the reply and the close.
 */
static void
handshake_and_reply(int version)
{
	char err[256], buf[4096];
	SSL_CTX *sctx = tls_ctx_new(cert_file, key_file, err, sizeof(err));
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL *s, *c;
	int fds[2], n, got = 0;

	assert_non_null(sctx);
	assert_non_null(cctx);
	assert_int_equal(SSL_CTX_set_min_proto_version(cctx, version), 1);
	assert_int_equal(SSL_CTX_set_max_proto_version(cctx, version), 1);
	ssl_pair(sctx, cctx, fds, &s, &c);

	assert_int_equal(step(c), 0); /* ClientHello */
	readable(fds[1]);
	assert_int_equal(step(s), 0); /* the server's first flight */
	assert_int_equal(corked(fds[1]), 0);
	assert_int_equal(unsent(fds[1]), 0);
	readable(fds[0]);
	if (version == TLS1_3_VERSION) {
		assert_int_equal(step(c), 1); /* Finished: client done */
		readable(fds[1]);
		assert_int_equal(step(s), 1); /* and the session ticket */
		assert_int_equal(corked(fds[1]), 1);
		assert_true(unsent(fds[1]) > 0); /* the ticket waits */
	} else {
		assert_int_equal(step(c), 0); /* its Finished, then waits */
		readable(fds[1]);
		assert_int_equal(step(s), 1); /* ticket and Finished */
		/* The server's Finished has left: the client can finish. */
		assert_int_equal(unsent(fds[1]), 0);
		assert_int_equal(corked(fds[1]), 1);
		readable(fds[0]);
		assert_int_equal(step(c), 1);
	}
	assert_int_equal(SSL_write(s, "20 text/gemini\r\nhello\n", 22), 22);
	assert_true(unsent(fds[1]) > 0);
	SSL_shutdown(s);
	/* The close sends what was held, the reply and the close_notify. */
	close(fds[1]);
	for (;;) {
		readable(fds[0]);
		if ((n = SSL_read(c, buf + got, (int)sizeof(buf) - got)) > 0)
			got += n;
		else if (SSL_get_error(c, n) != SSL_ERROR_WANT_READ)
			break;
	}
	assert_int_equal(SSL_get_error(c, n), SSL_ERROR_ZERO_RETURN);
	assert_int_equal(got, 22);
	assert_memory_equal(buf, "20 text/gemini\r\nhello\n", 22);

	SSL_free(s);
	SSL_free(c);
	close(fds[0]);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}

static void
test_tls13_cork_after_client_finished(void **state)
{
	(void)state;
	handshake_and_reply(TLS1_3_VERSION);
}

static void
test_tls12_cork_after_server_finished(void **state)
{
	(void)state;
	handshake_and_reply(TLS1_2_VERSION);
}

/* A P-256 certificate for cn, signed by issuer (self-signed when NULL);
 * its key in *key. */
static X509 *
make_cert(const char *cn, X509 *issuer, EVP_PKEY *issuer_key, EVP_PKEY **key)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *name;

	*key = EVP_EC_gen("P-256");
	assert_non_null(*key);
	assert_non_null(x);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(
	    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -60));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
	assert_int_equal(X509_set_pubkey(x, *key), 1);
	name = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
			     (const unsigned char *)cn, -1, -1, 0),
	    1);
	assert_int_equal(X509_set_issuer_name(
			     x, issuer ? X509_get_subject_name(issuer) : name),
	    1);
	assert_true(
	    X509_sign(x, issuer_key ? issuer_key : *key, EVP_sha256()) > 0);
	return x;
}

/*
 * The number of certificates a client receives from a tls_ctx_new()
 * context whose certificate, issued by an intermediate CA, is in a file
 * with the intermediate after it (in_file) or alone; in_store puts the
 * intermediate in the context's certificate store too.
 */
static int
chain_received(bool in_file, bool in_store)
{
	char err[256], crt[300], key[300];
	EVP_PKEY *root_key, *inter_key, *leaf_key;
	X509 *root = make_cert("root", NULL, NULL, &root_key);
	X509 *inter = make_cert("intermediate", root, root_key, &inter_key);
	X509 *leaf = make_cert("localhost", inter, inter_key, &leaf_key);
	SSL_CTX *sctx, *cctx = SSL_CTX_new(TLS_client_method());
	SSL *s, *c;
	FILE *f;
	int fds[2], n;

	snprintf(crt, sizeof(crt), "%s/chain.crt", dir);
	snprintf(key, sizeof(key), "%s/chain.key", dir);
	assert_non_null(f = fopen(crt, "w"));
	assert_int_equal(PEM_write_X509(f, leaf), 1);
	if (in_file)
		assert_int_equal(PEM_write_X509(f, inter), 1);
	assert_int_equal(fclose(f), 0);
	assert_non_null(f = fopen(key, "w"));
	assert_int_equal(
	    PEM_write_PrivateKey(f, leaf_key, NULL, NULL, 0, NULL, NULL), 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(key, 0600), 0);
	sctx = tls_ctx_new(crt, key, err, sizeof(err));
	if (sctx == NULL)
		fail_msg("%s", err);
	if (in_store)
		assert_int_equal(
		    X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), inter),
		    1);
	assert_non_null(cctx);
	ssl_pair(sctx, cctx, fds, &s, &c);
	assert_int_equal(step(c), 0);
	readable(fds[1]);
	assert_int_equal(step(s), 0);
	readable(fds[0]);
	assert_int_equal(step(c), 1);
	n = sk_X509_num(SSL_get_peer_cert_chain(c));

	SSL_free(s);
	SSL_free(c);
	close(fds[0]);
	close(fds[1]);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	X509_free(root);
	X509_free(inter);
	X509_free(leaf);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(inter_key);
	EVP_PKEY_free(leaf_key);
	unlink(crt);
	unlink(key);
	return n;
}

static void
test_chain_from_the_file(void **state)
{
	(void)state;
	assert_int_equal(chain_received(true, false), 2);
}

/* The chain is never built from the certificate store on a handshake. */
static void
test_chain_not_built(void **state)
{
	(void)state;
	assert_int_equal(chain_received(false, true), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls13_cork_after_client_finished),
	    cmocka_unit_test(test_tls12_cork_after_server_finished),
	    cmocka_unit_test(test_chain_from_the_file),
	    cmocka_unit_test(test_chain_not_built),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
