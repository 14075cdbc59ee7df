#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "cert.h"

struct fixture {
	char dir[64];
	char crt[128];
	char key[128];
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/canyon-cert.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->crt);
	unlink(f->key);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
paths(struct fixture *f, const char *host)
{
	snprintf(f->crt, sizeof(f->crt), "%s/%s.crt", f->dir, host);
	snprintf(f->key, sizeof(f->key), "%s/%s.key", f->dir, host);
}

/* Read the certificate and the key cert_ensure wrote for f's host. */
static void
read_pair(const struct fixture *f, X509 **x, EVP_PKEY **key)
{
	FILE *crt = fopen(f->crt, "r"), *k = fopen(f->key, "r");

	assert_non_null(crt);
	assert_non_null(k);
	*x = PEM_read_X509(crt, NULL, NULL, NULL);
	*key = PEM_read_PrivateKey(k, NULL, NULL, NULL);
	fclose(crt);
	fclose(k);
	assert_non_null(*x);
	assert_non_null(*key);
}

static char *
slurp(const char *file)
{
	FILE *fp = fopen(file, "r");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	assert_non_null(fp);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);
	return buf_detach(&b, NULL);
}

static void
test_creates_p256_pair(void **state)
{
	struct fixture *f = *state;
	char err[256], group[64];
	struct stat st;
	EVP_PKEY *key;
	X509 *x;
	size_t glen;

	paths(f, "capsule.example");
	assert_int_equal(
	    cert_ensure(f->dir, "capsule.example", err, sizeof(err)), 0);
	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	read_pair(f, &x, &key);
	assert_int_equal(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
	assert_int_equal(
	    EVP_PKEY_get_group_name(key, group, sizeof(group), &glen), 1);
	assert_string_equal(group, "prime256v1");

	assert_int_equal(X509_check_host(x, "capsule.example", 0, 0, NULL), 1);
	assert_int_equal(X509_check_host(x, "other.example", 0, 0, NULL), 0);
	assert_int_equal(X509_check_private_key(x, key), 1);
	/* Self-signed, and the signature verifies with its own key. */
	assert_int_equal(X509_verify(x, key), 1);
	/* Valid now and still valid in 50 years. */
	assert_true(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);
	{
		time_t later = time(NULL) + 50L * 365 * 24 * 3600;
		assert_true(X509_cmp_time(X509_get0_notAfter(x), &later) > 0);
	}
	X509_free(x);
	EVP_PKEY_free(key);
}

static void
test_ip_literal_gets_ip_san(void **state)
{
	struct fixture *f = *state;
	char err[256];
	EVP_PKEY *key;
	X509 *x;

	paths(f, "127.0.0.1");
	assert_int_equal(cert_ensure(f->dir, "127.0.0.1", err, sizeof(err)), 0);
	read_pair(f, &x, &key);
	assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "127.0.0.2", 0), 0);
	X509_free(x);
	EVP_PKEY_free(key);
}

static void
test_existing_pair_is_kept(void **state)
{
	struct fixture *f = *state;
	char err[256], *crt1, *key1, *crt2, *key2;

	paths(f, "localhost");
	assert_int_equal(cert_ensure(f->dir, "localhost", err, sizeof(err)), 0);
	crt1 = slurp(f->crt);
	key1 = slurp(f->key);
	assert_int_equal(cert_ensure(f->dir, "localhost", err, sizeof(err)), 0);
	crt2 = slurp(f->crt);
	key2 = slurp(f->key);
	assert_string_equal(crt1, crt2);
	assert_string_equal(key1, key2);
	free(crt1);
	free(key1);
	free(crt2);
	free(key2);
}

static void
test_readable_key_refused(void **state)
{
	struct fixture *f = *state;
	char err[256];

	paths(f, "localhost");
	assert_int_equal(cert_ensure(f->dir, "localhost", err, sizeof(err)), 0);
	assert_int_equal(chmod(f->key, 0644), 0);
	assert_int_equal(
	    cert_ensure(f->dir, "localhost", err, sizeof(err)), -1);
	assert_non_null(strstr(err, f->key));
	assert_non_null(strstr(err, "chmod 600"));
	assert_int_equal(chmod(f->key, 0600), 0);
	assert_int_equal(cert_ensure(f->dir, "localhost", err, sizeof(err)), 0);
}

static void
test_half_pair_refused(void **state)
{
	struct fixture *f = *state;
	char err[256], *before, *after;

	paths(f, "localhost");
	assert_int_equal(cert_ensure(f->dir, "localhost", err, sizeof(err)), 0);
	before = slurp(f->key);
	assert_int_equal(unlink(f->crt), 0);
	assert_int_equal(
	    cert_ensure(f->dir, "localhost", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exists without"));
	after = slurp(f->key);
	assert_string_equal(before, after);
	assert_int_equal(access(f->crt, F_OK), -1);
	free(before);
	free(after);
}

static void
test_bad_host_refused(void **state)
{
	struct fixture *f = *state;
	char err[256];

	paths(f, "x");
	assert_int_equal(
	    cert_ensure(f->dir, "../etc/evil", err, sizeof(err)), -1);
	assert_int_equal(cert_ensure(f->dir, "a,DNS:b", err, sizeof(err)), -1);
	assert_int_equal(cert_ensure(f->dir, "", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a host name"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_creates_p256_pair, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_ip_literal_gets_ip_san, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_existing_pair_is_kept, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_readable_key_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_half_pair_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_bad_host_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
