/*
 * PROXY protocol headers (v1 text, v2 binary) on arbitrary bytes. Besides
 * memory errors it checks invariants: a complete header lies inside the
 * input and within the protocol's bounds, its own bytes alone parse to the
 * same header, every shorter prefix of it asks for more, and a verdict of
 * "need more" is never given once the longest header would have fitted.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "proxyproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_header h, again;
	enum proxy_status st = proxy_parse(data, size, &h);

	if (st == PROXY_NEED_MORE)
		assert(size < PROXY_HEADER_MAX);
	if (st != PROXY_DONE)
		return 0;
	assert(h.consumed > 0 && h.consumed <= size);
	assert(h.version == 1 || h.version == 2);
	assert(h.version == 2 || h.consumed <= PROXY_V1_MAX);
	assert(h.consumed <= PROXY_HEADER_MAX);
	assert(h.family == AF_UNSPEC || h.family == AF_INET ||
	    h.family == AF_INET6);
	assert(h.family == AF_UNSPEC || h.src.ss_family == h.family);
	assert(proxy_parse(data, h.consumed, &again) == PROXY_DONE);
	assert(again.consumed == h.consumed && again.family == h.family);
	assert(memcmp(&again.src, &h.src, sizeof(h.src)) == 0);
	assert(proxy_parse(data, h.consumed - 1, &again) == PROXY_NEED_MORE);
	return 0;
}
