/*
 * gopher: the Gopher side of the capsule (RFC 1436 and common practice).
 *
 * A gopher_site is built from a store (and rebuilt with it on reload); it
 * renders the capsule's gemtext pages as menus and text documents.
 * gopher_respond() is pure: one request line in, one response out.
 *
 * Selectors are the capsule's URL paths, with or without the leading '/'
 * ("" is the root menu). Every gemtext page is a menu (type 1), rendered
 * once when the site is built; "/x/" and "/x/index.gmi" name the same one.
 * Each post (a page under /YYYY/MM/DD/) is also a text document (type 0)
 * at the selector of its page with ".gmi" replaced by ".txt" (so
 * "/2021/12/31/slug/index.txt"), linked by a `0` item at the top of its
 * menu; a real file of that name wins. In-memory .txt files are sent as
 * type 0 text (CRLF, dot-stuffed, terminated); every other file is sent
 * as it is, large ones streamed from the store's root. The root menu has a
 * type 7 search item (SEARCH_PATH). A "URL:" selector gets an HTML page
 * that sends the browser on to the URL. Errors are a type 3 menu.
 */
#ifndef CANYON_GOPHER_H
#define CANYON_GOPHER_H

#include <stdbool.h>
#include <stddef.h>

#include "response.h"
#include "search.h"
#include "store.h"

/* Longest request line accepted, CRLF not counted. */
#define GOPHER_MAX_LINE 1024

struct gopher_site;

/* host and port are the public ones written into every menu line. The site
 * borrows st and idx (idx may be NULL), which must outlive it. */
struct gopher_site *gopher_site_new(const struct store *st,
    const struct search_index *idx, const char *host, int port);
void gopher_site_free(struct gopher_site *gs);

/* Answer one request line (CRLF or LF already removed, len <= 1024).
 * resp->body, when set, borrows from gs or the store. */
void gopher_respond(const struct gopher_site *gs, const char *line, size_t len,
    struct response *resp);

/* --- pure pieces, exposed for gopher_respond() and the tests --- */

enum gopher_kind {
	GOPHER_PATH, /* a capsule path, in path */
	GOPHER_URL, /* "URL:<url>": url */
};

struct gopher_request {
	enum gopher_kind kind;
	char path[GOPHER_MAX_LINE + 2]; /* always starts with '/' */
	size_t path_len;
	struct slice url; /* GOPHER_URL: slice of the line, after "URL:" */
	struct slice query; /* the search field, when has_query */
	bool has_query;
};

/*
 * Parse a request line. A Gopher+ field ("\t+...", "\t!", "\t$") is
 * dropped; another second field is a search query (a third, Gopher+ one,
 * is dropped). Refused, with a static reason: a line over GOPHER_MAX_LINE
 * bytes, invalid UTF-8, control bytes, "." or ".." segments, an HTTP
 * request line. Returns 0 or -1.
 */
int gopher_parse(const char *line, size_t len, struct gopher_request *req,
    const char **reason);

/* Append the reply to a URL: selector: an HTML page with a meta refresh
 * and a visible link, both HTML-escaped. Returns -1 (nothing appended)
 * unless url[0..len) is an absolute URL with a scheme that a browser may
 * follow (javascript:, data: and vbscript: are refused). */
int gopher_url_page(const char *url, size_t len, struct buf *out);

/* Append a type 3 error menu with message (cleaned, cut to fit). */
void gopher_error_menu(struct buf *out, const char *message);

#endif
