/*
 * trickle: slow clients, to show that they cannot hold a server.
 *
 *   trickle [-n CONNS] [-t SECONDS] [-s SRC/N] [--tls HOST | --gopher] ADDR
 * PORT
 *
 * Opens CONNS connections to a loopback address and, once a second, sends
 * each of them one more byte of a request it never finishes:
 *   default   a TLS record header announcing a ClientHello that never
 *             comes (a stalled handshake);
 *   --tls H   a completed TLS handshake (SNI H), then the request line
 *             "gemini://H/" one byte a second, never the CRLF (the
 *             handshakes all go on at once);
 *   --gopher  a selector one byte a second, never the newline.
 * With -s the connections come from N loopback IPv4 addresses starting at
 * SRC in turn, so that per-address caps do not stop them before timeouts
 * can. It stops when the server has closed every connection or after SECONDS
 * (default 60), and prints one line:
 *   opened N closed_by_server M still_open K lifetime_s min MIN median MED max
 *   MAX opening_s T
 * (T: the seconds until every handshake had ended, or -1 when one never
 * did; a close is seen meanwhile too).
 * Exit status 0 when it ran (whatever the server did), 1 on a setup error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

enum mode { MODE_HANDSHAKE, MODE_TLS, MODE_GOPHER };

struct slow {
	int fd;
	SSL *ssl;
	bool handshaking; /* its TLS handshake is not done yet */
	size_t sent;
	double opened, closed; /* closed 0 while open */
};

/* The connections and what is known of them. */
struct crowd {
	int ep; /* epoll instance watching every open connection */
	struct slow *c;
	int closed; /* closed by the server */
	int handshaking; /* TLS handshakes still going on */
	double all_open; /* when the last handshake ended (0 until then) */
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
connect_to(const struct sockaddr_storage *ss, socklen_t len,
    const struct sockaddr_in *src)
{
	int fd = socket(ss->ss_family, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if ((src && bind(fd, (const struct sockaddr *)src, sizeof(*src)) < 0) ||
	    connect(fd, (const struct sockaddr *)ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
closed_now(struct crowd *cr, struct slow *s)
{
	s->closed = now_s();
	cr->closed++;
	epoll_ctl(cr->ep, EPOLL_CTL_DEL, s->fd, NULL);
}

/* Takes the TLS handshake of cr->c[i] a step further, then watches its
 * socket for what it waits on. Every handshake goes on at once, so that
 * the server sees the whole crowd together. */
static void
handshake_step(struct crowd *cr, int i)
{
	struct slow *s = &cr->c[i];
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP};
	int r = SSL_connect(s->ssl);

	ev.data.u32 = (uint32_t)i;
	if (r != 1) {
		switch (SSL_get_error(s->ssl, r)) {
		case SSL_ERROR_WANT_READ:
			break;
		case SSL_ERROR_WANT_WRITE:
			ev.events = EPOLLOUT;
			break;
		default: /* refused or closed by the server */
			closed_now(cr, s);
			goto ended;
		}
		epoll_ctl(cr->ep, EPOLL_CTL_MOD, s->fd, &ev);
		return;
	}
	epoll_ctl(cr->ep, EPOLL_CTL_MOD, s->fd, &ev);
ended:
	s->handshaking = false;
	if (--cr->handshaking == 0)
		cr->all_open = now_s();
}

/* Waits up to wait_ms for the sockets: handshakes go on, and connections
 * the server closed are stamped with when that was seen. */
static void
harvest(struct crowd *cr, int wait_ms)
{
	struct epoll_event evs[256];
	int k, got;

	got = epoll_wait(cr->ep, evs, 256, wait_ms);
	for (k = 0; k < got; k++) {
		struct slow *s = &cr->c[evs[k].data.u32];
		char buf[4096];
		ssize_t r;

		if (s->closed != 0)
			continue;
		if (s->handshaking) {
			handshake_step(cr, (int)evs[k].data.u32);
			continue;
		}
		/* Whatever the server sends (an alert, a status line), only
		 * its close matters. */
		if (s->ssl) {
			r = SSL_read(s->ssl, buf, sizeof(buf));
			if (r <= 0 &&
			    SSL_get_error(s->ssl, (int)r) ==
				SSL_ERROR_WANT_READ)
				continue;
			if (r > 0)
				continue;
		} else {
			r = recv(s->fd, buf, sizeof(buf), 0);
			if (r > 0 || (r < 0 && errno == EAGAIN))
				continue;
		}
		closed_now(cr, s);
	}
}

/* The next byte to send on c, or -1 when the request is exhausted. */
static int
next_byte(enum mode mode, const char *line, size_t sent)
{
	/* TLS record: handshake, TLS 1.0 record version, 512 bytes, then a
	 * ClientHello type byte and zero padding that never completes it. */
	static const unsigned char record[] = {
	    0x16, 0x03, 0x01, 0x02, 0x00, 0x01};

	if (mode == MODE_HANDSHAKE)
		return sent < sizeof(record) ? record[sent]
					     : (sent < 500 ? 0 : -1);
	return sent < strlen(line) ? (unsigned char)line[sent] : -1;
}

int
main(int argc, char **argv)
{
	enum mode mode = MODE_HANDSHAKE;
	const char *sni = NULL;
	char line[300];
	int n = 1000, seconds = 60, i, opt = 1, closed_n;
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct slow *c;
	SSL_CTX *ctx = NULL;
	double start, next_tick, *life;
	struct crowd cr = {0};
	struct sockaddr_in src;
	unsigned long nsrc = 0;
	char *slash;

	memset(&src, 0, sizeof(src));
	while (opt < argc && argv[opt][0] == '-') {
		if (strcmp(argv[opt], "-n") == 0 && opt + 1 < argc)
			n = atoi(argv[++opt]);
		else if (strcmp(argv[opt], "-t") == 0 && opt + 1 < argc)
			seconds = atoi(argv[++opt]);
		else if (strcmp(argv[opt], "--tls") == 0 && opt + 1 < argc) {
			mode = MODE_TLS;
			sni = argv[++opt];
		} else if (strcmp(argv[opt], "--gopher") == 0) {
			mode = MODE_GOPHER;
		} else if (strcmp(argv[opt], "-s") == 0 && opt + 1 < argc) {
			memset(&src, 0, sizeof(src));
			src.sin_family = AF_INET;
			if ((slash = strchr(argv[++opt], '/')) != NULL)
				*slash = '\0';
			nsrc = slash ? strtoul(slash + 1, NULL, 10) : 1;
			if (inet_pton(AF_INET, argv[opt], &src.sin_addr) != 1 ||
			    (ntohl(src.sin_addr.s_addr) >> 24) != 127 ||
			    nsrc < 1) {
				fprintf(stderr,
				    "trickle: -s wants a loopback SRC/N\n");
				return 1;
			}
		} else
			break;
		opt++;
	}
	if (argc - opt != 2 || n < 1 || seconds < 1) {
		fprintf(stderr,
		    "usage: trickle [-n CONNS] [-t SECONDS] [-s SRC/N] "
		    "[--tls HOST | --gopher] ADDR PORT\n");
		return 1;
	}
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, argv[opt],
		&((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port =
		    htons((uint16_t)atoi(argv[opt + 1]));
		sslen = sizeof(struct sockaddr_in);
		if ((ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >>
			24) != 127) {
			fprintf(stderr, "trickle: loopback addresses only\n");
			return 1;
		}
	} else if (inet_pton(AF_INET6, argv[opt],
		       &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1 &&
	    IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr)) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port =
		    htons((uint16_t)atoi(argv[opt + 1]));
		sslen = sizeof(struct sockaddr_in6);
	} else {
		fprintf(
		    stderr, "trickle: %s: not a loopback address\n", argv[opt]);
		return 1;
	}
	snprintf(line, sizeof(line),
	    mode == MODE_TLS ? "gemini://%s/slow" : "/slow/selector/%s",
	    sni ? sni : "that-never-ends");
	if (mode == MODE_TLS) {
		ctx = SSL_CTX_new(TLS_client_method());
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	}
	c = calloc((size_t)n, sizeof(*c));
	life = calloc((size_t)n, sizeof(*life));
	cr.ep = epoll_create1(0);
	if (c == NULL || life == NULL || cr.ep < 0) {
		perror("trickle");
		return 1;
	}
	cr.c = c;
	start = now_s();
	for (i = 0; i < n; i++) {
		struct sockaddr_in from = src;
		struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP};

		if (nsrc)
			from.sin_addr.s_addr =
			    htonl(ntohl(src.sin_addr.s_addr) +
				(uint32_t)((unsigned long)i % nsrc));
		if ((c[i].fd = connect_to(&ss, sslen, nsrc ? &from : NULL)) <
		    0) {
			fprintf(stderr, "trickle: connection %d: %s\n", i,
			    strerror(errno));
			return 1;
		}
		c[i].opened = now_s();
		fcntl(c[i].fd, F_SETFL, O_NONBLOCK);
		ev.data.u32 = (uint32_t)i;
		epoll_ctl(cr.ep, EPOLL_CTL_ADD, c[i].fd, &ev);
		if (mode == MODE_TLS) {
			c[i].ssl = SSL_new(ctx);
			SSL_set_fd(c[i].ssl, c[i].fd);
			SSL_set_tlsext_host_name(c[i].ssl, sni);
			c[i].handshaking = true;
			cr.handshaking++;
			handshake_step(&cr, i);
		}
		/* Opening them all may outlast the server's timeout: the
		 * first ones' closes are seen meanwhile. */
		harvest(&cr, 0);
	}
	if (cr.handshaking == 0)
		cr.all_open = now_s();
	next_tick = now_s();
	while (cr.closed < n && now_s() - start < seconds) {
		double t = now_s();
		int wait_ms;

		if (t >= next_tick) {
			for (i = 0; i < n; i++) {
				int b;
				unsigned char byte;

				if (c[i].closed != 0 || c[i].handshaking ||
				    (b = next_byte(mode, line, c[i].sent)) < 0)
					continue;
				byte = (unsigned char)b;
				if ((c[i].ssl ? SSL_write(c[i].ssl, &byte, 1)
					      : (int)send(c[i].fd, &byte, 1,
						    MSG_NOSIGNAL)) == 1)
					c[i].sent++;
			}
			next_tick += 1.0;
		}
		wait_ms = (int)((next_tick - now_s()) * 1000);
		harvest(&cr, wait_ms > 0 ? wait_ms : 0);
	}
	for (i = 0, closed_n = 0; i < n; i++)
		if (c[i].closed != 0)
			life[closed_n++] = c[i].closed - c[i].opened;
	qsort(life, (size_t)closed_n, sizeof(*life), cmp_double);
	printf(
	    "opened %d closed_by_server %d still_open %d lifetime_s min %.1f "
	    "median %.1f max %.1f opening_s %.1f\n",
	    n, closed_n, n - closed_n, closed_n ? life[0] : 0.0,
	    closed_n ? life[closed_n / 2] : 0.0,
	    closed_n ? life[closed_n - 1] : 0.0,
	    cr.all_open > 0 ? cr.all_open - start : -1.0);
	for (i = 0; i < n; i++) {
		if (c[i].ssl)
			SSL_free(c[i].ssl);
		close(c[i].fd);
	}
	SSL_CTX_free(ctx);
	free(c);
	free(life);
	close(cr.ep);
	return 0;
}
