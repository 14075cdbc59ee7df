#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

#include "cmdline.h"
#include "commands.h"

static int usage_stdout, usage_stderr;

static void
count_usage(FILE *out)
{
	if (out == stdout)
		usage_stdout++;
	else
		usage_stderr++;
}

/* The options of a command like build: a value, two switches and a
 * long-only value. */
struct parsed {
	const char *config, *ready;
	bool force, quiet;
};

static int
parse(int argc, char **argv, int operands, struct parsed *p, int *rc)
{
	const struct cmd_option opts[] = {
	    {"config", 'c', &p->config, NULL},
	    {"force", 'f', NULL, &p->force},
	    {"quiet", 'q', NULL, &p->quiet},
	    {"ready-file", 0, &p->ready, NULL},
	    {NULL, 0, NULL, NULL},
	};

	*p = (struct parsed){NULL, NULL, false, false};
	usage_stdout = usage_stderr = 0;
	*rc = -100;
	return cmdline_parse(argc, argv, opts, operands, count_usage, rc);
}

static void
test_short_and_long_forms(void **state)
{
	char *short_argv[] = {"build", "-fq", "-c", "a.yaml", NULL};
	char *long_argv[] = {"build", "--force", "--config=b.yaml",
	    "--ready-file", "r", "--quiet", NULL};
	struct parsed p;
	int rc;

	(void)state;
	assert_int_equal(parse(4, short_argv, 0, &p, &rc), 4);
	assert_string_equal(p.config, "a.yaml");
	assert_true(p.force);
	assert_true(p.quiet);
	assert_null(p.ready);
	assert_int_equal(rc, -100);

	assert_int_equal(parse(6, long_argv, 0, &p, &rc), 6);
	assert_string_equal(p.config, "b.yaml");
	assert_string_equal(p.ready, "r");
	assert_true(p.force);
	assert_true(p.quiet);
	assert_int_equal(usage_stdout + usage_stderr, 0);
}

static void
test_operands(void **state)
{
	char *argv[] = {"cert", "-c", "x", "host.example", NULL};
	char *none[] = {"cert", "-c", "x", NULL};
	struct parsed p;
	int rc;

	(void)state;
	assert_int_equal(parse(4, argv, 1, &p, &rc), 3);
	assert_string_equal(argv[3], "host.example");
	assert_int_equal(parse(3, none, 1, &p, &rc), -1);
	assert_int_equal(rc, EXIT_USAGE);
	assert_int_equal(usage_stderr, 1);
	assert_int_equal(parse(4, argv, 0, &p, &rc), -1);
	assert_int_equal(rc, EXIT_USAGE);
}

static void
test_help_and_mistakes(void **state)
{
	char *help[] = {"build", "-q", "--help", NULL};
	char *h[] = {"build", "-h", NULL};
	char *unknown[] = {"build", "-x", NULL};
	char *missing[] = {"build", "--config", NULL};
	char *long_only_short[] = {"build", "-r", "x", NULL};
	struct parsed p;
	int rc;

	(void)state;
	opterr = 0;
	assert_int_equal(parse(3, help, 0, &p, &rc), -1);
	assert_int_equal(rc, 0);
	assert_int_equal(usage_stdout, 1);
	assert_int_equal(parse(2, h, 0, &p, &rc), -1);
	assert_int_equal(rc, 0);
	assert_int_equal(parse(2, unknown, 0, &p, &rc), -1);
	assert_int_equal(rc, EXIT_USAGE);
	assert_int_equal(usage_stderr, 1);
	assert_int_equal(parse(2, missing, 0, &p, &rc), -1);
	assert_int_equal(rc, EXIT_USAGE);
	/* A long-only option has no one-letter form. */
	assert_int_equal(parse(3, long_only_short, 1, &p, &rc), -1);
	assert_int_equal(rc, EXIT_USAGE);
	opterr = 1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_short_and_long_forms),
	    cmocka_unit_test(test_operands),
	    cmocka_unit_test(test_help_and_mistakes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
