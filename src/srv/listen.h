/*
 * listen: listening sockets from "ADDR:PORT" strings.
 */
#ifndef CANYON_LISTEN_H
#define CANYON_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Parse "127.0.0.1:1965", "[::1]:1965" or "*:1965" (every IPv4 address;
 * "[::]:1965" for IPv6). Returns 0 or -1 with err. */
int listen_parse(const char *spec, struct sockaddr_storage *ss, socklen_t *len,
    char *err, size_t errlen);

/* A non-blocking listening socket with SO_REUSEPORT, so that every event
 * loop can have its own socket on the same address. A port of 0 binds a
 * free port. Unless join is set (the other loops' sockets after the
 * first), an address some other process listens on is refused with
 * EADDRINUSE. Returns the fd, or -1 with errno set. */
int listen_socket(const struct sockaddr *sa, socklen_t len, bool join);

/*
 * Make the kernel hand every connection from one client address (IPv4
 * address, or IPv6 /64) to the same socket of fd's SO_REUSEPORT group,
 * rather than spreading them by address and port: fd's group has n
 * sockets, listening in order (the first listen()ed is index 0), and
 * family is their address family. Per-address state then lives in one
 * event loop. Returns 0, or -1 with errno (no classic BPF for reuseport
 * groups on this kernel: connections are then spread by address and port).
 */
int listen_steer_by_address(int fd, int family, unsigned n);

/*
 * Drop, in the kernel, every packet that reaches the listening socket fd
 * from one of keys[0..n) (16 bytes each: an IPv4 address mapped as
 * ::ffff:a.b.c.d, or an IPv6 /64 in the first 8 bytes), before it is
 * accepted: a client's SYN goes unanswered (TCP tries it again later), at
 * no cost to the event loop. The filter replaces the previous one; n 0
 * removes it. Connections accepted before keep the filter they were
 * accepted under, which let them in. Returns 0, or -1 with errno.
 */
int listen_drop_from(int fd, const uint8_t (*keys)[16], size_t n);
/* How many keys listen_drop_from() takes at most. */
#define LISTEN_DROP_MAX 256

/* Have the sockets fd accepts start corked (TCP_CORK is inherited), for a
 * protocol whose server writes one reply and closes: the close, or a
 * half-close, sends what is held, so the reply's last bytes and the FIN
 * leave in one segment, one wakeup of the client instead of two. Returns
 * 0, or -1 with errno. */
int listen_cork_replies(int fd);

/* How many connections wait in listening socket fd's accept queue (with
 * TCP_DEFER_ACCEPT, only those whose first bytes are there), or -1. */
int listen_queued(int fd);

/* The port fd is bound to, or -1. */
int listen_port(int fd);

/* Replace the port in sa. */
void listen_set_port(struct sockaddr *sa, int port);

#endif
