#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "path.h"

static char dir[64];

static int
setup(void **state)
{
	char p[256];
	FILE *f;

	(void)state;
	strcpy(dir, "/tmp/canyon-path.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(p, sizeof(p), "%s/root/sub", dir);
	path_mkdirs(p, 0755);
	snprintf(p, sizeof(p), "%s/root/sub/page.gmi", dir);
	f = fopen(p, "w");
	fputs("# hi\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/secret", dir);
	f = fopen(p, "w");
	fputs("secret\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/root/out", dir);
	if (symlink("../secret", p) == -1)
		return -1;
	snprintf(p, sizeof(p), "%s/root/abs", dir);
	return symlink("/etc/passwd", p);
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void
test_open_beneath(void **state)
{
	char p[256];
	int root, fd;

	(void)state;
	snprintf(p, sizeof(p), "%s/root", dir);
	root = open(p, O_RDONLY | O_DIRECTORY);
	assert_true(root >= 0);
	fd = path_open_beneath(root, "sub/page.gmi", O_RDONLY);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(path_open_beneath(root, "../secret", O_RDONLY), -1);
	assert_int_equal(path_open_beneath(root, "out", O_RDONLY), -1);
	assert_int_equal(path_open_beneath(root, "abs", O_RDONLY), -1);
	assert_int_equal(path_open_beneath(root, "/etc/passwd", O_RDONLY), -1);
	assert_int_equal(
	    path_open_beneath(root, "sub/../../secret", O_RDONLY), -1);
	close(root);
}

static void
test_is_public(void **state)
{
	(void)state;
	assert_true(path_is_public("/a/b.gmi", 8));
	assert_false(path_is_public("/.git/config", 12));
	assert_false(path_is_public("/a/.hidden", 10));
	assert_true(path_is_public("/.well-known/security.txt", 25));
	assert_true(path_is_public("/a/b.c", 6));
}

static void
test_join_and_read(void **state)
{
	char *p, *data;
	size_t len;

	(void)state;
	p = path_join("/tmp/", "/x");
	assert_string_equal(p, "/tmp/x");
	free(p);
	p = path_join(dir, "root/sub/page.gmi");
	data = path_read_file(p, 1024, &len);
	assert_non_null(data);
	assert_int_equal(len, 5);
	assert_string_equal(data, "# hi\n");
	free(data);
	assert_null(path_read_file(p, 2, &len));
	assert_int_equal(errno, EFBIG);
	free(p);
}

/* Files larger than one read, exactly at the limit or one byte over;
 * a file whose size stat does not tell (/proc) is read whole too. */
static void
test_read_sizes(void **state)
{
	size_t n = 200000, len;
	char *p = path_join(dir, "big"), *data, *want = malloc(n);
	FILE *f;

	(void)state;
	for (size_t i = 0; i < n; i++)
		want[i] = (char)('a' + i % 26);
	assert_non_null(f = fopen(p, "wb"));
	assert_int_equal(fwrite(want, 1, n, f), n);
	fclose(f);
	assert_non_null(data = path_read_file(p, n, &len));
	assert_int_equal(len, n);
	assert_memory_equal(data, want, n);
	assert_int_equal(data[n], '\0');
	free(data);
	assert_null(path_read_file(p, n - 1, &len));
	assert_int_equal(errno, EFBIG);
	assert_non_null(
	    data = path_read_file("/proc/self/status", 1 << 20, &len));
	assert_non_null(strstr(data, "Name:"));
	assert_int_equal(strlen(data), len);
	free(data);
	unlink(p);
	free(p);
	free(want);
}

/* One buffer read into again and again (a thread's scratch): it holds
 * the last file only, even when shorter than the one before. */
static void
test_read_fd_reuses_buffer(void **state)
{
	struct buf b = BUF_INIT;
	char *p = path_join(dir, "root/sub/page.gmi");
	int fd;

	(void)state;
	assert_true((fd = open("/proc/self/status", O_RDONLY)) != -1);
	assert_int_equal(path_read_fd(fd, 1 << 20, 0, &b), 0);
	close(fd);
	assert_true(b.len > 5);
	assert_true((fd = open(p, O_RDONLY)) != -1);
	assert_int_equal(path_read_fd(fd, 1024, 5, &b), 0);
	close(fd);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "# hi\n");
	assert_true((fd = open(p, O_RDONLY)) != -1);
	assert_int_equal(path_read_fd(fd, 4, 5, &b), -1);
	assert_int_equal(errno, EFBIG);
	close(fd);
	/* the size taken before the file grew: the file as it was then */
	assert_true((fd = open(p, O_RDONLY)) != -1);
	assert_int_equal(path_read_fd(fd, 1024, 3, &b), 0);
	close(fd);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "# h");
	/* before it shrank: read to its end */
	assert_true((fd = open(p, O_RDONLY)) != -1);
	assert_int_equal(path_read_fd(fd, 1024, 9, &b), 0);
	close(fd);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "# hi\n");
	buf_free(&b);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_beneath),
	    cmocka_unit_test(test_is_public),
	    cmocka_unit_test(test_join_and_read),
	    cmocka_unit_test(test_read_sizes),
	    cmocka_unit_test(test_read_fd_reuses_buffer),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
