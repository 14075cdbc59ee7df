/*
 * proxyread: take a PROXY protocol header off a new connection's socket
 * without reading a byte past it, so that what follows (a TLS ClientHello,
 * a Gopher selector) is left on the socket for the usual reader.
 */
#ifndef CANYON_PROXYREAD_H
#define CANYON_PROXYREAD_H

#include <stddef.h>

#include "proxyproto.h"

/* The header bytes taken so far. Zero it before the first call. */
struct proxy_reader {
	size_t have;
	unsigned char buf[PROXY_HEADER_MAX];
};

/*
 * Read from the non-blocking socket fd what has arrived of the header.
 * PROXY_DONE: hdr is filled in and the socket is positioned right after
 * the header. PROXY_NEED_MORE: wait until fd is readable and call again.
 * PROXY_BAD: not a valid header, or the peer closed or failed first.
 */
enum proxy_status proxy_read(
    int fd, struct proxy_reader *r, struct proxy_header *hdr);

#endif
