#include "gopher.h"

#include <stdlib.h>

struct gopher_site {
	const struct store *st;
};

struct gopher_site *
gopher_site_new(const struct store *st, const struct search_index *idx,
    const char *host, int port)
{
	struct gopher_site *gs = xcalloc(1, sizeof(*gs));

	(void)idx, (void)host, (void)port;
	gs->st = st;
	return gs;
}

void
gopher_site_free(struct gopher_site *gs)
{
	free(gs);
}

void
gopher_respond(const struct gopher_site *gs, const char *line, size_t len,
    struct response *resp)
{
	(void)gs, (void)line, (void)len;
	buf_puts(&resp->head, "3Not available yet\t\terror.host\t1\r\n.\r\n");
	resp->status = 51;
}
