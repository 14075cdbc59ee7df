/*
 * canyon: subcommand dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

struct command {
	const char *name;
	int (*run)(int, char **);
	const char *summary;
};

static const struct command commands[] = {
    {"build", cmd_build, "convert the blog's posts into a Gemini capsule"},
    {"check", cmd_check,
	"validate the configuration and every post, serve nothing"},
    {"convert", cmd_convert, "print one Markdown post as gemtext"},
    {"serve", cmd_serve, "serve the capsule over Gemini and Gopher"},
    {"cert", cmd_cert, "create a self-signed certificate for a host name"},
    {"get", cmd_get, "fetch a gemini:// or gopher:// URL and print it"},
};

static void
usage(FILE *out)
{
	size_t i;

	fprintf(out,
	    "usage: canyon [--version] [--help] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(
		    out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
	    "\n'canyon COMMAND --help' describes a command.\n"
	    "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("canyon %s\n", CANYON_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "canyon: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
