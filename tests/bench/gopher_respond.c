/*
 * gopher_respond: CPU time of the Gopher handler alone, per request.
 *
 *   gopher_respond [CAPSULE_DIR SELECTOR]
 *
 * Without arguments it writes a capsule whose post menu is about 2 KB
 * (Korean text, links of every type) to a temporary folder. It loads the
 * store, builds the site and the search index as the server does, then
 * answers the selector many times and prints the process CPU time per
 * request, with the first one (no warm cache) apart. The peer is the same
 * handler rendering the page on every request (gmi_gophermap), which is
 * what the build-time cache saves; the ratio is printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gopher.h"
#include "gophermap.h"
#include "path.h"

#define ROUNDS 200000

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
write_capsule(char *dir)
{
	static const char page[] =
	    "# 라스베가스를 다녀오고... 4편 (feat. AWS re:Invent 2021)\n\n"
	    "* 1편 - 인천공항에서 세미나 첫 날까지 (11/28 ~ 11/29)\n"
	    "* 4편 - 세미나 넷째 날 (12/02) - 현재 게시물\n\n"
	    "## 날아서 그랜드캐니언까지\n"
	    "라스베가스에 오기 전까지만 해도 잘 몰랐는데 라스베가스와 "
	    "그랜드캐니언은 "
	    "가까웠다. 물론 차를 타고 가면 갔다 오는데 하루 종일이 걸릴 "
	    "정도라서 "
	    "그닥 가깝다고 느껴지지 않을지 모르지만... 미국의 땅덩어리를 "
	    "생각해보면 "
	    "가까운 수준인 것 같다.\n"
	    "=> /2021/12/31/las-vegas-aws-reinvent-03/ 3편 - 세미나 셋째 날\n"
	    "=> helicopter-01.jpeg 헬기\n=> helicopter-02.jpeg\n"
	    "=> https://www.youtube.com/watch?v=jkSM4MlWsKo YouTube: 헬기 "
	    "이륙\n"
	    "> 넷플릭스는 트래픽이 하도 많아져 이런 상황까지 겪어봤을테고, "
	    "무작정 "
	    "서버를 증설하는 대신 다른 방법으로 문제를 해결했다.\n"
	    "=> https://netflixtechblog.com/keeping-netflix-reliable-using-"
	    "prioritized-load-shedding-6cc827b02f94 Keeping Netflix Reliable\n"
	    "트래픽의 우선순위를 부여하여 리소스가 얼만큼 남았을테니 중요하지 "
	    "않은 트래픽들은 실패로 떨구고... 하는 방식을 통해 유저의 실시간 "
	    "스트리밍에는 영향이 절대 없도록 했다는 내용이다.\n"
	    "=> /2021/12/31/las-vegas-aws-reinvent-05/ 5편 - 세미나 마지막 "
	    "날\n";
	char *file;
	FILE *f;

	if (mkdtemp(dir) == NULL)
		return -1;
	file = path_join(dir, "2021/12/31/las-vegas-aws-reinvent-04");
	if (path_mkdirs(file, 0755) == -1)
		return -1;
	free(file);
	file = path_join(dir, "2021/12/31/las-vegas-aws-reinvent-04/index.gmi");
	f = fopen(file, "w");
	free(file);
	if (f == NULL ||
	    fwrite(page, 1, sizeof(page) - 1, f) != sizeof(page) - 1)
		return -1;
	return fclose(f);
}

int
main(int argc, char **argv)
{
	char tmp[] = "/tmp/canyon-bench.XXXXXX", err[256];
	const char *dir = tmp, *sel = "/2021/12/31/las-vegas-aws-reinvent-04/";
	struct gmi_menu_opts o = {"localhost", 70, NULL, NULL, NULL, 0};
	const struct store_entry *e;
	struct search_index *idx;
	struct gopher_site *gs;
	struct response resp;
	struct store *st;
	struct buf menu = BUF_INIT;
	double t0, first, cached, rendered;
	size_t bytes, i;

	if (argc == 3) {
		dir = argv[1];
		sel = argv[2];
	} else if (write_capsule(tmp) == -1) {
		perror("gopher_respond: capsule");
		return 1;
	}
	if ((st = store_load(dir, 1 << 20, err, sizeof(err))) == NULL) {
		fprintf(stderr, "gopher_respond: %s\n", err);
		return 1;
	}
	idx = search_build(st);
	gs = gopher_site_new(st, idx, "localhost", 70);
	response_init(&resp);

	t0 = cpu_now();
	gopher_respond(gs, sel, strlen(sel), &resp);
	first = cpu_now() - t0;
	bytes = response_size(&resp);
	if (resp.status != 20) {
		fprintf(stderr, "gopher_respond: %s: status %d\n", sel,
		    resp.status);
		return 1;
	}
	response_free(&resp);

	t0 = cpu_now();
	for (i = 0; i < ROUNDS; i++) {
		gopher_respond(gs, sel, strlen(sel), &resp);
		response_free(&resp);
	}
	cached = (cpu_now() - t0) / ROUNDS;

	e = store_lookup(st, "/2021/12/31/las-vegas-aws-reinvent-04/index.gmi",
	    strlen("/2021/12/31/las-vegas-aws-reinvent-04/index.gmi"));
	t0 = cpu_now();
	for (i = 0; e && i < ROUNDS / 10; i++) {
		buf_reset(&menu);
		gmi_gophermap(e->data, e->size, sel, &o, &menu);
	}
	rendered = (cpu_now() - t0) / (ROUNDS / 10);

	printf("gopher menu %s: %zu bytes\n", sel, bytes);
	printf("  first request        %8.2f us CPU\n", first * 1e6);
	printf(
	    "  cached (canyon)      %8.3f us CPU per request (%d requests)\n",
	    cached * 1e6, ROUNDS);
	if (e)
		printf("  rendered per request %8.3f us CPU (peer: no cache); "
		       "ratio %.1fx\n",
		    rendered * 1e6, rendered / cached);
	buf_free(&menu);
	gopher_site_free(gs);
	search_free(idx);
	store_free(st);
	if (dir == tmp) {
		char cmd[64];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
		if (system(cmd) != 0)
			return 1;
	}
	return 0;
}
