/*
 * accesslog: one line per request, buffered per event loop.
 *
 * Lines are collected in memory and written by the loop once a second or
 * when the buffer fills, in whole lines (O_APPEND keeps loops from mixing
 * their lines), so logging never costs a system call per request.
 *
 *   2026-11-25T15:04:05Z 127.0.0.1 localhost /path 20 1234 0.210ms
 *
 * Control characters, spaces and backslashes in host and path are written
 * as \xNN. The address is "-" when not logged.
 */
#ifndef CANYON_ACCESSLOG_H
#define CANYON_ACCESSLOG_H

#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#include "buf.h"
#include "serverconf.h"

struct accesslog {
	struct buf buf;
	time_t stamp_sec; /* second of the cached time stamp */
	char stamp[32];
};

struct access_entry {
	const struct sockaddr *addr;
	const char *host;
	size_t host_len;
	const char *path;
	size_t path_len;
	int status;
	size_t bytes;
	double ms;
};

void accesslog_init(struct accesslog *al);
void accesslog_free(struct accesslog *al);
/* Append one line, in the common format above or as a JSON object:
 *   {"time":"2026-11-25T15:04:05Z","client":"127.0.0.1","host":"localhost",
 *    "path":"/path","status":20,"bytes":1234,"ms":0.210}
 * ("client" is null when not logged). True when the buffer is large
 * enough to flush now. */
int accesslog_add(struct accesslog *al, enum log_addr mode,
    enum log_format format, const struct access_entry *e);
/* Write the buffered lines to fd (nothing when fd < 0) and empty it. */
void accesslog_flush(struct accesslog *al, int fd);

/* The client address as logged: full, with the host part zeroed (IPv4 /24,
 * IPv6 /48), or "-". */
void accesslog_format_addr(
    char *out, size_t cap, const struct sockaddr *sa, enum log_addr mode);

#endif
