/*
 * response: what a protocol handler hands to the connection layer.
 *
 * Handlers (Gemini routing, Gopher) are pure: they fill a struct response
 * and never touch a socket. The connection layer sends head, then body,
 * then the file, and closes. One response per connection for both protocols.
 */
#ifndef CANYON_RESPONSE_H
#define CANYON_RESPONSE_H

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

#endif
