/*
 * URL parsing, percent-decoding and encoding, dot-segment and public-path
 * checks on arbitrary bytes. Besides memory errors it checks invariants:
 * every parsed component lies inside the input, and decoding what was
 * encoded gives the original bytes back.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "path.h"
#include "url.h"

static void
inside(struct slice s, const char *in, size_t n)
{
	if (s.len > 0)
		assert(s.p >= in && s.p + s.len <= in + n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *reason;
	struct buf dec = BUF_INIT, enc = BUF_INIT, back = BUF_INIT;
	struct url u;

	if (url_parse(in, size, &u, &reason) == 0) {
		inside(u.scheme, in, size);
		inside(u.userinfo, in, size);
		inside(u.host, in, size);
		inside(u.port, in, size);
		inside(u.path, in, size);
		inside(u.query, in, size);
		inside(u.fragment, in, size);
		assert(u.port_num >= -1 && u.port_num <= 65535);
		if (url_decode(u.path.p, u.path.len, &dec, URL_DECODE_PATH,
			&reason) == 0) {
			assert(memchr(dec.data, '\0', dec.len) == NULL);
			(void)url_has_dot_segment(dec.data, dec.len);
			(void)path_is_public(dec.data, dec.len);
		}
	}
	buf_reset(&dec);
	if (url_decode(in, size, &dec, 0, &reason) == 0)
		assert(dec.len <= size);
	url_encode(&enc, in, size, "/");
	assert(url_decode(enc.data, enc.len, &back, 0, &reason) == 0);
	assert(back.len == size &&
	    (size == 0 || memcmp(back.data, in, size) == 0));
	(void)url_has_dot_segment(in, size);
	(void)path_is_public(in, size);
	buf_free(&dec);
	buf_free(&enc);
	buf_free(&back);
	return 0;
}
