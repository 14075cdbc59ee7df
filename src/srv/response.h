/*
 * response: what a protocol handler hands to the connection layer.
 *
 * Handlers (Gemini routing, Gopher) are pure: they fill a struct response
 * and never touch a socket. The connection layer sends head, then body,
 * then the file, and closes. One response per connection for both protocols.
 */
#ifndef CANYON_RESPONSE_H
#define CANYON_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

struct response {
	struct buf head; /* owned: header line, or a whole generated reply */
	const char *body; /* borrowed (from the store): valid while the store
			     generation that produced it is alive; or NULL */
	size_t body_len;
	int file_fd; /* owned, >= 0: stream this file last (large assets) */
	off_t file_len;
	int status; /* for the access log: Gemini status, or for Gopher
		       20 (served) / 51 (not found) / 59 (bad selector) */
};

void response_init(struct response *r);
/* Free head, close file_fd if open; r can be reused after response_init. */
void response_free(struct response *r);
/* Bytes this response sends in total. */
size_t response_size(const struct response *r);

/* One piece of a response's body or file, to queue for the socket. */
struct response_piece {
	const char *mem; /* in the body, or NULL: in the file */
	off_t offset; /* ... from the file's start */
	size_t len;
};

/* The piece of r's body and file that follows the first `queued` bytes of
 * them (the head goes out whole, before): at most `most` bytes, and within
 * the body or within the file, not across. False when nothing is left. A
 * large reply goes out piece by piece (conn.c), so that writing it does not
 * hold the loop up for the whole reply at once. */
bool response_piece(const struct response *r, size_t queued, size_t most,
    struct response_piece *p);

#endif
