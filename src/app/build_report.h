/*
 * build_report: how canyon build and canyon check print a build.
 *
 * Every problem as "file:line: message" ("file:line: error: message" for
 * an error) on stderr, a progress line on a terminal, and the summary.
 */
#ifndef CANYON_BUILD_REPORT_H
#define CANYON_BUILD_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "build.h"
#include "config_site.h"

struct build_report {
	bool quiet; /* errors only (and the summary) */
	bool progress; /* a progress line on stderr, a terminal */
	bool drawn; /* a progress line is on screen */
};

void build_report_init(struct build_report *r, bool quiet);
/* For build_opts.report and build_opts.progress, with ctx a build_report. */
void build_report_problem(
    void *ctx, const char *file, int line, bool is_error, const char *msg);
void build_report_progress(void *ctx, size_t done, size_t total);
/* Start o for a build of the site set describes, reported through r
 * (which build_report_init() must have set up); o borrows set and r. */
void build_report_opts(struct build_report *r, const struct site_settings *set,
    struct build_opts *o);
/* Erase a progress line still on screen. */
void build_report_done(struct build_report *r);

#endif
