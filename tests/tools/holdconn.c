/*
 * holdconn: hold TCP connections open without reading from them.
 *
 *   holdconn [-n COUNT] [-u | -H] [-b ADDR] HOST PORT SECONDS [LINE]
 *
 * Opens COUNT (default 1) connections, sends LINE + CRLF on each when
 * given (with -u, LINE alone: a request left unfinished), then reads nothing
 * (small receive buffer) so that a reply stays stuck in the server, for
 * SECONDS. Prints "held N" once they are all set up, then "closed K" with K the
 * connections the server closed meanwhile, and "after S" the seconds the last
 * of those took. -b binds the connections to the local IPv4 address ADDR
 * (127.x.y.z: another client, for the server's per-address limits). -H
 * sends a TLS ClientHello (OpenSSL's) instead of a line, then the end of
 * the stream with it, in one segment: a client that asked for a handshake
 * and left at once; "answered A" then says on how many of them the server
 * sent something back before closing. Exit 1 when a connection cannot be
 * made.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "dial.h"

/* Send a ClientHello and the end of the stream on fd, corked so that
 * both leave in one segment. -1 on failure. */
static int
hello_and_leave(int fd)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = ctx ? SSL_new(ctx) : NULL;
	BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	char *hello;
	long len;
	int on = 1, r = -1;

	if (ssl && rb && wb) {
		SSL_set_bio(ssl, rb, wb); /* ssl owns both from here */
		rb = wb = NULL;
		SSL_set_tlsext_host_name(ssl, "localhost");
		(void)SSL_connect(ssl); /* wants the server's reply */
		len = BIO_get_mem_data(SSL_get_wbio(ssl), &hello);
		if (len > 0 &&
		    setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on)) ==
			0 &&
		    write(fd, hello, (size_t)len) == len &&
		    shutdown(fd, SHUT_WR) == 0)
			r = 0;
	}
	BIO_free(rb);
	BIO_free(wb);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return r;
}

int
main(int argc, char **argv)
{
	/* a small receive buffer: the server's reply stays stuck in it */
	struct dial_opts opts = {.rcvbuf = 4096};
	struct pollfd *p;
	int n = 1, i = 1, k, secs, closed = 0, answered = 0, unread;
	bool unfinished = false, hello = false;
	time_t start, end, last = 0;

	if (argc > 3 && strcmp(argv[1], "-n") == 0) {
		n = atoi(argv[2]);
		i = 3;
	}
	if (argc > i && strcmp(argv[i], "-u") == 0) {
		unfinished = true;
		i++;
	} else if (argc > i && strcmp(argv[i], "-H") == 0) {
		hello = true;
		i++;
	}
	if (argc > i + 1 && strcmp(argv[i], "-b") == 0) {
		opts.bind_ipv4 = argv[i + 1];
		i += 2;
	}
	if (argc - i < 3 || argc - i > 4 || n < 1 ||
	    (unfinished && argc - i != 4) || (hello && argc - i != 3)) {
		fprintf(stderr,
		    "usage: holdconn [-n COUNT] [-u | -H] [-b ADDR] HOST PORT "
		    "SECONDS [LINE]\n");
		return 2;
	}
	secs = atoi(argv[i + 2]);
	p = calloc((size_t)n, sizeof(*p));
	for (k = 0; k < n; k++) {
		if ((p[k].fd = dial(argv[i], argv[i + 1], &opts)) < 0) {
			fprintf(stderr, "holdconn: cannot connect\n");
			return 1;
		}
		if (argc - i == 4 &&
		    (write(p[k].fd, argv[i + 3], strlen(argv[i + 3])) < 0 ||
			(!unfinished && write(p[k].fd, "\r\n", 2) < 0))) {
			fprintf(stderr, "holdconn: cannot send\n");
			return 1;
		}
		if (hello && hello_and_leave(p[k].fd) == -1) {
			fprintf(
			    stderr, "holdconn: cannot send a ClientHello\n");
			return 1;
		}
		/* Only a hang-up is watched: the data is left unread. */
		p[k].events = POLLRDHUP;
	}
	printf("held %d\n", n);
	fflush(stdout);
	start = time(NULL);
	end = start + secs;
	while (time(NULL) < end && closed < n) {
		if (poll(p, (nfds_t)n, 200) < 0)
			break;
		for (k = 0; k < n; k++)
			if (p[k].fd >= 0 &&
			    (p[k].revents & (POLLRDHUP | POLLHUP | POLLERR))) {
				closed++;
				last = time(NULL) - start;
				if (ioctl(p[k].fd, FIONREAD, &unread) == 0 &&
				    unread > 0)
					answered++;
				/* Negative: poll() ignores it from now on. */
				p[k].fd = -p[k].fd - 1;
			}
	}
	printf("closed %d\nafter %ld\n", closed, (long)last);
	if (hello)
		printf("answered %d\n", answered);
	free(p);
	return 0;
}
