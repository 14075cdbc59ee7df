/*
 * canyon convert: one Markdown post as gemtext on stdout, diagnostics as
 * "FILE:LINE: warning|error: message" on stderr. The golden tests drive
 * the converter through this command.
 *
 * There is no site here, so the callbacks pretend the post's page is
 * /<stem>/index.gmi: an asset NAME becomes /<stem>/NAME (percent-encoded),
 * {% post_link slug %} becomes /<slug>/, and every other link is kept as
 * written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cmdline.h"
#include "commands.h"
#include "frontmatter.h"
#include "path.h"
#include "post.h"
#include "url.h"

/* Room for a front matter on top of the largest body. */
#define FRONT_MATTER_SLACK (64u << 10)

static char *
asset_url(void *ctx, const char *name, int line, struct diag_list *d)
{
	struct buf b = BUF_INIT;

	(void)line;
	(void)d;
	buf_putc(&b, '/');
	url_encode(&b, ctx, strlen(ctx), "");
	buf_putc(&b, '/');
	url_encode(&b, name, strlen(name), "/");
	return buf_detach(&b, NULL);
}

static char *
post_url(
    void *ctx, const char *slug, char **title, int line, struct diag_list *d)
{
	struct buf b = BUF_INIT;

	(void)ctx;
	(void)title;
	(void)line;
	(void)d;
	buf_putc(&b, '/');
	url_encode(&b, slug, strlen(slug), "");
	buf_putc(&b, '/');
	return buf_detach(&b, NULL);
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: canyon convert [-s STEM] [-z ZONE] [--join] FILE.md\n"
	    "  -s, --stem STEM  asset folder name (default: FILE without .md)\n"
	    "  -z, --zone ZONE  zone of dates written without one (default "
	    "+09:00)\n"
	    "  --join           join soft-wrapped lines of a paragraph\n"
	    "Prints the post as gemtext: '# title', a date line, the body.\n"
	    "An asset NAME links to /STEM/NAME, {%% post_link SLUG %%} to "
	    "/SLUG/,\n"
	    "other links stay as written.\n");
}

static int
parse_zone(const char *s, int *tz)
{
	time_t t;

	/* reuse the front-matter reader on a fixed date with this zone */
	char probe[64];

	snprintf(probe, sizeof(probe), "2000-01-01 00:00 %s", s);
	return fm_parse_date(probe, 0, &t, tz);
}

static void
print_diags(const char *file, const struct diag_list *d)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].line > 0)
			fprintf(stderr, "%s:%d: %s: %s\n", file, d->v[i].line,
			    d->v[i].is_error ? "error" : "warning",
			    d->v[i].msg);
		else
			fprintf(stderr, "%s: %s: %s\n", file,
			    d->v[i].is_error ? "error" : "warning",
			    d->v[i].msg);
	}
}

static void
print_date(const char *what, time_t t, int tz)
{
	time_t local = t + (time_t)tz * 60;
	struct tm tm;
	char s[32];

	gmtime_r(&local, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M", &tm);
	printf("%s%s %c%02d:%02d\n", what, s, tz < 0 ? '-' : '+', abs(tz) / 60,
	    abs(tz) % 60);
}

static void
print_frame(const struct post_meta *m, const char *stem)
{
	printf("# %s\n", m->title ? m->title : stem);
	if (m->has_date)
		print_date("", m->date, m->date_tz);
	if (m->has_updated)
		print_date("Updated ", m->updated, m->updated_tz);
	if (m->ntags) {
		printf("Tags:");
		for (size_t i = 0; i < m->ntags; i++)
			printf("%s %s", i ? "," : "", m->tags[i]);
		printf("\n");
	}
	for (size_t i = 0; i < m->ncategories; i++) {
		printf("Category:");
		for (size_t j = 0; j < m->categories[i].n; j++)
			printf(
			    "%s %s", j ? " >" : "", m->categories[i].names[j]);
		printf("\n");
	}
	if (!m->published)
		printf("Draft\n");
	printf("\n");
}

int
cmd_convert(int argc, char **argv)
{
	const char *stem_arg = NULL, *zone = NULL;
	bool join = false;
	const struct cmd_option options[] = {
	    {"stem", 's', &stem_arg, NULL},
	    {"zone", 'z', &zone, NULL},
	    {"join", 0, NULL, &join},
	    {NULL, 0, NULL, NULL},
	};
	struct diag_list d = {NULL, 0, 0};
	struct post_meta meta;
	struct render_opts opts;
	struct render_result res;
	const char *file, *body, *base;
	char *text, *stem;
	size_t len, body_len;
	int first, tz = 9 * 60, rc = 0;

	if ((first = cmdline_parse(argc, argv, options, 1, usage, &rc)) == -1)
		return rc;
	if (zone != NULL && parse_zone(zone, &tz) == -1) {
		fprintf(stderr, "canyon convert: bad zone '%s'\n", zone);
		return EXIT_USAGE;
	}
	file = argv[first];
	text =
	    path_read_file(file, RENDER_MAX_BYTES + FRONT_MATTER_SLACK, &len);
	if (text == NULL) {
		if (errno == EFBIG)
			fprintf(stderr,
			    "%s: error: larger than %u MiB, not a post\n", file,
			    RENDER_MAX_BYTES >> 20);
		else
			fprintf(
			    stderr, "%s: error: %s\n", file, strerror(errno));
		return 1;
	}
	if (stem_arg != NULL) {
		stem = xstrdup(stem_arg);
	} else {
		base = strrchr(file, '/');
		base = base ? base + 1 : file;
		stem = xstrdup(base);
		if (strlen(stem) > 3 &&
		    strcmp(stem + strlen(stem) - 3, ".md") == 0)
			stem[strlen(stem) - 3] = '\0';
	}
	if (frontmatter_parse(text, len, tz, &meta, &body, &body_len, &d) ==
	    -1) {
		print_diags(file, &d);
		post_meta_free(&meta);
		diag_free(&d);
		free(text);
		free(stem);
		return 1;
	}
	memset(&opts, 0, sizeof(opts));
	opts.asset_stem = stem;
	opts.join_soft_breaks = join;
	opts.expand_tags = !meta.disable_nunjucks;
	opts.lang = meta.lang;
	opts.first_line = meta.body_line;
	opts.links.asset = asset_url;
	opts.links.post = post_url;
	opts.links.ctx = stem;
	if (render_post(body, body_len, &opts, &res, &d) == -1 ||
	    diag_errors(&d))
		rc = 1;
	if (res.gemtext.len > 0 || rc == 0) {
		print_frame(&meta, stem);
		fwrite(res.gemtext.data, 1, res.gemtext.len, stdout);
	}
	print_diags(file, &d);
	render_result_free(&res);
	post_meta_free(&meta);
	diag_free(&d);
	free(text);
	free(stem);
	return rc;
}
