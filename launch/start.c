/* SPDX-License-Identifier: MIT */
/*
 * vm_start, the path every start takes (run and restore): claim -> stage the jail -> record the
 * state -> network -> prepare -> spawn (jailer or sis's jail) -> configure -> hand over to the
 * monitor. Every step that leaves something behind is recorded in the host-wide registry before
 * it is made, and undone from there by vm_teardown() (launch/lifecycle.c), which is also what
 * `sis-launch clean` runs: one teardown path, safe to run twice and after a crash.
 */
#include "run.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "api.h"
#include "cgroup.h"
#include "cli.h"
#include "fc.h"
#include "fileio.h"
#include "gate.h"
#include "jail.h"
#include "jailfs.h"
#include "lifecycle.h"
#include "net.h"
#include "qemu.h"
#include "registry.h"
#include "state.h"
#include "util.h"
#include "vmm.h"

char *shell_join(char *const *argv) {
        struct sbuf sb = {};
        for (char *const *a = argv; *a; a++) {
                bool plain = **a &&
                        strspn(*a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,") ==
                                strlen(*a);
                sbuf_printf(&sb, a == argv ? "%s%s%s" : " %s%s%s", plain ? "" : "'", *a, plain ? "" : "'");
        }
        return sbuf_steal(&sb);
}

/* One start in progress: what its stages share, and what its one undo (start_undo) releases. */
struct start {
        const struct run_opts *o;
        const struct start_req *r;
        const struct gate_result *g;
        bool qemu;
        const char *backend;
        char *chroot, *dir, *mounts, *log_path, *cmd, *err;
        char **argv;
        int cgv;
        bool claimed; /* the name is ours: the undo tears down what the registry says */
        struct reg_vm vm;
        bool has_net;
        struct vm_net net;
        struct vm_state *st;    /* state.json, as written so far (the caller's start_req.state) */
        char *uplink, *spec_un; /* what st borrows */
        struct vm_peer peer;
        pid_t vmm;
        int logfd, mfd, vmstate_fd;
        struct sbuf said; /* what the VMM wrote to its log before the monitor took over */
        bool show_said;   /* a failure the VMM's last words explain */
};

/* The name, a uid and a network slot (the registry's claim), and the VM's state directory: made
 * here (one left behind by something else is not ours). */
static int start_claim(struct start *s) {
        const struct run_opts *o = s->o;
        _cleanup_free_ char *vms = strdup_printf("%s/vms", o->run_dir);
        struct reg_claim c = { .id = o->id,
                               .backend = s->backend,
                               .run_dir = o->run_dir,
                               .chroot_base = o->chroot_base,
                               .uid_min = o->uid_min,
                               .uid_max = o->uid_max,
                               .net_pool = o->net == NETMODE_DEFAULT ? o->net_pool : NULL };
        int k;

        if (!vms)
                return 2;
        k = reg_claim(&c, &s->vm, &s->err);
        if (k < 0)
                return cli_fail(2, "%s", s->err ? s->err : strerror(-k));
        s->claimed = true;
        if (s->vm.slot >= 0) {
                if (net_plan(o->net_pool, (unsigned) s->vm.slot, o->id, &s->net) < 0)
                        return cli_fail(2, "--net-pool %s: no slot %d", o->net_pool, s->vm.slot);
                s->has_net = true;
        }
        if (reg_mark(&s->vm, REG_RUNDIR) < 0 || mkdir_parents(vms, 0755) < 0 || mkdir(s->dir, 0700) < 0) {
                int e = errno;
                if (e == EEXIST)
                        (void) reg_unmark(&s->vm, REG_RUNDIR);
                return cli_fail(2, "%s: %s", s->dir,
                                e == EEXIST ? "exists already, and no VM of that name is registered: left "
                                              "behind by something else, remove it"
                                            : strerror(e));
        }
        return 0;
}

/* The VMM's command line, and its jail with the images (and for a restore, the snapshot's files)
 * in it. */
static int start_stage_jail(struct start *s) {
        const struct run_opts *o = s->o;
        const struct start_req *r = s->r;
        /* Firecracker's snapshot: the guest's memory and a little state */
        struct stage_opts so = { .chroot = s->chroot,
                                 .kernel = r->kernel,
                                 .rootfs = r->rootfs,
                                 .home = r->home,
                                 .home_size = r->home_size,
                                 .uid = s->vm.uid,
                                 .gid = s->vm.uid,
                                 .snapshot_size = r->snapshot_size ? r->snapshot_size
                                         : s->qemu                 ? 0
                                                                   : ((unsigned long long) o->mem_mib + 64) << 20 };
        struct stat fst;
        int k;

        s->peer = (struct vm_peer) {
                .dir = s->chroot, .sock = s->qemu ? QMP_SOCK + 1 : API_SOCK + 1, .uid = s->vm.uid, .vm = o->id
        };
        if ((s->qemu ? qemu_argv(r->qvm, &s->argv)
                     : jailer_argv_for(o, s->vm.uid, s->has_net ? s->net.ns_path : NULL, s->cgv, &s->argv)) < 0 ||
            !(s->cmd = shell_join(s->argv)))
                return 2;
        /* Firecracker's root: the jailer's copy of the VMM, its device nodes, the FIFOs */
        if (!s->qemu)
                so.root_size = (stat(o->firecracker, &fst) == 0 ? (unsigned long long) fst.st_size : 64ull << 20) +
                        (16ull << 20);
        k = reg_mark(&s->vm, REG_JAIL);
        if (k >= 0)
                k = jail_stage(&so, &s->err);
        if (k == -EEXIST)
                (void) reg_unmark(&s->vm, REG_JAIL); /* not made by us: never removed by us */
        if (k < 0)
                return cli_fail(2, "%s", s->err ? s->err : strerror(-k));
        if (r->fill) {
                /* a restore: the snapshot's files, opened into the jail, each verified */
                k = r->fill(r->fill_ctx, s->chroot, s->vm.uid, &s->vmstate_fd, &s->err);
                if (k < 0)
                        return cli_fail(k == -EBADMSG || k == -EALREADY ? 1 : 2, "%s", s->err ? s->err : strerror(-k));
        }
        return 0;
}

/* state.json and audit.json: what is started, how, and on what evidence. */
static int start_record(struct start *s) {
        const struct run_opts *o = s->o;
        const struct gate_result *g = s->g;
        struct vm_state *st = s->st;
        _cleanup_free_ char *ap = strdup_printf("%s/audit.json", s->dir);

        if (s->has_net) {
                st->has_net = true;
                st->net.slot = s->net.slot;
                st->net.ns_path = s->net.ns_path;
                st->net.host_if = s->net.host_if;
                st->net.host_ip = s->net.host_ip;
                st->net.vm_ip = s->net.vm_ip;
                st->net.guest_ip = GUEST_IP;
                st->net.allow = o->allow;
                st->net.deny = o->deny;
        }
        st->id = o->id;
        st->backend = s->backend;
        st->uid = st->gid = s->vm.uid;
        st->chroot_base = o->chroot_base;
        st->chroot = s->chroot;
        /* jail-relative: what root connects to, beneath the jail, its peer checked */
        st->api_socket = o->config_file || s->qemu ? "" : API_SOCK + 1;
        if (s->qemu) {
                st->qmp_socket = QMP_SOCK + 1;
                st->accel = s->r->qvm->kvm ? "kvm" : "tcg";
        }
        st->watchdog_s = o->config_file ? 0 : o->watchdog_s;
        st->kernel = s->r->kernel;
        st->rootfs = s->r->rootfs;
        st->home = s->r->home;
        st->vcpus = o->vcpus;
        st->mem_mib = o->mem_mib;
        st->limits = o->limits;
        st->cgroup_version = s->cgv;
        st->argv = s->cmd;
        st->audit.report_sha256 = g->report_sha256;
        st->audit.profile = g->profile;
        st->audit.policy = g->policy;
        st->audit.policy_sha256 = g->policy ? g->policy_sha256 : NULL;
        st->has_created = true;
        st->created = (int64_t) time(NULL);
        if (!ap || write_file_atomic(ap, g->report_json, strlen(g->report_json), 0600) < 0 ||
            vm_state_save(o->run_dir, o->id, st) < 0)
                return cli_fail(2, "%s: cannot write the VM's state", s->dir);
        return 0;
}

/* The VM's network (recorded first), and its uplink in the state. */
static int start_network(struct start *s) {
        const struct run_opts *o = s->o;
        int k;

        k = reg_mark(&s->vm, REG_NET);
        if (k >= 0) {
                s->uplink = o->uplink ? strdup(o->uplink) : net_default_uplink();
                k = net_up(&s->net, s->uplink, s->vm.uid, s->vm.uid, o->allow, o->deny, &o->limits, &s->err);
                /* a failed net_up has removed what it made, and only that: what made it
                 * fail (a namespace or table of that name) is not ours to remove */
                if (k < 0)
                        (void) reg_unmark(&s->vm, REG_NET);
        }
        if (k < 0)
                return cli_fail(2, "the VM's network: %s", s->err ? s->err : strerror(-k));
        s->st->net.uplink = strempty(s->uplink);
        (void) vm_state_save(o->run_dir, o->id, s->st);
        if (o->limits.net_mbit || o->limits.max_conns) {
                _cleanup_free_ char *d = limits_describe(&o->limits);
                cli_step("limits: %s", strna(d));
        }
        cli_step("network: %s, tap0 for %s, %s %s/30 -> NAT out of %s", s->net.ns_path, GUEST_IP, s->net.host_if,
                 s->net.host_ip, strna(s->uplink));
        return 0;
}

/* Before the VMM runs: Firecracker's configuration file (--config-file), the speculation controls
 * this host cannot give (a warning, and the state), and its cgroups recorded. */
static int start_prepare(struct start *s) {
        const struct run_opts *o = s->o;
        int k;

        if (o->config_file && !s->qemu) {
                /* root's file in root's directory: the VMM reads it */
                json_object *doc = fc_config_file(s->r->plan);
                _cleanup_free_ char *cp = strdup_printf("%s/vm-config.json", s->chroot);
                const char *text =
                        json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
                k = cp ? write_file_atomic(cp, text, strlen(text), 0644) : -ENOMEM;
                json_object_put(doc);
                if (k < 0)
                        return cli_fail(2, "%s/vm-config.json: %s", s->chroot, strerror(-k));
        }
        /* what cannot be force-disabled here: a host the gate let through with a waiver */
        if (speculation_uncontrolled(&s->spec_un) >= 0 && s->spec_un) {
                (void) cli_fail(0,
                                "warning: this host offers no per-process control of %s: the VMM runs "
                                "without it (see the audit's cpu.vuln checks)",
                                s->spec_un);
                s->st->speculation_uncontrolled = s->spec_un;
                (void) vm_state_save(o->run_dir, o->id, s->st);
        }
        /* the VM's cgroups: made by us (QEMU) or by the jailer (Firecracker), recorded first; one
         * that is there already is not this VM's to use, nor to remove in the undo */
        {
                _cleanup_free_ char *there = NULL;
                int f = cgroup_find(s->mounts, s->backend, o->id, &there);
                if (f != 0)
                        return cli_fail(2, "%s: %s", f > 0 ? there : "/proc/self/mounts",
                                        f > 0 ? "a cgroup of this VM's name is there already, not made for it: "
                                                "refusing to use it (rmdir it once it is empty)"
                                              : strerror(-f));
        }
        if (reg_mark(&s->vm, REG_CGROUP) < 0)
                return cli_fail(2, REGISTRY_DIR ": cannot record %s's cgroups", o->id);
        return 0;
}

/* Firecracker under its jailer, which daemonizes: the VMM is the pid it wrote, in the VM's cgroup. */
static int start_jailer(struct start *s) {
        const struct run_opts *o = s->o;
        uint32_t written;
        int k;

        /* Firecracker opens its log and metrics FIFOs itself and may write its last words
         * and exit before the monitor exists: a reader holds them from now on (a FIFO
         * nobody holds open drops what was written to it) */
        s->logfd = open_beneath(s->chroot, "logger.fifo", O_RDWR | O_NONBLOCK, S_IFIFO);
        s->mfd = open_beneath(s->chroot, "metrics.fifo", O_RDWR | O_NONBLOCK, S_IFIFO);
        if (s->logfd < 0 || s->mfd < 0)
                return cli_fail(2, "%s/%s.fifo: %s", s->chroot, s->logfd < 0 ? "logger" : "metrics",
                                strerror(-(s->logfd < 0 ? s->logfd : s->mfd)));
        cli_step("jailer: %s", s->cmd);
        k = jailer_exec(s->argv);
        if (k != 0)
                return cli_fail(2, "the jailer failed (%s %d)", k < 0 ? "error" : "exit", k < 0 ? -k : k);
        s->vmm = jailed_vmm_pid(s->chroot, o->id, s->vm.uid, &written);
        if (s->vmm < 0 && written && !proc_alive((pid_t) written, proc_starttime((pid_t) written))) {
                /* the daemonized jailer's own words went to /dev/null */
                s->show_said = true;
                return cli_fail(2,
                                "%s: the VMM the jailer started (pid %u) exited at once: is %s a static program that "
                                "can run in the jail (sis-audit's jail.binaries)?",
                                o->id, written, o->firecracker);
        }
        if (s->vmm < 0)
                return cli_fail(2,
                                "%s: no process of uid %u in cgroup firecracker/%s has the pid the jailer wrote to "
                                "firecracker.pid",
                                o->id, (unsigned) s->vm.uid, o->id);
        return 0;
}

/* The VMM: QEMU under sis's jail, or Firecracker under its jailer; its pid recorded. */
static int start_spawn(struct start *s) {
        const struct run_opts *o = s->o;
        int k;

        if (s->qemu) {
                double setup_ms = 0;
                cli_step("jail: %s", s->cmd);
                k = qemu_spawn(o, s->r, s->chroot, s->vm.uid, s->has_net ? s->net.ns_path : NULL, s->argv, s->mounts,
                               s->cgv, &s->vmm, &s->logfd, &setup_ms, &s->err);
                if (k < 0)
                        return cli_fail(2, "%s", s->err ? s->err : strerror(-k));
                s->st->jail_setup_ms = setup_ms;
        } else {
                k = start_jailer(s);
                if (k != 0)
                        return k;
        }
        s->vm.vmm = s->vmm;
        s->vm.vmm_start = proc_starttime(s->vmm);
        (void) reg_save(&s->vm);
        s->peer.pid = s->vmm;
        s->st->pid = s->vmm;
        s->st->pid_starttime = (int64_t) s->vm.vmm_start;
        (void) vm_state_save(o->run_dir, o->id, s->st);
        return 0;
}

/* The VMM configured and running: QEMU's QMP handshake, Firecracker's boot word in its log
 * (--config-file), or the plan's requests to its API. */
static int start_configure(struct start *s) {
        const struct run_opts *o = s->o;
        int k;

        s->show_said = true; /* what the VMM said on its way out is in the FIFO, unread */
        if (s->qemu) {
                k = qemu_handshake(o, s->r, s->vmstate_fd, &s->peer, &s->err);
                return k < 0 ? cli_fail(2, "%s", s->err ? s->err : strerror(-k)) : 0;
        }
        if (o->config_file) {
                k = fc_wait_booted(s->vmm, s->vm.vmm_start, s->logfd, s->log_path, o->api_timeout_ms, &s->said);
                if (k == -ECHILD) {
                        const char *text = s->said.buf ? s->said.buf : "";
                        return cli_fail(2, "%s: Firecracker exited before its log said it had started the VM%s%s",
                                        o->id, kvm_missing(text) ? ": " : "", kvm_missing(text) ? NO_KVM : "");
                }
                return k < 0 ? cli_fail(2, "%s: Firecracker's log did not say it had started the VM within %ld ms",
                                        o->id, o->api_timeout_ms)
                             : 0;
        }
        for (size_t i = 0; i < s->r->plan->n; i++) {
                struct fc_reply rep = {};
                const struct fc_request *q = &s->r->plan->r[i];
                bool once = streq(q->path, "/actions") || streq(q->path, "/snapshot/load");
                _cleanup_free_ char *why = NULL;
                k = fc_api_call(&s->peer, q->method, q->path, q->body, !once, o->api_timeout_ms, &rep, &why);
                if (k < 0) {
                        bool nokvm = kvm_missing(rep.fault);
                        fc_reply_done(&rep);
                        return cli_fail(2, "%s%s%s", why ? why : strerror(-k), nokvm ? ": " : "", nokvm ? NO_KVM : "");
                }
                fc_reply_done(&rep);
        }
        return 0;
}

static void close_fifos(struct start *s) {
        if (s->logfd >= 0)
                close(s->logfd);
        if (s->mfd >= 0)
                close(s->mfd);
        s->logfd = s->mfd = -1;
}

/* The log so far to the VM's log file, then the monitor goes on from there. */
static int start_handover(struct start *s) {
        int k;

        s->show_said = false;
        read_vmm_log(s->logfd, s->log_path, &s->said);
        k = monitor_start(s->o->run_dir, s->o->id);
        close_fifos(s);
        return k < 0 ? cli_fail(2, "cannot start the VM's monitor (logs, watchdog): %s", strerror(-k)) : 0;
}

/* After a failure at any stage (said already): the VMM's last words when they explain it, then
 * everything of the VM, from its registry entry as saved (the monitor may have added itself). */
static void start_undo(struct start *s) {
        if (s->show_said) {
                read_vmm_log(s->logfd, NULL, &s->said);
                vmm_said(s->qemu ? "QEMU" : "Firecracker", s->said.buf);
        }
        if (s->vmstate_fd >= 0)
                close(s->vmstate_fd);
        s->vmstate_fd = -1;
        close_fifos(s);
        if (s->claimed) {
                struct reg_vm now = {};
                if (reg_load(s->o->id, &now) >= 0) {
                        (void) vm_teardown(&now);
                        reg_vm_done(&now);
                }
        }
}

static void start_done(struct start *s) {
        if (s->vmstate_fd >= 0)
                close(s->vmstate_fd);
        close_fifos(s);
        sbuf_done(&s->said);
        free(s->uplink);
        free(s->spec_un);
        reg_vm_done(&s->vm);
        strv_free(s->argv);
        free(s->chroot);
        free(s->dir);
        free(s->mounts);
        free(s->log_path);
        free(s->cmd);
        free(s->err);
}

/* Claim, lease, stage, record, jail, configure: the path every start takes (run and restore). Each
 * host object is recorded in the registry before it is made, so a failure here, a crash or a
 * SIGKILL at any point is undone by vm_teardown() (sis-launch clean) exactly. */
int vm_start(const struct run_opts *o, const struct start_req *r, const struct gate_result *g) {
        struct start s = { .o = o,
                           .r = r,
                           .g = g,
                           .st = r->state,
                           .qemu = o->backend == BACKEND_QEMU,
                           .backend = backend_name(o->backend),
                           .logfd = -1,
                           .mfd = -1,
                           .vmstate_fd = -1 };
        int rc;

        s.chroot = vm_chroot(o->chroot_base, s.backend, o->id);
        s.dir = vm_dir(o->run_dir, o->id);
        s.mounts = self_mounts();
        s.cgv = s.mounts ? cgroup_version_detect(s.mounts) : -EIO;
        s.log_path = strdup_printf("%s/%s.log", s.dir ? s.dir : "", s.backend);
        if (!s.chroot || !s.dir || !s.log_path)
                rc = 2;
        else if (!s.mounts)
                rc = cli_fail(2, "/proc/self/mounts: cannot read it");
        else if (s.cgv < 0)
                rc = cli_fail(2, "no cgroup hierarchy is mounted (/proc/self/mounts)");
        else {
                rc = start_claim(&s);
                if (rc == 0)
                        rc = start_stage_jail(&s);
                if (rc == 0)
                        rc = start_record(&s);
                if (rc == 0 && s.has_net)
                        rc = start_network(&s);
                if (rc == 0)
                        rc = start_prepare(&s);
                if (rc == 0)
                        rc = start_spawn(&s);
                if (rc == 0)
                        rc = start_configure(&s);
                if (rc == 0)
                        rc = start_handover(&s);
                if (rc != 0)
                        start_undo(&s);
                else
                        cli_step("started %s: %s pid %d, uid %u, %u vCPU, %u MiB", o->id, s.backend, (int) s.vmm,
                                 (unsigned) s.vm.uid, o->vcpus, o->mem_mib);
        }
        start_done(&s);
        return rc;
}
