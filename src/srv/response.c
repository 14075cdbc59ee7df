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

bool
response_piece(const struct response *r, size_t queued, size_t most,
    struct response_piece *p)
{
	size_t left;

	if (queued < r->body_len) {
		left = r->body_len - queued;
		*p = (struct response_piece){
		    r->body + queued, 0, left < most ? left : most};
		return true;
	}
	queued -= r->body_len;
	if (r->file_fd < 0 || queued >= (size_t)r->file_len)
		return false;
	left = (size_t)r->file_len - queued;
	*p = (struct response_piece){
	    NULL, (off_t)queued, left < most ? left : most};
	return true;
}
