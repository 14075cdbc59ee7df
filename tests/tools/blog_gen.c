/*
 * blog_gen: write a synthetic Hexo blog shaped like the user's post, for
 * the converter benchmark.
 *
 *   blog_gen DIR N [SEED]
 *
 * DIR/source/_posts/post-NNNNN.md, N posts of about 18 KB of Korean text
 * each: front matter with tags and a two-level category, a five-part
 * series navigation list linking the siblings by permalink, six sections
 * with headings, lines with trailing double-space hard breaks, 40
 * standalone images, 7 {% youtube %} tags and 7 inline links, as in
 * las-vegas-aws-reinvent-04.md. Deterministic for a given SEED.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "path.h"

#define POST_TARGET_BYTES 17500
#define SERIES 5

static const char *const sentences[] = {
    "라스베가스에 오기 전까지만 해도 잘 몰랐는데 그랜드캐니언은 가까웠다.",
    "물론 차를 타고 가면 하루 종일이 걸릴 정도라서 가깝다고 느껴지지 않을지 "
    "모르지만 미국의 땅덩어리를 생각해보면 가까운 수준인 것 같다.",
    "새벽부터 차를 타고 갈 체력도 없기도 하고 우리는 관광이 주 목적이 "
    "아니었다.",
    "버스를 타고 헬기장까지 이동하고 나서야 뭔가 헬기를 탄다는 게 실감이 났다.",
    "넷플릭스 세션에서는 우선순위 기반의 부하 차단(prioritized load "
    "shedding)을 다뤘다.",
    "요청마다 중요도를 매기고 서버가 버거울 때는 덜 중요한 요청부터 버린다는 "
    "이야기였다.",
    "사용자가 재생 버튼을 누르는 요청은 끝까지 살리고, 미리 불러오기 같은 "
    "요청은 먼저 포기한다.",
    "세션이 끝나고 나서 호텔로 돌아오는 길에 3~4시간 정도 걸었던 것 같다.",
    "저녁에는 동료들과 함께 스테이크를 먹었는데 양이 정말 어마어마했다.",
    "영어가 잘 안되다보니 주문할 때마다 긴장을 많이 했다.",
    "그래도 한 번 해보니 다음부터는 조금 수월해졌다.",
    "다음 날 일정을 생각하면 일찍 자야 했지만 쉽게 잠이 오지 않았다.",
    "AWS re:Invent 2021의 키노트는 생각보다 훨씬 규모가 컸다.",
    "전시장에는 수많은 부스가 있었고 굿즈를 받으려는 줄이 길게 늘어서 있었다.",
    "**마크다운(Markdown)**을 쓰듯이 정리해두면 나중에 다시 보기 편하다.",
    "`미국에서만 할 수 있는 걸 해보자`라는 목표를 세우고 갔으나 많은 실패들이 "
    "있었다.",
};
#define NSENT (sizeof(sentences) / sizeof(sentences[0]))

static const char *const headings[] = {
    "날아서 그랜드캐니언까지",
    "다시 일상 속으로...",
    "넷플릭스의 부하 차단",
    "저녁 식사",
    "re:Play 파티",
    "마무리",
};

static uint64_t rng;

static uint32_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Post i is dated BASE + i * 6 hours, local time +09:00. */
#define BASE ((time_t)1577836800) /* 2020-01-01 00:00 UTC */

static void
post_date(size_t i, struct tm *tm)
{
	time_t t = BASE + (time_t)i * 6 * 3600 + 9 * 3600;

	gmtime_r(&t, tm);
}

static void
permalink(struct buf *b, size_t i)
{
	struct tm tm;

	post_date(i, &tm);
	buf_printf(b, "/%04d/%02d/%02d/post-%05zu/", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, i);
}

static void
paragraph(struct buf *b, int lines)
{
	int k;

	for (k = 0; k < lines; k++)
		buf_printf(b, "%s%s\n", sentences[next_rand() % NSENT],
		    next_rand() % 2 ? "  " : "");
	buf_putc(b, '\n');
}

static void
write_post(const char *dir, size_t i, size_t n)
{
	struct buf b = BUF_INIT;
	struct tm tm;
	size_t first = i - i % SERIES, k, s, img = 0, yt = 0, links = 0;
	char name[64], *file;
	FILE *f;

	post_date(i, &tm);
	buf_printf(&b,
	    "---\ntitle: 벤치마크 여행기 %zu편 (feat. AWS re:Invent) - %s\n"
	    "tags: [reinvent, 여행, tag%zu]\ncategory: [기타, 잡동사니%zu]\n"
	    "date: %04d-%02d-%02d %02d:%02d:%02d\n---\n\n",
	    i, headings[i % 6], i % 50, i % 7, tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	buf_printf(&b,
	    "회사에서 좋은 기회가 생겨 [AWS "
	    "re:invent](https://reinvent.awsevents.com/)에 "
	    "참석할 기회가 생겼다.  \n평상시 [AWS](https://aws.amazon.com/)를 "
	    "직접 쓰지 않은지 "
	    "오래 되었다.\n\n");
	links = 2;
	for (k = first; k < first + SERIES && k < n; k++) {
		if (k == i) {
			buf_printf(&b, "* %zu편 - 현재 게시물\n", k);
			continue;
		}
		buf_printf(&b, "* [%zu편 - %s](", k, headings[k % 6]);
		permalink(&b, k);
		buf_puts(&b, ")\n");
	}
	buf_putc(&b, '\n');
	for (s = 0; b.len < POST_TARGET_BYTES || s < 6; s++) {
		buf_printf(&b, "## %s\n", headings[s % 6]);
		paragraph(&b, 3 + (int)(next_rand() % 3));
		for (k = 0; k < 7 && img < 40; k++, img++)
			buf_printf(&b, "![%s](post-%05zu/photo-%02zu.jpeg)\n",
			    k == 0 ? "헬기에 탑승해서 찍은 사진" : "", i, img);
		buf_putc(&b, '\n');
		if (yt < 7) {
			buf_printf(
			    &b, "{%% youtube vid%07zu%zu %%}\n", i, yt++);
			paragraph(&b, 2);
		}
		if (links < 9) {
			buf_printf(&b,
			    "자세한 내용은 [세션 "
			    "영상](https://www.youtube.com/watch?v=s%zu)을 "
			    "참고하자.\n\n",
			    links++);
		}
		paragraph(&b, 4);
	}
	snprintf(name, sizeof(name), "post-%05zu.md", i);
	file = path_join(dir, name);
	if ((f = fopen(file, "w")) == NULL ||
	    fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0) {
		fprintf(stderr, "blog_gen: %s: %s\n", file, strerror(errno));
		exit(1);
	}
	free(file);
	buf_free(&b);
}

int
main(int argc, char **argv)
{
	char *posts, *cfg;
	size_t n, i;
	FILE *f;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: blog_gen DIR N [SEED]\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	rng = argc == 4 ? strtoull(argv[3], NULL, 10) : 88172645463325252ULL;
	if (rng == 0)
		rng = 1;
	posts = path_join(argv[1], "source/_posts");
	if (path_mkdirs(posts, 0755) != 0) {
		fprintf(stderr, "blog_gen: %s: %s\n", posts, strerror(errno));
		return 1;
	}
	cfg = path_join(argv[1], "_config.yml");
	if ((f = fopen(cfg, "w")) == NULL) {
		fprintf(stderr, "blog_gen: %s: %s\n", cfg, strerror(errno));
		return 1;
	}
	fprintf(f,
	    "title: Bench blog\nurl: https://bench.example.org\n"
	    "timezone: Asia/Seoul\npermalink: :year/:month/:day/:title/\n");
	fclose(f);
	for (i = 0; i < n; i++)
		write_post(posts, i, n);
	free(posts);
	free(cfg);
	return 0;
}
