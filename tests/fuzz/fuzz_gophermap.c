/*
 * gemtext to a Gopher menu on arbitrary pages. Checks the menu rules of
 * gophermap.h: CRLF line ends, four tab-separated fields on every line but
 * the final ".", no other line starting with '.', no control bytes.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "gophermap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_menu(const char *m, size_t n)
{
	size_t start = 0, i, tabs;

	assert(n >= 3 && memcmp(m + n - 3, ".\r\n", 3) == 0);
	while (start < n - 3) {
		const char *eol = memchr(m + start, '\n', n - start);

		assert(eol != NULL && eol > m + start && eol[-1] == '\r');
		assert(m[start] != '.');
		tabs = 0;
		for (i = start; m + i < eol - 1; i++) {
			unsigned char c = (unsigned char)m[i];

			tabs += c == '\t';
			assert(c == '\t' || (c >= 0x20 && c != 0x7f));
		}
		assert(tabs == 3);
		start = (size_t)(eol - m) + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gmi_menu_opts o;
	struct buf out = BUF_INIT;

	memset(&o, 0, sizeof(o));
	o.host = "localhost";
	o.port = 70;
	o.after_title = "7Search\t/search\tlocalhost\t70\r\n";
	o.after_title_len = strlen(o.after_title);
	gmi_gophermap((const char *)data, size, "/2021/12/31/post/", &o, &out);
	check_menu(out.data, out.len);
	buf_free(&out);
	return 0;
}
