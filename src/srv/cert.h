/*
 * cert: certificates for the Gemini virtual hosts.
 */
#ifndef CANYON_CERT_H
#define CANYON_CERT_H

#include <stddef.h>

/*
 * Make sure dir/HOST.crt and dir/HOST.key exist. When neither does, create
 * a self-signed ECDSA P-256 certificate for host (CN and subjectAltName,
 * long validity) with the key written mode 0600. An existing pair is never
 * replaced (clients pin it). A key readable by group or others is refused.
 * Returns 0, or -1 with a message in err.
 */
int cert_ensure(const char *dir, const char *host, char *err, size_t errlen);

/* Refuse a private key file that is not a regular file or that group or
 * others may access. Returns 0, or -1 with a message (and the chmod that
 * fixes it) in err. */
int cert_check_key(const char *key, char *err, size_t errlen);

#endif
