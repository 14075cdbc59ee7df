#include "build_report.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

void
build_report_init(struct build_report *r, bool quiet)
{
	r->quiet = quiet;
	r->progress = !quiet && isatty(STDERR_FILENO);
	r->drawn = false;
}

void
build_report_done(struct build_report *r)
{
	if (r->drawn)
		fputs("\r\033[K", stderr);
	r->drawn = false;
}

void
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

void
build_report_progress(void *ctx, size_t done, size_t total)
{
	struct build_report *r = ctx;

	/* Small blogs build in a blink: no line to flash and erase. */
	if (!r->progress || total < 1000)
		return;
	fprintf(stderr, "\r\033[Krendering %zu/%zu", done, total);
	r->drawn = true;
}

void
build_report_opts(struct build_report *r, const struct site_settings *set,
    struct build_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->cfg = &set->site;
	o->source = set->source;
	o->output = set->output;
	o->now = time(NULL);
	o->report = build_report_problem;
	o->progress = build_report_progress;
	o->ctx = r;
}
