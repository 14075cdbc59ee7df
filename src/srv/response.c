#include "response.h"

#include <unistd.h>

void
response_init(struct response *r)
{
	buf_init(&r->head);
	r->body = NULL;
	r->body_len = 0;
	r->file_fd = -1;
	r->file_len = 0;
	r->status = 0;
}

void
response_free(struct response *r)
{
	buf_free(&r->head);
	if (r->file_fd >= 0)
		close(r->file_fd);
	response_init(r);
}

size_t
response_size(const struct response *r)
{
	return r->head.len + r->body_len + (size_t)r->file_len;
}
