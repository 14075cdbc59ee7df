/*
 * client_gopher: one Gopher request over plain TCP (RFC 1436, URLs as in
 * RFC 4266). The item type in the URL is not sent; the reply is copied raw.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "url.h"

#define GOPHER_PORT "70"

/* The selector of a gopher URL path "/<type><selector>", decoded; "?query"
 * is kept as part of the selector, as RFC 4266 has no query part. */
static int
selector_of(const struct url *u, struct buf *sel, char *err, size_t errlen)
{
	const char *reason;

	if (u->path.len > 2 &&
	    url_decode(u->path.p + 2, u->path.len - 2, sel, 0, &reason) == -1) {
		snprintf(err, errlen, "bad selector: %s", reason);
		return -1;
	}
	if (u->has_query) {
		buf_putc(sel, '?');
		if (url_decode(u->query.p, u->query.len, sel, 0, &reason) ==
		    -1) {
			snprintf(err, errlen, "bad selector: %s", reason);
			return -1;
		}
	}
	return 0;
}

static int
send_all(int fd, const char *p, size_t n, char *err, size_t errlen)
{
	ssize_t w;

	while (n > 0) {
		if ((w = send(fd, p, n, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "sending the selector: %s",
			    strerror(errno));
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
receive(int fd, FILE *out, struct client_report *rep, char *err, size_t errlen)
{
	char chunk[16384];
	ssize_t r;

	for (;;) {
		r = recv(fd, chunk, sizeof(chunk), 0);
		if (r == 0)
			break;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "reading the response: %s",
			    errno == EAGAIN || errno == EWOULDBLOCK
				? "timed out waiting for the server"
				: strerror(errno));
			return -1;
		}
		if (fwrite(chunk, 1, (size_t)r, out) != (size_t)r) {
			snprintf(err, errlen, "writing the response: %s",
			    strerror(errno));
			return -1;
		}
		rep->received += (size_t)r;
	}
	if (rep->received == 0) {
		snprintf(err, errlen, "the server closed without a response");
		return -1;
	}
	return 0;
}

int
client_gopher(const char *url, const struct client_opts *o, FILE *out,
    struct client_report *rep, char *err, size_t errlen)
{
	struct url u;
	char *host, *port;
	struct buf request = BUF_INIT;
	int fd, rc = -1;

	if (client_parse_url(url, "gopher", GOPHER_PORT, &u, &host, &port, err,
		errlen) == -1)
		return -1;
	if (o->request != NULL) {
		buf_append(&request, o->request, o->request_len);
	} else {
		if (selector_of(&u, &request, err, errlen) == -1)
			goto out;
		buf_puts(&request, "\r\n");
	}
	fd = client_connect(o, host, port, err, errlen);
	if (fd == -1)
		goto out;
	if (send_all(fd, request.data, request.len, err, errlen) == 0 &&
	    receive(fd, out, rep, err, errlen) == 0)
		rc = 0;
	close(fd);
out:
	buf_free(&request);
	free(host);
	free(port);
	return rc;
}
