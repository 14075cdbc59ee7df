/*
 * gemreq: a minimal Gemini client for the integration tests.
 *
 *   gemreq [-6] [-s SNI | -S] [-V tls1.2|tls1.3] [-C CERT -K KEY]
 *          [-w MS | -1] [-R] [-D MS] [-B BYTES] -p PORT < request
 *
 * Sends stdin (the raw request, so tests control every byte; with -w it is
 * sent in two parts, the first byte, a pause, the rest) over TLS to
 * localhost, prints the reply on stdout, and on stderr one line per fact:
 * "cn=NAME" of the server certificate, "version=TLSv1.3", then
 * "close_notify" or "no_close_notify" for how the reply ended. -S sends
 * no SNI. -R resets the connection (RST) right after sending, without
 * reading. -D waits before reading the reply (a slow reader), -B sets a
 * small receive buffer so that the server cannot hand the whole reply to
 * the kernel at once. -1 holds the client's last handshake flight back
 * (TCP_CORK from the server's Finished on) and sends it and the request
 * in one segment, so that the server reads both at once. Exit status: 0 after a
 * complete handshake, 1 otherwise.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dial.h"

static void
set_cork(int fd, int on)
{
	setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
}

/* -1: cork the socket once the server's Finished is in, before the
 * client's Finished goes out; main() uncorks after the request. */
static void
cork_at_server_finished(int write_p, int version, int content_type,
    const void *msg, size_t len, SSL *ssl, void *arg)
{
	(void)version, (void)ssl;
	if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
	    ((const unsigned char *)msg)[0] == SSL3_MT_FINISHED)
		set_cork(*(int *)arg, 1);
}

int
main(int argc, char **argv)
{
	const char *sni = "localhost", *version = NULL, *cert = NULL,
		   *key = NULL;
	char req[4096], buf[16384], cn[256] = "";
	const char *port = "0";
	struct dial_opts opts = {0};
	int ch, v6 = 0, wait_ms = 0, reset = 0, delay_ms = 0, one_segment = 0,
		fd, n, err;
	struct linger abort_close = {1, 0};
	size_t reqlen;
	SSL_CTX *ctx;
	SSL *ssl;
	X509 *peer;

	while ((ch = getopt(argc, argv, "6s:SV:C:K:w:p:RD:B:1")) != -1) {
		switch (ch) {
		case '6':
			v6 = 1;
			break;
		case 's':
			sni = optarg;
			break;
		case 'S':
			sni = NULL;
			break;
		case 'V':
			version = optarg;
			break;
		case 'C':
			cert = optarg;
			break;
		case 'K':
			key = optarg;
			break;
		case 'w':
			wait_ms = atoi(optarg);
			break;
		case 'p':
			port = optarg;
			break;
		case 'R':
			reset = 1;
			break;
		case 'D':
			delay_ms = atoi(optarg);
			break;
		case 'B':
			opts.rcvbuf = atoi(optarg);
			break;
		case '1':
			one_segment = 1;
			break;
		default:
			return 2;
		}
	}
	reqlen = fread(req, 1, sizeof(req), stdin);
	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_security_level(ctx, 0);
	if (version && strcmp(version, "tls1.2") == 0) {
		SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	} else if (version && strcmp(version, "tls1.3") == 0) {
		SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	} else if (version && strcmp(version, "tls1.1") == 0) {
		SSL_CTX_set_min_proto_version(ctx, TLS1_1_VERSION);
		SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
	}
	if (cert &&
	    (SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM) != 1 ||
		SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)) {
		fprintf(stderr, "cannot load client certificate\n");
		return 1;
	}
	if ((fd = dial(v6 ? "::1" : "127.0.0.1", port, &opts)) == -1) {
		perror("connect");
		return 1;
	}
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (sni)
		SSL_set_tlsext_host_name(ssl, sni);
	if (one_segment) {
		SSL_set_msg_callback(ssl, cork_at_server_finished);
		SSL_set_msg_callback_arg(ssl, &fd);
	}
	if (SSL_connect(ssl) != 1) {
		fprintf(stderr, "handshake_failed\n");
		return 1;
	}
	if ((peer = SSL_get1_peer_certificate(ssl)) != NULL) {
		X509_NAME_get_text_by_NID(X509_get_subject_name(peer),
		    NID_commonName, cn, sizeof(cn));
		X509_free(peer);
	}
	fprintf(stderr, "cn=%s\nversion=%s\n", cn, SSL_get_version(ssl));
	if (wait_ms > 0 && reqlen > 1) {
		SSL_write(ssl, req, 1);
		usleep((useconds_t)wait_ms * 1000);
		SSL_write(ssl, req + 1, (int)reqlen - 1);
	} else if (reqlen > 0) {
		SSL_write(ssl, req, (int)reqlen);
	}
	if (one_segment)
		set_cork(fd, 0);
	if (reset) {
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_close,
		    sizeof(abort_close));
		close(fd);
		SSL_free(ssl);
		SSL_CTX_free(ctx);
		return 0;
	}
	if (delay_ms > 0)
		usleep((useconds_t)delay_ms * 1000);
	for (;;) {
		n = SSL_read(ssl, buf, sizeof(buf));
		if (n > 0) {
			fwrite(buf, 1, (size_t)n, stdout);
			continue;
		}
		err = SSL_get_error(ssl, n);
		fprintf(stderr, "%s\n",
		    err == SSL_ERROR_ZERO_RETURN ? "close_notify"
						 : "no_close_notify");
		break;
	}
	SSL_shutdown(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return 0;
}
