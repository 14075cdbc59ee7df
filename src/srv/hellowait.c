#include "hellowait.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>

#define TLS_HANDSHAKE 0x16 /* the record's content type */
#define TLS_MAJOR 0x03 /* every record version from SSL 3.0 to TLS 1.3 */

enum tls_first
tls_first_record(const unsigned char *p, size_t n, size_t *need)
{
	size_t len;

	if ((n >= 1 && p[0] != TLS_HANDSHAKE) || (n >= 2 && p[1] != TLS_MAJOR))
		return TLS_FIRST_OTHER;
	if (n < TLS_RECORD_HEADER) {
		*need = TLS_HELLO_MIN;
		return TLS_FIRST_PARTIAL;
	}
	len = (size_t)p[3] << 8 | p[4];
	if (len == 0 || len > TLS_RECORD_MAX - TLS_RECORD_HEADER)
		return TLS_FIRST_OTHER;
	*need = TLS_RECORD_HEADER + len;
	return n >= *need ? TLS_FIRST_COMPLETE : TLS_FIRST_PARTIAL;
}

/* Hand over; with lowered, the low-water mark goes back to 1 first, or the
 * rest of the handshake would never wake the loop (the deadline then
 * closes the connection: a failure is reported as gone). */
static enum hello_wait
ready(int fd, bool lowered)
{
	int one = 1;

	if (lowered &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof(one)) == -1)
		return HELLO_GONE;
	return HELLO_READY;
}

/* The client has closed its side, or the connection failed. */
static bool
client_left(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLRDHUP};

	return poll(&p, 1, 0) == 1 &&
	    (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

enum hello_wait
hello_wait(int fd, bool woken)
{
	unsigned char p[TLS_RECORD_MAX];
	size_t need = 0;
	ssize_t n;
	int lowat = 1;
	socklen_t len = sizeof(lowat);

	/* One peek of all there is (a ClientHello fits in p): the common
	 * case, a whole ClientHello at accept, costs this one call. */
	do
		n = recv(fd, p, sizeof(p), MSG_PEEK);
	while (n == -1 && errno == EINTR);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK))
		return HELLO_GONE;
	if (n == -1)
		n = 0; /* accepted before any byte came (listen.c) */
	if (tls_first_record(p, (size_t)n, &need) != TLS_FIRST_PARTIAL)
		return ready(fd, woken);
	/* Woken with fewer bytes than the mark set: the client left, or the
	 * kernel does not hold bytes back, and waiting gains nothing. */
	if (woken &&
	    (getsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, &len) == -1 ||
		(size_t)n < (size_t)lowat))
		return client_left(fd) ? HELLO_GONE : ready(fd, true);
	/* The kernel caps the mark (at half the largest receive buffer):
	 * read it back, and when the cap is below what is already there,
	 * there is nothing to wait for. */
	lowat = (int)need;
	len = sizeof(lowat);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)) ==
		-1 ||
	    getsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, &len) == -1 ||
	    (size_t)lowat <= (size_t)n)
		return ready(fd, true);
	return HELLO_WAIT;
}
