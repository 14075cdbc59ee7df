#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpus.h"

static void
test_v2_max(void **state)
{
	(void)state;
	assert_true(cpus_v2_max("max 100000\n") == 0);
	assert_true(cpus_v2_max("25000 100000\n") == 0.25);
	assert_true(cpus_v2_max("150000 100000") == 1.5);
	assert_true(cpus_v2_max("0 100000\n") == -1);
	assert_true(cpus_v2_max("25000\n") == -1);
	assert_true(cpus_v2_max("25000 0\n") == -1);
	assert_true(cpus_v2_max("max\n") == -1);
	assert_true(cpus_v2_max("a lot\n") == -1);
	assert_true(cpus_v2_max("") == -1);
}

static void
test_v1_quota(void **state)
{
	(void)state;
	assert_true(cpus_v1_quota("-1\n", "100000\n") == 0);
	assert_true(cpus_v1_quota("1000\n", "4000\n") == 0.25);
	assert_true(cpus_v1_quota("200000\n", "100000\n") == 2);
	assert_true(cpus_v1_quota("1000\n", "0\n") == -1);
	assert_true(cpus_v1_quota("0\n", "100000\n") == -1);
	assert_true(cpus_v1_quota("-2\n", "100000\n") == -1);
	assert_true(cpus_v1_quota("1000 x\n", "4000\n") == -1);
	assert_true(cpus_v1_quota("", "4000\n") == -1);
}

/* A v1 hierarchy per controller beside the v2 one, as systemd's hybrid
 * layout mounts them; the server in a cgroup of the cpu hierarchy. */
static const char hybrid_cgroup[] = "9:name=systemd:/\n"
				    "4:memory:/job/7\n"
				    "3:cpuset:/\n"
				    "2:cpuacct:/\n"
				    "1:cpu:/canyon-1\n"
				    "0::/\n";
static const char hybrid_mounts[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup "
    "rw,cpuacct\n"
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup "
    "rw,cpuset\n"
    "35 31 0:32 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 "
    "cgroup2 rw,nsdelegate\n";

/* The folder the texts give is want, in a v2 hierarchy or not, mounted at
 * a point root_len long. */
static void
expect_dir(const char *self, const char *mounts, const char *want, bool want_v2,
    size_t root_len)
{
	char dir[256];
	size_t len = 0;
	bool v2 = !want_v2;

	assert_int_equal(
	    cpus_cgroup_dir(self, mounts, dir, sizeof(dir), &v2, &len), 0);
	assert_string_equal(dir, want);
	assert_true(v2 == want_v2);
	assert_int_equal(len, root_len);
	/* The whole folder's name must fit. */
	assert_int_equal(
	    cpus_cgroup_dir(self, mounts, dir, strlen(want), &v2, &len), -1);
}

static void
test_dir_v1(void **state)
{
	(void)state;
	expect_dir(hybrid_cgroup, hybrid_mounts, "/sys/fs/cgroup/cpu/canyon-1",
	    false, strlen("/sys/fs/cgroup/cpu"));
}

static void
test_dir_v2(void **state)
{
	static const char self[] = "0::/system.slice/canyon.service\n";
	static const char mounts[] =
	    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	    "25 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime "
	    "shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";

	(void)state;
	expect_dir(self, mounts, "/sys/fs/cgroup/system.slice/canyon.service",
	    true, strlen("/sys/fs/cgroup"));
}

/* A container's own cgroup bound in as its hierarchy's mount point: the
 * path /proc/self/cgroup gives lies beneath the mount's root. */
static void
test_dir_bound(void **state)
{
	static const char self[] = "5:cpu,cpuacct:/docker/4f2a\n"
				   "1:name=systemd:/docker/4f2a\n";
	static const char mounts[] =
	    "600 590 0:40 /docker/4f2a /sys/fs/cgroup/cpu,cpuacct "
	    "ro,nosuid master:20 - cgroup cgroup rw,cpu,cpuacct\n";

	(void)state;
	expect_dir(self, mounts, "/sys/fs/cgroup/cpu,cpuacct", false,
	    strlen("/sys/fs/cgroup/cpu,cpuacct"));
}

/* "cpuset" is not "cpu"; with neither a cpu hierarchy nor a v2 one there
 * is no folder to read. */
static void
test_dir_none(void **state)
{
	static const char self[] = "3:cpuset:/x\n1:name=systemd:/\n";
	static const char mounts[] =
	    "34 31 0:31 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"
	    "a line that is not a mount\n";
	char dir[256];
	size_t root_len;
	bool v2;

	(void)state;
	assert_int_equal(
	    cpus_cgroup_dir(self, mounts, dir, sizeof(dir), &v2, &root_len),
	    -1);
	assert_int_equal(
	    cpus_cgroup_dir("", "", dir, sizeof(dir), &v2, &root_len), -1);
}

/* Whatever this machine gives, a usable number and how it was found. */
static void
test_available(void **state)
{
	const char *how = NULL;
	double cpus = cpus_available(&how);

	(void)state;
	assert_true(cpus >= 0.01);
	assert_non_null(how);
}

/* One loop per CPU, a part of one counting as one. */
static void
test_workers(void **state)
{
	(void)state;
	assert_int_equal(cpus_workers(0.01), 1);
	assert_int_equal(cpus_workers(0.25), 1);
	assert_int_equal(cpus_workers(1), 1);
	assert_int_equal(cpus_workers(0.9999), 1);
	assert_int_equal(cpus_workers(1.5), 2);
	assert_int_equal(cpus_workers(2), 2);
	assert_int_equal(cpus_workers(7.2), 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v2_max),
	    cmocka_unit_test(test_v1_quota),
	    cmocka_unit_test(test_dir_v1),
	    cmocka_unit_test(test_dir_v2),
	    cmocka_unit_test(test_dir_bound),
	    cmocka_unit_test(test_dir_none),
	    cmocka_unit_test(test_available),
	    cmocka_unit_test(test_workers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
