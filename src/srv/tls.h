/*
 * tls: OpenSSL contexts for the Gemini listener.
 *
 * One SSL_CTX per virtual host; the SNI callback moves a handshake to the
 * context of the name the client asked for and keeps the default one for
 * a missing or unknown name (a handshake is never refused over SNI).
 */
#ifndef CANYON_TLS_H
#define CANYON_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

/* The table the SNI callback searches; borrowed, outlives the contexts. */
struct tls_sni {
	SSL_CTX **ctx; /* ctx[0] is the default host's */
	const char *const *names; /* lower case, no trailing dot */
	size_t n;
};

/* A server context: TLS 1.2 and 1.3, the certificate chain and key from
 * PEM files (the chain sent as the file has it, never completed from a
 * certificate store), client certificates asked for and never verified, no
 * early data, one session ticket. NULL with err filled on failure. Once a
 * connection's handshake no longer needs the server's bytes, its TCP socket is
 * corked (TCP_CORK): what is written after is held until a full segment, the
 * close or a half-close, which the caller must therefore do after its last
 * write. */
SSL_CTX *tls_ctx_new(
    const char *cert, const char *key, char *err, size_t errlen);

/* Install the SNI callback on ctx. */
void tls_ctx_set_sni(SSL_CTX *ctx, const struct tls_sni *sni);

/* How many bytes of a client's first flight the server should hold before
 * any TLS work, given its first n bytes p[0..n): the whole first record (a
 * 5-byte header and the length it announces) when p starts a handshake
 * record; until then OpenSSL could only ask for more, at the cost of a
 * read for every byte a slow client sends. 5 while the header is not all
 * there; n (at least 1) when p cannot start a TLS record, or announces
 * one longer than TLS allows (OpenSSL refuses it at once). */
size_t tls_first_record_need(const unsigned char *p, size_t n);

/* The SHA-256 fingerprint of the client's certificate, false if none. */
bool tls_peer_fingerprint(SSL *ssl, unsigned char fp[32]);

#endif
