/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct run_opts {
        const char *id;
        const char *kernel, *rootfs, *home;
        unsigned vcpus, mem_mib;
        const char *policy;
        const char *net;                /* "none" (default networking: not in this version) */
        bool dry_run;
        bool config_file;               /* --config-file --no-api instead of the API */
        bool console;                   /* a serial console in the guest (debug) */
        const char *jailer, *firecracker, *chroot_base, *run_dir;
        uid_t uid_min, uid_max;
        long api_timeout_ms;
};

/* 0 started (or planned, --dry-run); 1 refused by the gate; 2 bad input or a failed step. */
int vm_run(const struct run_opts *o);
/* Remove everything a VM left: its process, chroot, tmpfs, lease and state. 0, or 2. */
int vm_clean(const char *run_dir, const char *chroot_base, const char *id);
/* One line per VM: id, pid, state. */
int vm_list(const char *run_dir);
