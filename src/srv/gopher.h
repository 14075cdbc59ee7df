/*
 * gopher: the Gopher side of the capsule (RFC 1436 and common practice).
 *
 * A gopher_site is built from a store (and rebuilt with it on reload); it
 * renders the capsule's gemtext pages as menus and text documents.
 * gopher_respond() is pure: one request line in, one response out.
 */
#ifndef CANYON_GOPHER_H
#define CANYON_GOPHER_H

#include <stddef.h>

#include "response.h"
#include "search.h"
#include "store.h"

struct gopher_site;

/* host and port are the public ones written into every menu line. The site
 * borrows st and idx (idx may be NULL), which must outlive it. */
struct gopher_site *gopher_site_new(const struct store *st,
    const struct search_index *idx, const char *host, int port);
void gopher_site_free(struct gopher_site *gs);

/* Answer one request line (CRLF or LF already removed, len <= 1024). */
void gopher_respond(const struct gopher_site *gs, const char *line, size_t len,
    struct response *resp);

#endif
