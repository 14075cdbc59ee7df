/*
 * ticket: TLS session-ticket keys read from a file, so that several canyon
 * instances behind a load balancer encrypt tickets with the same keys and a
 * session started on one resumes on any other.
 *
 * The file holds one or more keys of TICKET_KEY_SIZE random bytes each
 * (head -c 80 /dev/urandom > ticket.key): a 16-byte name, a 32-byte
 * AES-256-CBC key and a 32-byte HMAC-SHA256 key. The first key encrypts
 * new tickets; every key decrypts. To rotate, put a new key first, keep
 * the previous one after it for a ticket lifetime, and reload: a ticket
 * under an older key is accepted and replaced by one under the first.
 */
#ifndef CANYON_TICKET_H
#define CANYON_TICKET_H

#include <stddef.h>

#include <openssl/ssl.h>

#define TICKET_KEY_SIZE 80
#define TICKET_MAX_KEYS 16

struct ticket_keys;

/*
 * Read the keys of file. The file must be a whole number of keys (1 to
 * TICKET_MAX_KEYS) and neither readable nor writable by others nor
 * writable by its group: whoever reads it can decrypt recorded sessions.
 * Returns the keys, which the caller frees with ticket_keys_free(), or
 * NULL with err set to "FILE: message".
 */
struct ticket_keys *ticket_keys_load(
    const char *file, char *err, size_t errlen);
/* Wipe and free; NULL is allowed. */
void ticket_keys_free(struct ticket_keys *keys);
/* The number of keys. */
size_t ticket_keys_count(const struct ticket_keys *keys);

/*
 * Make ctx issue and accept session tickets with keys instead of OpenSSL's
 * per-process random key. ctx keeps its own copy (wiped when ctx is
 * freed), so keys may be freed right after. With SNI, call it on every
 * SSL_CTX a connection may be switched to. Returns 0, or -1 with err set.
 */
int ticket_keys_use(
    SSL_CTX *ctx, const struct ticket_keys *keys, char *err, size_t errlen);

#endif
