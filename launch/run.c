/* SPDX-License-Identifier: MIT */
/*
 * sis-launch run: gate -> lease -> stage -> jailer -> configure -> InstanceStart, and clean.
 * Every step that leaves something behind is undone by vm_clean(), which is also what
 * `sis-launch clean` runs: one teardown path, safe to run twice and after a crash.
 */
#include "run.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "api.h"
#include "cgroup.h"
#include "confine.h"
#include "dump.h"
#include "fc.h"
#include "fileio.h"
#include "gate.h"
#include "jail.h"
#include "lifecycle.h"
#include "net.h"
#include "qemu.h"
#include "qmp.h"
#include "state.h"
#include "util.h"

#define API_SOCK "/run/firecracker.socket"
#define fail launch_fail
#define step launch_step

void launch_step(const char *fmt, ...) {
        va_list ap;
        fputs(isatty(STDERR_FILENO) ? "\033[1m==>\033[0m " : "==> ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

int launch_fail(int code, const char *fmt, ...) {
        va_list ap;
        fputs("sis-launch: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return code;
}

char *vm_chroot(const char *base, const char *backend, const char *id) {
        return strdup_printf("%s/%s/%s/root", base, backend, id);
}

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

/* The mount table, where the cgroup hierarchies are found; NULL when it cannot be read. */
static char *self_mounts(void) {
        char *mounts = NULL;
        return read_file_capped("/proc/self/mounts", 1 << 20, &mounts, NULL) < 0 ? NULL : mounts;
}

static int cgroup_version(void) {
        _cleanup_free_ char *mounts = self_mounts();
        return mounts ? cgroup_version_detect(mounts) : -EIO;
}

/* Remove the cgroups made for id (<mount>/<backend>/<id>, every hierarchy): the jailer's or ours. */
static void cgroups_remove(const char *backend, const char *id) {
        _cleanup_free_ char *mounts = self_mounts();
        if (mounts)
                cgroup_remove(mounts, backend, id);
}

int vm_clean(const char *run_dir, const char *chroot_base, const char *id) {
        static const char *const backends[] = { "firecracker", "qemu" };
        _cleanup_free_ char *dir = vm_dir(run_dir, id);
        json_object *st = NULL, *v;
        const char *base = chroot_base, *backend = NULL;

        if (!vm_id_ok(id))
                return fail(2, "'%s' is not a VM name ([A-Za-z0-9-]{1,64})", id);
        if (vm_state_read(run_dir, id, &st) >= 0) {
                if (json_object_object_get_ex(st, "chroot_base", &v))
                        base = json_object_get_string(v);
                if (json_object_object_get_ex(st, "backend", &v))
                        backend = json_object_get_string(v);
                pid_t pid;
                unsigned long long want;
                if (vm_state_pid(st, "monitor", &pid, &want) && proc_alive(pid, want))
                        (void) kill(pid, SIGKILL);
                if (vm_state_pid(st, "pid", &pid, &want)) {
                        if (proc_alive(pid, want)) {
                                (void) kill(pid, SIGKILL);
                                for (int i = 0; i < 100 && proc_alive(pid, want); i++)
                                        usleep(10000);
                        }
                }
        }
        if (!dir) {
                json_object_put(st);
                return 2;
        }
        /* without a state (a crash before it was written) either backend may have left a jail */
        for (size_t i = 0; i < ELEMENTSOF(backends); i++) {
                if (backend && !streq(backend, backends[i]))
                        continue;
                _cleanup_free_ char *chroot = vm_chroot(base, backends[i], id);
                if (chroot)
                        (void) jail_unstage(chroot);
                /* a cgroup empties when its last process is gone: give a SIGKILLed VMM a moment */
                cgroups_remove(backends[i], id);
        }
        if (st && json_object_object_get_ex(st, "net", &v)) {
                json_object *p1, *p2;
                if (json_object_object_get_ex(v, "ns_path", &p1) && json_object_object_get_ex(v, "host_if", &p2))
                        (void) net_down(json_object_get_string(p1), json_object_get_string(p2));
        } else {
                /* a crash before the state recorded the network: the namespace has a known name */
                _cleanup_free_ char *nsp = strdup_printf("/run/netns/sis-%s", id);
                if (nsp)
                        (void) net_down(nsp, NULL);
        }
        (void) lease_release(run_dir, "uid", id);
        if (lease_release(run_dir, "net", id) > 0 && lease_count(run_dir, "net") == 0)
                (void) net_host_rules_remove(); /* the last VM with a network is gone */
        (void) rm_rf(dir);
        json_object_put(st);
        return 0;
}

int vm_list(const char *run_dir) {
        _cleanup_free_ char *vms = strdup_printf("%s/vms", run_dir);
        struct dirent **names = NULL;
        int n = vms ? scandir(vms, &names, NULL, alphasort) : -1;

        printf("%-24s %8s %6s  %s\n", "NAME", "PID", "UID", "STATE");
        for (int i = 0; i < n; i++) {
                json_object *st = NULL, *v;
                const char *id = names[i]->d_name;
                if (id[0] != '.' && vm_state_read(run_dir, id, &st) >= 0) {
                        pid_t pid = 0;
                        unsigned long long want = 0;
                        bool alive = vm_state_pid(st, "pid", &pid, &want) && proc_alive(pid, want);
                        printf("%-24s %8d %6d  %s\n", id, (int) pid,
                               json_object_object_get_ex(st, "uid", &v) ? json_object_get_int(v) : -1,
                               alive ? "running" : "stopped (sis-launch clean removes it)");
                }
                json_object_put(st);
                free(names[i]);
        }
        free(names);
        return 0;
}

static int exec_jailer(char *const argv[]) {
        pid_t pid = fork();
        int status;

        if (pid < 0)
                return -errno;
        if (pid == 0) {
                char *envp[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
                /* speculative store bypass and indirect branch speculation off for the jailer and
                 * the VMM it execs: inherited across fork and exec, and "force" cannot be undone */
                if (speculation_force_disable(NULL) < 0) {
                        fprintf(stderr, "sis-launch: PR_SET_SPECULATION_CTRL refused: %s\n", strerror(errno));
                        _exit(126);
                }
                execve(argv[0], argv, envp);
                fprintf(stderr, "sis-launch: cannot run the jailer %s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Run the gate with the launch's own jailer, VMM, chroot base and uid range. */
int vm_gate(const struct run_opts *o, struct gate_result *g) {
        _cleanup_free_ char *err = NULL;
        struct audit_config cfg;
        int k;

        audit_config_defaults(&cfg);
        cfg.firecracker = o->firecracker;
        cfg.jailer = o->jailer;
        cfg.qemu = backend_is_qemu(o) ? o->qemu : NULL;
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

/* The first line of `binary --version`, e.g. "Firecracker v1.16.1". */
char *vmm_version(const char *binary) {
        int pipefd[2], status;
        char buf[256];
        ssize_t n;
        pid_t pid;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return NULL;
        pid = fork();
        if (pid < 0)
                return NULL;
        if (pid == 0) {
                char *argv[] = { (char *) binary, (char *) "--version", NULL };
                char *envp[] = { NULL };
                dup2(pipefd[1], 1);
                execve(binary, argv, envp);
                _exit(127);
        }
        close(pipefd[1]);
        n = read(pipefd[0], buf, sizeof(buf) - 1);
        close(pipefd[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (n <= 0)
                return NULL;
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return strdup(buf);
}

/* The "Linux version X.Y.Z" string inside a kernel image: the guest's kernel release. */
char *guest_kernel_version(const char *kernel) {
        _cleanup_close_ int fd = open(kernel, O_RDONLY | O_CLOEXEC);
        static const char needle[] = "Linux version ";
        char buf[1 << 16];
        size_t keep = 0;
        ssize_t n;

        if (fd < 0)
                return NULL;
        while ((n = read(fd, buf + keep, sizeof(buf) - keep - 1)) > 0) {
                size_t len = keep + (size_t) n;
                char *hit = memmem(buf, len, needle, sizeof(needle) - 1);
                if (hit && (size_t) (hit - buf) + sizeof(needle) + 64 < len) {
                        char *v = hit + sizeof(needle) - 1;
                        size_t l = strcspn(v, " ");
                        if (l > 0 && l < 64)
                                return strndup(v, l);
                }
                /* keep the tail: the string may straddle two reads */
                keep = MIN(len, (size_t) 128);
                memmove(buf, buf + len - keep, keep);
        }
        return NULL;
}

/* Claim, lease, stage, record, jail, configure: the path every start takes (run and restore). On
 * failure everything done is undone. */
/* The VMM's own memory beyond the guest's, in its cgroup: QEMU with TCG keeps a 64 MiB
 * translation cache (-accel tcg,tb-size=64) besides its own ~100 MiB. */
#define QEMU_OVERHEAD_MIB 256

/* QEMU under sis's jail: its cgroups with limits, its files bound in, only its devices, the log
 * FIFO as its stdout and stderr. *ret_logfd keeps the FIFO open until the monitor reads it. */
static int qemu_spawn(const struct run_opts *o, const struct start_req *r, const char *chroot, uid_t uid, const char *netns,
                      char *const *argv, const char *mounts, int cgv, pid_t *ret_pid, int *ret_logfd, double *ret_setup_ms,
                      char **ret_error) {
        _cleanup_free_ char *fifo = strdup_printf("%s/logger.fifo", chroot);
        _cleanup_strv_free_ char **files = NULL;
        struct cgroup_plan cp = {};
        struct cgroup_limits lim = { .vcpus = o->vcpus, .mem_bytes = ((uint64_t) o->mem_mib + QEMU_OVERHEAD_MIB) << 20,
                                     .pids = 128 + o->vcpus };
        const char *devices[5];
        size_t nd = 0;
        struct stat hst;
        uint64_t fsize = ((uint64_t) o->mem_mib << 20) + (1ull << 30);
        int k, logfd;

        if (!fifo)
                return -ENOMEM;
        k = qemu_files(o->qemu, !r->qvm->kvm, &files, ret_error);
        if (k < 0)
                return k;
        k = cgroup_plan_make(mounts, cgv, "qemu", o->id, &lim, &cp);
        if (k == -EBADMSG)
                return set_error(ret_error, k, "/proc/self/mounts: a line it cannot parse");
        if (k < 0)
                return set_error(ret_error, k, "no cgroup v%d hierarchy with cpu, memory or pids is mounted", cgv);
        k = cgroup_apply(&cp, ret_error);
        if (k < 0)
                goto out;
        devices[nd++] = "null";
        devices[nd++] = "urandom";
        if (r->qvm->kvm)
                devices[nd++] = "kvm";
        if (netns)
                devices[nd++] = "net/tun";
        devices[nd] = NULL;
        /* the largest files QEMU writes: the home disk, a snapshot of the guest's memory */
        if (r->home && stat(r->home, &hst) == 0 && (uint64_t) hst.st_size + (1ull << 30) > fsize)
                fsize = (uint64_t) hst.st_size + (1ull << 30);
        /* O_RDWR: a FIFO opened so never blocks, and always has a reader until the monitor's */
        logfd = open(fifo, O_RDWR | O_CLOEXEC);
        if (logfd < 0) {
                k = set_error(ret_error, -errno, "%s: %s", fifo, strerror(errno));
                goto out;
        }
        {
                struct confine_spec spec = { .root = chroot, .id = o->id, .uid = uid, .gid = uid, .netns = netns,
                                             .devices = devices, .files = files, .cgroups = cp.join, .nofile = 4096,
                                             .fsize = fsize, .argv = argv, .out_fd = logfd };
                struct timespec a, b;
                clock_gettime(CLOCK_MONOTONIC, &a);
                k = confine_spawn(&spec, ret_pid, ret_error);
                clock_gettime(CLOCK_MONOTONIC, &b);
                /* the jail's setup: from the fork to QEMU's exec */
                *ret_setup_ms = (double) (b.tv_sec - a.tv_sec) * 1e3 + (double) (b.tv_nsec - a.tv_nsec) / 1e6;
        }
        if (k < 0)
                close(logfd);
        else
                *ret_logfd = logfd;
out:
        cgroup_plan_done(&cp);
        return k;
}

/* After the spawn, over QMP: a new VM must be running; a restore is handed its state (the
 * snapshot's vmstate, opened here: QEMU's sandbox opens nothing itself) and resumed. */
static int qemu_handshake(const struct run_opts *o, const struct start_req *r, const char *chroot, char **ret_error) {
        _cleanup_free_ char *sock = strdup_printf("%s%s", chroot, QMP_SOCK), *vs = strdup_printf("%s/snapshot/vmstate", chroot);
        struct qmp *q = NULL;
        json_object *ret = NULL, *v;
        int k;

        if (!sock || !vs)
                return -ENOMEM;
        k = qmp_open(sock, o->api_timeout_ms, &q, ret_error);
        if (k < 0)
                return k;
        if (r->qvm->incoming) {
                _cleanup_close_ int fd = open_beneath(chroot, "snapshot/vmstate", O_RDONLY, S_IFREG);
                k = fd < 0 ? set_error(ret_error, fd, "%s: %s", vs, strerror(-fd)) : qmp_migrate_fd(q, "migrate-incoming", fd, ret_error);
                /* the state streams in; then QEMU resumes the guest by itself */
                if (k >= 0) {
                        _cleanup_free_ char *e = NULL;
                        k = qmp_wait_migration(q, 300000, &e);
                        if (k < 0)
                                k = set_error(ret_error, k, "loading the snapshot: %s", strna(e));
                }
        }
        for (int i = 0; k >= 0 && i < 100; i++) {
                json_object_put(ret);
                ret = NULL;
                k = qmp_call(q, "query-status", NULL, -1, &ret, ret_error);
                if (k < 0)
                        break;
                const char *status = json_object_object_get_ex(ret, "status", &v) ? json_object_get_string(v) : "?";
                if (streq(status, "running"))
                        break;
                if (r->qvm->incoming && (streq(status, "paused") || streq(status, "postmigrate")))
                        k = qmp_call(q, "cont", NULL, -1, NULL, ret_error);
                else if (!streq(status, "inmigrate") && !streq(status, "prelaunch"))
                        k = set_error(ret_error, -EIO, "QEMU is %s, not running", status);
                usleep(20000);
        }
        json_object_put(ret);
        qmp_close(q);
        return k;
}

int vm_start(const struct run_opts *o, const struct start_req *r, const struct gate_result *g) {
        bool qemu = backend_is_qemu(o);
        const char *backend = qemu ? "qemu" : "firecracker";
        _cleanup_free_ char *chroot = vm_chroot(o->chroot_base, backend, o->id), *cmd = NULL, *dir = vm_dir(o->run_dir, o->id),
                            *err = NULL, *sock = NULL, *vms = strdup_printf("%s/vms", o->run_dir), *mounts = self_mounts();
        _cleanup_strv_free_ char **argv = NULL;
        char *api_args[] = { (char *) "--api-sock", (char *) API_SOCK, NULL };
        char *cfg_args[] = { (char *) "--config-file", (char *) "/vm-config.json", (char *) "--no-api", NULL };
        json_object *st = NULL;
        struct jailer_opts jo;
        struct vm_net net = {};
        bool has_net = false;
        uint32_t uid = 0;
        pid_t vmm = 0;
        int k, cgv = mounts ? cgroup_version_detect(mounts) : -EIO, rc = 2, logfd = -1;
        bool claimed = false;

        if (!chroot || !dir || !vms)
                return 2;
        sock = strdup_printf("%s%s", chroot, qemu ? QMP_SOCK : API_SOCK);
        if (!sock)
                return 2;
        if (!mounts)
                return fail(2, "/proc/self/mounts: cannot read it");
        if (cgv < 0)
                return fail(2, "no cgroup hierarchy is mounted (/proc/self/mounts)");
        /* the name is claimed by one mkdir: of two launches with one name, one wins */
        if (mkdir_parents(vms, 0755) < 0)
                return fail(2, "%s: %s", o->run_dir, strerror(errno));
        if (mkdir(dir, 0700) < 0)
                return errno == EEXIST ? fail(2, "a VM named %s exists already (sis-launch clean %s)", o->id, o->id)
                                       : fail(2, "%s: %s", dir, strerror(errno));
        claimed = true;
        k = lease_take(o->run_dir, "uid", o->uid_min, o->uid_max, o->id, &uid);
        if (k < 0) {
                rc = fail(2, "no free uid in %u-%u for the VM: %s", (unsigned) o->uid_min, (unsigned) o->uid_max, strerror(-k));
                goto undo;
        }
        if (streq(o->net, "default")) {
                unsigned slots;
                uint32_t slot;
                if (net_pool_slots(o->net_pool, &slots) < 0) {
                        rc = fail(2, "--net-pool %s: not an IPv4 CIDR of /30 or larger", o->net_pool);
                        goto undo;
                }
                k = lease_take(o->run_dir, "net", 0, slots - 1, o->id, &slot);
                if (k < 0 || net_plan(o->net_pool, slot, o->id, &net) < 0) {
                        rc = fail(2, "no free /30 in --net-pool %s: %s", o->net_pool, strerror(-k));
                        goto undo;
                }
                has_net = true;
        }
        jo = (struct jailer_opts) { .jailer = o->jailer, .id = o->id, .exec_file = o->firecracker, .uid = uid, .gid = uid,
                                    .chroot_base = o->chroot_base, .netns = has_net ? net.ns_path : NULL,
                                    .cgroup_version = cgv, .vcpus = o->vcpus,
                                    .mem_mib = o->mem_mib, .vmm_args = o->config_file ? cfg_args : api_args };
        if ((qemu ? qemu_argv(r->qvm, &argv) : jailer_argv(&jo, &argv)) < 0 || !(cmd = shell_join(argv)))
                goto undo;
        {
                struct stage_opts so = { .chroot = chroot, .kernel = r->kernel, .rootfs = r->rootfs, .home = r->home,
                                         .snapshot = r->snapshot_dir, .uid = uid, .gid = uid };
                k = jail_stage(&so, &err);
                if (k < 0) {
                        rc = fail(2, "%s", err ? err : strerror(-k));
                        goto undo;
                }
        }
        st = r->extra_state ? json_object_get(r->extra_state) : json_object_new_object();
        if (has_net) {
                json_object *nj = json_object_new_object(), *al = json_object_new_array(), *dl = json_object_new_array();
                json_object_object_add(nj, "slot", json_object_new_int((int) net.slot));
                json_object_object_add(nj, "ns_path", json_object_new_string(net.ns_path));
                json_object_object_add(nj, "host_if", json_object_new_string(net.host_if));
                json_object_object_add(nj, "host_ip", json_object_new_string(net.host_ip));
                json_object_object_add(nj, "vm_ip", json_object_new_string(net.vm_ip));
                json_object_object_add(nj, "guest_ip", json_object_new_string(GUEST_IP));
                for (char **a = o->allow; a && *a; a++)
                        json_object_array_add(al, json_object_new_string(*a));
                for (char **a = o->deny; a && *a; a++)
                        json_object_array_add(dl, json_object_new_string(*a));
                json_object_object_add(nj, "allow", al);
                json_object_object_add(nj, "deny", dl);
                json_object_object_add(st, "net", nj);
        }
        json_object_object_add(st, "id", json_object_new_string(o->id));
        json_object_object_add(st, "backend", json_object_new_string(backend));
        json_object_object_add(st, "uid", json_object_new_int((int) uid));
        json_object_object_add(st, "gid", json_object_new_int((int) uid));
        json_object_object_add(st, "chroot_base", json_object_new_string(o->chroot_base));
        json_object_object_add(st, "chroot", json_object_new_string(chroot));
        json_object_object_add(st, "api_socket", json_object_new_string(o->config_file || qemu ? "" : sock));
        if (qemu) {
                json_object_object_add(st, "qmp_socket", json_object_new_string(sock));
                json_object_object_add(st, "accel", json_object_new_string(r->qvm->kvm ? "kvm" : "tcg"));
        }
        if (r->kernel)
                json_object_object_add(st, "kernel", json_object_new_string(r->kernel));
        json_object_object_add(st, "rootfs", json_object_new_string(r->rootfs));
        if (r->home)
                json_object_object_add(st, "home", json_object_new_string(r->home));
        json_object_object_add(st, "vcpus", json_object_new_int((int) o->vcpus));
        json_object_object_add(st, "mem_mib", json_object_new_int((int) o->mem_mib));
        json_object_object_add(st, "cgroup_version", json_object_new_int(cgv));
        json_object_object_add(st, qemu ? "vmm_argv" : "jailer_argv", json_object_new_string(cmd));
        {
                json_object *a = json_object_new_object();
                json_object_object_add(a, "report_sha256", json_object_new_string(g->report_sha256));
                json_object_object_add(a, "profile", json_object_new_string(g->profile));
                json_object_object_add(a, "policy", g->policy ? json_object_new_string(g->policy) : NULL);
                json_object_object_add(a, "policy_sha256", g->policy ? json_object_new_string(g->policy_sha256) : NULL);
                json_object_object_add(st, "audit", a);
        }
        json_object_object_add(st, "created", json_object_new_int64((int64_t) time(NULL)));
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
                k = net_up(&net, uplink, uid, uid, o->allow, o->deny, &err);
                if (k < 0) {
                        rc = fail(2, "the VM's network: %s", err ? err : strerror(-k));
                        goto undo;
                }
                json_object *nj;
                if (json_object_object_get_ex(st, "net", &nj))
                        json_object_object_add(nj, "uplink", json_object_new_string(strempty(uplink)));
                (void) vm_state_write(o->run_dir, o->id, st);
                step("network: %s, tap0 for %s, %s %s/30 -> NAT out of %s", net.ns_path, GUEST_IP, net.host_if, net.host_ip,
                     strna(uplink));
        }
        if (o->config_file && !qemu) {
                json_object *doc = fc_config_file(r->plan);
                _cleanup_free_ char *cp = strdup_printf("%s/vm-config.json", chroot);
                const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
                k = cp ? write_file_atomic(cp, text, strlen(text), 0600) : -ENOMEM;
                if (k >= 0 && chown(cp, uid, uid) < 0)
                        k = -errno;
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
                        json_object_object_add(st, "speculation_uncontrolled", json_object_new_string(un));
                        (void) vm_state_write(o->run_dir, o->id, st);
                }
        }
        if (qemu) {
                step("jail: %s", cmd);
                double setup_ms = 0;
                k = qemu_spawn(o, r, chroot, uid, has_net ? net.ns_path : NULL, argv, mounts, cgv, &vmm, &logfd, &setup_ms, &err);
                if (k < 0) {
                        rc = fail(2, "%s", err ? err : strerror(-k));
                        goto undo;
                }
                json_object_object_add(st, "jail_setup_ms", json_object_new_double(setup_ms));
        } else {
                step("jailer: %s", cmd);
                k = exec_jailer(argv);
                if (k != 0) {
                        rc = fail(2, "the jailer failed (%s %d)", k < 0 ? "error" : "exit", k < 0 ? -k : k);
                        goto undo;
                }
                /* the daemonized VMM's pid, written by the jailer into the chroot */
                _cleanup_free_ char *pp = strdup_printf("%s/firecracker.pid", chroot), *text = NULL;
                uint32_t p = 0;
                for (int i = 0; i < 200 && (!pp || read_file_capped(pp, 64, &text, NULL) < 0); i++)
                        usleep(5000);
                if (!text || safe_atou32(strstrip(text), &p) < 0 || p < 2) {
                        rc = fail(2, "the jailer wrote no pid to %s", strna(pp));
                        goto undo;
                }
                vmm = (pid_t) p;
        }
        json_object_object_add(st, "pid", json_object_new_int((int) vmm));
        json_object_object_add(st, "pid_starttime", json_object_new_int64((int64_t) proc_starttime(vmm)));
        (void) vm_state_write(o->run_dir, o->id, st);
        if (qemu) {
                k = qemu_handshake(o, r, chroot, &err);
                if (k < 0) {
                        /* what QEMU said on its way out is in the FIFO, unread */
                        char out[4096];
                        ssize_t n = fcntl(logfd, F_SETFL, O_NONBLOCK) < 0 ? -1 : read(logfd, out, sizeof(out) - 1);
                        rc = fail(2, "%s", err ? err : strerror(-k));
                        if (n > 0) {
                                out[n] = '\0';
                                fprintf(stderr, "sis-launch: QEMU said:\n%s%s", out, out[n - 1] == '\n' ? "" : "\n");
                        }
                        goto undo;
                }
        } else if (!o->config_file)
                for (size_t i = 0; i < r->plan->n; i++) {
                        struct fc_reply rep = {};
                        const struct fc_request *q = &r->plan->r[i];
                        bool once = streq(q->path, "/actions") || streq(q->path, "/snapshot/load");
                        _cleanup_free_ char *why = NULL;
                        k = fc_api_call(sock, q->method, q->path, q->body, !once, o->api_timeout_ms, &rep, &why);
                        fc_reply_done(&rep);
                        if (k < 0) {
                                rc = fail(2, "%s", why ? why : strerror(-k));
                                goto undo;
                        }
                }
        json_object_put(st);
        st = NULL;
        k = monitor_start(o->run_dir, o->id, o->config_file ? 0 : o->watchdog_s);
        if (logfd >= 0)
                close(logfd);
        logfd = -1;
        if (k < 0) {
                rc = fail(2, "cannot start the VM's monitor (logs, watchdog): %s", strerror(-k));
                goto undo;
        }
        step("started %s: %s pid %d, uid %u, %u vCPU, %u MiB", o->id, backend, (int) vmm, (unsigned) uid, o->vcpus, o->mem_mib);
        return 0;
undo:
        json_object_put(st);
        if (logfd >= 0)
                close(logfd);
        if (claimed)
                (void) vm_clean(o->run_dir, o->chroot_base, o->id);
        return rc;
}

/* --accel auto: KVM when the audit found /dev/kvm there, open to the jail users, and answering
 * the API; otherwise TCG. *ret_why says why not KVM (for the warning and the state). */
static bool accel_kvm(const struct run_opts *o, const struct gate_result *g, char **ret_why) {
        static const char *const need[] = { "kvm.device", "kvm.access", "kvm.api" };
        json_object *r, *checks, *c, *id, *status;
        bool ok[ELEMENTSOF(need)] = {};

        *ret_why = NULL;
        if (streq(o->accel, "kvm") || streq(o->accel, "tcg"))
                return streq(o->accel, "kvm");
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
                            *why_tcg = NULL, *nsp = NULL;
        struct gate_result g = {};
        struct fc_plan plan = {};
        struct fc_vm vm;
        struct qemu_vm qvm = {};
        bool qemu = backend_is_qemu(o), with_net = streq(o->net, "default");
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
        fc_mac_for(GUEST_IP, mac);
        boot = fc_boot_args(o->console, qemu, with_net ? GUEST_IP : NULL, TAP_IP, GUEST_NETMASK);
        if (!boot) {
                gate_result_done(&g);
                return 2;
        }
        if (qemu) {
                qvm = (struct qemu_vm) { .binary = o->qemu, .id = o->id, .vcpus = o->vcpus, .mem_mib = o->mem_mib,
                                         .kvm = accel_kvm(o, &g, &why_tcg), .kernel = "/vmlinux", .rootfs = "/rootfs.ext4",
                                         .home = home ? "/disk/home.ext4" : NULL, .boot_args = boot,
                                         .tap = with_net ? "tap0" : NULL, .guest_mac = with_net ? mac : NULL };
                if (why_tcg)
                        fprintf(stderr, "sis-launch: warning: --accel auto: %s in the audit: %s runs under TCG (emulation, "
                                        "no hardware isolation between guest and QEMU)\n", why_tcg, o->id);
        } else {
                vm = (struct fc_vm) { .id = o->id, .vcpus = o->vcpus, .mem_mib = o->mem_mib, .kernel = "/vmlinux",
                                      .rootfs = "/rootfs.ext4", .home = home ? "/disk/home.ext4" : NULL, .boot_args = boot,
                                      .tap = with_net ? "tap0" : NULL, .guest_mac = with_net ? mac : NULL,
                                      .log_path = "/logger.fifo", .metrics_path = "/metrics.fifo",
                                      .vsock_cid = o->vsock_cid, .vsock_uds = o->vsock_cid ? "/vsock.sock" : NULL };
                if (fc_plan_boot(&vm, &plan) < 0) {
                        gate_result_done(&g);
                        return 2;
                }
        }
        if (o->dry_run) {
                _cleanup_strv_free_ char **argv = NULL;
                _cleanup_free_ char *cmd = NULL;
                nsp = strdup_printf("/run/netns/sis-%s", o->id);
                if (qemu) {
                        if (qemu_argv(&qvm, &argv) >= 0 && (cmd = shell_join(argv)))
                                printf("%s\n", cmd);
                } else {
                        struct jailer_opts jo = { .jailer = o->jailer, .id = o->id, .exec_file = o->firecracker, .uid = o->uid_min,
                                                  .gid = o->uid_min, .chroot_base = o->chroot_base,
                                                  .netns = with_net ? nsp : NULL, .cgroup_version = cgroup_version(),
                                                  .vcpus = o->vcpus, .mem_mib = o->mem_mib };
                        char *api_args[] = { (char *) "--api-sock", (char *) API_SOCK, NULL };
                        char *cfg_args[] = { (char *) "--config-file", (char *) "/vm-config.json", (char *) "--no-api", NULL };
                        jo.vmm_args = o->config_file ? cfg_args : api_args;
                        if (jailer_argv(&jo, &argv) >= 0 && (cmd = shell_join(argv)))
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
                rc = vm_start(o, &r, &g);
                json_object_put(extra);
        }
        fc_plan_done(&plan);
        gate_result_done(&g);
        return rc;
}
