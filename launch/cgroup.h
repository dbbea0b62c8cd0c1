/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * cgroups for a VM that sis jails itself (the QEMU backend), as the jailer makes them for
 * Firecracker: <hierarchy>/<group>/<id> with cpu, memory and pids limits.
 *
 *   v1: <cpu mount>/<group>/<id>     cpu.cfs_period_us, cpu.cfs_quota_us
 *       <memory mount>/<group>/<id>  memory.limit_in_bytes
 *       <pids mount>/<group>/<id>    pids.max
 *   v2: /sys/fs/cgroup/<group>/<id>  cpu.max, memory.max, memory.swap.max, pids.max (the
 *       controllers enabled in the parents' cgroup.subtree_control first)
 */
#include <stdint.h>

/* 2 when /sys/fs/cgroup is cgroup2 alone (unified), 1 when v1 controllers are mounted (also on
 * hybrid hosts: the jailer then needs v1), -errno when neither is found. */
int cgroup_version_detect(const char *proc_mounts);

struct cgroup_limits {
        unsigned vcpus;     /* cpu: vcpus full CPUs per period */
        uint64_t mem_bytes; /* memory, the VMM's own included */
        unsigned pids;      /* threads and processes */
};

struct cgroup_plan {
        char **dirs;   /* made in this order (parents first) */
        char **writes; /* path, value, path, value, ... in this order */
        char **join;   /* the VM's own directories: the jail joins each */
};

/* What cgroup_apply() will do, from the text of /proc/self/mounts. -ENOENT when no hierarchy with
 * the controllers is mounted. */
int cgroup_plan_make(const char *mounts, int version, const char *group, const char *id, const struct cgroup_limits *l,
                     struct cgroup_plan *ret);
/* Make the directories (an existing one is reused) and write the limits. -errno with *ret_error
 * naming the file. */
int cgroup_apply(const struct cgroup_plan *p, char **ret_error);
void cgroup_plan_done(struct cgroup_plan *p);
/* Set the memory limit of <group>/<id> (memory.max, or v1's memory.limit_in_bytes) in every
 * hierarchy that has the memory controller: 0 when at least one was written, -ENOENT when the VM
 * has no memory cgroup, else the first -errno (v1 refuses a limit below what is in use: -EBUSY). */
int cgroup_set_memory(const char *mounts, const char *group, const char *id, uint64_t bytes);
struct cgroup_usage {
        double cpu_s;                      /* -1: unknown */
        int64_t mem_bytes, mem_peak_bytes; /* -1: unknown */
};
/* What <group>/<id> has used: CPU seconds (cpu.stat's usage_usec; v1 cpuacct.usage), memory now
 * and at most (memory.current, memory.peak; v1 memory.usage_in_bytes, memory.max_usage_in_bytes),
 * from the first hierarchy that has each. 0 when something was found, -ENOENT when nothing. */
int cgroup_usage(const char *mounts, const char *group, const char *id, struct cgroup_usage *ret);

/* 1 with *ret_dir the first <mount>/<group>/<id> that exists, in any cgroup hierarchy mounted; 0
 * (*ret_dir NULL) when none does; -errno. */
int cgroup_find(const char *mounts, const char *group, const char *id, char **ret_dir);
/* Remove <mount>/<group>/<id> in every cgroup hierarchy mounted (v1 and v2). Idempotent. */
void cgroup_remove(const char *mounts, const char *group, const char *id);

#include <stdbool.h>
#include <sys/types.h>

/* SIGKILL every process in <mount>/<group>/<id> of every hierarchy (cgroup.kill where the kernel
 * has it, else each pid of cgroup.procs, again until none is left) and wait up to timeout_ms for
 * them to be gone: 1 when something was there and is gone now, 0 when the VM's cgroups were empty
 * (or absent) already, -EBUSY when something is left. */
int cgroup_kill_all(const char *mounts, const char *group, const char *id, long timeout_ms);
/* Is pid a member of <group>/<id> (its /proc/<pid>/cgroup)? */
bool cgroup_has_pid(const char *group, const char *id, pid_t pid);

/* The mount table (/proc/self/mounts), where the cgroup hierarchies are found; NULL when it cannot
 * be read. */
char *self_mounts(void);
