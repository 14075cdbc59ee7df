#include <stdio.h>

#include "commands.h"

int
cmd_build(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "canyon build: not implemented yet\n");
	return 1;
}
