#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hash.h"

/* Bytes that look like nothing in particular, the same every run. */
static void
fill(unsigned char *p, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (unsigned char)(seed >> 56);
	}
}

/* Whatever the processor, a hash is the same: the vector path (taken for
 * long inputs where the processor has AVX2) gives what the plain one
 * gives, at every length (blocks, stirs, tails) and alignment. */
static void
test_same_as_portable(void **state)
{
	unsigned char *buf = malloc(3000 + 8);
	size_t n, off;

	(void)state;
	fill(buf, 3000 + 8, 7);
	for (off = 0; off < 8; off += 3)
		for (n = 0; n <= 3000; n += n < 600 ? 1 : 97)
			assert_int_equal(hash_bytes(HASH_SEED, buf + off, n),
			    hash_bytes_portable(HASH_SEED, buf + off, n));
	assert_int_equal(
	    hash_bytes(42, buf, 2048), hash_bytes_portable(42, buf, 2048));
	free(buf);
}

/* A change of one bit anywhere, at any length, changes the hash; so do
 * the length and the starting value. */
static void
test_every_bit_counts(void **state)
{
	unsigned char buf[1100];
	uint64_t h;
	size_t n, i;
	int bit;

	(void)state;
	fill(buf, sizeof(buf), 11);
	for (n = 1; n <= sizeof(buf); n += n < 70 ? 1 : 131) {
		h = hash_bytes(HASH_SEED, buf, n);
		for (i = 0; i < n; i += n < 70 ? 1 : 7)
			for (bit = 0; bit < 8; bit++) {
				buf[i] ^= (unsigned char)(1u << bit);
				assert_int_not_equal(
				    hash_bytes(HASH_SEED, buf, n), h);
				buf[i] ^= (unsigned char)(1u << bit);
			}
		assert_int_not_equal(hash_bytes(HASH_SEED, buf, n - 1), h);
		assert_int_not_equal(hash_bytes(HASH_SEED + 1, buf, n), h);
	}
}

/* The same bytes in another order hash differently: two blocks of 32
 * exchanged (the lanes' sums alone would not see it), two lines of a
 * page exchanged. */
static void
test_order_counts(void **state)
{
	unsigned char a[1024], b[1024];
	const char *p1 = "=> /a/ 첫째\n=> /b/ 둘째\n",
		   *p2 = "=> /b/ 둘째\n=> /a/ 첫째\n";
	size_t i, j;

	(void)state;
	fill(a, sizeof(a), 3);
	for (i = 0; i < 32; i += 5)
		for (j = i + 1; j < 32; j += 3) {
			memcpy(b, a, sizeof(b));
			memcpy(b + 32 * i, a + 32 * j, 32);
			memcpy(b + 32 * j, a + 32 * i, 32);
			assert_int_not_equal(
			    hash_bytes(HASH_SEED, a, sizeof(a)),
			    hash_bytes(HASH_SEED, b, sizeof(b)));
		}
	assert_int_not_equal(hash_bytes(HASH_SEED, p1, strlen(p1)),
	    hash_bytes(HASH_SEED, p2, strlen(p2)));
}

/* Strings hash with their end: ("ab", "c") is not ("a", "bc"), and NULL
 * is not "". */
static void
test_strings(void **state)
{
	(void)state;
	assert_int_not_equal(hash_str(hash_str(HASH_SEED, "ab"), "c"),
	    hash_str(hash_str(HASH_SEED, "a"), "bc"));
	assert_int_not_equal(
	    hash_str(HASH_SEED, NULL), hash_str(HASH_SEED, ""));
	assert_int_equal(
	    hash_str(HASH_SEED, "abc"), hash_bytes(HASH_SEED, "abc", 4));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_as_portable),
	    cmocka_unit_test(test_every_bit_counts),
	    cmocka_unit_test(test_order_counts),
	    cmocka_unit_test(test_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
