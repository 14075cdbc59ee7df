#include <stdio.h>

#include "commands.h"

int
cmd_get(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "canyon get: not implemented yet\n");
	return 1;
}
