/* SPDX-License-Identifier: MIT */
#pragma once
/* A VMM process while it starts (launch/vmm.c): QEMU's spawn and handshake, the log FIFO before
 * the monitor takes over, Firecracker's boot in its log, the --version probe. */
#include <stdbool.h>
#include <sys/types.h>

#include "run.h"

struct sbuf;
struct vm_peer;

/* QEMU under sis's jail: its cgroups with limits, its files bound in, only its devices, the log
 * FIFO as its stdout and stderr. *ret_pid: QEMU; *ret_logfd: a reader of the FIFO, kept open until
 * the monitor has its own; *ret_setup_ms: the jail's setup time. -errno with *ret_error. */
int qemu_spawn(const struct run_opts *o, const struct start_req *r, const char *chroot, uid_t uid, const char *netns,
               char *const *argv, const char *mounts, int cgv, pid_t *ret_pid, int *ret_logfd, double *ret_setup_ms,
               char **ret_error);
/* Over QMP, its peer checked: a new VM must be running; a restore is handed vmstate_fd and resumed.
 * -errno with *ret_error. */
int qemu_handshake(const struct run_opts *o, const struct start_req *r, int vmstate_fd, const struct vm_peer *peer,
                   char **ret_error);

/* What the VMM wrote to its log FIFO (logfd, a reader) that nobody read yet, in at most 64 reads
 * (1 MiB) a call: appended to seen, and to the VM's log file when log_path is set. */
void read_vmm_log(int logfd, const char *log_path, struct sbuf *seen);
/* "sis-launch: <who>'s last words:" and the last lines of raw_text, each made one printable line. */
void vmm_said(const char *who, const char *raw_text);
/* Firecracker's answer on a host without KVM (/dev/kvm answers ENODEV), and what to say then. */
bool kvm_missing(const char *text);
#define NO_KVM "this host has no KVM: Firecracker's /dev/kvm answers ENODEV (needs KVM)"
/* --config-file: wait until Firecracker's log says it booted. 0; -ECHILD it exited; -ETIMEDOUT. */
int fc_wait_booted(pid_t vmm, unsigned long long start, int logfd, const char *log_path, long timeout_ms,
                   struct sbuf *seen);

/* The first line of `binary --version` (e.g. "Firecracker v1.16.1"), or NULL. */
char *vmm_version(const char *binary);
