/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "runopts.h"

struct gate_result;
struct fc_plan;
struct qemu_vm;
struct vm_state;

/* What a start needs besides the options: run and restore differ only here. */
struct start_req {
        const char *kernel, *rootfs, *home; /* host paths (kernel: NULL for a Firecracker restore) */
        /* A restore: after the jail is staged and before the VMM starts, fill() writes the jail's
         * snapshot/ and disk/ (a sealed snapshot's files, opened into them; their tmpfs sized by
         * snapshot_size and home_size) and, for QEMU, gives the state to load as *ret_vmstate_fd.
         * 0; -EBADMSG for a file that does not verify, -EALREADY for a snapshot spent already (the
         * start is refused: exit 1); -errno; *ret_error names the file. */
        int (*fill)(void *ctx, const char *chroot, uid_t uid, int *ret_vmstate_fd, char **ret_error);
        void *fill_ctx;
        unsigned long long snapshot_size, home_size;
        const struct fc_plan *plan; /* firecracker */
        const struct qemu_vm *qvm;  /* qemu */
        /* state.json: what only run or restore knows, filled in by the caller; vm_start records
         * the rest in it as the start goes on */
        struct vm_state *state;
};

/* argv as one shell line, quoted where a word needs it (what --dry-run prints and the state says). */
char *shell_join(char *const *argv);
/* Claim the name, lease a uid, stage the jail, record the state, run the jailer, send the plan
 * (launch/start.c). On failure everything is undone. 0, 1 (a restore's snapshot refused), or 2. */
int vm_start(const struct run_opts *o, const struct start_req *r, const struct gate_result *g);
/* The gate with the launch's own binaries, chroot base and uid range: 0 pass, 1 refused, 2 error. */
int vm_gate(const struct run_opts *o, struct gate_result *g);

/* 0 started (or planned, --dry-run); 1 refused by the gate; 2 bad input or a failed step. */
int vm_run(const struct run_opts *o);
