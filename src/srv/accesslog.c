#include "accesslog.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "utf8.h"

#define ACCESSLOG_FLUSH_AT 32768

void
accesslog_init(struct accesslog *al)
{
	memset(al, 0, sizeof(*al));
	buf_init(&al->buf);
	al->stamp_sec = -1;
}

void
accesslog_free(struct accesslog *al)
{
	buf_free(&al->buf);
}

/* Write v's decimal digits to end back (20 bytes at most); returns the
 * first. */
static char *
decimal(char *end, unsigned long long v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/* v in decimal at the end of b. */
static void
put_decimal(struct buf *b, unsigned long long v)
{
	char digits[20], *end = digits + sizeof(digits);
	char *p = decimal(end, v);

	buf_append(b, p, (size_t)(end - p));
}

/* Dotted decimal, as inet_ntop() writes it, which costs about as much
 * as the rest of a log line: out holds INET_ADDRSTRLEN bytes. */
static void
put_ipv4(char *out, const unsigned char a[4])
{
	char digits[20], *p;
	int i;

	for (i = 0; i < 4; i++) {
		p = decimal(digits + sizeof(digits), a[i]);
		memcpy(out, p, (size_t)(digits + sizeof(digits) - p));
		out += digits + sizeof(digits) - p;
		*out++ = i < 3 ? '.' : '\0';
	}
}

/* A log line's numbers without printf(), whose floating-point path is
 * the dearest part of the line: " status bytes ms" with the milliseconds
 * rounded to three decimals. */
static void
put_numbers(struct buf *b, const char *status_sep, int status,
    const char *bytes_sep, size_t bytes, const char *ms_sep, double ms)
{
	char digits[20];
	char *end = digits + sizeof(digits), *p;
	unsigned long long us =
	    ms > 0 ? (unsigned long long)(ms * 1e3 + 0.5) : 0;

	buf_puts(b, status_sep);
	put_decimal(b, status >= 0 ? (unsigned)status : 0);
	buf_puts(b, bytes_sep);
	put_decimal(b, bytes);
	buf_puts(b, ms_sep);
	put_decimal(b, us / 1000);
	p = decimal(end, us % 1000 + 1000); /* "1nnn": the leading zeros */
	*p = '.';
	buf_append(b, p, (size_t)(end - p));
}

void
accesslog_format_addr(
    char *out, size_t cap, const struct sockaddr *sa, enum log_addr mode)
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;

	if (mode == LOG_ADDR_NONE || sa == NULL) {
		snprintf(out, cap, "-");
		return;
	}
	if (sa->sa_family == AF_INET && cap >= INET_ADDRSTRLEN) {
		memcpy(&in4, sa, sizeof(in4));
		if (mode == LOG_ADDR_TRUNCATED)
			in4.sin_addr.s_addr &= htonl(0xffffff00);
		put_ipv4(out, (const unsigned char *)&in4.sin_addr);
		return;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(&in6, sa, sizeof(in6));
		if (mode == LOG_ADDR_TRUNCATED)
			memset(in6.sin6_addr.s6_addr + 6, 0, 10);
		if (inet_ntop(AF_INET6, &in6.sin6_addr, out, (socklen_t)cap))
			return;
	}
	snprintf(out, cap, "-");
}

static void
put_escaped(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (n == 0) {
		buf_putc(b, '-');
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || c == '\\') {
			buf_puts(b, "\\x");
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		} else {
			buf_putc(b, (char)c);
		}
	}
}

/* A JSON string's contents: UTF-8 as it is; quotes, backslashes and
 * control characters escaped; bytes that are not UTF-8 (a request may
 * hold anything) written as the text \xNN, as in the common format. */
static void
put_json(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t cp;
	size_t i, len;

	for (i = 0; i < n; i += len) {
		unsigned char c = (unsigned char)s[i];
		len = 1;
		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			buf_printf(b, "\\u%04x", c);
		} else if (c < 0x80) {
			buf_putc(b, (char)c);
		} else if ((len = utf8_decode(s + i, n - i, &cp)) > 0) {
			buf_append(b, s + i, len);
		} else {
			len = 1;
			buf_puts(b, "\\\\x");
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

static void
add_json(struct accesslog *al, const char *addr, const struct access_entry *e)
{
	struct buf *b = &al->buf;

	buf_printf(b, "{\"time\":\"%s\",\"client\":", al->stamp);
	if (strcmp(addr, "-") == 0)
		buf_puts(b, "null");
	else
		buf_printf(b, "\"%s\"", addr);
	buf_puts(b, ",\"host\":\"");
	put_json(b, e->host, e->host_len);
	buf_puts(b, "\",\"path\":\"");
	put_json(b, e->path, e->path_len);
	put_numbers(b, "\",\"status\":", e->status, ",\"bytes\":", e->bytes,
	    ",\"ms\":", e->ms);
	buf_puts(b, "}\n");
}

int
accesslog_add(struct accesslog *al, enum log_addr mode, enum log_format format,
    const struct access_entry *e)
{
	char addr[INET6_ADDRSTRLEN];
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec != al->stamp_sec) {
		al->stamp_sec = now.tv_sec;
		gmtime_r(&now.tv_sec, &tm);
		strftime(
		    al->stamp, sizeof(al->stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	accesslog_format_addr(addr, sizeof(addr), e->addr, mode);
	if (format == LOG_FORMAT_JSON) {
		add_json(al, addr, e);
		return al->buf.len >= ACCESSLOG_FLUSH_AT;
	}
	buf_puts(&al->buf, al->stamp);
	buf_putc(&al->buf, ' ');
	buf_puts(&al->buf, addr);
	buf_putc(&al->buf, ' ');
	put_escaped(&al->buf, e->host, e->host_len);
	buf_putc(&al->buf, ' ');
	put_escaped(&al->buf, e->path, e->path_len);
	put_numbers(&al->buf, " ", e->status, " ", e->bytes, " ", e->ms);
	buf_puts(&al->buf, "ms\n");
	return al->buf.len >= ACCESSLOG_FLUSH_AT;
}

void
accesslog_flush(struct accesslog *al, int fd)
{
	size_t off = 0;
	ssize_t w;

	while (fd >= 0 && off < al->buf.len) {
		w = write(fd, al->buf.data + off, al->buf.len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* a full disk must not stop the server */
		off += (size_t)w;
	}
	buf_reset(&al->buf);
}
