#include <stdio.h>

#include "commands.h"

int
cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "canyon check: not implemented yet\n");
	return 1;
}
