/*
 * canyon serve: serve the built capsule over Gemini and Gopher.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
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
	const char *file = NULL, *ready = NULL;
	bool watch = false;
	const struct cmd_option opts[] = {
	    {"config", 'c', &file, NULL},
	    {"ready-file", 0, &ready, NULL},
	    {"watch", 0, NULL, &watch},
	    {NULL, 0, NULL, NULL},
	};
	struct server_conf conf;
	char err[1024], *source = NULL;
	pid_t watcher = -1;
	int rc;

	if (cmdline_parse(argc, argv, opts, 0, usage, &rc) == -1)
		return rc;
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
