/*
 * gen: one generation of everything the server serves from.
 *
 * Configuration, content stores, search indexes, the Gopher site and the
 * TLS contexts are built together at start and on every reload, then never
 * changed. Connections hold a reference to the generation they started
 * with, so a reload never pulls content from under a response in flight;
 * the last reference frees it.
 */
#ifndef CANYON_GEN_H
#define CANYON_GEN_H

#include <stdatomic.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "gemini.h"
#include "gopher.h"
#include "route.h"
#include "search.h"
#include "serverconf.h"
#include "store.h"
#include "tls.h"

struct gen_host {
	struct store *st;
	struct search_index *idx;
	struct route_site site;
};

struct gen {
	atomic_int refs;
	struct server_conf conf; /* owned */
	struct gen_host *hosts; /* conf.n_hosts of them */
	const char **names; /* host names, for the parser and SNI */
	SSL_CTX **ctx; /* one per host */
	struct gemini_hosts gemini_hosts;
	struct tls_sni sni;
	struct gopher_site *gopher; /* over hosts[0] */
	int log_fd; /* access log, -1 for none */
	struct timeval request_timeout, write_timeout;
};

/* Build a generation from conf, which it takes over (conf is zeroed even on
 * failure). One reference for the caller. NULL and err on failure. */
struct gen *gen_new(struct server_conf *conf, char *err, size_t errlen);
/* Reopen the access log file by name (after log rotation); in place, so
 * the loops writing to it need not know. 0, or -1 with err. */
int gen_reopen_log(struct gen *g, char *err, size_t errlen);
void gen_ref(struct gen *g);
void gen_unref(struct gen *g);

#endif
