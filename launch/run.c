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
#include "dump.h"
#include "fc.h"
#include "fileio.h"
#include "gate.h"
#include "jail.h"
#include "lifecycle.h"
#include "net.h"
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

static char *chroot_of(const char *base, const char *id) {
        return strdup_printf("%s/firecracker/%s/root", base, id);
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

static int cgroup_version(void) {
        _cleanup_free_ char *mounts = NULL;
        if (read_file_capped("/proc/self/mounts", 1 << 20, &mounts, NULL) < 0)
                return -EIO;
        return cgroup_version_detect(mounts);
}

/* Remove the cgroups the jailer made for id (<mount>/firecracker/<id>, every hierarchy). */
static void cgroups_remove(const char *id) {
        _cleanup_free_ char *mounts = NULL;
        if (read_file_capped("/proc/self/mounts", 1 << 20, &mounts, NULL) < 0)
                return;
        for (const char *p = mounts; *p;) {
                size_t len = strcspn(p, "\n");
                _cleanup_free_ char *l = strndup(p, len), *dir = NULL;
                char dev[256], mnt[512], type[64];
                p += len + (p[len] == '\n');
                if (!l || sscanf(l, "%255s %511s %63s", dev, mnt, type) != 3 || (!streq(type, "cgroup") && !streq(type, "cgroup2")))
                        continue;
                dir = strdup_printf("%s/firecracker/%s", mnt, id);
                if (dir)
                        (void) rmdir(dir);
        }
}

int vm_clean(const char *run_dir, const char *chroot_base, const char *id) {
        _cleanup_free_ char *dir = vm_dir(run_dir, id), *chroot = NULL;
        json_object *st = NULL, *v;
        const char *base = chroot_base;

        if (!vm_id_ok(id))
                return fail(2, "'%s' is not a VM name ([A-Za-z0-9-]{1,64})", id);
        if (vm_state_read(run_dir, id, &st) >= 0) {
                if (json_object_object_get_ex(st, "chroot_base", &v))
                        base = json_object_get_string(v);
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
        chroot = chroot_of(base, id);
        if (!chroot || !dir) {
                json_object_put(st);
                return 2;
        }
        (void) jail_unstage(chroot);
        cgroups_remove(id);
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
int vm_start(const struct run_opts *o, const struct start_req *r, const struct gate_result *g) {
        _cleanup_free_ char *chroot = chroot_of(o->chroot_base, o->id), *cmd = NULL, *dir = vm_dir(o->run_dir, o->id),
                            *err = NULL, *sock = NULL, *vms = strdup_printf("%s/vms", o->run_dir);
        _cleanup_strv_free_ char **argv = NULL;
        char *api_args[] = { (char *) "--api-sock", (char *) API_SOCK, NULL };
        char *cfg_args[] = { (char *) "--config-file", (char *) "/vm-config.json", (char *) "--no-api", NULL };
        json_object *st = NULL;
        struct jailer_opts jo;
        struct vm_net net = {};
        bool has_net = false;
        uint32_t uid = 0;
        pid_t vmm = 0;
        int k, cgv = cgroup_version(), rc = 2;
        bool claimed = false;

        if (!chroot || !dir || !vms)
                return 2;
        sock = strdup_printf("%s%s", chroot, API_SOCK);
        if (!sock)
                return 2;
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
        if (jailer_argv(&jo, &argv) < 0 || !(cmd = shell_join(argv)))
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
        json_object_object_add(st, "backend", json_object_new_string("firecracker"));
        json_object_object_add(st, "uid", json_object_new_int((int) uid));
        json_object_object_add(st, "gid", json_object_new_int((int) uid));
        json_object_object_add(st, "chroot_base", json_object_new_string(o->chroot_base));
        json_object_object_add(st, "chroot", json_object_new_string(chroot));
        json_object_object_add(st, "api_socket", json_object_new_string(o->config_file ? "" : sock));
        if (r->kernel)
                json_object_object_add(st, "kernel", json_object_new_string(r->kernel));
        json_object_object_add(st, "rootfs", json_object_new_string(r->rootfs));
        if (r->home)
                json_object_object_add(st, "home", json_object_new_string(r->home));
        json_object_object_add(st, "vcpus", json_object_new_int((int) o->vcpus));
        json_object_object_add(st, "mem_mib", json_object_new_int((int) o->mem_mib));
        json_object_object_add(st, "cgroup_version", json_object_new_int(cgv));
        json_object_object_add(st, "jailer_argv", json_object_new_string(cmd));
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
        if (o->config_file) {
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
        step("jailer: %s", cmd);
        k = exec_jailer(argv);
        if (k != 0) {
                rc = fail(2, "the jailer failed (%s %d)", k < 0 ? "error" : "exit", k < 0 ? -k : k);
                goto undo;
        }
        /* the daemonized VMM's pid, written by the jailer into the chroot */
        {
                _cleanup_free_ char *pp = strdup_printf("%s/firecracker.pid", chroot), *text = NULL;
                uint32_t p = 0;
                for (int i = 0; i < 200 && (!pp || read_file_capped(pp, 64, &text, NULL) < 0); i++)
                        usleep(5000);
                if (!text || safe_atou32(strstrip(text), &p) < 0 || p < 2) {
                        rc = fail(2, "the jailer wrote no pid to %s", strna(pp));
                        goto undo;
                }
                vmm = (pid_t) p;
                json_object_object_add(st, "pid", json_object_new_int((int) vmm));
                json_object_object_add(st, "pid_starttime", json_object_new_int64((int64_t) proc_starttime(vmm)));
                (void) vm_state_write(o->run_dir, o->id, st);
        }
        if (!o->config_file)
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
        if (k < 0) {
                rc = fail(2, "cannot start the VM's monitor (logs, watchdog): %s", strerror(-k));
                goto undo;
        }
        step("started %s: pid %d, uid %u, %u vCPU, %u MiB", o->id, (int) vmm, (unsigned) uid, o->vcpus, o->mem_mib);
        return 0;
undo:
        json_object_put(st);
        if (claimed)
                (void) vm_clean(o->run_dir, o->chroot_base, o->id);
        return rc;
}

int vm_run(const struct run_opts *o) {
        _cleanup_free_ char *kernel = NULL, *rootfs = NULL, *home = NULL, *boot = NULL, *gk = NULL, *fcv = NULL;
        struct gate_result g = {};
        struct fc_plan plan = {};
        struct fc_vm vm;
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
        if (access(o->jailer, X_OK) < 0 || access(o->firecracker, X_OK) < 0) {
                rc = fail(2, "--%s %s: %s", access(o->jailer, X_OK) < 0 ? "jailer" : "firecracker",
                          access(o->jailer, X_OK) < 0 ? o->jailer : o->firecracker, strerror(errno));
                gate_result_done(&g);
                return rc;
        }
        {
                bool with_net = streq(o->net, "default");
                char mac[18];
                fc_mac_for(GUEST_IP, mac);
                boot = fc_boot_args(o->console, with_net ? GUEST_IP : NULL, TAP_IP, GUEST_NETMASK);
                vm = (struct fc_vm) { .id = o->id, .vcpus = o->vcpus, .mem_mib = o->mem_mib, .kernel = "/vmlinux",
                                      .rootfs = "/rootfs.ext4", .home = home ? "/disk/home.ext4" : NULL, .boot_args = boot,
                                      .tap = with_net ? "tap0" : NULL, .guest_mac = with_net ? strdupa(mac) : NULL,
                                      .log_path = "/logger.fifo", .metrics_path = "/metrics.fifo",
                                      .vsock_cid = o->vsock_cid, .vsock_uds = o->vsock_cid ? "/vsock.sock" : NULL };
        }
        if (!boot || fc_plan_boot(&vm, &plan) < 0) {
                gate_result_done(&g);
                return 2;
        }
        if (o->dry_run) {
                _cleanup_free_ char *nsp = strdup_printf("/run/netns/sis-%s", o->id);
                struct jailer_opts jo = { .jailer = o->jailer, .id = o->id, .exec_file = o->firecracker, .uid = o->uid_min,
                                          .gid = o->uid_min, .chroot_base = o->chroot_base,
                                          .netns = streq(o->net, "default") ? nsp : NULL, .cgroup_version = cgroup_version(),
                                          .vcpus = o->vcpus, .mem_mib = o->mem_mib };
                char *api_args[] = { (char *) "--api-sock", (char *) API_SOCK, NULL };
                char *cfg_args[] = { (char *) "--config-file", (char *) "/vm-config.json", (char *) "--no-api", NULL };
                _cleanup_strv_free_ char **argv = NULL;
                _cleanup_free_ char *cmd = NULL;
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
                rc = 0;
        } else {
                json_object *extra = json_object_new_object();
                struct start_req r = { .kernel = kernel, .rootfs = rootfs, .home = home, .plan = &plan, .extra_state = extra };
                gk = guest_kernel_version(kernel);
                fcv = vmm_version(o->firecracker);
                json_object_object_add(extra, "boot_args", json_object_new_string(boot));
                json_object_object_add(extra, "guest_kernel", gk ? json_object_new_string(gk) : NULL);
                json_object_object_add(extra, "firecracker_version", fcv ? json_object_new_string(fcv) : NULL);
                rc = vm_start(o, &r, &g);
                json_object_put(extra);
        }
        fc_plan_done(&plan);
        gate_result_done(&g);
        return rc;
}
