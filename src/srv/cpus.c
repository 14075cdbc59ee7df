#include "cpus.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"

/* A field of a line: [p, p + len). */
struct field {
	const char *p;
	size_t len;
};

static bool
field_is(struct field f, const char *s)
{
	return f.len == strlen(s) && memcmp(f.p, s, f.len) == 0;
}

/* Whether the comma-separated list f holds the item want. */
static bool
field_has_item(struct field f, const char *want)
{
	const char *p = f.p, *end = f.p + f.len, *comma;

	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			comma = end;
		if ((size_t)(comma - p) == strlen(want) &&
		    memcmp(p, want, (size_t)(comma - p)) == 0)
			return true;
		p = comma + 1;
	}
	return false;
}

/* The next line of *text, without its '\n': false when none is left. */
static bool
next_line(const char **text, struct field *line)
{
	const char *nl;

	if (**text == '\0')
		return false;
	nl = strchr(*text, '\n');
	line->p = *text;
	line->len = nl ? (size_t)(nl - *text) : strlen(*text);
	*text = nl ? nl + 1 : *text + line->len;
	return true;
}

/* Split line at sep into at most max fields; returns how many. */
static size_t
split(struct field line, char sep, struct field *out, size_t max)
{
	const char *p = line.p, *end = line.p + line.len, *s;
	size_t n = 0;

	while (n < max && p <= end) {
		s = memchr(p, sep, (size_t)(end - p));
		if (s == NULL)
			s = end;
		out[n++] = (struct field){p, (size_t)(s - p)};
		p = s + 1;
	}
	return n;
}

/* The path of the v2 hierarchy ("0::/path") or of the v1 one holding the
 * cpu controller ("4:cpu,cpuacct:/path") in /proc/self/cgroup. */
static bool
cgroup_path(const char *self_cgroup, bool v2, struct field *path)
{
	struct field line, f[3];

	while (next_line(&self_cgroup, &line)) {
		if (split(line, ':', f, 3) != 3)
			continue;
		if (v2 ? field_is(f[0], "0") && f[1].len == 0
		       : field_has_item(f[1], "cpu")) {
			*path = f[2];
			return true;
		}
	}
	return false;
}

/* Fields of a mountinfo line (proc(5)): 3 is the mount's root within its
 * file system, 4 its mount point; after the "-" come the file system type,
 * the source and the super options. */
#define MI_FIELDS 32

/* The root and mount point of the v2 hierarchy, or of the v1 one with
 * the cpu controller, in /proc/self/mountinfo. */
static bool
cgroup_mount(
    const char *mountinfo, bool v2, struct field *root, struct field *point)
{
	struct field line, f[MI_FIELDS];
	size_t n, i;

	while (next_line(&mountinfo, &line)) {
		n = split(line, ' ', f, MI_FIELDS);
		for (i = 6; i < n && !field_is(f[i], "-"); i++)
			;
		if (i + 3 >= n)
			continue;
		if (v2 ? field_is(f[i + 1], "cgroup2")
		       : field_is(f[i + 1], "cgroup") &&
			    field_has_item(f[i + 3], "cpu")) {
			*root = f[3];
			*point = f[4];
			return true;
		}
	}
	return false;
}

int
cpus_cgroup_dir(const char *self_cgroup, const char *mountinfo, char *dir,
    size_t size, bool *v2, size_t *root_len)
{
	struct field path, root, point;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		*v2 = pass == 1;
		if (!cgroup_path(self_cgroup, *v2, &path) ||
		    !cgroup_mount(mountinfo, *v2, &root, &point))
			continue;
		/* A hierarchy mounted from below its root (a container's
		 * own cgroup bound in) shows the paths beneath that. */
		if (root.len > 1 && path.len >= root.len &&
		    memcmp(path.p, root.p, root.len) == 0 &&
		    (path.len == root.len || path.p[root.len] == '/')) {
			path.p += root.len;
			path.len -= root.len;
		}
		while (path.len > 0 && path.p[path.len - 1] == '/')
			path.len--;
		if (point.len + path.len + 1 > size)
			return -1;
		memcpy(dir, point.p, point.len);
		memcpy(dir + point.len, path.p, path.len);
		dir[point.len + path.len] = '\0';
		*root_len = point.len;
		return 0;
	}
	return -1;
}

/* A whole number in text (trailing white space allowed) into *out. */
static bool
parse_long(const char *text, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(text, &end, 10);
	if (errno != 0 || end == text)
		return false;
	while (*end == ' ' || *end == '\n')
		end++;
	return *end == '\0';
}

double
cpus_v2_max(const char *text)
{
	long long quota, period;
	char *end;

	if (strncmp(text, "max ", 4) == 0)
		return parse_long(text + 4, &period) && period > 0 ? 0 : -1;
	errno = 0;
	quota = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != ' ' ||
	    !parse_long(end + 1, &period) || quota <= 0 || period <= 0)
		return -1;
	return (double)quota / (double)period;
}

double
cpus_v1_quota(const char *quota, const char *period)
{
	long long q, p;

	if (!parse_long(quota, &q) || !parse_long(period, &p) || p <= 0 ||
	    (q <= 0 && q != -1))
		return -1;
	return q == -1 ? 0 : (double)q / (double)p;
}

/* Small files of /proc and /sys, read whole. */
#define PROC_TEXT_MAX (1 << 20)

/* The CPUs the quota of the cgroup folder dir allows, 0 when none. */
static double
dir_quota(const char *dir, bool v2)
{
	char *a, *b = NULL, *file;
	double cpus = -1;

	file = path_join(dir, v2 ? "cpu.max" : "cpu.cfs_quota_us");
	a = path_read_file(file, PROC_TEXT_MAX, NULL);
	free(file);
	if (a && !v2) {
		file = path_join(dir, "cpu.cfs_period_us");
		b = path_read_file(file, PROC_TEXT_MAX, NULL);
		free(file);
	}
	if (a && (v2 || b))
		cpus = v2 ? cpus_v2_max(a) : cpus_v1_quota(a, b);
	free(a);
	free(b);
	return cpus > 0 ? cpus : 0;
}

/* The least CPUs a fraction of one may be taken for: below it a loop's
 * share would round to nothing. */
#define CPUS_LEAST 0.01

double
cpus_available(const char **how)
{
	char *self = path_read_file("/proc/self/cgroup", PROC_TEXT_MAX, NULL);
	char *mi = path_read_file("/proc/self/mountinfo", PROC_TEXT_MAX, NULL);
	char dir[4096], *slash;
	cpu_set_t set;
	double best, q;
	size_t root_len;
	long online;
	bool v2;

	*how = "affinity";
	online = sysconf(_SC_NPROCESSORS_ONLN);
	best = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
	    : online > 0                                    ? (double)online
							    : 1;
	if (self && mi &&
	    cpus_cgroup_dir(self, mi, dir, sizeof(dir), &v2, &root_len) == 0) {
		/* Every ancestor's quota caps the ones below it. */
		for (;;) {
			q = dir_quota(dir, v2);
			if (q > 0 && q < best) {
				best = q;
				*how = "cgroup quota";
			}
			slash = strrchr(dir, '/');
			if (slash == NULL || (size_t)(slash - dir) < root_len)
				break;
			*slash = '\0';
		}
	}
	free(self);
	free(mi);
	return best > CPUS_LEAST ? best : CPUS_LEAST;
}

size_t
cpus_workers(double cpus)
{
	/* A hair under a whole CPU is that CPU: a quota's period may not
	 * divide its quota exactly. */
	double n = ceil(cpus - 0.001);

	return n >= 1 ? (size_t)n : 1;
}
