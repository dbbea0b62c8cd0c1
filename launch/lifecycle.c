/* SPDX-License-Identifier: MIT */
/*
 * The verbs that act on a VM after `run`: stop, kill, logs, list and clean (with the one teardown
 * that vm_start's undo runs too). The monitor they rely on is in monitor.c.
 */
#include "lifecycle.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "api.h"
#include "cgroup.h"
#include "cli.h"
#include "denylog.h"
#include "fileio.h"
#include "jail.h"
#include "jailfs.h"
#include "metrics.h"
#include "net.h"
#include "qmp.h"
#include "registry.h"
#include "state.h"
#include "util.h"

static bool wait_gone(pid_t pid, unsigned long long start, unsigned seconds) {
        for (unsigned i = 0; i < seconds * 20; i++) {
                if (!proc_alive(pid, start))
                        return true;
                usleep(50000);
        }
        return !proc_alive(pid, start);
}

int vm_stop(const char *run_dir, const char *id, unsigned timeout_s) {
        struct vm_view v;
        const char *how;

        if (!vm_id_ok(id))
                return cli_fail(2, "'%s' is not a VM name", id);
        if (vm_view_load(id, &v) < 0)
                return cli_fail(2, "no VM named %s (sis-launch list)", id);
        if (!vmm_alive(&v.reg)) {
                vm_view_done(&v);
                cli_step("%s is not running", id);
                return 0;
        }
        how = "SendCtrlAltDel";
        if (!v.qemu && v.sock) {
                json_object *body = json_object_new_object();
                struct fc_reply rep = {};
                struct vm_peer peer = vm_view_peer(&v);
                _cleanup_free_ char *why = NULL;
                json_object_object_add(body, "action_type", json_object_new_string("SendCtrlAltDel"));
                if (fc_api_call(&peer, "PUT", "/actions", body, false, 2000, &rep, &why) == -EPERM)
                        (void) cli_fail(0, "%s", strna(why));
                fc_reply_done(&rep);
                json_object_put(body);
        }
        if (!wait_gone(v.reg.vmm, v.reg.vmm_start, timeout_s)) {
                how = "SIGTERM";
                vmm_signal(&v.reg, SIGTERM);
                if (!wait_gone(v.reg.vmm, v.reg.vmm_start, 5)) {
                        _cleanup_free_ char *mounts = NULL;
                        how = "SIGKILL";
                        if (read_file_capped("/proc/self/mounts", 1 << 20, &mounts, NULL) >= 0)
                                (void) cgroup_kill_all(mounts, v.reg.backend, id, 5000);
                }
        }
        vm_view_done(&v);
        cli_step("%s stopped (%s)", id, how);
        return 0;
}

int vm_kill(const char *run_dir, const char *id) {
        _cleanup_free_ char *mounts = NULL;
        struct reg_vm vm = {};
        int k;

        if (!vm_id_ok(id))
                return cli_fail(2, "'%s' is not a VM name", id);
        if (reg_load(id, &vm) < 0)
                return cli_fail(2, "no VM named %s (sis-launch list)", id);
        /* everything in the VM's cgroups, not just the pid we know: what was there says whether
         * anything was running */
        k = read_file_capped("/proc/self/mounts", 1 << 20, &mounts, NULL);
        if (k >= 0)
                k = cgroup_kill_all(mounts, vm.backend, id, 5000);
        reg_vm_done(&vm);
        if (k < 0)
                return cli_fail(2, "%s: processes are left in its cgroups after SIGKILL", id);
        cli_step(k > 0 ? "%s killed" : "%s is not running: nothing to kill", id);
        return 0;
}

int vm_logs(const char *run_dir, const char *id, bool denied) {
        if (!vm_id_ok(id))
                return cli_fail(2, "'%s' is not a VM name", id);
        for (int i = 0; denied && i < 2; i++) {
                _cleanup_free_ char *p = strdup_printf("%s/vms/%s/denied.log%s", run_dir, id, i == 0 ? ".1" : ""),
                                    *text = NULL;
                if (p && read_file_capped(p, 2 * DENYLOG_CAP, &text, NULL) >= 0)
                        fputs(text, stdout);
        }
        for (int i = 0; !denied && i < 4; i++) {
                _cleanup_free_ char *p = strdup_printf("%s/vms/%s/%s.log%s", run_dir, id,
                                                       i < 2 ? "firecracker" : "qemu", i % 2 == 0 ? ".1" : ""),
                                    *text = NULL;
                if (p && read_file_capped(p, 2 * LOG_CAP, &text, NULL) >= 0)
                        fputs(text, stdout);
        }
        {
                _cleanup_free_ char *d = strdup_printf("%s/vms/%s", run_dir, id);
                if (!d || access(d, F_OK) < 0)
                        return cli_fail(2, "no VM named %s (sis-launch list)", id);
        }
        return 0;
}

/* Signal a recorded process only while it is still the one recorded (a pidfd pins it). */
static void kill_recorded(pid_t pid, unsigned long long start) {
        int fd;
        if (!proc_alive(pid, start))
                return;
        fd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (fd >= 0 && proc_alive(pid, start))
                (void) syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
        if (fd >= 0)
                close(fd);
        for (int i = 0; i < 200 && proc_alive(pid, start); i++)
                usleep(10000);
}

/* Everything of a VM goes, from its registry entry alone (never from its state file or its jail):
 * the monitor, every process in its cgroups, its mounts and jail, its cgroups, its network, its run
 * directory, and last the entry itself, which frees its uid and slot. What the entry does not say
 * was made here is left alone. */
int vm_teardown(struct reg_vm *vm) {
        _cleanup_free_ char *mounts = self_mounts(), *chroot = vm_chroot(vm->chroot_base, vm->backend, vm->id),
                            *dir = vm_dir(vm->run_dir, vm->id);
        int k;

        if (!mounts || !chroot || !dir)
                return cli_fail(2, "%s: cannot read /proc/self/mounts", vm->id);
        if (vm->monitor)
                kill_recorded(vm->monitor, vm->monitor_start);
        /* the VMM and anything it started: found by its cgroup, not by a pid anyone wrote down */
        if (vm->made & REG_CGROUP) {
                k = cgroup_kill_all(mounts, vm->backend, vm->id, 5000);
                if (k < 0)
                        return cli_fail(2,
                                        "%s: processes are left in its cgroups (%s/%s) after SIGKILL: its uid %u stays "
                                        "leased; try again",
                                        vm->id, vm->backend, vm->id, (unsigned) vm->uid);
        }
        if (vm->vmm && cgroup_has_pid(vm->backend, vm->id, vm->vmm))
                kill_recorded(vm->vmm, vm->vmm_start);
        if (vm->made & REG_JAIL) {
                k = jail_unstage(chroot);
                if (k < 0)
                        return cli_fail(2, "%s: cannot remove its jail %s: %s", vm->id, chroot, strerror(-k));
        }
        if (vm->made & REG_CGROUP)
                cgroup_remove(mounts, vm->backend, vm->id);
        if (vm->made & REG_NET) {
                k = net_down(vm->id, vm->slot);
                if (k < 0)
                        return cli_fail(2, "%s: cannot remove its network: %s", vm->id, strerror(-k));
        }
        /* a snapshot killed while it was written: its directory, never published (only sealed
         * data in it), goes too */
        if (vm->snapshot_tmp && *vm->snapshot_tmp == '/' && strstr(vm->snapshot_tmp, ".tmp.")) {
                k = jail_remove(vm->snapshot_tmp);
                if (k < 0)
                        return cli_fail(2, "%s: cannot remove its unfinished snapshot %s: %s", vm->id, vm->snapshot_tmp,
                                        strerror(-k));
        }
        if (vm->made & REG_RUNDIR) {
                k = jail_remove(dir);
                if (k < 0)
                        return cli_fail(2, "%s: %s", dir, strerror(-k));
        }
        k = reg_drop(vm->id);
        return k < 0 ? cli_fail(2, "%s: cannot drop its registry entry: %s", vm->id, strerror(-k)) : 0;
}

int vm_clean(const char *run_dir, const char *chroot_base, const char *id) {
        struct reg_vm vm = {};
        int k;

        if (!vm_id_ok(id))
                return cli_fail(2, "'%s' is not a VM name ([A-Za-z0-9-]{1,64})", id);
        k = reg_load(id, &vm);
        if (k == -ENOENT) {
                (void) reg_drop(id); /* a temp file a killed writer may have left */
                cli_step("nothing of %s is left", id);
                return 0;
        }
        if (k < 0)
                return cli_fail(2, REGISTRY_DIR "/%s.json: %s", id, strerror(-k));
        k = vm_teardown(&vm);
        reg_vm_done(&vm);
        (void) run_dir;
        (void) chroot_base;
        return k;
}

/* list's IMAGE: the rootfs's sha256 (12 digits), "+verity" when / is dm-verity's, and
 * ",signed:" the signer's key id (the fingerprint's last 16 digits) when it was required */
static char *image_short(const struct vm_state *st) {
        const struct vm_state_image *r = &st->rootfs_image;
        const char *sig = r->signer;
        if (!st->has_images || !r->sha256 || strlen(r->sha256) != 64)
                return NULL;
        return strdup_printf("%.12s%s%s%s", r->sha256, r->verity_root_hash ? "+verity" : "",
                             sig && strlen(sig) >= 16 ? ",signed:" : "",
                             sig && strlen(sig) >= 16 ? sig + strlen(sig) - 16 : "");
}

int vm_list(const char *run_dir) {
        _cleanup_strv_free_ char **ids = NULL;
        _cleanup_free_ char *want = realpath(run_dir, NULL);

        printf("%-24s %8s %6s  %-28s %-41s %s\n", "NAME", "PID", "UID", "LIMITS", "IMAGE", "STATE");
        if (reg_list(&ids) < 0)
                return 0;
        for (char **id = ids; id && *id; id++) {
                struct reg_vm vm = {};
                if (reg_load(*id, &vm) < 0)
                        continue;
                _cleanup_free_ char *have = realpath(vm.run_dir, NULL);
                if (streq_ptr(have ? have : vm.run_dir, want ? want : run_dir)) {
                        bool alive = vm.vmm && proc_alive(vm.vmm, vm.vmm_start);
                        const char *what = alive ? "running"
                                : vm.vmm         ? "stopped (sis-launch clean removes it)"
                                                 : "starting";
                        /* a VM whose monitor died gets a new one: its logs and watchdog go on */
                        if (alive && vm.monitor && !proc_alive(vm.monitor, vm.monitor_start))
                                what = monitor_start(vm.run_dir, vm.id) >= 0
                                        ? "running (its monitor had died: restarted)"
                                        : "running (its monitor is dead: no logs, no watchdog)";
                        struct vm_state st = VM_STATE_INIT;
                        _cleanup_free_ char *img = NULL, *ls = NULL;
                        if (vm_state_load(vm.run_dir, vm.id, &st) >= 0)
                                img = image_short(&st);
                        ls = limits_short(&st.limits);
                        vm_state_done(&st);
                        printf("%-24s %8d %6u  %-28s %-41s %s\n", vm.id, (int) vm.vmm, (unsigned) vm.uid, strna(ls),
                               img ? img : "-", what);
                }
                reg_vm_done(&vm);
        }
        return 0;
}
