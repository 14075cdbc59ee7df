/*
 * The Gopher request line parser, the URL: page and the error menu on
 * arbitrary lines. Checks what the parser promises: an accepted path
 * starts with '/', holds no control byte and no "." or ".." segment.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "gopher.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data, *reason = NULL;
	struct gopher_request req;
	struct buf out = BUF_INIT;
	size_t i;

	if (gopher_parse(line, size, &req, &reason) == 0) {
		if (req.kind == GOPHER_PATH) {
			assert(req.path_len >= 1 && req.path[0] == '/');
			assert(req.path_len < sizeof(req.path));
			for (i = 0; i < req.path_len; i++)
				assert((unsigned char)req.path[i] >= 0x20 &&
				    req.path[i] != 0x7f);
			assert(!url_has_dot_segment(req.path, req.path_len));
		} else {
			assert(req.url.p >= line &&
			    req.url.p + req.url.len <= line + size);
			(void)gopher_url_page(req.url.p, req.url.len, &out);
		}
		if (req.has_query)
			assert(req.query.p >= line &&
			    req.query.p + req.query.len <= line + size);
	} else {
		assert(reason != NULL);
	}
	buf_reset(&out);
	(void)gopher_url_page(line, size, &out);
	buf_reset(&out);
	/* The message is a C string: stop at the first NUL. */
	{
		char msg[256];
		size_t n = size < sizeof(msg) - 1 ? size : sizeof(msg) - 1;

		memcpy(msg, line, n);
		msg[n] = '\0';
		gopher_error_menu(&out, msg);
		assert(out.len >= 5 && memcmp(out.data, "3", 1) == 0);
		assert(memcmp(out.data + out.len - 3, ".\r\n", 3) == 0);
	}
	buf_free(&out);
	return 0;
}
