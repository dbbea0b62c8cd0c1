/* SPDX-License-Identifier: MIT */
/*
 * sis-launch run: gate -> registry -> stage -> jailer -> configure -> InstanceStart, and clean.
 * Every step that leaves something behind is recorded in the host-wide registry before it is
 * made, and undone from there by vm_teardown(), which is also what `sis-launch clean` runs: one
 * teardown path, safe to run twice and after a crash.
 */
#include "run.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "api.h"
#include "cgroup.h"
#include "fc.h"
#include "fileio.h"
#include "gate.h"
#include "imgcheck.h"
#include "jail.h"
#include "jailfs.h"
#include "lifecycle.h"
#include "net.h"
#include "qemu.h"
#include "registry.h"
#include "say.h"
#include "state.h"
#include "util.h"
#include "vmm.h"

#define fail launch_fail
#define step launch_step

static int regular_file(const char *opt, const char *path, char **ret_abs) {
        struct stat st;
        if (!path)
                return fail(2, "run needs %s FILE", opt);
        if (stat(path, &st) < 0)
                return fail(2, "%s %s: %s", opt, path, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return fail(2, "%s %s: not a regular file", opt, path);
        *ret_abs = realpath(path, NULL);
        return *ret_abs ? 0 : fail(2, "%s %s: %s", opt, path, strerror(errno));
}

static char *shell_join(char *const *argv) {
        struct sbuf sb = {};
        for (char *const *a = argv; *a; a++) {
                bool plain = **a && strspn(*a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,") == strlen(*a);
                sbuf_printf(&sb, a == argv ? "%s%s%s" : " %s%s%s", plain ? "" : "'", *a, plain ? "" : "'");
        }
        return sbuf_steal(&sb);
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
                return fail(2, "%s", err ? err : strerror(-k));
        if (!g->pass) {
                fprintf(stderr, "sis-launch: refusing to start %s: this host fails the audit under %s:\n", o->id,
                        g->policy ? g->policy : "the production profile");
                for (char **f = g->failing; f && *f; f++)
                        fprintf(stderr, "  %s\n", *f);
                fprintf(stderr, "sis-launch: fix these, or audit with a policy that waives them (sis-audit --policy)\n");
                return 1;
        }
        step("the audit passes (%s profile%s%s; report sha256 %.12s)", g->profile, g->policy ? ", policy " : "",
             g->policy ? g->policy : "", g->report_sha256);
        return 0;
}


#define STATE_PUT(st, key, value) json_object_object_add(st, key, value)

/* Claim, lease, stage, record, jail, configure: the path every start takes (run and restore). Each
 * host object is recorded in the registry before it is made, so a failure here, a crash or a
 * SIGKILL at any point is undone by vm_teardown() (sis-launch clean) exactly. */
int vm_start(const struct run_opts *o, const struct start_req *r, const struct gate_result *g) {
        bool qemu = o->backend == BACKEND_QEMU;
        const char *backend = backend_name(o->backend);
        _cleanup_free_ char *chroot = vm_chroot(o->chroot_base, backend, o->id), *cmd = NULL, *dir = vm_dir(o->run_dir, o->id),
                            *err = NULL, *vms = strdup_printf("%s/vms", o->run_dir), *mounts = self_mounts();
        _cleanup_strv_free_ char **argv = NULL;
        json_object *st = NULL;
        struct vm_net net = {};
        struct reg_vm vm = {};
        struct vm_peer peer;
        bool has_net = false, claimed = false;
        pid_t vmm = 0;
        int k, cgv = mounts ? cgroup_version_detect(mounts) : -EIO, rc = 2, logfd = -1, mfd = -1, vmstate_fd = -1;
        struct sbuf said = {}; /* what the VMM wrote to its log before the monitor took over */
        _cleanup_free_ char *log_path = strdup_printf("%s/%s.log", dir ? dir : "", backend);

        if (!chroot || !dir || !vms || !log_path)
                return 2;
        if (!mounts)
                return fail(2, "/proc/self/mounts: cannot read it");
        if (cgv < 0)
                return fail(2, "no cgroup hierarchy is mounted (/proc/self/mounts)");
        {
                struct reg_claim c = { .id = o->id, .backend = backend, .run_dir = o->run_dir, .chroot_base = o->chroot_base,
                                       .uid_min = o->uid_min, .uid_max = o->uid_max,
                                       .net_pool = o->net == NETMODE_DEFAULT ? o->net_pool : NULL };
                k = reg_claim(&c, &vm, &err);
                if (k < 0)
                        return fail(2, "%s", err ? err : strerror(-k));
                claimed = true;
        }
        if (vm.slot >= 0) {
                if (net_plan(o->net_pool, (unsigned) vm.slot, o->id, &net) < 0) {
                        rc = fail(2, "--net-pool %s: no slot %d", o->net_pool, vm.slot);
                        goto undo;
                }
                has_net = true;
        }
        /* the VM's state directory: made here (one left behind by something else is not ours) */
        if (reg_mark(&vm, REG_RUNDIR) < 0 || mkdir_parents(vms, 0755) < 0 || mkdir(dir, 0700) < 0) {
                int e = errno;
                if (e == EEXIST)
                        (void) reg_unmark(&vm, REG_RUNDIR);
                rc = fail(2, "%s: %s", dir, e == EEXIST ? "exists already, and no VM of that name is registered: left "
                                                          "behind by something else, remove it" : strerror(e));
                goto undo;
        }
        peer = (struct vm_peer) { .dir = chroot, .sock = qemu ? QMP_SOCK + 1 : API_SOCK + 1, .uid = vm.uid, .vm = o->id };
        if ((qemu ? qemu_argv(r->qvm, &argv) : jailer_argv_for(o, vm.uid, has_net ? net.ns_path : NULL, cgv, &argv)) < 0 ||
            !(cmd = shell_join(argv)))
                goto undo;
        {
                /* Firecracker's snapshot: the guest's memory and a little state */
                struct stage_opts so = { .chroot = chroot, .kernel = r->kernel, .rootfs = r->rootfs, .home = r->home,
                                         .home_size = r->home_size, .uid = vm.uid, .gid = vm.uid,
                                         .snapshot_size = r->snapshot_size ? r->snapshot_size
                                                          : qemu ? 0 : ((unsigned long long) o->mem_mib + 64) << 20 };
                struct stat fst;
                /* Firecracker's root: the jailer's copy of the VMM, its device nodes, the FIFOs */
                if (!qemu)
                        so.root_size = (stat(o->firecracker, &fst) == 0 ? (unsigned long long) fst.st_size : 64ull << 20) +
                                       (16ull << 20);
                k = reg_mark(&vm, REG_JAIL);
                if (k >= 0)
                        k = jail_stage(&so, &err);
                if (k == -EEXIST)
                        (void) reg_unmark(&vm, REG_JAIL); /* not made by us: never removed by us */
                if (k < 0) {
                        rc = fail(2, "%s", err ? err : strerror(-k));
                        goto undo;
                }
        }
        if (r->fill) {
                /* a restore: the snapshot's files, opened into the jail, each verified */
                k = r->fill(r->fill_ctx, chroot, vm.uid, &vmstate_fd, &err);
                if (k < 0) {
                        rc = fail(k == -EBADMSG || k == -EALREADY ? 1 : 2, "%s", err ? err : strerror(-k));
                        goto undo;
                }
        }
        st = r->extra_state ? json_object_get(r->extra_state) : json_object_new_object();
        if (has_net) {
                json_object *nj = json_object_new_object(), *al = json_object_new_array(), *dl = json_object_new_array();
                STATE_PUT(nj, "slot", json_object_new_int((int) net.slot));
                STATE_PUT(nj, "ns_path", json_object_new_string(net.ns_path));
                STATE_PUT(nj, "host_if", json_object_new_string(net.host_if));
                STATE_PUT(nj, "host_ip", json_object_new_string(net.host_ip));
                STATE_PUT(nj, "vm_ip", json_object_new_string(net.vm_ip));
                STATE_PUT(nj, "guest_ip", json_object_new_string(GUEST_IP));
                for (char **a = o->allow; a && *a; a++)
                        json_object_array_add(al, json_object_new_string(*a));
                for (char **a = o->deny; a && *a; a++)
                        json_object_array_add(dl, json_object_new_string(*a));
                STATE_PUT(nj, "allow", al);
                STATE_PUT(nj, "deny", dl);
                STATE_PUT(st, "net", nj);
        }
        STATE_PUT(st, "id", json_object_new_string(o->id));
        STATE_PUT(st, "backend", json_object_new_string(backend));
        STATE_PUT(st, "uid", json_object_new_int((int) vm.uid));
        STATE_PUT(st, "gid", json_object_new_int((int) vm.uid));
        STATE_PUT(st, "chroot_base", json_object_new_string(o->chroot_base));
        STATE_PUT(st, "chroot", json_object_new_string(chroot));
        /* jail-relative: what root connects to, beneath the jail, its peer checked */
        STATE_PUT(st, "api_socket", json_object_new_string(o->config_file || qemu ? "" : API_SOCK + 1));
        if (qemu) {
                STATE_PUT(st, "qmp_socket", json_object_new_string(QMP_SOCK + 1));
                STATE_PUT(st, "accel", json_object_new_string(r->qvm->kvm ? "kvm" : "tcg"));
        }
        STATE_PUT(st, "watchdog_s", json_object_new_int(o->config_file ? 0 : (int) o->watchdog_s));
        if (r->kernel)
                STATE_PUT(st, "kernel", json_object_new_string(r->kernel));
        STATE_PUT(st, "rootfs", json_object_new_string(r->rootfs));
        if (r->home)
                STATE_PUT(st, "home", json_object_new_string(r->home));
        STATE_PUT(st, "vcpus", json_object_new_int((int) o->vcpus));
        STATE_PUT(st, "mem_mib", json_object_new_int((int) o->mem_mib));
        STATE_PUT(st, "limits", limits_to_json(&o->limits));
        STATE_PUT(st, "cgroup_version", json_object_new_int(cgv));
        STATE_PUT(st, qemu ? "vmm_argv" : "jailer_argv", json_object_new_string(cmd));
        {
                json_object *a = json_object_new_object();
                STATE_PUT(a, "report_sha256", json_object_new_string(g->report_sha256));
                STATE_PUT(a, "profile", json_object_new_string(g->profile));
                STATE_PUT(a, "policy", g->policy ? json_object_new_string(g->policy) : NULL);
                STATE_PUT(a, "policy_sha256", g->policy ? json_object_new_string(g->policy_sha256) : NULL);
                STATE_PUT(st, "audit", a);
        }
        STATE_PUT(st, "created", json_object_new_int64((int64_t) time(NULL)));
        {
                _cleanup_free_ char *ap = strdup_printf("%s/audit.json", dir);
                if (!ap || write_file_atomic(ap, g->report_json, strlen(g->report_json), 0600) < 0 ||
                    vm_state_write(o->run_dir, o->id, st) < 0) {
                        rc = fail(2, "%s: cannot write the VM's state", dir);
                        goto undo;
                }
        }
        if (has_net) {
                _cleanup_free_ char *uplink = o->uplink ? strdup(o->uplink) : net_default_uplink();
                k = reg_mark(&vm, REG_NET);
                if (k >= 0) {
                        k = net_up(&net, uplink, vm.uid, vm.uid, o->allow, o->deny, &o->limits, &err);
                        /* a failed net_up has removed what it made, and only that: what made it
                         * fail (a namespace or table of that name) is not ours to remove */
                        if (k < 0)
                                (void) reg_unmark(&vm, REG_NET);
                }
                if (k < 0) {
                        rc = fail(2, "the VM's network: %s", err ? err : strerror(-k));
                        goto undo;
                }
                json_object *nj;
                if (json_object_object_get_ex(st, "net", &nj))
                        STATE_PUT(nj, "uplink", json_object_new_string(strempty(uplink)));
                (void) vm_state_write(o->run_dir, o->id, st);
                if (o->limits.net_mbit || o->limits.max_conns) {
                        _cleanup_free_ char *d = limits_describe(&o->limits);
                        step("limits: %s", strna(d));
                }
                step("network: %s, tap0 for %s, %s %s/30 -> NAT out of %s", net.ns_path, GUEST_IP, net.host_if, net.host_ip,
                     strna(uplink));
        }
        if (o->config_file && !qemu) {
                /* root's file in root's directory: the VMM reads it */
                json_object *doc = fc_config_file(r->plan);
                _cleanup_free_ char *cp = strdup_printf("%s/vm-config.json", chroot);
                const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
                k = cp ? write_file_atomic(cp, text, strlen(text), 0644) : -ENOMEM;
                json_object_put(doc);
                if (k < 0) {
                        rc = fail(2, "%s/vm-config.json: %s", chroot, strerror(-k));
                        goto undo;
                }
        }
        {
                /* what cannot be force-disabled here: a host the gate let through with a waiver */
                _cleanup_free_ char *un = NULL;
                if (speculation_uncontrolled(&un) >= 0 && un) {
                        fprintf(stderr, "sis-launch: warning: this host offers no per-process control of %s: the VMM runs "
                                        "without it (see the audit's cpu.vuln checks)\n", un);
                        STATE_PUT(st, "speculation_uncontrolled", json_object_new_string(un));
                        (void) vm_state_write(o->run_dir, o->id, st);
                }
        }
        /* the VM's cgroups: made by us (QEMU) or by the jailer (Firecracker), recorded first */
        if (reg_mark(&vm, REG_CGROUP) < 0) {
                rc = fail(2, REGISTRY_DIR ": cannot record %s's cgroups", o->id);
                goto undo;
        }
        if (qemu) {
                step("jail: %s", cmd);
                double setup_ms = 0;
                k = qemu_spawn(o, r, chroot, vm.uid, has_net ? net.ns_path : NULL, argv, mounts, cgv, &vmm, &logfd, &setup_ms, &err);
                if (k < 0) {
                        rc = fail(2, "%s", err ? err : strerror(-k));
                        goto undo;
                }
                STATE_PUT(st, "jail_setup_ms", json_object_new_double(setup_ms));
        } else {
                /* Firecracker opens its log and metrics FIFOs itself and may write its last words
                 * and exit before the monitor exists: a reader holds them from now on (a FIFO
                 * nobody holds open drops what was written to it) */
                logfd = open_beneath(chroot, "logger.fifo", O_RDWR | O_NONBLOCK, S_IFIFO);
                mfd = open_beneath(chroot, "metrics.fifo", O_RDWR | O_NONBLOCK, S_IFIFO);
                if (logfd < 0 || mfd < 0) {
                        rc = fail(2, "%s/%s.fifo: %s", chroot, logfd < 0 ? "logger" : "metrics",
                                  strerror(-(logfd < 0 ? logfd : mfd)));
                        goto undo;
                }
                step("jailer: %s", cmd);
                k = jailer_exec(argv);
                if (k != 0) {
                        rc = fail(2, "the jailer failed (%s %d)", k < 0 ? "error" : "exit", k < 0 ? -k : k);
                        goto undo;
                }
                uint32_t written;
                vmm = jailed_vmm_pid(chroot, o->id, vm.uid, &written);
                if (vmm < 0 && written && !proc_alive((pid_t) written, proc_starttime((pid_t) written))) {
                        /* the daemonized jailer's own words went to /dev/null */
                        rc = fail(2, "%s: the VMM the jailer started (pid %u) exited at once: is %s a static program that "
                                     "can run in the jail (sis-audit's jail.binaries)?",
                                  o->id, written, o->firecracker);
                        goto undo_said;
                }
                if (vmm < 0) {
                        rc = fail(2, "%s: no process of uid %u in cgroup firecracker/%s has the pid the jailer wrote to "
                                     "firecracker.pid", o->id, (unsigned) vm.uid, o->id);
                        goto undo;
                }
        }
        vm.vmm = vmm;
        vm.vmm_start = proc_starttime(vmm);
        (void) reg_save(&vm);
        peer.pid = vmm;
        STATE_PUT(st, "pid", json_object_new_int((int) vmm));
        STATE_PUT(st, "pid_starttime", json_object_new_int64((int64_t) vm.vmm_start));
        (void) vm_state_write(o->run_dir, o->id, st);
        if (qemu) {
                k = qemu_handshake(o, r, vmstate_fd, &peer, &err);
                if (k < 0) {
                        rc = fail(2, "%s", err ? err : strerror(-k));
                        goto undo_said; /* what QEMU said on its way out is in the FIFO, unread */
                }
        } else if (o->config_file) {
                k = fc_wait_booted(vmm, vm.vmm_start, logfd, log_path, o->api_timeout_ms, &said);
                if (k < 0) {
                        const char *text = said.buf ? said.buf : "";
                        if (k == -ECHILD)
                                rc = fail(2, "%s: Firecracker exited before its log said it had started the VM%s%s", o->id,
                                          kvm_missing(text) ? ": " : "", kvm_missing(text) ? NO_KVM : "");
                        else
                                rc = fail(2, "%s: Firecracker's log did not say it had started the VM within %ld ms", o->id,
                                          o->api_timeout_ms);
                        goto undo_said;
                }
        } else
                for (size_t i = 0; i < r->plan->n; i++) {
                        struct fc_reply rep = {};
                        const struct fc_request *q = &r->plan->r[i];
                        bool once = streq(q->path, "/actions") || streq(q->path, "/snapshot/load");
                        _cleanup_free_ char *why = NULL;
                        k = fc_api_call(&peer, q->method, q->path, q->body, !once, o->api_timeout_ms, &rep, &why);
                        if (k < 0) {
                                bool nokvm = kvm_missing(rep.fault);
                                fc_reply_done(&rep);
                                rc = fail(2, "%s%s%s", why ? why : strerror(-k), nokvm ? ": " : "", nokvm ? NO_KVM : "");
                                goto undo_said;
                        }
                        fc_reply_done(&rep);
                }
        json_object_put(st);
        st = NULL;
        /* the log so far to the VM's log file: the monitor goes on from here */
        read_vmm_log(logfd, log_path, &said);
        k = monitor_start(o->run_dir, o->id);
        if (logfd >= 0)
                close(logfd);
        if (mfd >= 0)
                close(mfd);
        logfd = mfd = -1;
        if (k < 0) {
                rc = fail(2, "cannot start the VM's monitor (logs, watchdog): %s", strerror(-k));
                goto undo;
        }
        step("started %s: %s pid %d, uid %u, %u vCPU, %u MiB", o->id, backend, (int) vmm, (unsigned) vm.uid, o->vcpus, o->mem_mib);
        if (vmstate_fd >= 0)
                close(vmstate_fd);
        sbuf_done(&said);
        reg_vm_done(&vm);
        return 0;
undo_said:
        read_vmm_log(logfd, NULL, &said);
        vmm_said(qemu ? "QEMU" : "Firecracker", said.buf);
undo:
        if (vmstate_fd >= 0)
                close(vmstate_fd);
        sbuf_done(&said);
        json_object_put(st);
        if (logfd >= 0)
                close(logfd);
        if (mfd >= 0)
                close(mfd);
        if (claimed) {
                struct reg_vm now = {};
                /* the entry as saved (the monitor may have added itself) */
                if (reg_load(o->id, &now) >= 0) {
                        (void) vm_teardown(&now);
                        reg_vm_done(&now);
                }
        }
        reg_vm_done(&vm);
        return rc;
}

/* --accel auto: KVM when the audit found /dev/kvm there, open to the jail users, and answering
 * the API; otherwise TCG. *ret_why says why not KVM (for the warning and the state). */
static bool accel_kvm(const struct run_opts *o, const struct gate_result *g, char **ret_why) {
        static const char *const need[] = { "kvm.device", "kvm.access", "kvm.api" };
        json_object *r, *checks, *c, *id, *status;
        bool ok[ELEMENTSOF(need)] = {};

        *ret_why = NULL;
        if (o->accel != ACCEL_AUTO)
                return o->accel == ACCEL_KVM;
        r = json_tokener_parse(g->report_json);
        if (r && json_object_object_get_ex(r, "checks", &checks))
                for (size_t i = 0; i < json_object_array_length(checks); i++) {
                        c = json_object_array_get_idx(checks, i);
                        if (!json_object_object_get_ex(c, "id", &id) || !json_object_object_get_ex(c, "status", &status))
                                continue;
                        for (size_t j = 0; j < ELEMENTSOF(need); j++)
                                if (streq(json_object_get_string(id), need[j]))
                                        ok[j] = streq(json_object_get_string(status), "PASS");
                }
        json_object_put(r);
        for (size_t j = 0; j < ELEMENTSOF(need); j++)
                if (!ok[j]) {
                        *ret_why = strdup_printf("%s does not pass", need[j]);
                        return false;
                }
        return true;
}

int vm_run(const struct run_opts *o) {
        _cleanup_free_ char *kernel = NULL, *rootfs = NULL, *home = NULL, *boot = NULL, *gk = NULL, *fcv = NULL,
                            *why_tcg = NULL, *nsp = NULL, *vtable = NULL;
        struct image_id kid = {}, rid = {};
        struct gate_result g = {};
        struct fc_plan plan = {};
        struct fc_vm vm;
        struct qemu_vm qvm = {};
        bool qemu = o->backend == BACKEND_QEMU, with_net = o->net == NETMODE_DEFAULT;
        char mac[18];
        int rc;

        if (!vm_id_ok(o->id))
                return fail(2, "--name '%s': a VM name is 1 to 64 of A-Z, a-z, 0-9 and '-'", o->id ? o->id : "");
        if (regular_file("--kernel", o->kernel, &kernel) || regular_file("--rootfs", o->rootfs, &rootfs) ||
            (o->home && regular_file("--home", o->home, &home)))
                return 2;
        /* the gate first: its jail.binaries check says more about a missing jailer than we would */
        rc = vm_gate(o, &g);
        if (rc != 0) {
                gate_result_done(&g);
                return rc;
        }
        if (qemu ? access(o->qemu, X_OK) < 0 : access(o->jailer, X_OK) < 0 || access(o->firecracker, X_OK) < 0) {
                const char *opt = qemu ? "qemu" : access(o->jailer, X_OK) < 0 ? "jailer" : "firecracker";
                rc = fail(2, "--%s %s: %s", opt, qemu ? o->qemu : access(o->jailer, X_OK) < 0 ? o->jailer : o->firecracker,
                          strerror(errno));
                gate_result_done(&g);
                return rc;
        }
        {
                /* what boots is what was built (and signed, when the policy asks): before anything starts */
                const struct image_policy ip = { .require_signed = g.require_signed, .keyring = g.keyring,
                                                 .trusted_keys = g.trusted_keys, .hash = !o->no_image_hash };
                _cleanup_free_ char *err = NULL;
                int k = image_check(kernel, false, &ip, &kid, &err);
                if (k >= 0)
                        k = image_check(rootfs, true, &ip, &rid, &err);
                if (k < 0) {
                        rc = fail(k == -EBADMSG ? 1 : 2, "%s", err ? err : strerror(-k));
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
                qvm = (struct qemu_vm) { .binary = o->qemu, .id = o->id, .vcpus = o->vcpus, .mem_mib = o->mem_mib,
                                         .kvm = accel_kvm(o, &g, &why_tcg), .kernel = "/vmlinux", .rootfs = "/rootfs.ext4",
                                         .home = home ? "/disk/home.ext4" : NULL, .boot_args = boot,
                                         .tap = with_net ? "tap0" : NULL, .guest_mac = with_net ? mac : NULL,
                                         .limits = &o->limits };
                if (why_tcg)
                        fprintf(stderr, "sis-launch: warning: --accel auto: %s in the audit: %s runs under TCG (emulation, "
                                        "no hardware isolation between guest and QEMU)\n", why_tcg, o->id);
        } else {
                vm = (struct fc_vm) { .id = o->id, .vcpus = o->vcpus, .mem_mib = o->mem_mib, .kernel = "/vmlinux",
                                      .rootfs = "/rootfs.ext4", .home = home ? "/disk/home.ext4" : NULL, .boot_args = boot,
                                      .tap = with_net ? "tap0" : NULL, .guest_mac = with_net ? mac : NULL,
                                      .log_path = "/logger.fifo", .metrics_path = "/metrics.fifo",
                                      .vsock_cid = o->vsock_cid, .vsock_uds = o->vsock_cid ? "/run/vsock.sock" : NULL,
                                      .limits = &o->limits, .verity = rid.verity };
                if (fc_plan_boot(&vm, &plan) < 0) {
                        gate_result_done(&g);
                        return 2;
                }
        }
        if (o->dry_run) {
                _cleanup_strv_free_ char **argv = NULL;
                _cleanup_free_ char *cmd = NULL;
                nsp = net_ns_path(o->id);
                if (qemu) {
                        if (qemu_argv(&qvm, &argv) >= 0 && (cmd = shell_join(argv)))
                                printf("%s\n", cmd);
                } else {
                        /* no uid is leased for a dry run: the range's first stands for it */
                        if (jailer_argv_for(o, o->uid_min, with_net ? nsp : NULL, cgroup_version(), &argv) >= 0 &&
                            (cmd = shell_join(argv)))
                                printf("%s\n", cmd);
                        if (o->config_file) {
                                json_object *doc = fc_config_file(&plan);
                                printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
                                json_object_put(doc);
                        } else
                                for (size_t i = 0; i < plan.n; i++)
                                        printf("%s %s %s\n", plan.r[i].method, plan.r[i].path,
                                               plan.r[i].body ? json_object_to_json_string_ext(plan.r[i].body, JSON_C_TO_STRING_PLAIN) : "");
                }
                rc = 0;
        } else {
                json_object *extra = json_object_new_object();
                struct start_req r = { .kernel = kernel, .rootfs = rootfs, .home = home, .plan = &plan, .qvm = &qvm,
                                       .extra_state = extra };
                gk = guest_kernel_version(kernel);
                fcv = vmm_version(qemu ? o->qemu : o->firecracker);
                json_object_object_add(extra, "boot_args", json_object_new_string(boot));
                json_object_object_add(extra, "guest_kernel", gk ? json_object_new_string(gk) : NULL);
                json_object_object_add(extra, qemu ? "qemu_version" : "firecracker_version", fcv ? json_object_new_string(fcv) : NULL);
                if (why_tcg)
                        json_object_object_add(extra, "accel_warning", json_object_new_string(why_tcg));
                {
                        json_object *im = json_object_new_object();
                        json_object_object_add(im, "kernel", image_id_json(&kid));
                        json_object_object_add(im, "rootfs", image_id_json(&rid));
                        json_object_object_add(extra, "images", im);
                }
                rc = vm_start(o, &r, &g);
                json_object_put(extra);
        }
        fc_plan_done(&plan);
images_out:
        image_id_done(&kid);
        image_id_done(&rid);
        gate_result_done(&g);
        return rc;
}
