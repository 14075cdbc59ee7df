/*
 * client_gemini: one Gemini request over TLS.
 *
 * Gemini servers use self-signed certificates, so there is no CA check.
 * Unless told otherwise (-k) the certificate must still name the host and
 * be within its dates: that is what a TOFU client checks on first contact.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "client.h"
#include "url.h"

#define GEMINI_PORT "1965"

/* Append OpenSSL's last queued error (or "no detail") to err. */
static int
tls_fail(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char detail[256];

	if (e != 0)
		ERR_error_string_n(e, detail, sizeof(detail));
	else
		snprintf(detail, sizeof(detail), "%s",
		    errno != 0 ? strerror(errno) : "connection closed");
	snprintf(err, errlen, "%s: %s", what, detail);
	ERR_clear_error();
	return -1;
}

static bool
is_ip_literal(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1;
}

static SSL_CTX *
make_ctx(const struct client_opts *o, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		tls_fail(err, errlen, "TLS setup");
		return NULL;
	}
	if (o->tls_version != 0) {
		/* Old versions are only offered to check that the server
		 * refuses them; OpenSSL 3 allows them at level 0 only. */
		if (o->tls_version < TLS1_2_VERSION)
			SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_min_proto_version(ctx, o->tls_version);
		SSL_CTX_set_max_proto_version(ctx, o->tls_version);
	} else {
		SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	}
	if (o->cert_file != NULL &&
	    (SSL_CTX_use_certificate_chain_file(ctx, o->cert_file) != 1 ||
		SSL_CTX_use_PrivateKey_file(
		    ctx, o->key_file, SSL_FILETYPE_PEM) != 1)) {
		tls_fail(err, errlen, o->cert_file);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static void
describe_peer(SSL *ssl, X509 *peer, struct buf *info)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen, i;
	char *subject;

	buf_printf(info, "protocol: %s %s\n", SSL_get_version(ssl),
	    SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)));
	if (peer == NULL)
		return;
	subject = X509_NAME_oneline(X509_get_subject_name(peer), NULL, 0);
	if (subject != NULL)
		buf_printf(info, "subject: %s\n", subject);
	OPENSSL_free(subject);
	if (X509_digest(peer, EVP_sha256(), md, &mdlen) == 1) {
		buf_puts(info, "sha256:");
		for (i = 0; i < mdlen; i++)
			buf_printf(info, "%s%02X", i ? ":" : " ", md[i]);
		buf_putc(info, '\n');
	}
}

static int
check_peer(X509 *peer, const char *host, char *err, size_t errlen)
{
	int named;

	if (peer == NULL) {
		snprintf(err, errlen, "the server sent no certificate");
		return -1;
	}
	named = is_ip_literal(host) ? X509_check_ip_asc(peer, host, 0)
				    : X509_check_host(peer, host, 0, 0, NULL);
	if (named != 1) {
		snprintf(err, errlen,
		    "the certificate does not name %s "
		    "(-k skips this check)",
		    host);
		return -1;
	}
	if (X509_cmp_current_time(X509_get0_notBefore(peer)) > 0 ||
	    X509_cmp_current_time(X509_get0_notAfter(peer)) < 0) {
		snprintf(err, errlen,
		    "the certificate of %s is outside its dates "
		    "(-k skips this check)",
		    host);
		return -1;
	}
	return 0;
}

static int
send_all(SSL *ssl, const char *p, size_t n, char *err, size_t errlen)
{
	size_t done;

	while (n > 0) {
		if (SSL_write_ex(ssl, p, n, &done) != 1)
			return tls_fail(err, errlen, "sending the request");
		p += done;
		n -= done;
	}
	return 0;
}

static int
timed_out(char *err, size_t errlen)
{
	snprintf(err, errlen, "timed out waiting for the server");
	return -1;
}

/* Copy the response to out until the server ends the connection. Returns 0
 * at close_notify or a bare EOF, -1 on reset, timeout or TLS error. */
static int
receive(SSL *ssl, FILE *out, struct client_report *rep, bool *header_done,
    char *err, size_t errlen)
{
	char chunk[16384], prev = '\0';
	size_t n, i;

	for (;;) {
		errno = 0;
		if (SSL_read_ex(ssl, chunk, sizeof(chunk), &n) == 1) {
			for (i = 0; i < n && !*header_done; i++) {
				*header_done = prev == '\r' && chunk[i] == '\n';
				prev = chunk[i];
			}
			if (fwrite(chunk, 1, n, out) != n) {
				snprintf(err, errlen,
				    "writing the response: %s",
				    strerror(errno));
				return -1;
			}
			rep->received += n;
			continue;
		}
		switch (SSL_get_error(ssl, 0)) {
		case SSL_ERROR_ZERO_RETURN:
			rep->close_notify = true;
			return 0;
		case SSL_ERROR_SSL:
			if (ERR_GET_REASON(ERR_peek_last_error()) ==
			    SSL_R_UNEXPECTED_EOF_WHILE_READING) {
				ERR_clear_error();
				return 0; /* a bare FIN: the report says so */
			}
			return tls_fail(err, errlen, "reading the response");
		case SSL_ERROR_WANT_READ: /* SO_RCVTIMEO expired */
		case SSL_ERROR_WANT_WRITE:
			return timed_out(err, errlen);
		case SSL_ERROR_SYSCALL:
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return timed_out(err, errlen);
			return tls_fail(err, errlen, "reading the response");
		default:
			return tls_fail(err, errlen, "reading the response");
		}
	}
}

static int
fetch(SSL *ssl, const char *host, const struct client_opts *o,
    const struct buf *request, FILE *out, struct client_report *rep, char *err,
    size_t errlen)
{
	const char *sni = o->servername;
	bool header_done = false;
	X509 *peer;
	int rc;

	if (sni == NULL)
		sni = is_ip_literal(host) ? "" : host;
	if (*sni != '\0' && SSL_set_tlsext_host_name(ssl, sni) != 1)
		return tls_fail(err, errlen, "setting the server name");
	if (SSL_connect(ssl) != 1)
		return tls_fail(err, errlen, "TLS handshake");
	rep->tls_done = true;
	peer = SSL_get1_peer_certificate(ssl);
	describe_peer(ssl, peer, &rep->tls_info);
	rc = o->insecure ? 0 : check_peer(peer, host, err, errlen);
	X509_free(peer);
	if (rc == -1)
		return -1;
	if (send_all(ssl, request->data, request->len, err, errlen) == -1)
		return -1;
	if (receive(ssl, out, rep, &header_done, err, errlen) == -1)
		return -1;
	/* Answer the server's close_notify; it may be gone already. */
	if (rep->close_notify)
		SSL_shutdown(ssl);
	if (!header_done) {
		snprintf(err, errlen, "%s",
		    rep->received == 0
			? "the server closed without a response"
			: "the response has no complete header line");
		return -1;
	}
	return 0;
}

int
client_gemini(const char *url, const struct client_opts *o, FILE *out,
    struct client_report *rep, char *err, size_t errlen)
{
	struct url u;
	char *host, *port;
	struct buf request = BUF_INIT;
	SSL_CTX *ctx;
	SSL *ssl = NULL;
	int fd, rc = -1;

	if (client_parse_url(url, "gemini", GEMINI_PORT, &u, &host, &port, err,
		errlen) == -1)
		return -1;
	if (o->request != NULL)
		buf_append(&request, o->request, o->request_len);
	else
		buf_printf(&request, "%s\r\n", url);
	if ((ctx = make_ctx(o, err, errlen)) == NULL)
		goto out;
	fd = client_connect(o, host, port, err, errlen);
	if (fd == -1)
		goto out;
	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1) {
		tls_fail(err, errlen, "TLS setup");
		close(fd);
		goto out;
	}
	rc = fetch(ssl, host, o, &request, out, rep, err, errlen);
	close(fd);
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	buf_free(&request);
	free(host);
	free(port);
	return rc;
}
