#include "build_report.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct build_report {
	bool quiet; /* errors only */
	bool progress; /* a progress line on stderr, a terminal */
	bool drawn; /* a progress line is on screen */
};

static void
build_report_init(struct build_report *r, bool quiet)
{
	r->quiet = quiet;
	r->progress = !quiet && isatty(STDERR_FILENO);
	r->drawn = false;
}

/* Erase a progress line still on screen. */
static void
build_report_done(struct build_report *r)
{
	if (r->drawn)
		fputs("\r\033[K", stderr);
	r->drawn = false;
}

/* build_opts.report, with ctx a build_report */
static void
build_report_problem(
    void *ctx, const char *file, int line, bool is_error, const char *msg)
{
	struct build_report *r = ctx;

	if (r->quiet && !is_error)
		return;
	build_report_done(r);
	if (line > 0)
		fprintf(stderr, "%s:%d: %s%s\n", file, line,
		    is_error ? "error: " : "", msg);
	else
		fprintf(
		    stderr, "%s: %s%s\n", file, is_error ? "error: " : "", msg);
}

/* build_opts.progress, with ctx a build_report */
static void
build_report_progress(void *ctx, size_t done, size_t total)
{
	struct build_report *r = ctx;

	/* Small blogs build in a blink: no line to flash and erase. */
	if (!r->progress || total < 1000)
		return;
	fprintf(stderr, "\r\033[Krendering %zu/%zu", done, total);
	r->drawn = true;
}

int
build_report_run(const struct config *cfg, bool quiet,
    const struct build_opts *flags, struct site_settings *set,
    struct build_stats *st, char *err, size_t errlen)
{
	struct build_report r;
	struct build_opts o;
	int rc;

	if (config_site(cfg, set, err, errlen) != 0)
		return -1;
	build_report_init(&r, quiet);
	memset(&o, 0, sizeof(o));
	o.cfg = &set->site;
	o.source = set->source;
	o.output = set->output;
	o.dry_run = flags->dry_run;
	o.use_cache = flags->use_cache;
	o.exiting = flags->exiting;
	o.now = time(NULL);
	o.report = build_report_problem;
	o.progress = build_report_progress;
	o.ctx = &r;
	rc = build_run(&o, st, err, errlen);
	build_report_done(&r);
	return rc;
}
