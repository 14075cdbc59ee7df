/*
 * tlsfloor: the least a Gemini server on OpenSSL can do, as a reference
 * for the benchmark. One thread, one epoll loop, OpenSSL driven directly
 * (read-ahead on, so a flight costs one read()), the same TLS settings as
 * canyon (ECDSA certificate, one session ticket, a client certificate asked
 * for and not checked, AES-128-GCM-SHA256 first), and one fixed reply for every
 * request: a header and the given file, written in one SSL_write(), then
 * close_notify and close. No routing, no logging, no limits: what it spends per
 * request is what OpenSSL and the kernel cost, the floor under any server built
 * on them.
 *
 *   tlsfloor CERT KEY PORT FILE     listens on 127.0.0.1:PORT only
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "path.h"

enum state { S_HANDSHAKE, S_REQUEST, S_REPLY };

struct client {
	int fd;
	SSL *ssl;
	enum state state;
	size_t got; /* request bytes so far */
	size_t sent;
	char line[1100];
};

static struct buf reply;

static int
accept_any(int ok, X509_STORE_CTX *store)
{
	(void)ok, (void)store;
	return 1;
}

static void
finish(struct client *c)
{
	if (SSL_is_init_finished(c->ssl))
		SSL_shutdown(c->ssl);
	SSL_free(c->ssl);
	close(c->fd);
	free(c);
}

/* Advance a connection as far as it goes; false when it is finished. */
static bool
step(struct client *c, int epfd)
{
	struct epoll_event ev;
	int r, e = SSL_ERROR_NONE;

	if (c->state == S_HANDSHAKE) {
		if ((r = SSL_accept(c->ssl)) != 1)
			e = SSL_get_error(c->ssl, r);
		else
			c->state = S_REQUEST;
	}
	while (c->state == S_REQUEST && e == SSL_ERROR_NONE) {
		if ((r = SSL_read(c->ssl, c->line + c->got,
			 (int)(sizeof(c->line) - c->got))) <= 0) {
			e = SSL_get_error(c->ssl, r);
			break;
		}
		c->got += (size_t)r;
		if (memchr(c->line, '\n', c->got) != NULL ||
		    c->got == sizeof(c->line))
			c->state = S_REPLY;
	}
	while (c->state == S_REPLY && e == SSL_ERROR_NONE) {
		if ((r = SSL_write(c->ssl, reply.data + c->sent,
			 (int)(reply.len - c->sent))) <= 0) {
			e = SSL_get_error(c->ssl, r);
			break;
		}
		if ((c->sent += (size_t)r) == reply.len)
			return false;
	}
	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
		return false;
	ev.events = e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
	ev.data.ptr = c;
	return epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	struct epoll_event ev, evs[64];
	SSL_CTX *ctx;
	char *body;
	size_t len;
	long port;
	int lfd, epfd, one = 1, n, i;

	if (argc != 5 || (port = strtol(argv[3], NULL, 10)) <= 0 ||
	    port > 65535) {
		fprintf(stderr, "usage: tlsfloor CERT KEY PORT FILE\n");
		return 2;
	}
	if ((body = path_read_file(argv[4], 64u << 20, &len)) == NULL) {
		fprintf(stderr, "tlsfloor: %s: %s\n", argv[4], strerror(errno));
		return 1;
	}
	buf_puts(&reply, "20 text/gemini\r\n");
	buf_append(&reply, body, len);
	free(body);
	signal(SIGPIPE, SIG_IGN);
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL ||
	    SSL_CTX_use_certificate_chain_file(ctx, argv[1]) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, argv[2], SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(
	    ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, accept_any);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"floor", 5);
	SSL_CTX_set_num_tickets(ctx, 1);
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	/* canyon's cipher order (src/srv/tls.c): AES-128-GCM-SHA256 first */
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_set_ciphersuites(ctx,
		"TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:"
		"TLS_AES_256_GCM_SHA384") != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd == -1 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
		-1 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 4096) == -1) {
		perror("tlsfloor: listen");
		return 1;
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		if ((n = epoll_wait(epfd, evs, 64, -1)) == -1 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			struct client *c = evs[i].data.ptr;
			int fd;

			if (c != NULL) {
				if (!step(c, epfd))
					finish(c);
				continue;
			}
			while ((fd = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
				c = xcalloc(1, sizeof(*c));
				c->fd = fd;
				c->ssl = SSL_new(ctx);
				SSL_set_fd(c->ssl, fd);
				ev.events = EPOLLIN;
				ev.data.ptr = c;
				epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
				if (!step(c, epfd))
					finish(c);
			}
		}
	}
	return 1;
}
