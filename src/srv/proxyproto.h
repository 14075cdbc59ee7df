/*
 * proxyproto: the PROXY protocol header (versions 1 and 2) that a load
 * balancer such as HAProxy sends first on a TCP connection, so the server
 * learns the real client's address instead of the balancer's.
 *
 * Pure parsing: the caller hands over the bytes received so far and gets
 * back whether the header is complete, needs more bytes or is invalid.
 * Reference: HAProxy's "The PROXY protocol" specification, versions 1 and 2.
 */
#ifndef CANYON_PROXYPROTO_H
#define CANYON_PROXYPROTO_H

#include <stddef.h>
#include <sys/socket.h>

/* Version 1 headers are at most 107 bytes, CRLF included. */
#define PROXY_V1_MAX 107
/* Version 2: 16 fixed bytes, then at most this many bytes of addresses and
 * TLVs. The specification allows up to 65535; a balancer sends the
 * addresses plus a few TLVs, so anything longer is refused as abuse. */
#define PROXY_V2_MAX_PAYLOAD 1024
/* The most bytes a header accepted by proxy_parse() can take. */
#define PROXY_HEADER_MAX (16 + PROXY_V2_MAX_PAYLOAD)

enum proxy_status {
	PROXY_NEED_MORE, /* a valid beginning: every byte given is header */
	PROXY_DONE, /* a whole header: see struct proxy_header */
	PROXY_BAD, /* not a PROXY header, or a malformed one */
};

struct proxy_header {
	size_t consumed; /* header length: the client's data starts after it */
	int version; /* 1 or 2 */
	/*
	 * AF_INET or AF_INET6 when the header carries the client's address
	 * in src; AF_UNSPEC when it does not (v1 UNKNOWN, v2 LOCAL such as a
	 * balancer's health check, or an address family other than IP): the
	 * connection's own peer address then stands.
	 */
	int family;
	struct sockaddr_storage src; /* client address and port */
	struct sockaddr_storage dst; /* address and port the client reached */
};

/*
 * Parse the start of a connection's byte stream, buf[0..len). On
 * PROXY_DONE, hdr is filled in; otherwise hdr is left undefined. On
 * PROXY_NEED_MORE all len bytes belong to the header, so the caller may
 * consume them from the socket before waiting for more; a header that
 * cannot be complete within PROXY_HEADER_MAX bytes is PROXY_BAD.
 */
enum proxy_status proxy_parse(
    const void *buf, size_t len, struct proxy_header *hdr);

#endif
