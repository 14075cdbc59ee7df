/*
 * The Gopher side on arbitrary bytes: request lines (gopher_parse), pages
 * rendered as menus and text documents, and search over a page. Besides
 * memory errors it checks invariants: a parsed path starts with '/' and
 * has no dot segment; every menu line has four fields, no control bytes,
 * a display string under 70 columns; menus and text end with ".".
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "gopher.h"
#include "gophermap.h"
#include "plaintext.h"
#include "search.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_menu(const struct buf *m)
{
	size_t i = 0, tabs, first_tab;

	assert(m->len >= 3 && memcmp(m->data + m->len - 3, ".\r\n", 3) == 0);
	assert(utf8_valid(m->data, m->len));
	while (i < m->len - 3) {
		const char *crlf = memmem(m->data + i, m->len - i, "\r\n", 2);
		size_t end = (size_t)(crlf - m->data), k;
		assert(crlf != NULL);
		tabs = 0;
		first_tab = end;
		for (k = i; k < end; k++) {
			unsigned char c = (unsigned char)m->data[k];
			if (c == '\t' && tabs++ == 0)
				first_tab = k;
			assert(c >= 0x20 || c == '\t');
		}
		assert(tabs == 3);
		assert(m->data[i] != '.');
		assert(utf8_width(m->data + i + 1, first_tab - i - 1) < 70);
		i = end + 2;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *reason;
	struct gmi_menu_opts o = {"h.example", 70, NULL, NULL, NULL, 0};
	struct gopher_request req;
	struct buf out = BUF_INIT;
	struct search_index *idx;

	if (gopher_parse(in, size, &req, &reason) == 0 &&
	    req.kind == GOPHER_PATH) {
		assert(req.path[0] == '/');
		assert(strlen(req.path) == req.path_len);
		assert(!url_has_dot_segment(req.path, req.path_len));
	}
	gmi_gophermap(in, size, "/a/b/", &o, &out);
	check_menu(&out);
	buf_reset(&out);
	gmi_plaintext(in, size, "/a/b/", &o, &out);
	assert(out.len >= 3 && memcmp(out.data + out.len - 3, ".\r\n", 3) == 0);
	buf_reset(&out);
	idx = search_new();
	search_add(idx, "/2021/12/31/x/index.gmi", in, size);
	search_menu(idx, in, size < 16 ? size : 16, &o, &out);
	check_menu(&out);
	search_free(idx);
	buf_free(&out);
	return 0;
}
