/*
 * gopher_get: send one Gopher request line and copy the reply to stdout.
 *
 *   gopher_get HOST PORT LINE     sends LINE + CRLF (LINE may hold a TAB)
 *   gopher_get -n HOST PORT LINE  sends LINE as it is (no CRLF)
 *   gopher_get -l HOST PORT LINE  sends LINE + LF (a bare LF)
 *
 * Reads until the server closes, at most 10 s. Exit 0 when the server
 * closed the connection, 1 on a connection error or timeout.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dial.h"

int
main(int argc, char **argv)
{
	char buf[65536];
	const char *end = "\r\n";
	int fd, i = 1;
	size_t off, len;
	time_t deadline = time(NULL) + 10;
	struct pollfd pfd;
	ssize_t n;

	if (argc > 1 &&
	    (strcmp(argv[1], "-n") == 0 || strcmp(argv[1], "-l") == 0)) {
		end = argv[1][1] == 'n' ? "" : "\n";
		i++;
	}
	if (argc - i != 3) {
		fprintf(stderr, "usage: gopher_get [-n | -l] HOST PORT LINE\n");
		return 2;
	}
	if ((fd = dial(argv[i], argv[i + 1], NULL)) < 0) {
		perror("gopher_get: connect");
		return 1;
	}
	len = strlen(argv[i + 2]);
	for (off = 0; off < len; off += (size_t)n)
		if ((n = write(fd, argv[i + 2] + off, len - off)) <= 0)
			return 1;
	if (write(fd, end, strlen(end)) != (ssize_t)strlen(end))
		return 1;
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		int left = (int)(deadline - time(NULL));
		if (left <= 0 || poll(&pfd, 1, left * 1000) <= 0) {
			fprintf(stderr, "gopher_get: timeout\n");
			return 1;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			perror("gopher_get: read");
			return 1;
		}
		if (n == 0)
			break;
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return 1;
	}
	close(fd);
	return 0;
}
