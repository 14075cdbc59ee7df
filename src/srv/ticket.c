#include "ticket.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "buf.h"

#define NAME_SIZE 16
#define AES_SIZE 32
#define HMAC_SIZE 32

struct ticket_key {
	unsigned char name[NAME_SIZE];
	unsigned char aes[AES_SIZE];
	unsigned char hmac[HMAC_SIZE];
};

_Static_assert(sizeof(struct ticket_key) == TICKET_KEY_SIZE,
    "a key is the file's 80 bytes, without padding");

struct ticket_keys {
	size_t n;
	struct ticket_key key[TICKET_MAX_KEYS];
};

static int ctx_index = -1;
static pthread_once_t ctx_index_once = PTHREAD_ONCE_INIT;

static void
keys_wipe_free(struct ticket_keys *keys)
{
	if (keys == NULL)
		return;
	OPENSSL_cleanse(keys, sizeof(*keys));
	free(keys);
}

/* Frees the copy a SSL_CTX holds, when the SSL_CTX goes. */
static void
ctx_keys_free(
    void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	keys_wipe_free(ptr);
}

static void
ctx_index_init(void)
{
	ctx_index =
	    SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, ctx_keys_free);
}

struct ticket_keys *
ticket_keys_load(const char *file, char *err, size_t errlen)
{
	unsigned char data[TICKET_KEY_SIZE * TICKET_MAX_KEYS + 1];
	struct ticket_keys *keys = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", file);
		goto out;
	}
	if (st.st_mode & (S_IRWXO | S_IWGRP)) {
		snprintf(err, errlen,
		    "%s: mode %03o: readable or writable by others "
		    "(chmod 600 or 640)",
		    file, (unsigned)(st.st_mode & 0777));
		goto out;
	}
	while (len < sizeof(data) &&
	    (n = read(fd, data + len, sizeof(data) - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", file, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if (len == 0 || len % TICKET_KEY_SIZE != 0 || len == sizeof(data)) {
		snprintf(err, errlen,
		    "%s: %zu bytes: must be 1 to %d keys of %d random bytes",
		    file, len, TICKET_MAX_KEYS, TICKET_KEY_SIZE);
		goto out;
	}
	keys = xcalloc(1, sizeof(*keys));
	keys->n = len / TICKET_KEY_SIZE;
	memcpy(keys->key, data, len);
out:
	OPENSSL_cleanse(data, sizeof(data));
	close(fd);
	return keys;
}

void
ticket_keys_free(struct ticket_keys *keys)
{
	keys_wipe_free(keys);
}

size_t
ticket_keys_count(const struct ticket_keys *keys)
{
	return keys->n;
}

/* Not const: OSSL_PARAM takes a char *, and only reads it. */
static char hmac_digest[] = "SHA256";

static int
set_hmac_key(EVP_MAC_CTX *hctx, const struct ticket_key *k)
{
	OSSL_PARAM params[3];

	params[0] = OSSL_PARAM_construct_octet_string(
	    OSSL_MAC_PARAM_KEY, (void *)(uintptr_t)k->hmac, HMAC_SIZE);
	params[1] = OSSL_PARAM_construct_utf8_string(
	    OSSL_MAC_PARAM_DIGEST, hmac_digest, 0);
	params[2] = OSSL_PARAM_construct_end();
	return EVP_MAC_CTX_set_params(hctx, params);
}

/*
 * OpenSSL's ticket callback. Encrypting (enc = 1): name the first key and
 * set up its ciphers. Decrypting: find the key by name; 0 when none has
 * it (the client then gets a full handshake and a new ticket), 2 when it
 * is not the first key (the session resumes and the ticket is renewed).
 */
static int
ticket_cb(SSL *ssl, unsigned char *name, unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	const struct ticket_keys *keys;
	const struct ticket_key *k;
	size_t i;

	keys = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_index);
	if (keys == NULL)
		return enc ? -1 : 0;
	if (enc) {
		k = &keys->key[0];
		memcpy(name, k->name, NAME_SIZE);
		if (RAND_bytes(
			iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1 ||
		    EVP_EncryptInit_ex(
			cctx, EVP_aes_256_cbc(), NULL, k->aes, iv) != 1 ||
		    set_hmac_key(hctx, k) != 1)
			return -1;
		return 1;
	}
	for (i = 0; i < keys->n; i++)
		if (memcmp(name, keys->key[i].name, NAME_SIZE) == 0)
			break;
	if (i == keys->n)
		return 0;
	k = &keys->key[i];
	if (set_hmac_key(hctx, k) != 1 ||
	    EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes, iv) != 1)
		return -1;
	return i == 0 ? 1 : 2;
}

int
ticket_keys_use(
    SSL_CTX *ctx, const struct ticket_keys *keys, char *err, size_t errlen)
{
	struct ticket_keys *copy;

	pthread_once(&ctx_index_once, ctx_index_init);
	if (ctx_index < 0) {
		snprintf(
		    err, errlen, "session tickets: no SSL_CTX ex_data index");
		return -1;
	}
	copy = xmalloc(sizeof(*copy));
	memcpy(copy, keys, sizeof(*copy));
	keys_wipe_free(SSL_CTX_get_ex_data(ctx, ctx_index));
	if (SSL_CTX_set_ex_data(ctx, ctx_index, copy) != 1) {
		keys_wipe_free(copy);
		snprintf(
		    err, errlen, "session tickets: cannot attach the keys");
		return -1;
	}
	if (SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb) != 1) {
		snprintf(
		    err, errlen, "session tickets: cannot set the callback");
		return -1;
	}
	return 0;
}
