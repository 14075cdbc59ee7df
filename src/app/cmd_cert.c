#include <stdio.h>

#include "commands.h"

int
cmd_cert(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "canyon cert: not implemented yet\n");
	return 1;
}
