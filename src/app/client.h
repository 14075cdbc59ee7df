/*
 * client: the protocol side of `canyon get`, a Gemini and Gopher client for
 * people and for the tests (which need to send malformed requests, pin TLS
 * versions and see whether the server closed TLS properly).
 *
 * Blocking sockets with a per-operation timeout: one request, one answer.
 * The response is written to out byte for byte as it arrives; notes about
 * the connection (TLS version, certificate, close_notify) go to the caller
 * through struct client_report, never printed here.
 */
#ifndef CANYON_CLIENT_H
#define CANYON_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"

struct client_opts {
	const char *connect_host; /* connect here instead of the URL's host */
	const char *connect_port; /* ... and port; both NULL for the URL's */
	const char *servername; /* SNI; NULL: the URL's host unless it is an
				   IP literal; "": send none */
	const char *request; /* bytes sent instead of "URL\r\n" (raw), */
	size_t request_len; /* or NULL */
	const char *cert_file; /* client certificate and key, or NULL */
	const char *key_file;
	int tls_version; /* 0: TLS 1.2 and newer; else exactly this
			    OpenSSL version (TLS1_1_VERSION ...) */
	bool insecure; /* skip the name and date check of the
			  server certificate */
	int timeout; /* seconds of silence before giving up */
};

struct client_report {
	bool tls_done; /* handshake completed */
	bool close_notify; /* the server ended TLS with close_notify */
	struct buf tls_info; /* "protocol: ...\nsubject: ...\n" lines */
	size_t received; /* response bytes written to out */
};

void client_report_init(struct client_report *r);
void client_report_free(struct client_report *r);

/*
 * Fetch a gemini:// URL and write the raw response (header line and body)
 * to out. Returns 0 when a complete header line arrived and the connection
 * ended (with or without close_notify, see the report), or -1 with a
 * message in err (connection, handshake, certificate, timeout, reset, or
 * no header).
 */
int client_gemini(const char *url, const struct client_opts *o, FILE *out,
    struct client_report *rep, char *err, size_t errlen);

/*
 * Fetch a gopher://host[:port]/<type><selector>[%09query] URL: the
 * percent-decoded selector (tab and query included) is sent with CRLF, and
 * the raw response is written to out. Returns 0 when the server sent
 * something and closed, or -1 with a message in err.
 */
int client_gopher(const char *url, const struct client_opts *o, FILE *out,
    struct client_report *rep, char *err, size_t errlen);

struct url;

/*
 * Shared by both: parse url into u, which must name a host, and set host
 * and port to copies of the URL's (default_port when it writes none), which
 * the caller frees. Returns 0, or -1 with "URL: not a <scheme> URL" in err.
 */
int client_parse_url(const char *url, const char *scheme,
    const char *default_port, struct url *u, char **host, char **port,
    char *err, size_t errlen);

/* Shared by both: connect to host:port (a name, or an IPv4 or IPv6
 * literal), or to o->connect_host and o->connect_port where they are set,
 * with o->timeout on every later read and write. Returns a socket or -1
 * with err set. */
int client_connect(const struct client_opts *o, const char *host,
    const char *port, char *err, size_t errlen);

/*
 * Decode the escapes of a --raw request: \r \n \t \\ and \xHH. Returns 0 and
 * appends the bytes to out, or -1 with a static reason for a bad escape.
 */
int client_unescape(const char *s, struct buf *out, const char **reason);

#endif
