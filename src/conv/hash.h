/*
 * hash: a fast 64-bit hash of bytes, for change detection (the build
 * cache and the output manifest). Not cryptographic: it tells "same
 * content" from "changed", with no adversary to fool.
 */
#ifndef CANYON_HASH_H
#define CANYON_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_SEED 0x9e3779b97f4a7c15ULL

/* Hash p[0..n) continuing from h (start with HASH_SEED). */
uint64_t hash_bytes(uint64_t h, const void *p, size_t n);
/* The same function computed without vector instructions (as
 * hash_bytes() does on a processor without AVX2). */
uint64_t hash_bytes_portable(uint64_t h, const void *p, size_t n);
/* Hash a C string including its end, so ("ab","c") != ("a","bc"); NULL
 * hashes differently from "". */
uint64_t hash_str(uint64_t h, const char *s);
uint64_t hash_u64(uint64_t h, uint64_t v);

#endif
