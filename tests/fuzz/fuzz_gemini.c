/*
 * The Gemini request line parser on arbitrary bytes, fed whole and split
 * at every point a TLS record could split it. Checks protocols.md
 * section 2: the verdict does not depend on how the bytes arrive, a
 * request is only ever for one of our hosts with a decoded path that
 * starts with '/' and holds no NUL and no dot segment, and a refusal is
 * 53 or 59 with a reason. The response header writer is run on the input
 * as a meta, and must give one line of at most 1029 bytes.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "gemini.h"
#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"localhost", "example.org"};
static const struct gemini_hosts hosts = {names, 2, 1965};

static void
check(enum gemini_parse v, const struct gemini_request *req)
{
	if (v == GEMINI_REQUEST) {
		assert(req->host >= 0 && req->host < 2);
		assert(req->path.len >= 1 && req->path.data[0] == '/');
		assert(memchr(req->path.data, '\0', req->path.len) == NULL);
		assert(!url_has_dot_segment(req->path.data, req->path.len));
		assert(req->line_len <= GEMINI_MAX_URI);
	} else if (v == GEMINI_REFUSE) {
		assert(req->status == 53 || req->status == 59);
		assert(req->reason != NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct gemini_request req;
	enum gemini_parse whole, part;
	int whole_status;
	struct buf head = BUF_INIT;
	size_t cut;

	gemini_request_init(&req);
	whole = gemini_parse(in, size, &hosts, &req);
	check(whole, &req);
	whole_status = req.status;
	/* Arriving in two pieces: the first piece alone must either need
	 * more or already give the verdict the whole line gets. */
	for (cut = 0; cut < size && cut < 64; cut++) {
		part = gemini_parse(in, cut, &hosts, &req);
		check(part, &req);
		if (part != GEMINI_NEED_MORE) {
			assert(part == whole);
			if (whole == GEMINI_REFUSE)
				assert(req.status == whole_status);
		}
	}
	gemini_request_free(&req);
	gemini_header(&head, 59, in, size);
	assert(head.len >= 5 && head.len <= 2 + 1 + GEMINI_MAX_META + 2);
	assert(memcmp(head.data + head.len - 2, "\r\n", 2) == 0);
	assert(memchr(head.data, '\n', head.len - 1) == NULL);
	buf_free(&head);
	return 0;
}
