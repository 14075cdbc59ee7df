/*
 * sandbox_probe: apply canyon's sandbox, then try file operations.
 *
 *   sandbox_probe [-u USER] ALLOWED... -- PATH...
 *
 * Drops to USER (when given), confines the process to reading beneath the
 * ALLOWED paths, then for each PATH tries to read it and prints
 * "read PATH" or "denied PATH"; finally tries to create a file next to
 * the first PATH and prints "created" or "create denied". Prints
 * "landlock N" (or "landlock none") first. Exit 1 on a sandbox error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "sandbox.h"

int
main(int argc, char **argv)
{
	struct sandbox_user u;
	char err[256], data[64], *made;
	const char *user = NULL;
	int i = 1, first, abi, fd;

	if (argc > 2 && strcmp(argv[1], "-u") == 0) {
		user = argv[2];
		i = 3;
	}
	first = i;
	while (i < argc && strcmp(argv[i], "--") != 0)
		i++;
	if (i >= argc - 1) {
		fprintf(stderr,
		    "usage: sandbox_probe [-u USER] ALLOWED... -- PATH...\n");
		return 2;
	}
	if (user &&
	    (sandbox_user_lookup(user, &u, err, sizeof(err)) < 0 ||
		sandbox_drop_privileges(&u, err, sizeof(err)) < 0)) {
		fprintf(stderr, "sandbox_probe: %s\n", err);
		return 1;
	}
	if ((abi = sandbox_confine((const char *const *)&argv[first],
		 (size_t)(i - first), NULL, 0, err, sizeof(err))) < 0) {
		fprintf(stderr, "sandbox_probe: %s\n", err);
		return 1;
	}
	if (abi == 0)
		printf("landlock none\n");
	else
		printf("landlock %d\n", abi);
	for (first = ++i; i < argc; i++) {
		if ((fd = open(argv[i], O_RDONLY)) >= 0 &&
		    read(fd, data, sizeof(data)) >= 0)
			printf("read %s\n", argv[i]);
		else
			printf("denied %s (%s)\n", argv[i], strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	made = xmalloc(strlen(argv[first]) + 8);
	sprintf(made, "%s.made", argv[first]);
	if ((fd = open(made, O_WRONLY | O_CREAT | O_EXCL, 0644)) >= 0) {
		printf("created\n");
		close(fd);
	} else {
		printf("create denied (%s)\n", strerror(errno));
	}
	free(made);
	return 0;
}
