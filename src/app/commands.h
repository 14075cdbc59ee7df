/*
 * commands: the subcommands of the canyon binary.
 *
 * Each takes the arguments after its own name (argv[0] is the command name)
 * and returns the process exit code: 0 success, 1 failure, 2 usage error.
 */
#ifndef CANYON_COMMANDS_H
#define CANYON_COMMANDS_H

#define EXIT_USAGE 2

int cmd_build(int argc, char **argv); /* convert the blog into a capsule */
int cmd_check(int argc, char **argv); /* validate config and posts */
int cmd_convert(
    int argc, char **argv); /* one Markdown post to gemtext on stdout */
int cmd_serve(int argc, char **argv); /* serve Gemini and Gopher */
int cmd_cert(int argc, char **argv); /* create a self-signed certificate */
int cmd_get(int argc, char **argv); /* fetch a gemini:// or gopher:// URL */

#endif
