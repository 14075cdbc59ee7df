#include <getopt.h>
#include <stdlib.h>

#include "cmdline.h"
#include "commands.h"

/* Room for the options of any command, --help and the terminator. */
#define CMDLINE_MAX 16

int
cmdline_parse(int argc, char **argv, const struct cmd_option *opts,
    int operands, void (*usage)(FILE *out), int *rc)
{
	struct option longopts[CMDLINE_MAX + 2] = {{0}};
	char shortopts[CMDLINE_MAX * 2 + 2], *s = shortopts;
	size_t n;
	int ch;

	for (n = 0; opts[n].name != NULL; n++) {
		/* A command with more options: raise the cap. */
		if (n == CMDLINE_MAX)
			abort();
		longopts[n].name = opts[n].name;
		longopts[n].has_arg =
		    opts[n].value != NULL ? required_argument : no_argument;
		longopts[n].val =
		    opts[n].letter != 0 ? opts[n].letter : 256 + (int)n;
		if (opts[n].letter != 0) {
			*s++ = opts[n].letter;
			if (opts[n].value != NULL)
				*s++ = ':';
		}
	}
	longopts[n] = (struct option){"help", no_argument, NULL, 'h'};
	*s++ = 'h';
	*s = '\0';
	optind = 1;
	while (
	    (ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			*rc = 0;
			return -1;
		}
		for (n = 0; opts[n].name != NULL; n++)
			if (longopts[n].val == ch)
				break;
		if (opts[n].name == NULL) {
			usage(stderr);
			*rc = EXIT_USAGE;
			return -1;
		}
		if (opts[n].value != NULL)
			*opts[n].value = optarg;
		else
			*opts[n].flag = true;
	}
	if (argc - optind != operands) {
		usage(stderr);
		*rc = EXIT_USAGE;
		return -1;
	}
	return optind;
}
