/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * A running VM's life after `run`: a monitor process per VM drains Firecracker's log and metrics
 * FIFOs into bounded files under /run/sis/vms/<id>/ and watches the API (a VMM that stops
 * answering is SIGKILLed); stop, kill and logs act on it.
 */
#include <stdbool.h>
#include <sys/types.h>

#define LOG_CAP (1u << 20) /* firecracker.log rotates to .1 past this */
#define MONITOR_COUNT_S \
        5 /* QEMU without a watchdog: query-blockstats this often (with one: at \
           * each of its checks), for sis-launch metrics */

/* Append n bytes of a VMM's log to path (root's run directory), rotating it to path.1 first when
 * it would grow past cap. Best effort: a log that cannot be written is not a reason to stop. */
void log_append(const char *path, const char *buf, size_t n, size_t cap);

/* Fork the monitor (detached, its own session, never the OOM killer's choice) for VM id: it drains
 * the log FIFOs and, every watchdog_s of the VM's state, asks the VMM (its socket's peer checked)
 * and SIGKILLs it after 3 missed answers. Its pid and start time go into the registry. A monitor
 * that dies is noticed by `list`, which starts a new one (the VMM meanwhile gets EPIPE, never
 * blocks, on its log). 0 or -errno. */
int monitor_start(const char *run_dir, const char *id);

/* SendCtrlAltDel, then SIGTERM after timeout_s, then SIGKILL after 5 s more. 0 stopped; 2. */
int vm_stop(const char *run_dir, const char *id, unsigned timeout_s);
/* SIGKILL now: every process in the VM's cgroups. */
int vm_kill(const char *run_dir, const char *id);
/* Print the VM's VMM log (the rotated part first), or with denied its denied-traffic log
 * (launch/denylog.h). */
int vm_logs(const char *run_dir, const char *id, bool denied);

#include "jailfs.h"
#include "registry.h"
#include "state.h"

/* What the monitor, stop and snapshot need of a VM: its registry entry (whom to signal, whose
 * socket) and its state in its (root's) run directory (which socket, what watchdog interval). */
struct vm_view {
        struct reg_vm reg;
        struct vm_state st;
        char *chroot;     /* <chroot_base>/<backend>/<id>/root */
        const char *sock; /* jail-relative, one of sis-launch's own names; NULL: none (--config-file) */
        bool qemu;
        unsigned watchdog_s;
};
int vm_view_load(const char *id, struct vm_view *v);
void vm_view_done(struct vm_view *v);
/* The peer the VM's socket must have: its VMM's pid, its uid. */
struct vm_peer vm_view_peer(const struct vm_view *v);

/* Our process, still running: same start time, not a zombie. */
bool proc_alive(pid_t pid, unsigned long long starttime);
unsigned long long proc_starttime(pid_t pid);
struct reg_vm;
/* The VM's VMM, alive and still in the VM's cgroup: the only process stop and kill signal by pid. */
bool vmm_alive(const struct reg_vm *vm);
/* Signal the VM's VMM: the recorded pid, only while vmm_alive() says it is (a pidfd pins it between
 * the check and the signal: a pid reused meanwhile is not signalled). */
void vmm_signal(const struct reg_vm *vm, int sig);

/* Everything of a VM goes, from its registry entry alone: what vm_start's undo and clean run.
 * 0, or 2 (said). */
int vm_teardown(struct reg_vm *vm);
/* Remove everything a VM left, from its registry entry (launch/registry.h): its processes (by
 * cgroup), mounts, jail, cgroups, network, run directory, and the entry with its uid and slot. The
 * run_dir and chroot_base given are not used: the entry says where the VM lives. 0 (also when
 * nothing of the VM is left), or 2. */
int vm_clean(const char *run_dir, const char *chroot_base, const char *id);
/* One line per VM of run_dir: id, pid, uid, limits, state; a dead monitor is restarted. */
int vm_list(const char *run_dir);
