/* SPDX-License-Identifier: MIT */
/*
 * sis-launch run: the options checked, the gate, the images checked, the VMM's plan (QEMU's argv
 * or Firecracker's requests), then --dry-run prints it or vm_start (launch/start.c) starts it.
 */
#include "run.h"

#include <sys/stat.h>

#include "cgroup.h"
#include "cli.h"
#include "fc.h"
#include "gate.h"
#include "imgcheck.h"
#include "jail.h"
#include "json.h"
#include "net.h"
#include "qemu.h"
#include "registry.h"
#include "state.h"
#include "util.h"
#include "vmm.h"

/* The directory of path (absolute, or made so), as dir_trusted() wants it. */
static int image_dir_trusted(const char *path, char **ret_error) {
        _cleanup_free_ char *cwd = path[0] == '/' ? NULL : getcwd(NULL, 0),
                            *abs = path[0] == '/' ? strdup(path)
                : cwd                             ? strdup_printf("%s/%s", cwd, path)
                                                  : NULL,
                            *dir = abs ? strndup(abs, (size_t) MAX(strrchr(abs, '/') - abs, 1)) : NULL;

        return dir ? dir_trusted(dir, ret_error) : -ENOMEM;
}

/* An image root starts a VM from: checked (hashed, signature verified) now and placed in the jail
 * later, each by its path, so nobody but root may change it in between, or where its path leads:
 * a regular file of root's that only root can write, the directory named and the one it is in
 * both such that dir_trusted() accepts them. */
static int root_image(const char *opt, const char *path, char **ret_abs) {
        _cleanup_free_ char *real = NULL, *why = NULL;
        struct stat st;

        if (!path)
                return cli_fail(2, "run needs %s FILE", opt);
        real = realpath(path, NULL);
        if (!real || lstat(real, &st) < 0)
                return cli_fail(2, "%s %s: %s", opt, path, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return cli_fail(2, "%s %s: not a regular file", opt, path);
        if (st.st_uid != 0)
                return cli_fail(2,
                                "%s %s: belongs to uid %u, not root: refusing it (nobody but root may change an image)",
                                opt, path, (unsigned) st.st_uid);
        if (st.st_mode & (S_IWGRP | S_IWOTH))
                return cli_fail(
                        2, "%s %s: writable by %s (mode %04o): refusing it (nobody but root may change an image)", opt,
                        path, st.st_mode & S_IWOTH ? "others" : "its group", (unsigned) (st.st_mode & 07777));
        if (image_dir_trusted(path, &why) < 0 || image_dir_trusted(real, &why) < 0)
                return cli_fail(2, "%s %s: %s: refusing it", opt, path, why ? why : "out of memory");
        *ret_abs = TAKE_PTR(real);
        return 0;
}

static int cgroup_version(void) {
        _cleanup_free_ char *mounts = self_mounts();
        return mounts ? cgroup_version_detect(mounts) : -EIO;
}

/* Run the gate with the launch's own jailer, VMM, chroot base and uid range. */
int vm_gate(const struct run_opts *o, struct gate_result *g) {
        _cleanup_free_ char *err = NULL;
        struct audit_config cfg;
        int k;

        audit_config_defaults(&cfg);
        cfg.firecracker = o->firecracker;
        cfg.jailer = o->jailer;
        cfg.qemu = o->backend == BACKEND_QEMU ? o->qemu : NULL;
        cfg.chroot_base = o->chroot_base;
        cfg.jail_uid_min = cfg.jail_gid_min = o->uid_min;
        cfg.jail_uid_max = cfg.jail_gid_max = o->uid_max;
        cfg.no_vm_checks = true;
        k = gate_run(o->policy, &cfg, g, &err);
        if (k < 0)
                return cli_fail(2, "%s", err ? err : strerror(-k));
        if (!g->pass) {
                (void) cli_fail(0, "refusing to start %s: this host fails the audit under %s:", o->id,
                                g->policy ? g->policy : "the production profile");
                for (char **f = g->failing; f && *f; f++)
                        fprintf(stderr, "  %s\n", *f);
                return cli_fail(1, "fix these, or audit with a policy that waives them (sis-audit --policy)");
        }
        cli_step("the audit passes (%s profile%s%s; report sha256 %.12s)", g->profile, g->policy ? ", policy " : "",
                 g->policy ? g->policy : "", g->report_sha256);
        return 0;
}

/* --accel auto: KVM when the audit found /dev/kvm there, open to the jail users, and answering
 * the API; otherwise TCG. *ret_why says why not KVM (for the warning and the state). */
static bool accel_kvm(const struct run_opts *o, const struct gate_result *g, char **ret_why) {
        *ret_why = NULL;
        if (o->accel != ACCEL_AUTO)
                return o->accel == ACCEL_KVM;
        return gate_kvm_usable(g, ret_why);
}

/* --dry-run: the VMM's (or the jailer's) command line, and Firecracker's requests or its
 * configuration file, on standard output. */
static void dry_run_print(const struct run_opts *o, const struct qemu_vm *qvm, const struct fc_plan *plan) {
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *cmd = NULL, *nsp = net_ns_path(o->id);

        if (o->backend == BACKEND_QEMU) {
                if (qemu_argv(qvm, &argv) >= 0 && (cmd = shell_join(argv)))
                        printf("%s\n", cmd);
                return;
        }
        /* no uid is leased for a dry run: the range's first stands for it */
        if (jailer_argv_for(o, o->uid_min, o->net == NETMODE_DEFAULT ? nsp : NULL, cgroup_version(), &argv) >= 0 &&
            (cmd = shell_join(argv)))
                printf("%s\n", cmd);
        if (o->config_file) {
                json_object *doc = fc_config_file(plan);
                _cleanup_free_ char *text = json_text(doc);
                json_object_put(doc);
                fputs(strempty(text), stdout);
        } else
                for (size_t i = 0; i < plan->n; i++)
                        printf("%s %s %s\n", plan->r[i].method, plan->r[i].path,
                               plan->r[i].body ? json_object_to_json_string_ext(plan->r[i].body, JSON_C_TO_STRING_PLAIN)
                                               : "");
}

/* What a run adds to state.json: the boot arguments, the guest's kernel, the VMM's version, why
 * not KVM, the images' identities. */
static void run_state(struct vm_state *st, const char *boot, const char *gk, const char *vmmv, const char *why_tcg,
                      const struct image_id *kid, const struct image_id *rid) {
        st->boot_args = boot;
        st->guest_kernel = gk;
        st->vmm_version = vmmv;
        st->accel_warning = why_tcg;
        st->has_images = true;
        st->kernel_image = (struct vm_state_image) { .sha256 = *kid->sha256 ? kid->sha256 : NULL,
                                                     .signer = kid->signer,
                                                     .verity_root_hash = kid->verity ? kid->v.root_hash : NULL };
        st->rootfs_image = (struct vm_state_image) { .sha256 = *rid->sha256 ? rid->sha256 : NULL,
                                                     .signer = rid->signer,
                                                     .verity_root_hash = rid->verity ? rid->v.root_hash : NULL };
}

int vm_run(const struct run_opts *o) {
        _cleanup_free_ char *kernel = NULL, *rootfs = NULL, *home = NULL, *boot = NULL, *why_tcg = NULL, *vtable = NULL;
        struct image_id kid = {}, rid = {};
        struct gate_result g = {};
        struct fc_plan plan = {};
        struct fc_vm vm;
        struct qemu_vm qvm = {};
        bool qemu = o->backend == BACKEND_QEMU, with_net = o->net == NETMODE_DEFAULT;
        char mac[18];
        int rc;

        if (!vm_id_ok(o->id))
                return cli_fail(2, "--name '%s': a VM name is 1 to 64 of A-Z, a-z, 0-9 and '-'", o->id ? o->id : "");
        if (root_image("--kernel", o->kernel, &kernel) || root_image("--rootfs", o->rootfs, &rootfs) ||
            (o->home && root_image("--home", o->home, &home)))
                return 2;
        /* the gate first: its jail.binaries check says more about a missing jailer than we would */
        rc = vm_gate(o, &g);
        if (rc != 0) {
                gate_result_done(&g);
                return rc;
        }
        if (qemu ? access(o->qemu, X_OK) < 0 : access(o->jailer, X_OK) < 0 || access(o->firecracker, X_OK) < 0) {
                const char *opt = qemu ? "qemu" : access(o->jailer, X_OK) < 0 ? "jailer" : "firecracker";
                rc = cli_fail(2, "--%s %s: %s", opt,
                              qemu                                  ? o->qemu
                                      : access(o->jailer, X_OK) < 0 ? o->jailer
                                                                    : o->firecracker,
                              strerror(errno));
                gate_result_done(&g);
                return rc;
        }
        {
                /* what boots is what was built (and signed, when the policy asks): before anything starts */
                const struct image_policy ip = { .require_signed = g.require_signed,
                                                 .keyring = g.keyring,
                                                 .trusted_keys = g.trusted_keys,
                                                 .hash = !o->no_image_hash };
                _cleanup_free_ char *err = NULL;
                int k = image_check(kernel, false, &ip, &kid, &err);
                if (k >= 0)
                        k = image_check(rootfs, true, &ip, &rid, &err);
                if (k < 0) {
                        rc = cli_fail(k == -EBADMSG ? 1 : 2, "%s", err ? err : strerror(-k));
                        goto images_out;
                }
                if (rid.verity && !(vtable = verity_dm_create(&rid.v, "sis-root", "/dev/vda"))) {
                        rc = 2;
                        goto images_out;
                }
        }
        fc_mac_for(GUEST_IP, mac);
        boot = fc_boot_args(o->console, qemu, vtable, with_net ? GUEST_IP : NULL, TAP_IP, GUEST_NETMASK);
        if (!boot) {
                rc = 2;
                goto images_out;
        }
        if (qemu) {
                qvm = (struct qemu_vm) { .binary = o->qemu,
                                         .id = o->id,
                                         .vcpus = o->vcpus,
                                         .mem_mib = o->mem_mib,
                                         .kvm = accel_kvm(o, &g, &why_tcg),
                                         .kernel = "/vmlinux",
                                         .rootfs = "/rootfs.ext4",
                                         .home = home ? "/disk/home.ext4" : NULL,
                                         .boot_args = boot,
                                         .tap = with_net ? "tap0" : NULL,
                                         .guest_mac = with_net ? mac : NULL,
                                         .limits = &o->limits };
                if (why_tcg)
                        (void) cli_fail(0,
                                        "warning: --accel auto: %s in the audit: %s runs under TCG (emulation, "
                                        "no hardware isolation between guest and QEMU)",
                                        why_tcg, o->id);
        } else {
                vm = (struct fc_vm) { .id = o->id,
                                      .vcpus = o->vcpus,
                                      .mem_mib = o->mem_mib,
                                      .kernel = "/vmlinux",
                                      .rootfs = "/rootfs.ext4",
                                      .home = home ? "/disk/home.ext4" : NULL,
                                      .boot_args = boot,
                                      .tap = with_net ? "tap0" : NULL,
                                      .guest_mac = with_net ? mac : NULL,
                                      .log_path = "/logger.fifo",
                                      .metrics_path = "/metrics.fifo",
                                      .vsock_cid = o->vsock_cid,
                                      .vsock_uds = o->vsock_cid ? "/run/vsock.sock" : NULL,
                                      .limits = &o->limits,
                                      .verity = rid.verity };
                if (fc_plan_boot(&vm, &plan) < 0) {
                        rc = 2;
                        goto images_out;
                }
        }
        if (o->dry_run) {
                dry_run_print(o, &qvm, &plan);
                rc = 0;
        } else {
                _cleanup_free_ char *gk = guest_kernel_version(kernel),
                                    *vmmv = vmm_version(qemu ? o->qemu : o->firecracker);
                struct vm_state st = VM_STATE_INIT;
                struct start_req r = {
                        .kernel = kernel, .rootfs = rootfs, .home = home, .plan = &plan, .qvm = &qvm, .state = &st
                };
                run_state(&st, boot, gk, vmmv, why_tcg, &kid, &rid);
                rc = vm_start(o, &r, &g);
        }
        fc_plan_done(&plan);
images_out:
        image_id_done(&kid);
        image_id_done(&rid);
        gate_result_done(&g);
        return rc;
}
