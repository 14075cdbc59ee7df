#include "permalink.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool
is_date_prefix(const char *s)
{
	static const char shape[] = "dddd-dd-dd-";
	size_t i;

	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i])
				    : s[i] != shape[i])
			return false;
	}
	return true;
}

char *
permalink_slug(const char *stem, const char *new_post_name)
{
	if (new_post_name != NULL && strncmp(new_post_name, ":year", 5) == 0 &&
	    strlen(stem) > 11 && is_date_prefix(stem))
		return xstrdup(stem + 11);
	return xstrdup(stem);
}

int
permalink_expand(const char *pattern, const struct permalink_vars *v,
    struct buf *out, const char **reason)
{
	struct tm tm;
	time_t local = v->date + (time_t)v->tz_minutes * 60;
	const char *p = pattern, *name;
	size_t n, start = out->len;

	gmtime_r(&local, &tm);
	if (*p != '/')
		buf_putc(out, '/');
	while (*p) {
		if (*p != ':') {
			buf_putc(out, *p++);
			continue;
		}
		name = ++p;
		while (islower((unsigned char)*p) || *p == '_')
			p++;
		n = (size_t)(p - name);
#define IS(s) (n == sizeof(s) - 1 && memcmp(name, s, n) == 0)
		if (IS("year"))
			buf_printf(out, "%04d", tm.tm_year + 1900);
		else if (IS("month"))
			buf_printf(out, "%02d", tm.tm_mon + 1);
		else if (IS("day"))
			buf_printf(out, "%02d", tm.tm_mday);
		else if (IS("i_month"))
			buf_printf(out, "%d", tm.tm_mon + 1);
		else if (IS("i_day"))
			buf_printf(out, "%d", tm.tm_mday);
		else if (IS("hour"))
			buf_printf(out, "%02d", tm.tm_hour);
		else if (IS("minute"))
			buf_printf(out, "%02d", tm.tm_min);
		else if (IS("second"))
			buf_printf(out, "%02d", tm.tm_sec);
		else if (IS("title") || IS("name"))
			buf_puts(out, v->title);
		else if (IS("category"))
			buf_puts(
			    out, v->category ? v->category : "uncategorized");
		else {
			buf_truncate(out, start);
			*reason = "unknown variable in permalink pattern";
			return -1;
		}
#undef IS
	}
	if (out->len - start <= 1) {
		buf_truncate(out, start);
		*reason = "permalink is empty";
		return -1;
	}
	return 0;
}

static bool
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

char *
permalink_page_file(const char *permalink, char **url)
{
	struct buf file = BUF_INIT, u = BUF_INIT;
	const char *p = permalink;
	size_t n;

	while (*p == '/')
		p++;
	n = strlen(p);
	if (ends_with(p, n, "index.html"))
		n -= strlen("index.html");
	if (ends_with(p, n, ".html") || ends_with(p, n, ".htm")) {
		n = (size_t)(strrchr(p, '.') - p);
		buf_append(&file, p, n);
		buf_puts(&file, ".gmi");
		buf_putc(&u, '/');
		buf_append(&u, file.data, file.len);
	} else {
		buf_append(&file, p, n);
		if (n > 0 && p[n - 1] != '/')
			buf_putc(&file, '/');
		buf_putc(&u, '/');
		buf_append(&u, file.data, file.len);
		buf_puts(&file, "index.gmi");
	}
	*url = buf_detach(&u, NULL);
	return buf_detach(&file, NULL);
}
