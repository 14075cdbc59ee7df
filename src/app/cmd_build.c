#include <malloc.h>
#include <stdio.h>
#include <time.h>

#include "build.h"
#include "build_report.h"
#include "cmdline.h"
#include "commands.h"
#include "config.h"
#include "config_site.h"

/* Freeing the site at exit costs a fifth of a one-post rebuild of a large
 * blog; the system takes it back at once. Under AddressSanitizer it is
 * freed all the same, so that the leak check sees everything else. */
#ifdef __SANITIZE_ADDRESS__
#define FREE_AT_EXIT true
#else
#define FREE_AT_EXIT false
#endif

/* Each worker thread allocates from an arena of its own, which glibc
 * grows a few pages at a time, one mprotect() each: about 9,500 calls in
 * a full build of a 10,000-post blog. Padded to the arena's largest size
 * (64 MiB of address space, touched only as used), each arena is made
 * writable once. */
#define ARENA_PAD (64 << 20)

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: canyon build [-fq] [-c FILE]\n"
	    "Convert the blog (config key source) into the capsule (key "
	    "output).\n"
	    "The new capsule replaces the old one in one step when complete.\n"
	    "  -c, --config FILE  configuration file (default ./canyon.yaml)\n"
	    "  -f, --force        render every post again (ignore the cache)\n"
	    "  -q, --quiet        print errors only, and the summary line\n"
	    "Exit status: 0 every post built, 1 some post failed or nothing\n"
	    "could be built, 2 usage error.\n");
}

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)(t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

int
cmd_build(int argc, char **argv)
{
	const char *file = NULL;
	bool quiet = false, force = false;
	const struct cmd_option opts[] = {
	    {"config", 'c', &file, NULL},
	    {"force", 'f', NULL, &force},
	    {"quiet", 'q', NULL, &quiet},
	    {NULL, 0, NULL, NULL},
	};
	struct config cfg;
	struct site_settings set;
	struct build_opts flags = {.exiting = !FREE_AT_EXIT};
	struct build_stats st;
	struct timespec t0;
	char err[1024];
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	mallopt(M_TOP_PAD, ARENA_PAD);
	if (cmdline_parse(argc, argv, opts, 0, usage, &rc) == -1)
		return rc;
	if (config_load(file, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "canyon build: %s\n", err);
		return 1;
	}
	flags.use_cache = !force;
	rc = build_report_run(&cfg, quiet, &flags, &set, &st, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "canyon build: %s\n", err);
	} else {
		printf(
		    "%s: %zu posts, %zu pages, %zu assets, %zu files (%zu "
		    "rendered, "
		    "%zu from cache, %zu written), %zu warnings, %zu errors, "
		    "%zu failed, %ld ms\n",
		    set.output, st.posts, st.pages, st.assets, st.files,
		    st.posts + st.pages - st.cached, st.cached, st.written,
		    st.warnings, st.errors, st.failed, elapsed_ms(&t0));
		rc = st.failed > 0;
	}
	site_settings_free(&set);
	config_free(&cfg);
	return rc != 0;
}
