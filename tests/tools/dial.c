#include "dial.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Set opts on fd before it connects. -1 when the local address cannot be
 * bound (or the address to connect to is not IPv4 while one is asked). */
static int
prepare(int fd, int family, const struct dial_opts *opts)
{
	struct sockaddr_in local;
	int one = 1;

	if (opts->rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &opts->rcvbuf,
		    sizeof(opts->rcvbuf));
	if (opts->nodelay)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!opts->bind_ipv4)
		return 0;
	memset(&local, 0, sizeof(local));
	local.sin_family = AF_INET;
	if (family != AF_INET ||
	    inet_pton(AF_INET, opts->bind_ipv4, &local.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0)
		return -1;
	return 0;
}

int
dial(const char *host, const char *port, const struct dial_opts *opts)
{
	static const struct dial_opts none;
	struct addrinfo hints, *res, *ai;
	int fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (prepare(fd, ai->ai_family, opts ? opts : &none) == 0 &&
		    connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}
