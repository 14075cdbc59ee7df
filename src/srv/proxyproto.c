#include "proxyproto.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static const char v1_prefix[] = "PROXY ";
#define V1_PREFIX_LEN (sizeof(v1_prefix) - 1)
static const unsigned char v2_signature[12] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

#define V2_HEADER_LEN 16
#define V2_CMD_LOCAL 0x0
#define V2_CMD_PROXY 0x1
#define V2_FAM_UNSPEC 0x0
#define V2_FAM_INET 0x1
#define V2_FAM_INET6 0x2
#define V2_FAM_UNIX 0x3
#define V2_PROTO_MAX 0x2 /* UNSPEC, STREAM, DGRAM */
#define V2_INET_LEN 12 /* two IPv4 addresses, two ports */
#define V2_INET6_LEN 36 /* two IPv6 addresses, two ports */
#define V2_UNIX_LEN 216 /* two 108-byte socket paths */
#define V2_TLV_HEADER 3 /* type, 16-bit length */

static size_t
min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* A decimal port in [0, 65535] without leading zeros, as v1 requires. */
static bool
parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* Fill ss with address text a (of family af) and port; false if invalid. */
static bool
set_addr_text(
    struct sockaddr_storage *ss, int af, const char *a, const char *port)
{
	uint16_t p;

	memset(ss, 0, sizeof(*ss));
	if (!parse_port(port, &p))
		return false;
	if (af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		return inet_pton(AF_INET, a, &sin->sin_addr) == 1;
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(p);
	return inet_pton(AF_INET6, a, &sin6->sin6_addr) == 1;
}

/* Split line (modified in place) on single spaces into exactly n fields. */
static bool
split_fields(char *line, char **fields, size_t n)
{
	size_t i = 0;
	char *p = line;

	for (;;) {
		char *sp = strchr(p, ' ');
		if (i == n || p[0] == '\0' || p[0] == ' ')
			return false; /* too many fields, or an empty one */
		fields[i++] = p;
		if (sp == NULL)
			return i == n;
		*sp = '\0';
		p = sp + 1;
	}
}

static enum proxy_status
parse_v1(const unsigned char *b, size_t len, struct proxy_header *hdr)
{
	char line[PROXY_V1_MAX + 1], *fields[5];
	size_t end, scan = min_size(len, PROXY_V1_MAX);
	int af;

	if (memcmp(b, v1_prefix, min_size(len, V1_PREFIX_LEN)) != 0)
		return PROXY_BAD;
	for (end = 0; end < scan; end++) {
		if (b[end] == '\n')
			break;
		/* Only printable ASCII, and CR only right before LF. */
		if (b[end] == '\r' ? end + 1 < len && b[end + 1] != '\n'
				   : b[end] < 0x20 || b[end] > 0x7e)
			return PROXY_BAD;
	}
	if (end == scan)
		return len >= PROXY_V1_MAX ? PROXY_BAD : PROXY_NEED_MORE;
	if (end <= V1_PREFIX_LEN || b[end - 1] != '\r')
		return PROXY_BAD;

	memset(hdr, 0, sizeof(*hdr));
	hdr->version = 1;
	hdr->consumed = end + 1;
	/* The line after "PROXY ", without its CRLF. */
	memcpy(line, b + V1_PREFIX_LEN, end - 1 - V1_PREFIX_LEN);
	line[end - 1 - V1_PREFIX_LEN] = '\0';
	if (strncmp(line, "UNKNOWN", 7) == 0 &&
	    (line[7] == '\0' || line[7] == ' ')) {
		/* The rest of the line is to be ignored (the specification). */
		hdr->family = AF_UNSPEC;
		return PROXY_DONE;
	}
	if (!split_fields(line, fields, 5))
		return PROXY_BAD;
	if (strcmp(fields[0], "TCP4") == 0)
		af = AF_INET;
	else if (strcmp(fields[0], "TCP6") == 0)
		af = AF_INET6;
	else
		return PROXY_BAD;
	if (!set_addr_text(&hdr->src, af, fields[1], fields[3]) ||
	    !set_addr_text(&hdr->dst, af, fields[2], fields[4]))
		return PROXY_BAD;
	hdr->family = af;
	return PROXY_DONE;
}

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Every TLV of the rest of the header must fit in it exactly. */
static bool
tlvs_fit(const unsigned char *p, size_t n)
{
	while (n > 0) {
		size_t tlv;
		if (n < V2_TLV_HEADER)
			return false;
		tlv = V2_TLV_HEADER + get16(p + 1);
		if (tlv > n)
			return false;
		p += tlv;
		n -= tlv;
	}
	return true;
}

static enum proxy_status
parse_v2(const unsigned char *b, size_t len, struct proxy_header *hdr)
{
	const unsigned char *a = b + V2_HEADER_LEN;
	size_t payload, addrlen;
	unsigned cmd, fam;

	if (memcmp(b, v2_signature, min_size(len, sizeof(v2_signature))) != 0)
		return PROXY_BAD;
	if (len > 12 && ((b[12] >> 4) != 2 || (b[12] & 0xf) > V2_CMD_PROXY))
		return PROXY_BAD;
	if (len > 13 &&
	    ((b[13] >> 4) > V2_FAM_UNIX || (b[13] & 0xf) > V2_PROTO_MAX))
		return PROXY_BAD;
	if (len < V2_HEADER_LEN)
		return PROXY_NEED_MORE;
	payload = get16(b + 14);
	if (payload > PROXY_V2_MAX_PAYLOAD)
		return PROXY_BAD;
	if (len < V2_HEADER_LEN + payload)
		return PROXY_NEED_MORE;

	memset(hdr, 0, sizeof(*hdr));
	hdr->version = 2;
	hdr->consumed = V2_HEADER_LEN + payload;
	hdr->family = AF_UNSPEC;
	cmd = b[12] & 0xf;
	fam = b[13] >> 4;
	switch (fam) {
	case V2_FAM_INET:
		addrlen = V2_INET_LEN;
		break;
	case V2_FAM_INET6:
		addrlen = V2_INET6_LEN;
		break;
	case V2_FAM_UNIX:
		addrlen = V2_UNIX_LEN;
		break;
	default:
		addrlen = 0;
		break;
	}
	/* LOCAL (a balancer's own health check) may carry anything: its
	 * addresses are meaningless and the connection's own stand. */
	if (cmd == V2_CMD_LOCAL)
		return PROXY_DONE;
	if (payload < addrlen || !tlvs_fit(a + addrlen, payload - addrlen))
		return PROXY_BAD;
	if (fam == V2_FAM_INET) {
		struct sockaddr_in *src = (struct sockaddr_in *)&hdr->src;
		struct sockaddr_in *dst = (struct sockaddr_in *)&hdr->dst;
		src->sin_family = dst->sin_family = AF_INET;
		memcpy(&src->sin_addr, a, 4);
		memcpy(&dst->sin_addr, a + 4, 4);
		memcpy(&src->sin_port, a + 8, 2); /* both in network order */
		memcpy(&dst->sin_port, a + 10, 2);
		hdr->family = AF_INET;
	} else if (fam == V2_FAM_INET6) {
		struct sockaddr_in6 *src = (struct sockaddr_in6 *)&hdr->src;
		struct sockaddr_in6 *dst = (struct sockaddr_in6 *)&hdr->dst;
		src->sin6_family = dst->sin6_family = AF_INET6;
		memcpy(&src->sin6_addr, a, 16);
		memcpy(&dst->sin6_addr, a + 16, 16);
		memcpy(&src->sin6_port, a + 32, 2);
		memcpy(&dst->sin6_port, a + 34, 2);
		hdr->family = AF_INET6;
	}
	/* UNSPEC and UNIX: no IP address to take; the connection's stands. */
	return PROXY_DONE;
}

enum proxy_status
proxy_parse(const void *buf, size_t len, struct proxy_header *hdr)
{
	const unsigned char *b = buf;

	if (len == 0)
		return PROXY_NEED_MORE;
	if (b[0] == (unsigned char)v1_prefix[0])
		return parse_v1(b, len, hdr);
	if (b[0] == v2_signature[0])
		return parse_v2(b, len, hdr);
	return PROXY_BAD;
}
