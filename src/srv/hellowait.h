/*
 * hellowait: a new TLS connection waits in the kernel, not in the event
 * loop, until the first record its client sends (the ClientHello, or its
 * first fragment) is all there.
 *
 * Handed to OpenSSL at once, a client that sends its ClientHello a byte at
 * a time costs the loop a wakeup, a read and a handshake step per byte; a
 * thousand such clients, their bytes arriving together, hold the loop for
 * tens of milliseconds each time. The socket's SO_RCVLOWAT makes the
 * kernel report it readable only once the bytes asked for are there (or
 * the client has left): first the bytes of the shortest ClientHello
 * (TLS_HELLO_MIN), which hold the record header, then the whole record it
 * announces. A real client's ClientHello is most often
 * there already when the connection is accepted (listen.c defers the
 * accept until the first bytes), and then nothing waits.
 *
 * tls_first_record() is pure; hello_wait() works on the socket (peeks,
 * never takes a byte off it).
 */
#ifndef CANYON_HELLOWAIT_H
#define CANYON_HELLOWAIT_H

#include <stdbool.h>
#include <stddef.h>

/* A record header, and the longest record a ClientHello may come in
 * (RFC 8446, 5.1: a plaintext fragment is at most 2^14 bytes). */
#define TLS_RECORD_HEADER 5
#define TLS_RECORD_MAX (TLS_RECORD_HEADER + 16384)

/* The fewest bytes a client sends before it waits for the server: the
 * shortest ClientHello, in one record or in several (a record header, a
 * handshake header, version, random, an empty session id, one cipher
 * suite, one compression method, no extensions: 5 + 4 + 2 + 32 + 1 + 4 +
 * 2). Waiting for these rather than for the header alone spares a client
 * that trickles its ClientHello the wakeup at its fifth byte. */
#define TLS_HELLO_MIN 50

enum tls_first {
	TLS_FIRST_COMPLETE, /* the first record is all in p */
	TLS_FIRST_PARTIAL, /* the start of one: *need bytes make it whole */
	/* Not the start of a TLS handshake record of a length a ClientHello
	 * may come in (1 to 2^14 bytes): nothing to wait for, OpenSSL gets
	 * it at once and refuses it as it does. */
	TLS_FIRST_OTHER,
};

/* Of the first bytes p[0..n) a client sent: is its first record whole?
 * With TLS_FIRST_PARTIAL, *need is the length of the bytes to wait for
 * (TLS_HELLO_MIN while the header is not all there, then the whole
 * record). */
enum tls_first tls_first_record(const unsigned char *p, size_t n, size_t *need);

enum hello_wait {
	HELLO_READY, /* hand the connection to OpenSSL now */
	HELLO_WAIT, /* wait until fd is readable, then call again */
	HELLO_GONE, /* the client left before its first record was whole */
};

/*
 * fd: a non-blocking TCP socket; woken: called because the socket became
 * readable after HELLO_WAIT (false on the first call). HELLO_WAIT sets the
 * socket's receive low-water mark so that it turns readable once the
 * bytes waited for are there; HELLO_READY puts it back to 1 (TLS then
 * reads as usual). When the kernel wakes the socket before that, with the
 * client still there (a kernel that does not hold bytes back for
 * SO_RCVLOWAT, memory pressure), waiting gains nothing: HELLO_READY.
 */
enum hello_wait hello_wait(int fd, bool woken);

#endif
