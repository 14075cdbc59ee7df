/*
 * serverconf: the server's settings, as read from the server: section of
 * canyon.yaml (src/app/config_server.c fills it, the server only reads it).
 */
#ifndef CANYON_SERVERCONF_H
#define CANYON_SERVERCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "admission.h"

enum log_addr { LOG_ADDR_FULL, LOG_ADDR_TRUNCATED, LOG_ADDR_NONE };
enum log_format { LOG_FORMAT_COMMON, LOG_FORMAT_JSON };

struct srv_host {
	char *name; /* lower case, no trailing dot */
	char *root; /* folder of the built capsule */
	char *cert; /* PEM certificate chain */
	char *key; /* PEM private key */
	char *lang; /* lang parameter of text/gemini, "" for none */
};

struct srv_redirect {
	char *from; /* decoded URL path, exact match */
	char *to; /* URI reference sent as the meta */
	bool permanent; /* 31, else 30 */
};

struct srv_cert_area {
	char *prefix; /* decoded URL path prefix */
	unsigned char (*fingerprints)[32]; /* SHA-256 of allowed certificates */
	size_t n_fingerprints; /* 0: any client certificate is let in */
};

struct server_conf {
	struct srv_host *hosts; /* hosts[0] is the default host */
	size_t n_hosts;
	int port; /* public Gemini port */
	char **listen; /* "ADDR:PORT" ("[v6]:PORT") to bind for Gemini */
	bool *listen_proxy; /* listen[i] expects a PROXY protocol header */
	size_t n_listen;
	char *gopher_host; /* public Gopher host name */
	int gopher_port; /* public Gopher port */
	char **gopher_listen;
	bool *gopher_listen_proxy;
	size_t n_gopher_listen;
	struct srv_redirect *redirects;
	size_t n_redirects;
	char **gone; /* paths answered 52; a prefix when ending in '/' */
	size_t n_gone;
	struct srv_cert_area *areas;
	size_t n_areas;
	int workers; /* event loops, one thread each */
	int timeout_request; /* seconds to complete handshake and request */
	int timeout_write; /* seconds a client may stall reading */
	size_t max_in_memory; /* larger files are streamed from disk */
	char *access_log; /* file, "-" for stderr, "" for none */
	enum log_format access_log_format;
	char *ticket_key_file; /* session-ticket keys, NULL for OpenSSL's own */
	enum log_addr log_client_address;
	char *certs_dir; /* where missing certificates are created */
	char *user; /* become this user after binding; NULL: stay */
	char *config_file; /* read again on SIGHUP; NULL: built-in defaults */
	struct limits_conf limits; /* used as read at start; reloads check it */
};

/* Free everything conf owns and zero it. */
void server_conf_free(struct server_conf *conf);

#endif
