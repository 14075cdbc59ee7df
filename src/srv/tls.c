#include "tls.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "cert.h"

/* Self-signed client certificates are the norm in Gemini: identity is the
 * fingerprint, checked by the router, so every certificate is accepted. */
static int
accept_any(int preverify_ok, X509_STORE_CTX *store)
{
	(void)preverify_ok, (void)store;
	return 1;
}

/*
 * Once the handshake needs nothing more from the server, what it writes
 * next (in TLS 1.3 the session ticket, then the reply and close_notify)
 * waits corked in the socket and leaves with the close, whose FIN it
 * shares: one segment, one wakeup of the client, instead of one per
 * record. That is after the client's Finished in TLS 1.3; in TLS 1.2
 * the server's Finished comes last (full handshake) and must leave at
 * once, so there it is once the handshake is done.
 */
static void
cork_after_handshake(const SSL *ssl, int where, int ret)
{
	int one = 1, fd;
	bool tls13 = SSL_version(ssl) == TLS1_3_VERSION;

	(void)ret;
	if (tls13 ? (where & SSL_CB_ACCEPT_LOOP) == 0 ||
		    SSL_get_state(ssl) != TLS_ST_SR_FINISHED
		  : (where & SSL_CB_HANDSHAKE_DONE) == 0)
		return;
	if ((fd = SSL_get_fd(ssl)) >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_CORK, &one, sizeof(one));
}

static void
ssl_error(char *err, size_t errlen, const char *what, const char *file)
{
	unsigned long e = ERR_get_error();
	char msg[256] = "unknown error";

	if (e)
		ERR_error_string_n(e, msg, sizeof(msg));
	ERR_clear_error();
	snprintf(err, errlen, "%s: %s: %s", file, what, msg);
}

SSL_CTX *
tls_ctx_new(const char *cert, const char *key, char *err, size_t errlen)
{
	static const unsigned char sid_ctx[] = "canyon";
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		ssl_error(err, errlen, "cannot create TLS context", cert);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_options(
	    ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* The chain sent is the certificate file's, leaf and intermediates.
	 * When the file holds only the leaf, OpenSSL would otherwise try to
	 * build a chain from the context's (empty) trust store on every
	 * handshake, which can add nothing. */
	SSL_CTX_set_mode(ctx,
	    SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
		SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_NO_AUTO_CHAIN);
	SSL_CTX_set_verify(
	    ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, accept_any);
	SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	SSL_CTX_set_num_tickets(ctx, 1);
	SSL_CTX_set_max_early_data(ctx, 0);
	/* A flight of records costs one read() instead of two per record
	 * (header, then body); conn.c takes a request that arrives with the
	 * client's Finished from OpenSSL's buffer. */
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_info_callback(ctx, cork_after_handshake);
	/* OpenSSL's default order puts AES-256-GCM-SHA384 first, and the
	 * server's order decides: with AES-128-GCM-SHA256 first (Go's
	 * order too) the transcript hash and every HKDF step of the
	 * handshake run on SHA-256, which x86 CPUs do in hardware, where
	 * SHA-384 runs in software. */
	if (SSL_CTX_set_ciphersuites(ctx,
		"TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:"
		"TLS_AES_256_GCM_SHA384") != 1) {
		ssl_error(err, errlen, "cannot set the TLS 1.3 ciphers", cert);
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		ssl_error(err, errlen, "cannot load certificate", cert);
		goto fail;
	}
	if (cert_check_key(key, err, errlen) == -1)
		goto fail;
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		ssl_error(err, errlen, "cannot load key", key);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ssl_error(
		    err, errlen, "key does not match the certificate", key);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static int
on_servername(SSL *ssl, int *alert, void *arg)
{
	const struct tls_sni *sni = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	size_t len, i;

	(void)alert;
	if (name == NULL)
		return SSL_TLSEXT_ERR_OK;
	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	for (i = 0; i < sni->n; i++) {
		if (strlen(sni->names[i]) == len &&
		    strncasecmp(sni->names[i], name, len) == 0) {
			if (i > 0)
				SSL_set_SSL_CTX(ssl, sni->ctx[i]);
			break;
		}
	}
	return SSL_TLSEXT_ERR_OK;
}

void
tls_ctx_set_sni(SSL_CTX *ctx, const struct tls_sni *sni)
{
	SSL_CTX_set_tlsext_servername_callback(ctx, on_servername);
	SSL_CTX_set_tlsext_servername_arg(ctx, (void *)(uintptr_t)sni);
}

bool
tls_peer_fingerprint(SSL *ssl, unsigned char fp[32])
{
	X509 *cert = SSL_get0_peer_certificate(ssl);
	unsigned int n = 32;

	return cert != NULL && X509_digest(cert, EVP_sha256(), fp, &n) == 1 &&
	    n == 32;
}

/* A TLS record: type, version (3, x), length; at most 2^14 bytes of
 * plaintext, and 2,048 more of a ciphertext's expansion (RFC 5246 6.2.3). */
#define RECORD_HEADER 5
#define RECORD_MAX (16384 + 2048)
#define RECORD_HANDSHAKE 22

size_t
tls_first_record_need(const unsigned char *p, size_t n)
{
	size_t len;

	if (n == 0)
		return 1;
	if (p[0] != RECORD_HANDSHAKE || (n >= 2 && p[1] != 3))
		return n;
	if (n < RECORD_HEADER)
		return RECORD_HEADER;
	len = (size_t)p[3] << 8 | p[4];
	return len > RECORD_MAX ? n : RECORD_HEADER + len;
}
