#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "ticket.h"

static char dir[] = "/tmp/canyon-ticket.XXXXXX";
static EVP_PKEY *pkey;
static X509 *cert;

/* Write n bytes of key material (random unless data) to dir/name. */
static char *
key_file(const char *name, const unsigned char *data, size_t n, mode_t mode)
{
	static char path[256];
	unsigned char rnd[TICKET_KEY_SIZE * (TICKET_MAX_KEYS + 1)];
	int fd;

	assert_true(n <= sizeof(rnd));
	if (data == NULL) {
		assert_int_equal(RAND_bytes(rnd, (int)sizeof(rnd)), 1);
		data = rnd;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static struct ticket_keys *
load(const unsigned char *data, size_t n, mode_t mode, char *err, size_t errlen)
{
	return ticket_keys_load(key_file("k", data, n, mode), err, errlen);
}

static int
setup(void **state)
{
	X509_NAME *name;

	(void)state;
	assert_non_null(mkdtemp(dir));
	pkey = EVP_EC_gen("P-256");
	cert = X509_new();
	assert_non_null(pkey);
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, pkey);
	name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"localhost", -1, -1, 0);
	X509_set_issuer_name(cert, name);
	assert_true(X509_sign(cert, pkey, EVP_sha256()) > 0);
	return 0;
}

static int
teardown(void **state)
{
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/k", dir);
	unlink(path);
	rmdir(dir);
	X509_free(cert);
	EVP_PKEY_free(pkey);
	return 0;
}

static void
test_load_sizes(void **state)
{
	struct ticket_keys *k;
	char err[256];

	(void)state;
	k = load(NULL, TICKET_KEY_SIZE, 0600, err, sizeof(err));
	assert_non_null(k);
	assert_int_equal(ticket_keys_count(k), 1);
	ticket_keys_free(k);
	k = load(NULL, 3 * TICKET_KEY_SIZE, 0400, err, sizeof(err));
	assert_non_null(k);
	assert_int_equal(ticket_keys_count(k), 3);
	ticket_keys_free(k);
	k = load(
	    NULL, TICKET_MAX_KEYS * TICKET_KEY_SIZE, 0600, err, sizeof(err));
	assert_non_null(k);
	assert_int_equal(ticket_keys_count(k), TICKET_MAX_KEYS);
	ticket_keys_free(k);

	assert_null(load(NULL, 0, 0600, err, sizeof(err)));
	assert_non_null(strstr(err, "0 bytes"));
	assert_null(load(NULL, TICKET_KEY_SIZE - 1, 0600, err, sizeof(err)));
	assert_non_null(strstr(err, "79 bytes"));
	assert_null(load(NULL, TICKET_KEY_SIZE + 1, 0600, err, sizeof(err)));
	assert_null(load(NULL, (TICKET_MAX_KEYS + 1) * TICKET_KEY_SIZE, 0600,
	    err, sizeof(err)));
}

static void
test_load_permissions(void **state)
{
	struct ticket_keys *k;
	char err[256];

	(void)state;
	/* Group may read (root:canyon 0640 is the usual way to share it). */
	k = load(NULL, TICKET_KEY_SIZE, 0640, err, sizeof(err));
	assert_non_null(k);
	ticket_keys_free(k);
	assert_null(load(NULL, TICKET_KEY_SIZE, 0644, err, sizeof(err)));
	assert_non_null(strstr(err, "mode 644"));
	assert_non_null(strstr(err, "/k: "));
	assert_null(load(NULL, TICKET_KEY_SIZE, 0604, err, sizeof(err)));
	assert_null(load(NULL, TICKET_KEY_SIZE, 0620, err, sizeof(err)));
	assert_null(load(NULL, TICKET_KEY_SIZE, 0602, err, sizeof(err)));
	assert_null(
	    ticket_keys_load("/nonexistent/ticket.key", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/ticket.key: "));
	assert_null(ticket_keys_load(dir, err, sizeof(err)));
}

/* A server SSL_CTX using the given key material for its tickets. */
static SSL_CTX *
server_ctx(const unsigned char *keydata, size_t n)
{
	struct ticket_keys *keys;
	SSL_CTX *ctx;
	char err[256];

	ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_use_certificate(ctx, cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, pkey), 1);
	keys = load(keydata, n, 0600, err, sizeof(err));
	assert_non_null(keys);
	assert_int_equal(ticket_keys_use(ctx, keys, err, sizeof(err)), 0);
	ticket_keys_free(keys); /* the SSL_CTX holds its own copy */
	return ctx;
}

/*
 * A TLS 1.3 handshake over a memory BIO pair, with session offered to
 * resume. Returns the session the client ends with (holding the ticket the
 * server issued) and sets *reused.
 */
static SSL_SESSION *
connect_once(SSL_CTX *sctx, SSL_SESSION *session, int *reused)
{
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
	BIO *cb, *sb;
	SSL_SESSION *got;
	char byte;
	int i, rc = 0, rs = 0;

	assert_int_equal(BIO_new_bio_pair(&cb, 0, &sb, 0), 1);
	SSL_set_bio(c, cb, cb);
	SSL_set_bio(s, sb, sb);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	SSL_set_tlsext_host_name(c, "localhost");
	if (session != NULL)
		assert_int_equal(SSL_set_session(c, session), 1);
	for (i = 0; i < 50 && (rc != 1 || rs != 1); i++) {
		rc = SSL_do_handshake(c);
		rs = SSL_do_handshake(s);
		if (rc != 1)
			assert_int_equal(
			    SSL_get_error(c, rc), SSL_ERROR_WANT_READ);
		if (rs != 1)
			assert_int_equal(
			    SSL_get_error(s, rs), SSL_ERROR_WANT_READ);
	}
	assert_int_equal(rc, 1);
	assert_int_equal(rs, 1);
	assert_string_equal(SSL_get_version(c), "TLSv1.3");
	/* TLS 1.3 tickets come after the handshake: read past them. */
	assert_int_equal(SSL_write(s, "x", 1), 1);
	assert_int_equal(SSL_read(c, &byte, 1), 1);
	*reused = SSL_session_reused(c);
	got = SSL_get1_session(c);
	assert_non_null(got);
	assert_true(SSL_SESSION_has_ticket(got));
	/* Closed cleanly: OpenSSL marks the session of an unclean close
	 * as not resumable. */
	SSL_shutdown(c);
	SSL_shutdown(s);
	assert_true(SSL_SESSION_is_resumable(got));
	SSL_free(c);
	SSL_free(s);
	SSL_CTX_free(cctx);
	return got;
}

static void
test_resume_across_contexts(void **state)
{
	unsigned char k1[TICKET_KEY_SIZE], k2[TICKET_KEY_SIZE];
	unsigned char rotated[2 * TICKET_KEY_SIZE];
	SSL_CTX *a, *b, *other, *next;
	SSL_SESSION *first, *again;
	int reused;

	(void)state;
	assert_int_equal(RAND_bytes(k1, sizeof(k1)), 1);
	assert_int_equal(RAND_bytes(k2, sizeof(k2)), 1);
	memcpy(rotated, k2, TICKET_KEY_SIZE);
	memcpy(rotated + TICKET_KEY_SIZE, k1, TICKET_KEY_SIZE);
	a = server_ctx(k1, sizeof(k1)); /* two instances, one key file */
	b = server_ctx(k1, sizeof(k1));
	other = server_ctx(k2, sizeof(k2)); /* an instance with another key */
	next = server_ctx(rotated, sizeof(rotated)); /* after a rotation */

	first = connect_once(a, NULL, &reused);
	assert_false(reused);
	/* The ticket of instance a resumes on instance b. */
	again = connect_once(b, first, &reused);
	assert_true(reused);
	SSL_SESSION_free(again);
	/* Not where the key differs: a full handshake instead. */
	again = connect_once(other, first, &reused);
	assert_false(reused);
	SSL_SESSION_free(again);
	/* The previous key, second in the file, still decrypts. */
	again = connect_once(next, first, &reused);
	assert_true(reused);
	SSL_SESSION_free(again);

	SSL_SESSION_free(first);
	SSL_CTX_free(a);
	SSL_CTX_free(b);
	SSL_CTX_free(other);
	SSL_CTX_free(next);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load_sizes),
	    cmocka_unit_test(test_load_permissions),
	    cmocka_unit_test(test_resume_across_contexts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
