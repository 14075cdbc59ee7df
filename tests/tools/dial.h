/*
 * dial: the TCP connection the test tools open to the server under test.
 *
 * Each tool needs its own socket options set before connect (a small
 * receive buffer so that a reply stays in the server, one segment per
 * write, a chosen local address): they are the fields of struct dial_opts.
 */
#ifndef CANYON_TOOLS_DIAL_H
#define CANYON_TOOLS_DIAL_H

#include <stdbool.h>

struct dial_opts {
	int rcvbuf; /* SO_RCVBUF in bytes; 0 leaves the system's */
	bool nodelay; /* TCP_NODELAY: each write its own segment */
	const char *bind_ipv4; /* local IPv4 address to bind (127.x.y.z: another
				  client); NULL binds none. When set, only the
				  host's IPv4 addresses are tried. */
};

/* Connect to host:port, trying each address getaddrinfo gives in turn,
 * with opts (NULL: none). Returns the connected socket, which the caller
 * closes, or -1 when no address could be connected. */
int dial(const char *host, const char *port, const struct dial_opts *opts);

#endif
