#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "workers.h"

#define ITEMS 1000

struct seen {
	struct buf *scratch[ITEMS];
	bool kept[ITEMS]; /* the scratch still held the thread's last item */
};

/* Each item leaves its number in the scratch; the next item of the same
 * thread finds a number there (its own thread's, whatever it was). */
static void
one(void *ctx, size_t i)
{
	struct seen *s = ctx;
	struct buf *b = workers_scratch();

	s->scratch[i] = b;
	if (b == NULL)
		return;
	s->kept[i] = b->len > 0 && strncmp(b->data, "item ", 5) == 0;
	buf_reset(b);
	buf_printf(b, "item %zu", i);
}

/* Inside workers_run() every item has a scratch buffer, one per thread
 * (a few at most) and kept from item to item; outside there is none. */
static void
test_scratch_per_thread(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct buf *distinct[ITEMS];
	size_t ndistinct = 0, kept = 0, i, k;

	(void)state;
	assert_null(workers_scratch());
	workers_run(ITEMS, one, s, NULL, NULL);
	assert_null(workers_scratch());
	for (i = 0; i < ITEMS; i++) {
		assert_non_null(s->scratch[i]);
		for (k = 0; k < ndistinct && distinct[k] != s->scratch[i]; k++)
			;
		if (k == ndistinct)
			distinct[ndistinct++] = s->scratch[i];
		kept += s->kept[i];
	}
	assert_in_range(ndistinct, 1, WORKERS_MAX);
	/* every thread's first item finds it empty, every other one not */
	assert_in_range(kept, ITEMS - WORKERS_MAX, ITEMS - 1);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scratch_per_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
