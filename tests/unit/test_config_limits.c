#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config_fixture.h"
#include "config_limits.h"
#include "path.h"

/* Load text as a config file and read its limits section. */
static int
load(const char *text, struct limits_conf *l, char *err, size_t errlen)
{
	char file[CONFIG_FIXTURE_NAME_MAX];
	struct config cfg;
	int rc;

	config_fixture_load(text, &cfg, file);
	rc = config_limits(&cfg, l, err, errlen);
	config_free(&cfg);
	return rc;
}

static void
test_defaults(void **state)
{
	struct limits_conf l;
	char err[256];

	(void)state;
	assert_int_equal(load("server: {}\n", &l, err, sizeof(err)), 0);
	assert_true(l.rate.rate == 5 && l.rate.burst == 20);
	assert_int_equal(l.rate.max_conns, 1024);
	assert_true(l.shed.max_limit == 256);
	assert_string_equal(l.prio.page[0], "/");
	limits_conf_free(&l);
}

static void
test_values(void **state)
{
	struct limits_conf l;
	char err[256];

	(void)state;
	assert_int_equal(load("limits:\n"
			      "  rate: 0.5\n"
			      "  burst: 3\n"
			      "  max_connections: 10\n"
			      "  max_concurrency: 8\n"
			      "  min_concurrency: 2\n"
			      "  retry_after: 30\n"
			      "  max_retry_after: 90\n"
			      "  max_delay: 0.05\n"
			      "  overload_hold: 2.5\n"
			      "  turn_delay: 0.003\n"
			      "  min_turn_rate: 5\n"
			      "  max_turn_rate: 500\n"
			      "  turn_bytes: 32768\n"
			      "  cpus: 0.5\n"
			      "  cpu_shed: {heavy: 0.4, over: 0.3}\n"
			      "  heavy_size: 1000\n"
			      "  shed: {heavy: 0.3, over: 0.1}\n"
			      "  page_paths: ['/', '/posts/*']\n",
			     &l, err, sizeof(err)),
	    0);
	assert_true(l.rate.rate == 0.5 && l.rate.burst == 3);
	assert_int_equal(l.rate.max_conns, 10);
	assert_true(l.shed.max_limit == 8 && l.shed.min_limit == 2);
	/* The default starting point (32) is brought within the bounds. */
	assert_true(l.shed.initial_limit == 8);
	assert_int_equal(l.shed.retry, 30);
	assert_true(l.shed.max_delay == 0.05);
	assert_int_equal(l.shed.max_retry, 90);
	assert_true(l.shed.hold == 2.5);
	assert_true(l.shed.turn_delay == 0.003);
	assert_true(l.shed.turn_min == 5 && l.shed.turn_max == 500);
	assert_true(l.shed.turn_bytes == 32768);
	assert_true(l.cpus == 0.5);
	assert_true(l.shed.cpu_target[PRIO_HEAVY] == 0.4);
	assert_true(l.shed.cpu_target[PRIO_OVER] == 0.3);
	assert_true(l.shed.cpu_target[PRIO_LIGHT] == 0.8);
	assert_int_equal(l.prio.heavy_size, 1000);
	assert_true(l.shed.fraction[PRIO_HEAVY] == 0.3);
	assert_true(l.shed.fraction[PRIO_OVER] == 0.1);
	assert_true(l.shed.fraction[PRIO_LIGHT] == 0.8);
	assert_string_equal(l.prio.page[1], "/posts/*");
	assert_null(l.prio.page[2]);
	limits_conf_free(&l);
}

/* canyon.yaml documents the defaults: reading it changes nothing. */
static void
test_documented_defaults(void **state)
{
	struct limits_conf def, doc;
	struct config cfg;
	char err[256], *file;
	const char *root = getenv("ROOT");
	int p, i;

	(void)state;
	file = path_join(root ? root : ".", "canyon.yaml");
	assert_int_equal(config_load(file, &cfg, err, sizeof(err)), 0);
	free(file);
	assert_int_equal(config_limits(&cfg, &doc, err, sizeof(err)), 0);
	config_free(&cfg);
	assert_int_equal(load("", &def, err, sizeof(err)), 0);
	assert_memory_equal(&def.rate, &doc.rate, sizeof(def.rate));
	assert_true(def.shed.min_limit == doc.shed.min_limit);
	assert_true(def.shed.max_limit == doc.shed.max_limit);
	assert_true(def.shed.initial_limit == doc.shed.initial_limit);
	assert_true(def.shed.queue == doc.shed.queue);
	assert_true(def.shed.tolerance == doc.shed.tolerance);
	assert_true(def.shed.window == doc.shed.window);
	assert_int_equal(def.shed.retry, doc.shed.retry);
	assert_true(def.shed.max_delay == doc.shed.max_delay);
	assert_int_equal(def.shed.max_retry, doc.shed.max_retry);
	assert_true(def.shed.hold == doc.shed.hold);
	for (p = 0; p < PRIO_COUNT; p++) {
		assert_true(def.shed.fraction[p] == doc.shed.fraction[p]);
		assert_true(def.shed.cpu_target[p] == doc.shed.cpu_target[p]);
	}
	assert_true(def.cpus == doc.cpus);
	assert_int_equal(def.prio.heavy_size, doc.prio.heavy_size);
	for (i = 0; def.prio.page[i] || doc.prio.page[i]; i++)
		assert_string_equal(def.prio.page[i], doc.prio.page[i]);
	for (i = 0; def.prio.light[i] || doc.prio.light[i]; i++)
		assert_string_equal(def.prio.light[i], doc.prio.light[i]);
	for (i = 0; def.prio.heavy[i] || doc.prio.heavy[i]; i++)
		assert_string_equal(def.prio.heavy[i], doc.prio.heavy[i]);
	limits_conf_free(&def);
	limits_conf_free(&doc);
}

static void
expect_error(const char *text, const char *msg)
{
	struct limits_conf l;
	char err[256];

	assert_int_equal(load(text, &l, err, sizeof(err)), -1);
	if (strstr(err, msg) == NULL)
		fail_msg("error '%s' lacks '%s'", err, msg);
	limits_conf_free(&l);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error(
	    "limits:\n  rates: 1\n", ":2: unknown key 'rates' in limits");
	expect_error("limits:\n  rate: fast\n",
	    ":2: 'rate' must be a number, not 'fast'");
	expect_error("limits:\n  rate: '5'\n", ":2: 'rate' must be a number");
	expect_error(
	    "limits:\n  burst: 0\n", ":2: 'burst' must be between 1 and");
	expect_error("limits:\n  max_connections: 1.5\n",
	    ":2: 'max_connections' must be a whole number");
	expect_error("limits:\n  min_concurrency: 9\n  max_concurrency: 8\n",
	    ":1: limits: max_concurrency must be at least min_concurrency");
	expect_error("limits:\n  min_turn_rate: 20\n  max_turn_rate: 10\n",
	    ":1: limits: max_turn_rate must be at least min_turn_rate");
	expect_error("limits:\n  shed: {pages: 1}\n",
	    ":2: unknown key 'pages' in limits.shed");
	expect_error("limits:\n  shed: {over: 0}\n", "'over' must be between");
	/* Pages are never refused for the CPU they need. */
	expect_error("limits:\n  cpu_shed: {page: 0.9}\n",
	    ":2: unknown key 'page' in limits.cpu_shed");
	expect_error(
	    "limits:\n  cpu_shed: {heavy: 1.5}\n", "'heavy' must be between");
	expect_error("limits:\n  cpus: -1\n", "'cpus' must be between");
	expect_error(
	    "limits:\n  page_paths: '/'\n", ":2: 'page_paths' must be a list");
	expect_error(
	    "limits:\n  heavy_paths: ['x.jpg']\n", ":2: each of 'heavy_paths'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_documented_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
