/* response_piece(): a reply's body and file, cut into pieces for the
 * socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "response.h"

/* r: a reply whose body is the len bytes of body (not owned). */
static void
body_reply(struct response *r, const char *body, size_t len)
{
	response_init(r);
	r->body = body;
	r->body_len = len;
}

/* A body goes out in pieces of at most `most` bytes, in order, the last
 * one shorter; then nothing is left. */
static void
test_body_pieces(void **state)
{
	static const char body[10] = "0123456789";
	struct response r;
	struct response_piece p;

	(void)state;
	body_reply(&r, body, sizeof(body));
	assert_true(response_piece(&r, 0, 4, &p));
	assert_ptr_equal(p.mem, body);
	assert_int_equal(p.len, 4);
	assert_true(response_piece(&r, 4, 4, &p));
	assert_ptr_equal(p.mem, body + 4);
	assert_int_equal(p.len, 4);
	assert_true(response_piece(&r, 8, 4, &p));
	assert_ptr_equal(p.mem, body + 8);
	assert_int_equal(p.len, 2);
	assert_false(response_piece(&r, 10, 4, &p));
	/* A piece as large as the whole: all of it at once. */
	assert_true(response_piece(&r, 0, SIZE_MAX, &p));
	assert_int_equal(p.len, sizeof(body));
	response_free(&r);
}

/* After the body comes the file, by offset; a piece never spans both. */
static void
test_file_pieces(void **state)
{
	static const char body[3] = "abc";
	struct response r;
	struct response_piece p;

	(void)state;
	body_reply(&r, body, sizeof(body));
	r.file_fd = 1000; /* never read here; not closed by the test */
	r.file_len = 9;
	assert_true(response_piece(&r, 0, 4, &p));
	assert_ptr_equal(p.mem, body);
	assert_int_equal(p.len, 3);
	assert_true(response_piece(&r, 3, 4, &p));
	assert_null(p.mem);
	assert_int_equal(p.offset, 0);
	assert_int_equal(p.len, 4);
	assert_true(response_piece(&r, 11, 4, &p));
	assert_null(p.mem);
	assert_int_equal(p.offset, 8);
	assert_int_equal(p.len, 1);
	assert_false(response_piece(&r, 12, 4, &p));
	r.file_fd = -1;
	response_free(&r);
}

/* A reply with only a head (a refusal, a redirect) has no piece. */
static void
test_head_only(void **state)
{
	struct response r;
	struct response_piece p;

	(void)state;
	response_init(&r);
	buf_puts(&r.head, "44 5\r\n");
	assert_false(response_piece(&r, 0, 65536, &p));
	response_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_body_pieces),
	    cmocka_unit_test(test_file_pieces),
	    cmocka_unit_test(test_head_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
