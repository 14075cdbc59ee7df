/*
 * A page as a post: indexed for search and rendered as a Gopher text
 * document, on arbitrary bytes; the first bytes are also the query. Checks
 * the promises of search.h and plaintext.h: the results page is valid
 * UTF-8 and its Gopher menu keeps the line format with display strings
 * under 70 columns; the text document ends with "." and never holds a
 * line of a lone ".".
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "plaintext.h"
#include "search.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_menu(const struct buf *m)
{
	size_t i = 0, tabs, first_tab, k;

	assert(m->len >= 3 && memcmp(m->data + m->len - 3, ".\r\n", 3) == 0);
	assert(utf8_valid(m->data, m->len));
	while (i < m->len - 3) {
		const char *crlf = memmem(m->data + i, m->len - i, "\r\n", 2);
		size_t end;

		assert(crlf != NULL);
		end = (size_t)(crlf - m->data);
		tabs = 0;
		first_tab = end;
		for (k = i; k < end; k++) {
			unsigned char c = (unsigned char)m->data[k];
			if (c == '\t' && tabs++ == 0)
				first_tab = k;
			assert(c >= 0x20 || c == '\t');
		}
		assert(tabs == 3 && m->data[i] != '.');
		assert(utf8_width(m->data + i + 1, first_tab - i - 1) < 70);
		i = end + 2;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct gmi_menu_opts o = {"localhost", 70, NULL, NULL, NULL, 0};
	struct search_index *idx = search_new();
	struct buf out = BUF_INIT;
	size_t qlen = size < 24 ? size : 24;

	assert(search_add(idx, "/2021/12/31/post/index.gmi", in, size) == 1);
	search_gemtext(idx, in, qlen, &out);
	assert(utf8_valid(out.data, out.len));
	buf_reset(&out);
	search_menu(idx, in, qlen, &o, &out);
	check_menu(&out);
	buf_reset(&out);
	gmi_plaintext(in, size, "/2021/12/31/post/", &o, &out);
	assert(out.len >= 3 && memcmp(out.data + out.len - 3, ".\r\n", 3) == 0);
	assert(memmem(out.data, out.len, "\r\n.\r\n", 5) ==
		out.data + out.len - 5 ||
	    out.len == 3);
	search_free(idx);
	buf_free(&out);
	return 0;
}
