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
	struct buf *out[ITEMS]; /* workers_out_scratch() */
	bool out_kept[ITEMS]; /* it held the thread's last item's word */
};

/* Each item leaves its number in the scratch; the next item of the same
 * thread finds a number there (its own thread's, whatever it was). */
static void
one(void *ctx, size_t i)
{
	struct seen *s = ctx;
	struct buf *b = workers_scratch();

	struct buf *out = workers_out_scratch();

	s->scratch[i] = b;
	s->out[i] = out;
	if (b == NULL || out == NULL)
		return;
	s->kept[i] = b->len > 0 && strncmp(b->data, "item ", 5) == 0;
	s->out_kept[i] = out->len > 0 && strncmp(out->data, "made ", 5) == 0;
	buf_reset(b);
	buf_printf(b, "item %zu", i);
	buf_reset(out);
	buf_printf(out, "made %zu", i);
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

/* The second scratch buffer is as the first, and another one: what an
 * item reads and what it makes do not overwrite each other. */
static void
test_out_scratch_per_thread(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct buf *distinct[ITEMS];
	size_t ndistinct = 0, kept = 0, i, k;

	(void)state;
	assert_null(workers_out_scratch());
	workers_run(ITEMS, one, s, NULL, NULL);
	assert_null(workers_out_scratch());
	for (i = 0; i < ITEMS; i++) {
		assert_non_null(s->out[i]);
		for (k = 0; k < ITEMS; k++)
			assert_ptr_not_equal(s->out[i], s->scratch[k]);
		for (k = 0; k < ndistinct && distinct[k] != s->out[i]; k++)
			;
		if (k == ndistinct)
			distinct[ndistinct++] = s->out[i];
		kept += s->out_kept[i];
		assert_int_equal(s->out_kept[i], s->kept[i]);
	}
	assert_in_range(ndistinct, 1, WORKERS_MAX);
	assert_in_range(kept, ITEMS - WORKERS_MAX, ITEMS - 1);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scratch_per_thread),
	    cmocka_unit_test(test_out_scratch_per_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
