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
#include "config_server.h"

/* The file the last load() read, which error messages start with. */
static char file[CONFIG_FIXTURE_NAME_MAX];

/* Load text as a config file and read its server section. */
static int
load(const char *text, struct server_conf *conf, char *err, size_t errlen)
{
	struct config cfg;
	int rc;

	config_fixture_load(text, &cfg, file);
	rc = config_server(&cfg, conf, err, errlen);
	config_free(&cfg);
	return rc;
}

static void
test_defaults(void **state)
{
	struct server_conf c;
	char err[256];

	(void)state;
	assert_int_equal(load("output: out\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.n_hosts, 1);
	assert_string_equal(c.hosts[0].name, "localhost");
	assert_string_equal(c.hosts[0].root, "/tmp/out");
	assert_string_equal(c.hosts[0].cert, "/tmp/certs/localhost.crt");
	assert_string_equal(c.hosts[0].key, "/tmp/certs/localhost.key");
	assert_string_equal(c.hosts[0].lang, "ko");
	assert_int_equal(c.port, 1965);
	assert_int_equal(c.n_listen, 2);
	assert_string_equal(c.listen[0], "127.0.0.1:1965");
	assert_string_equal(c.listen[1], "[::1]:1965");
	assert_int_equal(c.gopher_port, 70);
	assert_string_equal(c.gopher_host, "localhost");
	assert_int_equal(c.n_gopher_listen, 2);
	assert_int_equal(c.workers, 0);
	assert_int_equal(c.timeout_request, 10);
	assert_int_equal(c.timeout_write, 30);
	assert_int_equal(c.max_in_memory, 1048576);
	assert_string_equal(c.access_log, "-");
	assert_int_equal(c.log_client_address, LOG_ADDR_FULL);
	server_conf_free(&c);
}

static void
test_hosts_and_rules(void **state)
{
	struct server_conf c;
	char err[256];

	(void)state;
	assert_int_equal(
	    load("server:\n"
		 "  hostname: Capsule.Example.\n"
		 "  lang: \"ko,en\"\n"
		 "  hosts:\n"
		 "    - {name: xn--bcher-kva.example, root: other, lang: de}\n"
		 "  redirects:\n"
		 "    - {from: /old, to: /new/, permanent: false}\n"
		 "  gone: [/gone/]\n"
		 "  client_cert_areas:\n"
		 "    - {path: /private/, fingerprints: [\""
		 "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
		 "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\"]}\n"
		 "  log_client_address: truncated\n",
		&c, err, sizeof(err)),
	    0);
	assert_int_equal(c.n_hosts, 2);
	assert_string_equal(c.hosts[0].name, "capsule.example");
	assert_string_equal(c.hosts[0].lang, "ko,en");
	assert_string_equal(c.hosts[1].name, "xn--bcher-kva.example");
	assert_string_equal(c.hosts[1].root, "/tmp/other");
	assert_string_equal(c.hosts[1].lang, "de");
	assert_string_equal(
	    c.hosts[1].cert, "/tmp/certs/xn--bcher-kva.example.crt");
	assert_int_equal(c.n_redirects, 1);
	assert_false(c.redirects[0].permanent);
	assert_string_equal(c.gone[0], "/gone/");
	assert_int_equal(c.n_areas, 1);
	assert_int_equal(c.areas[0].n_fingerprints, 1);
	assert_int_equal(c.areas[0].fingerprints[0][0], 0xab);
	assert_int_equal(c.areas[0].fingerprints[0][31], 0x89);
	assert_int_equal(c.log_client_address, LOG_ADDR_TRUNCATED);
	server_conf_free(&c);
}

static void
expect_error(const char *text, const char *msg)
{
	struct server_conf c;
	char err[256], want[300];

	assert_int_equal(load(text, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:%s", file, msg);
	if (strcmp(err, want) != 0)
		fail_msg("got '%s', want '%s'", err, want);
	server_conf_free(&c);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error(
	    "server:\n  colour: red\n", "2: unknown key 'colour' in server");
	expect_error("server:\n  workers: lots\n",
	    "2: server.workers must be a whole number from 0 to 256");
	expect_error("server:\n  port: 0\n",
	    "2: server.port must be a whole number from 1 to 65535");
	expect_error("server:\n  lang: \"ko; x\"\n",
	    "2: bad lang 'ko; x' (like ko, en-US or ko,en)");
	expect_error(
	    "server:\n  gone: [nope]\n", "2: a path must start with '/'");
	expect_error("server:\n  hosts:\n    - {root: x}\n",
	    "3: server.hosts: every host needs a name");
	expect_error("server:\n  hosts:\n    - {name: localhost}\n",
	    "3: host 'localhost' is listed twice");
	expect_error("server:\n  client_cert_areas:\n    - {path: /p/, "
		     "fingerprints: [abc]}\n",
	    "3: a fingerprint is 64 hex digits (SHA-256)");
	expect_error("server:\n  log_client_address: some\n",
	    "2: log_client_address must be full, truncated or none");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_hosts_and_rules),
	    cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
