/*
 * md4c_html: the converter benchmark's peer. Renders every *.md file of a
 * folder to HTML with md4c's own renderer (md_html), reading each file as
 * canyon build does, and prints "FILES BYTES MS". The HTML is produced in
 * memory and dropped: the figure is the parser and renderer's ceiling.
 * Built by tests/bench/conv_bench.sh (it needs libmd4c-html).
 */
#include <dirent.h>
#include <md4c-html.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
sink(const MD_CHAR *text, MD_SIZE size, void *ctx)
{
	size_t *total = ctx;

	(void)text;
	*total += size;
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct dirent *e;
	size_t files = 0, bytes = 0, html = 0, n;
	char path[4096], *text;
	FILE *f;
	DIR *d;

	if (argc != 2 || (d = opendir(argv[1])) == NULL) {
		fprintf(stderr, "usage: md4c_html DIR\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n < 4 || strcmp(e->d_name + n - 3, ".md") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[1], e->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		n = (size_t)ftell(f);
		rewind(f);
		text = malloc(n + 1);
		if (text == NULL || fread(text, 1, n, f) != n) {
			fclose(f);
			free(text);
			continue;
		}
		fclose(f);
		if (md_html(text, (MD_SIZE)n, sink, &html, MD_DIALECT_GITHUB, 0) == 0) {
			files++;
			bytes += n;
		}
		free(text);
	}
	closedir(d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%zu %zu %ld\n", files, bytes, (long)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000);
	return html > 0 ? 0 : 1;
}
