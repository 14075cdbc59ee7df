/*
 * route: a parsed Gemini request to a response, for one virtual host.
 *
 * Pure apart from opening the files that are too large to be kept in
 * memory (beneath the store's root). Only codes of protocols.md section 3.
 */
#ifndef CANYON_ROUTE_H
#define CANYON_ROUTE_H

#include <stdbool.h>

#include "gemini.h"
#include "response.h"
#include "search.h"
#include "serverconf.h"
#include "store.h"

struct route_site {
	const struct store *st;
	const struct search_index *idx;
	const struct srv_host *host;
	const struct server_conf *conf; /* redirects, gone, certificate areas */
};

/* Gives the SHA-256 fingerprint of the client's certificate; false when
 * the client sent none. Called only for certificate areas. */
typedef bool (*route_cert_fn)(void *arg, unsigned char fp[32]);

void route_gemini(const struct route_site *site,
    const struct gemini_request *req, route_cert_fn cert, void *cert_arg,
    struct response *resp);

#endif
