#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "outtree.h"
#include "path.h"

struct tmp {
	char dir[64];
	char *capsule; /* dir/public */
};

static void
tmp_make(struct tmp *t)
{
	strcpy(t->dir, "/tmp/canyon-outtree.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	t->capsule = path_join(t->dir, "public");
}

static void
tmp_remove(struct tmp *t)
{
	assert_int_equal(outtree_remove(t->dir), 0);
	free(t->capsule);
}

/* The text of the capsule's file rel, or NULL. */
static char *
capsule_file(const struct tmp *t, const char *rel)
{
	char *p = path_join(t->capsule, rel), *text;
	size_t len;

	text = path_read_file(p, 1 << 20, &len);
	free(p);
	return text;
}

static struct iovec
piece(const char *s)
{
	return (struct iovec){(void *)(uintptr_t)s, strlen(s)};
}

/* A file written in two steps holds both, in order; it is a file of the
 * build (in the capsule, kept fresh by the next build of that
 * generation) only once finished; one never finished is not published. */
static void
test_start_then_finish(void **state)
{
	struct tmp t;
	struct outtree o;
	struct iovec head[2] = {piece("# title\n\n"), piece("body\n")};
	struct iovec foot = piece("=> / home\n");
	char err[256], *text;

	(void)state;
	tmp_make(&t);
	assert_int_equal(
	    outtree_open(&o, t.capsule, false, err, sizeof(err)), 0);
	assert_false(outtree_had(&o, "2021/12/31/a/index.gmi"));
	assert_int_equal(outtree_start(&o, "2021/12/31/a/index.gmi", head, 2,
			     err, sizeof(err)),
	    0);
	assert_int_equal(outtree_start(&o, "2021/12/31/b/index.gmi", head, 1,
			     err, sizeof(err)),
	    0);
	assert_int_equal(outtree_finish(&o, "2021/12/31/a/index.gmi", 42, &foot,
			     1, err, sizeof(err)),
	    0);
	assert_int_equal(o.written, 1);
	assert_int_equal(outtree_commit(&o, err, sizeof(err)), 0);
	outtree_free(&o);
	text = capsule_file(&t, "2021/12/31/a/index.gmi");
	assert_non_null(text);
	assert_string_equal(text, "# title\n\nbody\n=> / home\n");
	free(text);
	assert_null(capsule_file(&t, "2021/12/31/b/index.gmi"));

	/* the other generation, then this one again: it had the finished
	 * file (fresh with its key), not the unfinished one */
	assert_int_equal(
	    outtree_open(&o, t.capsule, false, err, sizeof(err)), 0);
	assert_false(outtree_had(&o, "2021/12/31/a/index.gmi"));
	assert_int_equal(outtree_commit(&o, err, sizeof(err)), 0);
	outtree_free(&o);
	assert_int_equal(
	    outtree_open(&o, t.capsule, false, err, sizeof(err)), 0);
	assert_true(outtree_had(&o, "2021/12/31/a/index.gmi"));
	assert_false(outtree_had(&o, "2021/12/31/b/index.gmi"));
	assert_true(outtree_fresh(&o, "2021/12/31/a/index.gmi", 42));
	assert_int_equal(outtree_commit(&o, err, sizeof(err)), 0);
	outtree_free(&o);
	tmp_remove(&t);
}

/* Started again, a file is written afresh, not appended to; a failure
 * is reported with the file's path. */
static void
test_start_truncates_and_errors(void **state)
{
	struct tmp t;
	struct outtree o;
	struct iovec one = piece("first version, longer\n"),
		     two = piece("second\n"), end = piece("end\n");
	char err[256], *text;

	(void)state;
	tmp_make(&t);
	assert_int_equal(
	    outtree_open(&o, t.capsule, false, err, sizeof(err)), 0);
	assert_int_equal(
	    outtree_start(&o, "p/index.gmi", &one, 1, err, sizeof(err)), 0);
	assert_int_equal(
	    outtree_start(&o, "p/index.gmi", &two, 1, err, sizeof(err)), 0);
	assert_int_equal(
	    outtree_finish(&o, "p/index.gmi", 7, &end, 1, err, sizeof(err)), 0);
	/* a folder where the file should be */
	assert_int_equal(
	    outtree_start(&o, "q/index.gmi", &one, 1, err, sizeof(err)), 0);
	assert_int_equal(outtree_start(&o, "q", &one, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/q: "));
	assert_int_equal(outtree_commit(&o, err, sizeof(err)), 0);
	outtree_free(&o);
	text = capsule_file(&t, "p/index.gmi");
	assert_non_null(text);
	assert_string_equal(text, "second\nend\n");
	free(text);
	tmp_remove(&t);
}

/* The files this process has open. */
static int
open_files(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* Begun files stay open until finished (the footer appended to the same
 * file, as one written in one step); those never finished are closed by
 * the commit and by outtree_free() after a failure. */
static void
test_started_files_closed(void **state)
{
	struct tmp t;
	struct outtree o;
	struct iovec head = piece("# t\n"), foot = piece("=> / home\n");
	char err[256], *text;
	int base;

	(void)state;
	tmp_make(&t);
	assert_int_equal(
	    outtree_open(&o, t.capsule, false, err, sizeof(err)), 0);
	outtree_expect(&o, 100);
	base = open_files();
	assert_int_equal(
	    outtree_start(&o, "a/index.gmi", &head, 1, err, sizeof(err)), 0);
	assert_int_equal(
	    outtree_start(&o, "b/index.gmi", &head, 1, err, sizeof(err)), 0);
	assert_int_equal(open_files(), base + 2);
	assert_int_equal(
	    outtree_finish(&o, "a/index.gmi", 1, &foot, 1, err, sizeof(err)),
	    0);
	assert_int_equal(open_files(), base + 1);
	assert_int_equal(outtree_commit(&o, err, sizeof(err)), 0);
	assert_int_equal(open_files(), base);
	outtree_free(&o);
	text = capsule_file(&t, "a/index.gmi");
	assert_non_null(text);
	assert_string_equal(text, "# t\n=> / home\n");
	free(text);
	assert_null(capsule_file(&t, "b/index.gmi"));

	/* given up: the begun file is closed too */
	assert_int_equal(
	    outtree_open(&o, t.capsule, false, err, sizeof(err)), 0);
	base = open_files();
	assert_int_equal(
	    outtree_start(&o, "c/index.gmi", &head, 1, err, sizeof(err)), 0);
	assert_int_equal(open_files(), base + 1);
	outtree_abort(&o);
	assert_int_equal(open_files(), base - 2); /* and the lock, the folder */
	tmp_remove(&t);
}

/* A dry tree (canyon check) writes nothing. */
static void
test_dry_writes_nothing(void **state)
{
	struct tmp t;
	struct outtree o;
	struct iovec one = piece("x\n");
	char err[256];
	struct stat st;

	(void)state;
	tmp_make(&t);
	assert_int_equal(
	    outtree_open(&o, t.capsule, true, err, sizeof(err)), 0);
	assert_int_equal(
	    outtree_start(&o, "p/index.gmi", &one, 1, err, sizeof(err)), 0);
	assert_int_equal(
	    outtree_finish(&o, "p/index.gmi", 7, &one, 1, err, sizeof(err)), 0);
	assert_int_equal(o.written, 0);
	outtree_free(&o);
	assert_int_equal(lstat(t.capsule, &st), -1);
	tmp_remove(&t);
}

/* The attribute flags of the folder path, or -1 when the filesystem has
 * none. */
static int
dir_flags(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), flags = -1;

	assert_true(fd >= 0);
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0)
		flags = -1;
	close(fd);
	return flags;
}

/* Whether folders under dir can be marked as tops of folder trees (ext4
 * can; tmpfs, for one, cannot). */
static bool
can_mark_top(const char *dir)
{
	char *probe = path_join(dir, "probe");
	int fd, flags;
	bool ok = false;

	assert_int_equal(mkdir(probe, 0755), 0);
	fd = open(probe, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
		flags |= FS_TOPDIR_FL;
		ok = ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
	}
	close(fd);
	rmdir(probe);
	free(probe);
	return ok;
}

/* Each generation written is marked as the top of a folder tree, so
 * that the filesystem places its folders where there is room rather than
 * among what was removed beside it lately; where the filesystem has no
 * such mark the build goes on as well. */
static void
test_generation_marked_top(void **state)
{
	struct tmp t;
	struct outtree o;
	struct iovec one = piece("x\n");
	char err[256];

	(void)state;
	tmp_make(&t);
	if (!can_mark_top(t.dir)) {
		tmp_remove(&t);
		skip();
	}
	for (int gen = 0; gen < 2; gen++) {
		assert_int_equal(
		    outtree_open(&o, t.capsule, false, err, sizeof(err)), 0);
		assert_true(dir_flags(o.target) & FS_TOPDIR_FL);
		assert_int_equal(
		    outtree_write(&o, "a/b/index.gmi", 0, one.iov_base,
			one.iov_len, err, sizeof(err)),
		    0);
		assert_int_equal(outtree_commit(&o, err, sizeof(err)), 0);
		outtree_free(&o);
	}
	assert_true(dir_flags(t.capsule) & FS_TOPDIR_FL);
	tmp_remove(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_start_then_finish),
	    cmocka_unit_test(test_start_truncates_and_errors),
	    cmocka_unit_test(test_started_files_closed),
	    cmocka_unit_test(test_dry_writes_nothing),
	    cmocka_unit_test(test_generation_marked_top),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
