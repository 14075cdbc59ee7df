/*
 * gemini: the Gemini request line and response header, as pure functions.
 *
 * gemini_parse() looks at the bytes received so far and says whether the
 * request line is complete, and if so either what it asks for or which
 * refusal it gets (protocols.md section 2). No socket, no file system.
 */
#ifndef CANYON_GEMINI_H
#define CANYON_GEMINI_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "url.h"

#define GEMINI_MAX_URI 1024
#define GEMINI_MAX_META 1024

/* The names this server answers for; names[0] is the default host, served
 * to IP-literal requests. Names are lower case without a trailing dot. */
struct gemini_hosts {
	const char *const *names;
	size_t n;
	int port; /* the public port */
};

enum gemini_parse {
	GEMINI_NEED_MORE, /* no CRLF yet, and not too long: keep reading */
	GEMINI_REQUEST, /* a request for one of our hosts: route it */
	GEMINI_REFUSE, /* answer status with reason, route nothing */
};

/* Reusable between requests: the buffers keep their storage. */
struct gemini_request {
	size_t line_len; /* bytes of the URI (CRLF not counted) */
	int host; /* index in gemini_hosts.names */
	struct slice host_seen; /* the host as written (into the input) */
	struct slice raw_path; /* the path as written (into the input) */
	struct buf path; /* decoded path, "/" for an empty one */
	bool has_query;
	struct buf query; /* decoded query */
	int status; /* for GEMINI_REFUSE: 53 or 59 */
	const char *reason; /* static text for the header */
};

void gemini_request_init(struct gemini_request *req);
void gemini_request_free(struct gemini_request *req);

/* Examine in[0..len), the bytes received so far. Slices in req point into
 * in, which must stay unchanged while they are used. */
enum gemini_parse gemini_parse(const char *in, size_t len,
    const struct gemini_hosts *hosts, struct gemini_request *req);

/*
 * Append "<status> <meta>\r\n" to out. meta is cleaned of control
 * characters and cut at a UTF-8 boundary so it is at most 1024 bytes.
 */
void gemini_header(struct buf *out, int status, const char *meta, size_t len);

/* Write the success header for mime (with charset=utf-8 for text, lang for
 * text/gemini when lang is not NULL or empty) to out[0..cap). Returns its
 * length, or 0 when it does not fit. */
size_t gemini_success_header(
    char *out, size_t cap, const char *mime, const char *lang);

#endif
