/* The content store and the Gemini router over a small capsule on disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "path.h"
#include "route.h"
#include "store.h"

static char dir[64];
static struct store *st;
static struct search_index *idx;
static char *root;

static void
put(const char *rel, const char *text)
{
	char *p = path_join(root, rel);
	FILE *f = fopen(p, "w");

	fputs(text, f);
	fclose(f);
	free(p);
}

static int
setup(void **state)
{
	char p[256], err[256];

	(void)state;
	strcpy(dir, "/tmp/canyon-route.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(p, sizeof(p), "%s/secret", dir);
	path_mkdirs(p, 0755);
	snprintf(p, sizeof(p), "%s/secret/key", dir);
	fclose(fopen(p, "w"));
	root = path_join(dir, "root");
	snprintf(p, sizeof(p), "%s/root/tags", dir);
	path_mkdirs(p, 0755);
	snprintf(p, sizeof(p), "%s/root/.well-known", dir);
	path_mkdirs(p, 0755);
	snprintf(p, sizeof(p), "%s/root/private", dir);
	path_mkdirs(p, 0755);
	put("index.gmi", "# Home\n");
	put("tags/index.gmi", "# Tags\n");
	put("robots.txt", "User-agent: *\n");
	put("big.bin", "0123456789abcdefghij");
	put(".hidden", "no");
	put(".well-known/security.txt", "hi\n");
	put("private/index.gmi", "# Private\n");
	snprintf(p, sizeof(p), "%s/root/escape", dir);
	if (symlink("../secret/key", p) == -1)
		return -1;
	st = store_load(root, 16, err, sizeof(err));
	if (st == NULL)
		return -1;
	store_prepare_gemini(st, "ko");
	idx = search_build(st);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	search_free(idx);
	store_free(st);
	free(root);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void
test_store(void **state)
{
	const struct store_entry *e;

	(void)state;
	e = store_lookup(st, "/", 1);
	assert_non_null(e);
	assert_true(e->is_dir);
	e = store_lookup(st, "/index.gmi", 10);
	assert_non_null(e);
	assert_string_equal(e->mime, "text/gemini");
	assert_memory_equal(e->data, "# Home\n", 7);
	assert_int_equal(e->response_len,
	    strlen("20 text/gemini; charset=utf-8; lang=ko\r\n# Home\n"));
	assert_memory_equal(e->response,
	    "20 text/gemini; charset=utf-8; lang=ko\r\n# Home\n",
	    e->response_len);
	/* above the in-memory threshold: streamed */
	e = store_lookup(st, "/big.bin", 8);
	assert_non_null(e);
	assert_null(e->data);
	assert_int_equal(e->size, 20);
	assert_null(store_lookup(st, "/.hidden", 8));
	assert_null(store_lookup(st, "/escape", 7));
	assert_non_null(store_lookup(st, "/.well-known/security.txt", 25));
	assert_null(store_lookup(st, "/tags", 5));
	assert_non_null(store_lookup(st, "/tags/", 6));
}

static const char *const names[] = {"localhost"};
static const struct gemini_hosts hosts = {names, 1, 1965};
static bool with_cert;
static const unsigned char good_fp[32] = {1, 2, 3};

static bool
cert_cb(void *arg, unsigned char fp[32])
{
	(void)arg;
	memcpy(fp, good_fp, 32);
	return with_cert;
}

/* Route url; return the whole reply, head and in-memory body. */
static char *
ask(struct server_conf *conf, const char *url, int *file_fd)
{
	static char out[4096];
	struct srv_host host = {"localhost", root, NULL, NULL, "ko"};
	struct route_site site = {st, idx, &host, conf};
	struct gemini_request req;
	struct response resp;
	char line[1100];

	snprintf(line, sizeof(line), "%s\r\n", url);
	gemini_request_init(&req);
	response_init(&resp);
	assert_int_equal(
	    gemini_parse(line, strlen(line), &hosts, &req), GEMINI_REQUEST);
	route_gemini(&site, &req, cert_cb, NULL, &resp);
	snprintf(out, sizeof(out), "%.*s%.*s", (int)resp.head.len,
	    resp.head.data ? resp.head.data : "", (int)resp.body_len,
	    resp.body ? resp.body : "");
	if (file_fd) {
		*file_fd = resp.file_fd;
		resp.file_fd = -1;
	}
	response_free(&resp);
	gemini_request_free(&req);
	return out;
}

static void
test_routes(void **state)
{
	struct server_conf conf;
	int fd;

	(void)state;
	memset(&conf, 0, sizeof(conf));
	assert_string_equal(ask(&conf, "gemini://localhost/", NULL),
	    "20 text/gemini; charset=utf-8; lang=ko\r\n# Home\n");
	assert_string_equal(ask(&conf, "gemini://localhost", NULL),
	    "20 text/gemini; charset=utf-8; lang=ko\r\n# Home\n");
	assert_string_equal(
	    ask(&conf, "gemini://localhost/tags", NULL), "31 /tags/\r\n");
	assert_string_equal(ask(&conf, "gemini://localhost/tags/", NULL),
	    "20 text/gemini; charset=utf-8; lang=ko\r\n# Tags\n");
	assert_string_equal(ask(&conf, "gemini://localhost/robots.txt", NULL),
	    "20 text/plain; charset=utf-8\r\nUser-agent: *\n");
	assert_string_equal(
	    ask(&conf, "gemini://localhost/nope", NULL), "51 Not found\r\n");
	assert_string_equal(
	    ask(&conf, "gemini://localhost/.hidden", NULL), "51 Not found\r\n");
	assert_string_equal(
	    ask(&conf, "gemini://localhost/escape", NULL), "51 Not found\r\n");
	assert_string_equal(
	    ask(&conf, "gemini://localhost/.well-known/security.txt", NULL),
	    "20 text/plain; charset=utf-8\r\nhi\n");
	assert_string_equal(ask(&conf, "gemini://localhost/search", NULL),
	    "10 Search the capsule\r\n");
	assert_string_equal(ask(&conf, "gemini://localhost/big.bin", &fd),
	    "20 application/octet-stream\r\n");
	assert_true(fd >= 0);
	close(fd);
}

static void
test_configured(void **state)
{
	char from[] = "/old", to[] = "/new/", gone[] = "/removed/",
	     area[] = "/private/";
	char *gone_list[] = {gone};
	unsigned char fps[1][32];
	struct srv_redirect redir = {from, to, true};
	struct srv_cert_area ar = {area, fps, 1};
	struct server_conf conf;

	(void)state;
	memset(&conf, 0, sizeof(conf));
	memset(fps, 0, sizeof(fps));
	conf.redirects = &redir;
	conf.n_redirects = 1;
	conf.gone = gone_list;
	conf.n_gone = 1;
	conf.areas = &ar;
	conf.n_areas = 1;
	assert_string_equal(
	    ask(&conf, "gemini://localhost/old", NULL), "31 /new/\r\n");
	redir.permanent = false;
	assert_string_equal(
	    ask(&conf, "gemini://localhost/old", NULL), "30 /new/\r\n");
	assert_string_equal(
	    ask(&conf, "gemini://localhost/removed/x", NULL), "52 Gone\r\n");
	with_cert = false;
	assert_string_equal(ask(&conf, "gemini://localhost/private/", NULL),
	    "60 Client certificate required\r\n");
	with_cert = true;
	assert_string_equal(ask(&conf, "gemini://localhost/private/", NULL),
	    "61 Certificate not authorised\r\n");
	memcpy(fps[0], good_fp, 32);
	assert_string_equal(ask(&conf, "gemini://localhost/private/", NULL),
	    "20 text/gemini; charset=utf-8; lang=ko\r\n# Private\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_store),
	    cmocka_unit_test(test_routes),
	    cmocka_unit_test(test_configured),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
