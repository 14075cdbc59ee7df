/*
 * holdconn: hold TCP connections open without reading from them.
 *
 *   holdconn [-n COUNT] [-u] [-b ADDR] HOST PORT SECONDS [LINE]
 *
 * Opens COUNT (default 1) connections, sends LINE + CRLF on each when
 * given (with -u, LINE alone: a request left unfinished), then reads nothing
 * (small receive buffer) so that a reply stays stuck in the server, for
 * SECONDS. Prints "held N" once they are all set up, then "closed K" with K the
 * connections the server closed meanwhile, and "after S" the seconds the last
 * of those took. -b binds the connections to the local IPv4 address ADDR
 * (127.x.y.z: another client, for the server's per-address limits). Exit 1
 * when a connection cannot be made.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *bind_addr; /* -b */

static int
dial(const char *host, const char *port)
{
	struct sockaddr_in local;

	struct addrinfo hints, *res, *ai;
	int fd = -1, small = 4096;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
		memset(&local, 0, sizeof(local));
		local.sin_family = AF_INET;
		if (bind_addr &&
		    (ai->ai_family != AF_INET ||
			inet_pton(AF_INET, bind_addr, &local.sin_addr) != 1 ||
			bind(fd, (struct sockaddr *)&local, sizeof(local)) !=
			    0)) {
			close(fd);
			fd = -1;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int
main(int argc, char **argv)
{
	struct pollfd *p;
	int n = 1, i = 1, k, secs, closed = 0;
	bool unfinished = false;
	time_t start, end, last = 0;

	if (argc > 3 && strcmp(argv[1], "-n") == 0) {
		n = atoi(argv[2]);
		i = 3;
	}
	if (argc > i && strcmp(argv[i], "-u") == 0) {
		unfinished = true;
		i++;
	}
	if (argc > i + 1 && strcmp(argv[i], "-b") == 0) {
		bind_addr = argv[i + 1];
		i += 2;
	}
	if (argc - i < 3 || argc - i > 4 || n < 1 ||
	    (unfinished && argc - i != 4)) {
		fprintf(stderr,
		    "usage: holdconn [-n COUNT] [-u] [-b ADDR] HOST PORT "
		    "SECONDS [LINE]\n");
		return 2;
	}
	secs = atoi(argv[i + 2]);
	p = calloc((size_t)n, sizeof(*p));
	for (k = 0; k < n; k++) {
		if ((p[k].fd = dial(argv[i], argv[i + 1])) < 0) {
			fprintf(stderr, "holdconn: cannot connect\n");
			return 1;
		}
		if (argc - i == 4 &&
		    (write(p[k].fd, argv[i + 3], strlen(argv[i + 3])) < 0 ||
			(!unfinished && write(p[k].fd, "\r\n", 2) < 0))) {
			fprintf(stderr, "holdconn: cannot send\n");
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
				/* Negative: poll() ignores it from now on. */
				p[k].fd = -p[k].fd - 1;
			}
	}
	printf("closed %d\nafter %ld\n", closed, (long)last);
	free(p);
	return 0;
}
