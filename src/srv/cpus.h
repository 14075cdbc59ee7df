/*
 * cpus: how much CPU time this process may use, in CPUs: the CPUs its
 * affinity allows, or less when a cgroup CPU quota (a container's
 * `--cpus`, systemd's CPUQuota=, cgroup v1 cpu.cfs_quota_us or v2
 * cpu.max) caps it or one of its ancestors. The load shedding compares
 * each event loop's CPU time with its part of that (shed.h).
 *
 * The parsers are pure, on the texts of the files named; cpus_available()
 * reads the files (before the server confines itself).
 */
#ifndef CANYON_CPUS_H
#define CANYON_CPUS_H

#include <stdbool.h>
#include <stddef.h>

/* The CPUs a v2 "cpu.max" text allows ("max 100000": no quota, 0; "25000
 * 100000": 0.25); -1 when it is not such a text. */
double cpus_v2_max(const char *text);

/* The CPUs the v1 texts of cpu.cfs_quota_us and cpu.cfs_period_us allow
 * (a quota of -1: no quota, 0); -1 when they are not such texts. */
double cpus_v1_quota(const char *quota, const char *period);

/* The folder of this process's CPU cgroup, from the texts of
 * /proc/self/cgroup and /proc/self/mountinfo: the cgroup v1 hierarchy
 * with the cpu controller if one is mounted, else the v2 one. Into
 * dir[0..size) with *v2 telling which, and the hierarchy's mount point's
 * length in *root_len (no quota is looked for above it). -1 when none is
 * found or dir is too small. */
int cpus_cgroup_dir(const char *self_cgroup, const char *mountinfo, char *dir,
    size_t size, bool *v2, size_t *root_len);

/* The CPUs this process may use now (at least a hundredth of one); how
 * (a static text) says what set it: "affinity" or "cgroup quota". */
double cpus_available(const char **how);

/* The event loops worth running on that many CPUs: one per CPU, a part of
 * one counting as one (a quota of 0.25 CPU: 1; of 1.5: 2). */
size_t cpus_workers(double cpus);

#endif
