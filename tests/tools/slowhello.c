/*
 * slowhello: a TLS client whose ClientHello arrives a byte at a time.
 *
 *   slowhello [-g MS] HOST PORT URL
 *   slowhello -x HEX [-w SECONDS] HOST PORT
 *
 * The first form sends OpenSSL's ClientHello (SNI localhost) one byte per
 * TCP segment, MS milliseconds apart (default 2), then goes on with the
 * handshake as usual, sends URL and CRLF and prints the reply's header
 * line. Exit 1 when the handshake or the request fails.
 *
 * The second sends the bytes HEX (hex digits, two a byte) in one segment,
 * then waits at most SECONDS (default 5) for the server to close the
 * connection, reading what it sends meanwhile, and prints
 *   closed answered N FIRST   (N bytes came back, FIRST: up to 8 in hex)
 * or "open" when the server has not closed it by then.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "dial.h"

/* The ClientHello, a byte at a time, then the rest of the exchange. */
static int
slow_hello(int fd, long gap_ms, const char *url)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = ctx ? SSL_new(ctx) : NULL;
	BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	struct timespec gap = {gap_ms / 1000, (gap_ms % 1000) * 1000000};
	char *hello, line[1100];
	long len, i;
	int n, r = 1;

	if (ssl == NULL || rb == NULL || wb == NULL)
		goto out;
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	SSL_set_tlsext_host_name(ssl, "localhost");
	/* Memory BIOs first: the ClientHello is made without sending it. */
	SSL_set_bio(ssl, rb, wb); /* ssl owns both from here */
	rb = wb = NULL;
	(void)SSL_connect(ssl); /* wants the server's reply */
	len = BIO_get_mem_data(SSL_get_wbio(ssl), &hello);
	for (i = 0; i < len; i++) {
		if (write(fd, hello + i, 1) != 1)
			goto out;
		nanosleep(&gap, NULL);
	}
	/* The same handshake goes on over the socket. */
	if (SSL_set_fd(ssl, fd) != 1 || SSL_connect(ssl) != 1) {
		fprintf(stderr, "slowhello: handshake failed\n");
		goto out;
	}
	snprintf(line, sizeof(line), "%s\r\n", url);
	if (SSL_write(ssl, line, (int)strlen(line)) <= 0)
		goto out;
	n = SSL_read(ssl, line, (int)sizeof(line) - 1);
	if (n <= 0) {
		fprintf(stderr, "slowhello: no reply\n");
		goto out;
	}
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	printf("%s\n", line);
	r = 0;
out:
	ERR_print_errors_fp(stderr);
	BIO_free(rb);
	BIO_free(wb);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return r;
}

/* HEX in one segment, then what the server does within secs. */
static int
raw_bytes(int fd, const char *hex, int secs)
{
	unsigned char out[1024], in[4096], first[8];
	size_t n = 0, got = 0, i;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t r;
	unsigned byte;

	while (hex[0] && hex[1] && n < sizeof(out) &&
	    sscanf(hex, "%2x", &byte) == 1) {
		out[n++] = (unsigned char)byte;
		hex += 2;
	}
	if (hex[0] != '\0' || write(fd, out, n) != (ssize_t)n) {
		fprintf(stderr, "slowhello: bad HEX, or cannot send it\n");
		return 1;
	}
	for (;;) {
		if (poll(&p, 1, secs * 1000) != 1) {
			printf("open\n");
			return 0;
		}
		r = read(fd, in, sizeof(in));
		if (r <= 0)
			break;
		for (i = 0; i < (size_t)r && got + i < sizeof(first); i++)
			first[got + i] = in[i];
		got += (size_t)r;
	}
	printf("closed answered %zu ", got);
	for (i = 0; i < got && i < sizeof(first); i++)
		printf("%02x", first[i]);
	printf("\n");
	return 0;
}

int
main(int argc, char **argv)
{
	/* each write its own segment */
	const struct dial_opts opts = {.nodelay = true};
	const char *hex = NULL;
	long gap_ms = 2;
	int secs = 5, i = 1, fd;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "-g") == 0)
			gap_ms = atol(argv[i + 1]);
		else if (strcmp(argv[i], "-x") == 0)
			hex = argv[i + 1];
		else if (strcmp(argv[i], "-w") == 0)
			secs = atoi(argv[i + 1]);
		else
			break;
	}
	if (argc - i != (hex ? 2 : 3) || gap_ms < 0 || secs < 1) {
		fprintf(stderr,
		    "usage: slowhello [-g MS] HOST PORT URL\n"
		    "       slowhello -x HEX [-w SECONDS] HOST "
		    "PORT\n");
		return 2;
	}
	if ((fd = dial(argv[i], argv[i + 1], &opts)) < 0) {
		fprintf(stderr, "slowhello: cannot connect\n");
		return 1;
	}
	i = hex ? raw_bytes(fd, hex, secs)
		: slow_hello(fd, gap_ms, argv[i + 2]);
	close(fd);
	return i;
}
