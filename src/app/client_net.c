/*
 * client_net: what the Gemini and Gopher clients share: connecting with a
 * timeout, the report, and the --raw escapes.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "client.h"
#include "url.h"

void
client_report_init(struct client_report *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->tls_info);
}

void
client_report_free(struct client_report *r)
{
	buf_free(&r->tls_info);
}

int
client_parse_url(const char *url, const char *scheme, const char *default_port,
    struct url *u, char **host, char **port, char *err, size_t errlen)
{
	const char *reason;

	if (url_parse(url, strlen(url), u, &reason) == -1 ||
	    !u->has_authority || u->host.len == 0) {
		snprintf(err, errlen, "%s: not a %s URL", url, scheme);
		return -1;
	}
	*host = xstrndup(u->host.p, u->host.len);
	*port = u->port.len > 0 ? xstrndup(u->port.p, u->port.len)
				: xstrdup(default_port);
	return 0;
}

int
client_connect(const struct client_opts *o, const char *host, const char *port,
    char *err, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	struct timeval tv = {o->timeout, 0};
	int fd = -1, rc, saved = 0;

	if (o->connect_host != NULL)
		host = o->connect_host;
	if (o->connect_port != NULL)
		port = o->connect_port;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s port %s: %s", host, port,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		/* On Linux SO_SNDTIMEO bounds connect() too. */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ==
			0 &&
		    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ==
			0 &&
		    connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		snprintf(err, errlen, "%s port %s: %s", host, port,
		    saved == EINPROGRESS || saved == EAGAIN
			? "connection timed out"
			: strerror(saved));
	return fd;
}

int
client_unescape(const char *s, struct buf *out, const char **reason)
{
	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			buf_putc(out, *s);
			continue;
		}
		switch (*++s) {
		case 'r':
			buf_putc(out, '\r');
			break;
		case 'n':
			buf_putc(out, '\n');
			break;
		case 't':
			buf_putc(out, '\t');
			break;
		case '\\':
			buf_putc(out, '\\');
			break;
		case 'x':
			if (url_hex_value(s[1]) < 0 ||
			    url_hex_value(s[2]) < 0) {
				*reason = "\\x needs two hex digits";
				return -1;
			}
			buf_putc(out,
			    (char)(url_hex_value(s[1]) * 16 +
				url_hex_value(s[2])));
			s += 2;
			break;
		default:
			*reason =
			    "unknown escape (use \\r \\n \\t \\\\ or \\xHH)";
			return -1;
		}
	}
	return 0;
}
