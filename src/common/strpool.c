#include "strpool.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define FIRST_BLOCK 4096
#define LARGEST_BLOCK (64u * 1024)

struct strpool_block {
	struct strpool_block *prev;
	size_t size; /* of data */
	char data[];
};

char *
strpool_dup(struct strpool *p, const char *s, size_t n)
{
	size_t need = n + 1, size;
	struct strpool_block *b;
	char *d;

	if (need > p->left) {
		size = p->blocks == NULL ? FIRST_BLOCK : p->blocks->size * 2;
		if (size > LARGEST_BLOCK)
			size = LARGEST_BLOCK;
		if (need > size)
			size = need;
		b = xmalloc(sizeof(*b) + size);
		b->prev = p->blocks;
		b->size = size;
		p->blocks = b;
		p->next = b->data;
		p->left = size;
	}
	d = p->next;
	memcpy(d, s, n);
	d[n] = '\0';
	p->next += need;
	p->left -= need;
	return d;
}

void
strpool_free(struct strpool *p)
{
	struct strpool_block *b, *prev;

	for (b = p->blocks; b != NULL; b = prev) {
		prev = b->prev;
		free(b);
	}
	memset(p, 0, sizeof(*p));
}
