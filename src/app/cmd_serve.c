/*
 * canyon serve: serve the built capsule over Gemini and Gopher.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "config_server.h"
#include "server.h"
#include "watch.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: canyon serve [-c FILE] [--ready-file FILE] [--watch]\n"
	    "\n"
	    "Serve the built capsule over Gemini (TLS) and Gopher until "
	    "SIGTERM.\n"
	    "SIGHUP reloads configuration, certificates and content.\n"
	    "\n"
	    "  -c, --config FILE   configuration (default ./canyon.yaml)\n"
	    "  --ready-file FILE   once listening, write \"gemini PORT\" and\n"
	    "                      \"gopher PORT\" lines (the ports bound) to "
	    "FILE\n"
	    "  --watch             rebuild the capsule when a post changes, "
	    "then\n"
	    "                      reload (inotify on the blog's folder)\n"
	    "  -h, --help          this help\n");
}

/* Read the server's settings from file (NULL: the default file), and
 * when source is not NULL the blog's folder (the caller frees it). */
static int
load(const char *file, struct server_conf *conf, char **source, char *err,
    size_t errlen)
{
	struct config cfg;
	int rc;

	if (config_load(file, &cfg, err, errlen) == -1)
		return -1;
	rc = config_server(&cfg, conf, err, errlen);
	if (rc == 0 && source != NULL)
		*source =
		    config_path(&cfg, ynode_str(cfg.root, "source", "capsule"));
	config_free(&cfg);
	return rc;
}

static int
reload(void *arg, struct server_conf *conf, char *err, size_t errlen)
{
	return load(arg, conf, NULL, err, errlen);
}

int
cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"ready-file", required_argument, NULL, 'r'},
	    {"watch", no_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct server_conf conf;
	const char *file = NULL, *ready = NULL;
	char err[1024], *source = NULL;
	bool watch = false;
	pid_t watcher = -1;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'r':
			ready = optarg;
			break;
		case 'w':
			watch = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (load(file, &conf, watch ? &source : NULL, err, sizeof(err)) == -1) {
		server_conf_free(&conf);
		fprintf(stderr, "canyon: %s\n", err);
		return 1;
	}
	/* Before the server starts threads and confines itself. */
	if (watch &&
	    (watcher = watch_start(source, file, err, sizeof(err))) == -1) {
		free(source);
		server_conf_free(&conf);
		fprintf(stderr, "canyon: %s\n", err);
		return 1;
	}
	free(source);
	rc = server_run(&conf, ready, reload, (void *)(uintptr_t)file);
	watch_stop(watcher);
	return rc;
}
