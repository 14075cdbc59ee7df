#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

#define LISTEN_BACKLOG 4096
#define DEFER_ACCEPT_SEC 1

int
listen_parse(const char *spec, struct sockaddr_storage *ss, socklen_t *len,
    char *err, size_t errlen)
{
	const char *colon = strrchr(spec, ':');
	char *host, *end;
	long port;

	memset(ss, 0, sizeof(*ss));
	if (colon == NULL || colon[1] == '\0') {
		snprintf(err, errlen, "'%s': expected ADDRESS:PORT", spec);
		return -1;
	}
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535) {
		snprintf(err, errlen, "'%s': bad port", spec);
		return -1;
	}
	host = xstrndup(spec, (size_t)(colon - spec));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		host[strlen(host) - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			goto bad;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		if (strcmp(host, "*") == 0)
			s4->sin_addr.s_addr = htonl(INADDR_ANY);
		else if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			goto bad;
	}
	free(host);
	return 0;
bad:
	snprintf(err, errlen,
	    "'%s': bad address (a numeric IPv4 address, "
	    "or an IPv6 address in brackets)",
	    spec);
	free(host);
	return -1;
}

/* SO_REUSEPORT lets any process of the same user join a port, so a
 * second canyon would silently share the first one's traffic. A socket
 * without it cannot bind where a listener is: that tells. */
static bool
in_use(const struct sockaddr *sa, socklen_t len)
{
	int fd, one = 1;
	bool used;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return false;
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	used = bind(fd, sa, len) == -1 && errno == EADDRINUSE;
	close(fd);
	return used;
}

int
listen_socket(const struct sockaddr *sa, socklen_t len, bool join)
{
	int fd, one = 1, defer = DEFER_ACCEPT_SEC, saved;

	if (!join && in_use(sa, len)) {
		errno = EADDRINUSE;
		return -1;
	}
	fd = socket(
	    sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/* TCP_NODELAY is inherited by accepted sockets: a TLS reply is
	 * several small writes (session ticket, reply, close_notify), which
	 * Nagle's algorithm would hold back waiting for the client's ACKs.
	 * Both protocols have the client speak first: TCP_DEFER_ACCEPT
	 * hands a connection over once its first bytes (the ClientHello, the
	 * selector, the PROXY header) are there, so the loop wakes once for
	 * the accept and the request. A client that stays silent is handed
	 * over anyway after DEFER_ACCEPT_SEC, to meet the request timeout. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer,
		sizeof(defer)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == -1 ||
	    (sa->sa_family == AF_INET6 &&
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ==
		    -1) ||
	    bind(fd, sa, len) == -1 || listen(fd, LISTEN_BACKLOG) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
listen_steer_by_address(int fd, int family, unsigned n)
{
	/* A: the source address (IPv6: its /64, both words folded), spread
	 * by a multiplicative hash (sequential addresses differ in their low
	 * bits), then the socket's index. The program sees the packet from
	 * its TCP payload on; SKF_NET_OFF reaches back to the IP header. */
	struct sock_filter v4[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 12),
	    BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 0x9e3779b1),
	    BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16),
	    BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, n),
	    BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_filter v6[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 8),
	    BPF_STMT(BPF_MISC | BPF_TAX, 0),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 12),
	    BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
	    BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 0x9e3779b1),
	    BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16),
	    BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, n),
	    BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_fprog prog;

	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	if (family == AF_INET6)
		prog = (struct sock_fprog){sizeof(v6) / sizeof(v6[0]), v6};
	else
		prog = (struct sock_fprog){sizeof(v4) / sizeof(v4[0]), v4};
	return setsockopt(
	    fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog));
}

/* A 32-bit word of a key, as a load from the packet gives it. */
static uint32_t
key_word(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int
listen_drop_from(int fd, const uint8_t (*keys)[16], size_t n)
{
	/* Three to five instructions a key, and a few more. */
	struct sock_filter code[LISTEN_DROP_MAX * 5 + 8], *v6_jump;
	struct sock_fprog prog;
	size_t i, k = 0;

	if (n > LISTEN_DROP_MAX) {
		errno = E2BIG;
		return -1;
	}
	if (n == 0) {
		int unused = 0;

		if (setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused,
			sizeof(unused)) == -1 &&
		    errno != ENOENT)
			return -1;
		return 0;
	}
	/* The IP version, from the packet's network header (the program
	 * sees it from the TCP header on; SKF_NET_OFF reaches back). A
	 * conditional jump reaches 255 instructions at most: each key's
	 * test skips over its own "drop" only, and IPv6 is reached by an
	 * unconditional jump. */
	code[k++] = (struct sock_filter)BPF_STMT(
	    BPF_LD | BPF_B | BPF_ABS, (uint32_t)SKF_NET_OFF);
	code[k++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 4);
	code[k++] =
	    (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 1);
	v6_jump = &code[k++];
	code[k++] = (struct sock_filter)BPF_STMT(
	    BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 12);
	for (i = 0; i < n; i++) {
		if (memcmp(keys[i], v4_mapped, sizeof(v4_mapped)) != 0)
			continue;
		code[k++] = (struct sock_filter)BPF_JUMP(
		    BPF_JMP | BPF_JEQ | BPF_K, key_word(&keys[i][12]), 0, 1);
		code[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	}
	code[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffffffff);
	*v6_jump = (struct sock_filter)BPF_STMT(
	    BPF_JMP | BPF_JA, (uint32_t)(&code[k] - v6_jump - 1));
	for (i = 0; i < n; i++) {
		if (memcmp(keys[i], v4_mapped, sizeof(v4_mapped)) == 0)
			continue;
		code[k++] = (struct sock_filter)BPF_STMT(
		    BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 8);
		code[k++] = (struct sock_filter)BPF_JUMP(
		    BPF_JMP | BPF_JEQ | BPF_K, key_word(&keys[i][0]), 0, 3);
		code[k++] = (struct sock_filter)BPF_STMT(
		    BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 12);
		code[k++] = (struct sock_filter)BPF_JUMP(
		    BPF_JMP | BPF_JEQ | BPF_K, key_word(&keys[i][4]), 0, 1);
		code[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	}
	code[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffffffff);
	prog = (struct sock_fprog){(unsigned short)k, code};
	return setsockopt(
	    fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

int
listen_cork_replies(int fd)
{
	int one = 1;

	return setsockopt(fd, IPPROTO_TCP, TCP_CORK, &one, sizeof(one));
}

int
listen_queued(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	/* For a listening socket, tcpi_unacked is the accept queue's length
	 * (the kernel's sk_ack_backlog). */
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return -1;
	return (int)ti.tcpi_unacked;
}

int
listen_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

void
listen_set_port(struct sockaddr *sa, int port)
{
	if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
}
