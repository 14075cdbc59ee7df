/*
 * cmdline: the option parsing the subcommands share.
 *
 * A command describes its options in a table ended by a zeroed entry; the
 * parser fills in what the user gave, handles -h/--help, and checks the
 * number of operands, so that every command takes its options the same
 * way (short and long forms alike) and answers a mistake the same way.
 */
#ifndef CANYON_CMDLINE_H
#define CANYON_CMDLINE_H

#include <stdbool.h>
#include <stdio.h>

struct cmd_option {
	const char *name; /* the long form, --name */
	char letter; /* the short form -x, or 0 for a long-only option */
	const char *
	    *value; /* an option with an argument: set to it (in argv) */
	bool *flag; /* a switch: set to true */
};

/*
 * Parse argv[1..argc-1] against opts (exactly one of value and flag set in
 * each entry). An option given twice keeps its last value. On success,
 * returns the index in argv of the first operand (exactly `operands` of
 * them follow the options). Returns -1 when the command must stop with exit
 * code *rc: 0 after -h/--help (usage printed to stdout), EXIT_USAGE after an
 * unknown option, a missing argument or another number of operands (usage
 * to stderr).
 */
int cmdline_parse(int argc, char **argv, const struct cmd_option *opts,
    int operands, void (*usage)(FILE *out), int *rc);

#endif
