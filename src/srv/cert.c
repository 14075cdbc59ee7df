/*
 * cert: self-signed certificates for the Gemini virtual hosts.
 *
 * Gemini clients pin a host's certificate on first use, so the pair is made
 * once and then left alone: a key is created with O_EXCL and never
 * overwritten, and the certificate is valid for CERT_VALID_DAYS so that it
 * does not expire under the clients that pinned it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "cert.h"
#include "path.h"

/* About 100 years: longer than any client will keep a pin. */
#define CERT_VALID_DAYS 36525
/* Started a day early so that a client whose clock is slightly behind
 * does not see a certificate from the future. */
#define CERT_BACKDATE_SECONDS (24L * 60 * 60)
#define HOST_MAX 253

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The name goes into a file name and into an OpenSSL "DNS:..." config
 * string: letters, digits, '-', '.' and ':' (IPv6) only. */
static int
host_ok(const char *host)
{
	size_t i, n = strlen(host);

	if (n == 0 || n > HOST_MAX || host[0] == '.' || host[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char c = host[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '.' ||
			c == ':'))
			return 0;
	}
	return 1;
}

static int
is_ip_literal(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1;
}

static int
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static int
set_random_serial(X509 *x)
{
	unsigned char raw[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	raw[0] &= 0x7f; /* a positive serial of at most 16 bytes */
	if ((bn = BN_bin2bn(raw, sizeof(raw), NULL)) == NULL)
		return -1;
	ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

/* A self-signed version 3 certificate for host, signed with key. */
static X509 *
make_cert(EVP_PKEY *key, const char *host)
{
	X509 *x;
	X509_NAME *name;
	struct buf san = BUF_INIT;
	int ok = 0;

	if ((x = X509_new()) == NULL)
		return NULL;
	buf_printf(&san, "%s:%s", is_ip_literal(host) ? "IP" : "DNS", host);
	name = X509_get_subject_name(x);
	if (X509_set_version(x, X509_VERSION_3) && set_random_serial(x) == 0 &&
	    X509_gmtime_adj(X509_getm_notBefore(x), -CERT_BACKDATE_SECONDS) &&
	    X509_time_adj_ex(X509_getm_notAfter(x), CERT_VALID_DAYS, 0, NULL) &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
		(const unsigned char *)host, -1, -1, 0) &&
	    X509_set_issuer_name(x, name) && X509_set_pubkey(x, key) &&
	    add_ext(x, NID_subject_alt_name, buf_cstr(&san)) == 0 &&
	    add_ext(x, NID_basic_constraints, "critical,CA:FALSE") == 0 &&
	    add_ext(x, NID_key_usage, "critical,digitalSignature") == 0 &&
	    add_ext(x, NID_ext_key_usage, "serverAuth") == 0 &&
	    add_ext(x, NID_subject_key_identifier, "hash") == 0 &&
	    X509_sign(x, key, EVP_sha256()) > 0)
		ok = 1;
	buf_free(&san);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Create file exclusively with mode and hand it to write as a stdio stream. */
static int
write_new_file(const char *file, mode_t mode, EVP_PKEY *key, X509 *x)
{
	FILE *f;
	int fd, ok;

	if ((fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) ==
	    -1)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	if (key != NULL)
		ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	else
		ok = PEM_write_X509(f, x);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		ok = 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static int
create_pair(const char *crt, const char *key, const char *host, char *err,
    size_t errlen)
{
	EVP_PKEY *pkey;
	X509 *x;
	int rc = -1;

	if ((pkey = EVP_EC_gen("P-256")) == NULL)
		return fail(
		    err, errlen, "%s: cannot generate a P-256 key", key);
	if ((x = make_cert(pkey, host)) == NULL) {
		EVP_PKEY_free(pkey);
		return fail(
		    err, errlen, "%s: cannot build the certificate", crt);
	}
	if (write_new_file(key, 0600, pkey, NULL) == -1) {
		fail(err, errlen, "%s: %s", key, strerror(errno));
	} else if (write_new_file(crt, 0644, NULL, x) == -1) {
		fail(err, errlen, "%s: %s", crt, strerror(errno));
		/* The key was made just now and nothing can have pinned it. */
		unlink(key);
	} else {
		rc = 0;
	}
	X509_free(x);
	EVP_PKEY_free(pkey);
	return rc;
}

/* Refuse a key others may read, as ssh does: the pair is only as private
 * as its key file. */
int
cert_check_key(const char *key, char *err, size_t errlen)
{
	struct stat st;

	if (stat(key, &st) == -1)
		return fail(err, errlen, "%s: %s", key, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(err, errlen, "%s: not a regular file", key);
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return fail(err, errlen,
		    "%s: private key is accessible by group or others "
		    "(mode %04o); run: chmod 600 %s",
		    key, (unsigned)(st.st_mode & 07777), key);
	return 0;
}

int
cert_ensure(const char *dir, const char *host, char *err, size_t errlen)
{
	struct buf crt = BUF_INIT, key = BUF_INIT;
	int have_crt, have_key, rc;

	if (!host_ok(host))
		return fail(
		    err, errlen, "'%s': not a host name or IP address", host);
	buf_printf(&crt, "%s/%s.crt", dir, host);
	buf_printf(&key, "%s/%s.key", dir, host);
	have_crt = access(buf_cstr(&crt), F_OK) == 0;
	have_key = access(buf_cstr(&key), F_OK) == 0;
	if (have_crt && have_key)
		rc = cert_check_key(buf_cstr(&key), err, errlen);
	else if (have_crt || have_key)
		rc = fail(err, errlen,
		    "%s exists without %s; restore it, or remove "
		    "both to make a new pair (clients that pinned the old one "
		    "will "
		    "warn)",
		    have_crt ? buf_cstr(&crt) : buf_cstr(&key),
		    have_crt ? buf_cstr(&key) : buf_cstr(&crt));
	else if (path_mkdirs(dir, 0755) == -1)
		rc = fail(err, errlen, "%s: %s", dir, strerror(errno));
	else
		rc = create_pair(
		    buf_cstr(&crt), buf_cstr(&key), host, err, errlen);
	buf_free(&crt);
	buf_free(&key);
	return rc;
}
