#include <stdio.h>
#include <string.h>

#include "build.h"
#include "build_report.h"
#include "cmdline.h"
#include "commands.h"
#include "config.h"
#include "config_server.h"
#include "config_site.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: canyon check [-q] [-c FILE]\n"
	    "Validate the configuration and every post as canyon build would,\n"
	    "write nothing, and print what the capsule would hold.\n"
	    "  -c, --config FILE  configuration file (default ./canyon.yaml)\n"
	    "  -q, --quiet        print errors only, and the summary line\n"
	    "Exit status: 0 no error, 1 errors, 2 usage error.\n");
}

/* Where and what the server would serve, one line per host. */
static void
print_serving(const struct server_conf *c)
{
	size_t i;

	for (i = 0; i < c->n_hosts; i++)
		printf("gemini://%s:%d/ (and gopher://%s:%d/) from %s\n",
		    c->hosts[i].name, c->port, c->gopher_host, c->gopher_port,
		    c->hosts[i].root);
}

int
cmd_check(int argc, char **argv)
{
	const char *file = NULL;
	bool quiet = false;
	const struct cmd_option opts[] = {
	    {"config", 'c', &file, NULL},
	    {"quiet", 'q', NULL, &quiet},
	    {NULL, 0, NULL, NULL},
	};
	struct config cfg;
	struct site_settings set;
	struct server_conf srv;
	const struct build_opts flags = {.dry_run = true};
	struct build_stats st;
	char err[1024];
	int rc;

	if (cmdline_parse(argc, argv, opts, 0, usage, &rc) == -1)
		return rc;
	if (config_load(file, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "canyon check: %s\n", err);
		return 1;
	}
	/* The server's sections too: a broken server: or limits: key must
	 * show here, not at the next start or reload. */
	memset(&srv, 0, sizeof(srv));
	if (config_server(&cfg, &srv, err, sizeof(err)) != 0) {
		fprintf(stderr, "canyon check: %s\n", err);
		server_conf_free(&srv);
		config_free(&cfg);
		return 1;
	}
	if (!quiet)
		print_serving(&srv);
	server_conf_free(&srv);
	rc = build_report_run(&cfg, quiet, &flags, &set, &st, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "canyon check: %s\n", err);
	} else {
		printf("%s would serve %zu posts, %zu pages, %zu assets, %zu "
		       "files; "
		       "%zu drafts skipped, %zu failed, %zu dead links, %zu "
		       "warnings, "
		       "%zu errors\n",
		    set.source, st.posts, st.pages, st.assets, st.files,
		    st.drafts, st.failed, st.dead_links, st.warnings,
		    st.errors);
		rc = st.errors > 0;
	}
	site_settings_free(&set);
	config_free(&cfg);
	return rc != 0;
}
