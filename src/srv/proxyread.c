#include "proxyread.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/types.h>

/* recv() that retries on EINTR. */
static ssize_t
recv_retry(int fd, void *p, size_t n, int flags)
{
	ssize_t got;

	do
		got = recv(fd, p, n, flags);
	while (got == -1 && errno == EINTR);
	return got;
}

enum proxy_status
proxy_read(int fd, struct proxy_reader *r, struct proxy_header *hdr)
{
	for (;;) {
		enum proxy_status st;
		ssize_t n, taken;
		size_t take;

		/*
		 * Peek, so that the bytes after the header stay on the socket;
		 * then take only the header's. While the header is incomplete
		 * every byte peeked belongs to it, so all are taken: the socket
		 * does not stay readable with data already looked at.
		 */
		n = recv_retry(
		    fd, r->buf + r->have, sizeof(r->buf) - r->have, MSG_PEEK);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return PROXY_NEED_MORE;
		if (n <= 0)
			return PROXY_BAD;
		st = proxy_parse(r->buf, r->have + (size_t)n, hdr);
		if (st == PROXY_BAD)
			return PROXY_BAD;
		take = st == PROXY_DONE ? hdr->consumed - r->have : (size_t)n;
		taken = recv_retry(fd, r->buf + r->have, take, 0);
		if (taken != (ssize_t)take)
			return PROXY_BAD;
		r->have += take;
		if (st == PROXY_DONE)
			return PROXY_DONE;
	}
}
