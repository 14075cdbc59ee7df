/*
 * diag: warnings and errors collected while converting one file.
 *
 * Converter functions never print: they add to a diag_list, and the
 * command that knows the file name prints "file:line: message".
 */
#ifndef CANYON_DIAG_H
#define CANYON_DIAG_H

#include <stdbool.h>
#include <stddef.h>

struct diag {
	int line; /* 1-based line in the source file, 0 when none */
	bool is_error; /* an error fails the post; a warning does not */
	char *msg; /* owned */
};

struct diag_list {
	struct diag *v;
	size_t n, cap;
};

void diag_add(struct diag_list *d, int line, bool is_error, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
/* Add msg as it is, taking ownership of it (a message already made, e.g.
 * one read back from the cache). */
void diag_take(struct diag_list *d, int line, bool is_error, char *msg);
size_t diag_errors(const struct diag_list *d);
void diag_free(struct diag_list *d);

#endif
