/*
 * The Gemini request parser and the header writer on arbitrary bytes.
 * Besides memory errors it checks the parser's promises: a request is
 * only accepted with a CRLF within the first 1026 bytes, for a known
 * host, with a decoded path that starts with '/' and has no dot segment,
 * NUL or control character; a refusal is 53 or 59 with a reason; and the
 * header written for any meta is at most 2 + 1 + 1024 + 2 bytes, without
 * control characters before its CRLF.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "gemini.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"localhost", "example.org"};
	static const struct gemini_hosts hosts = {names, 2, 1965};
	const char *in = (const char *)data;
	struct gemini_request req;
	struct buf head = BUF_INIT;
	size_t i;

	gemini_request_init(&req);
	switch (gemini_parse(in, size, &hosts, &req)) {
	case GEMINI_NEED_MORE:
		assert(size <= GEMINI_MAX_URI + 1);
		break;
	case GEMINI_REFUSE:
		assert(req.status == 53 || req.status == 59);
		assert(req.reason != NULL && req.reason[0] != '\0');
		break;
	case GEMINI_REQUEST:
		assert(req.line_len <= GEMINI_MAX_URI);
		assert(in[req.line_len] == '\r' && in[req.line_len + 1] == '\n');
		assert(req.host >= 0 && req.host < 2);
		assert(req.path.len > 0 && req.path.data[0] == '/');
		assert(!url_has_dot_segment(req.path.data, req.path.len));
		assert(utf8_valid(req.path.data, req.path.len));
		for (i = 0; i < req.path.len; i++)
			assert((unsigned char)req.path.data[i] >= 0x20 && req.path.data[i] != 0x7f);
		break;
	}
	gemini_request_free(&req);

	gemini_header(&head, 59, in, size);
	assert(head.len <= 2 + 1 + GEMINI_MAX_META + 2);
	assert(head.len >= 5 && memcmp(head.data + head.len - 2, "\r\n", 2) == 0);
	for (i = 0; i + 2 < head.len; i++)
		assert((unsigned char)head.data[i] >= 0x20 && head.data[i] != 0x7f);
	buf_free(&head);
	return 0;
}
