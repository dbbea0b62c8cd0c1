/* SPDX-License-Identifier: MIT */
#include "dl.h"
#include <sys/stat.h>
#include <ctype.h>

#include "check-ctx.h"
#include "util.h"

static const char *const needed_controllers[] = { "cpu", "cpuset", "memory", "pids" };

CHECK_FN(check_jail_cgroups) {
        _cleanup_free_ char *ctrl = NULL;
        _cleanup_strv_free_ char **v1 = NULL, **v2 = NULL;
        const struct mount_entry *m;
        size_t n;
        bool unified = false;
        int k = audit_mounts(c, &m, &n);

        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot read /proc/mounts: %s", audit_strerror(k));
                return;
        }
        for (size_t i = 0; i < n; i++) {
                if (streq(m[i].fstype, "cgroup2") && streq(m[i].target, "/sys/fs/cgroup"))
                        unified = true;
                if (streq(m[i].fstype, "cgroup2") || streq(m[i].fstype, "cgroup"))
                        sis_finding_evidence(f, "/proc/mounts", "%s %s %s", m[i].fstype, m[i].target, m[i].options);
                if (streq(m[i].fstype, "cgroup")) {
                        _cleanup_strv_free_ char **opts = NULL;
                        if (strv_split(m[i].options, ",", &opts) < 0)
                                break;
                        for (size_t j = 0; j < ELEMENTSOF(needed_controllers); j++)
                                if (strv_contains(opts, needed_controllers[j]) &&
                                    !strv_contains(v1, needed_controllers[j]))
                                        (void) strv_extend(&v1, needed_controllers[j]);
                }
        }

        if (unified) {
                if (audit_read(c, f, "/sys/fs/cgroup/cgroup.controllers", &ctrl) < 0)
                        return;
                if (strv_split(ctrl, " ", &v2) < 0)
                        return;
                for (size_t j = 0; j < ELEMENTSOF(needed_controllers); j++)
                        if (!strv_contains(v2, needed_controllers[j]))
                                sis_finding_note(f, SIS_FAIL, "cgroup v2 lacks the %s controller",
                                                 needed_controllers[j]);
                sis_finding_note(f, SIS_PASS, "cgroup v2 with cpu, cpuset, memory and pids");
                return;
        }
        if (!v1) {
                sis_finding_note(f, SIS_FAIL, "no cgroup hierarchy mounted");
                return;
        }
        for (size_t j = 0; j < ELEMENTSOF(needed_controllers); j++)
                if (!strv_contains(v1, needed_controllers[j]))
                        sis_finding_note(f, SIS_FAIL, "cgroup v1 lacks the %s controller", needed_controllers[j]);
        sis_finding_note(f, SIS_WARN, "cgroup v1: the jailer needs --cgroup-version 1 and snapshot restore is slower");
}

CHECK_FN(check_jail_namespaces) {
        static const char *const ns[] = { "mnt", "pid", "net", "ipc", "uts" };
        unsigned have = 0;

        for (size_t i = 0; i < ELEMENTSOF(ns); i++) {
                _cleanup_free_ char *p = strdup_printf("/proc/self/ns/%s", ns[i]), *t = NULL;
                int k = p ? sis_root_readlink(c->root, p, &t) : -ENOMEM;
                if (k >= 0) {
                        sis_finding_evidence(f, p, "%s", t);
                        have++;
                } else if (k == -ENOENT)
                        sis_finding_note(f, SIS_FAIL, "%s namespace missing", ns[i]);
                else
                        sis_finding_note(f, SIS_UNKNOWN, "cannot read %s: %s", p, audit_strerror(k));
        }
        if (have == ELEMENTSOF(ns))
                sis_finding_note(f, SIS_PASS, "mnt, pid, net, ipc and uts namespaces available");
}

CHECK_FN(check_jail_tun) {
        struct sis_stat st;
        struct kmod_ctx *kmod;
        int k = sis_root_stat(c->root, "/dev/net/tun", 0, &st);

        if (k >= 0) {
                sis_finding_evidence(f, "/dev/net/tun", "%s %u:%u mode %04o",
                                     S_ISCHR(st.mode) ? "char" : "not a char device", st.rdev_major, st.rdev_minor,
                                     (unsigned) (st.mode & 07777));
                if (S_ISCHR(st.mode) && st.rdev_major == 10 && st.rdev_minor == 200)
                        sis_finding_note(f, SIS_PASS, "/dev/net/tun present");
                else
                        sis_finding_note(f, SIS_FAIL, "/dev/net/tun is not the TUN character device 10:200");
                sis_stat_done(&st);
                return;
        }
        if (k != -ENOENT) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot stat /dev/net/tun: %s", audit_strerror(k));
                return;
        }
        sis_finding_evidence(f, "/dev/net/tun", "(missing)");
        if (audit_kmod(c, &kmod) >= 0) {
                struct kmod_list *l = NULL;
                if (sym_kmod_module_new_from_lookup(kmod, "tun", &l) >= 0 && l) {
                        struct kmod_module *mod = sym_kmod_module_get_module(l);
                        bool builtin = !sym_kmod_module_get_path(mod);
                        sym_kmod_module_unref(mod);
                        sym_kmod_module_unref_list(l);
                        sis_finding_note(f, SIS_FAIL, "/dev/net/tun missing; %s",
                                         builtin ? "tun is built in: mknod /dev/net/tun c 10 200"
                                                 : "the tun module is available: modprobe tun");
                        return;
                }
        }
        sis_finding_note(f, SIS_FAIL, "/dev/net/tun missing");
}

static void judge(struct sis_finding *f, const char *p, const struct sis_stat *st, bool show) {
        if (st->uid != 0 || (!S_ISLNK(st->mode) && (st->mode & 0022))) {
                sis_finding_evidence(f, p, "mode %04o uid %u gid %u", (unsigned) (st->mode & 07777), (unsigned) st->uid,
                                     (unsigned) st->gid);
                sis_finding_note(f, SIS_FAIL, "%s is %s", p,
                                 st->uid != 0                ? "not owned by root"
                                         : (st->mode & 0002) ? "writable by others"
                                                             : "writable by its group");
        } else if (show)
                sis_finding_evidence(f, p, "mode %04o uid %u gid %u", (unsigned) (st->mode & 07777), (unsigned) st->uid,
                                     (unsigned) st->gid);
}

/* Every component from / down to path: root-owned and not group/other-writable. A symlinked
 * component is judged itself (its owner can repoint it) and then where it leads, so a path
 * through a user's directory cannot pass. */
static void check_owned_path(struct audit_ctx *c, struct sis_finding *f, const char *path, bool *ret_missing) {
        _cleanup_free_ char *cur = NULL;
        struct sis_stat st;
        unsigned hops = 0;
        int k;

        *ret_missing = false;
        if (path_normalize(path, &cur) < 0)
                return;
        k = sis_root_stat(c->root, "/", 0, &st);
        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot stat /: %s", audit_strerror(k));
                return;
        }
        judge(f, "/", &st, false);
        sis_stat_done(&st);
        for (size_t at = 1; cur[at - 1] && cur[at];) {
                size_t end = at + strcspn(cur + at, "/");
                _cleanup_free_ char *p = strndup(cur, end);
                bool last = cur[end] == '\0';

                if (!p)
                        return;
                k = sis_root_stat(c->root, p, SIS_STAT_NOFOLLOW, &st);
                if (k == -ENOENT) {
                        *ret_missing = true;
                        return;
                }
                if (k < 0) {
                        sis_finding_note(f, SIS_UNKNOWN, "cannot stat %s: %s", p, audit_strerror(k));
                        return;
                }
                judge(f, p, &st, last && !S_ISLNK(st.mode));
                sis_stat_done(&st);
                if (S_ISLNK(st.mode)) {
                        _cleanup_free_ char *t = NULL, *joined = NULL, *next = NULL;
                        if (++hops > 40 || sis_root_readlink(c->root, p, &t) < 0) {
                                sis_finding_note(f, SIS_UNKNOWN, "cannot follow the symlink %s", p);
                                return;
                        }
                        sis_finding_evidence(f, p, "-> %s", t);
                        /* restart from where the link leads, with the rest of the path */
                        if (t[0] == '/')
                                joined = strdup_printf("%s%s", t, cur + end);
                        else {
                                char *slash = strrchr(p, '/');
                                *slash = '\0';
                                joined = strdup_printf("%s/%s%s", p, t, cur + end);
                        }
                        if (!joined || path_normalize(joined, &next) < 0)
                                return;
                        free(cur);
                        cur = TAKE_PTR(next);
                        at = 1; /* re-walk: the target's parents matter too */
                        continue;
                }
                if (last)
                        return;
                at = end + 1;
        }
}

CHECK_FN(check_jail_chroot_base) {
        bool missing;

        check_owned_path(c, f, c->cfg->chroot_base, &missing);
        if (missing)
                sis_finding_note(f, SIS_WARN, "%s does not exist yet (created at launch)", c->cfg->chroot_base);
        else
                sis_finding_note(f, SIS_PASS, "%s and its parents are root-owned and not writable by others",
                                 c->cfg->chroot_base);
}

/* The binary's path: configured, or the first of the usual places that exists. */
static const char *find_binary(struct audit_ctx *c, const char *configured, const char *name, char **buf) {
        static const char *const dirs[] = { "/usr/local/bin", "/usr/bin", "/usr/sbin" };

        if (configured)
                return configured;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                free(*buf);
                *buf = strdup_printf("%s/%s", dirs[i], name);
                if (*buf && sis_root_exists(c->root, *buf))
                        return *buf;
        }
        free(*buf);
        *buf = strdup_printf("%s/%s", dirs[0], name);
        return *buf;
}

/* A build from a development tree: Firecracker's own version then ends in "-dev" (v1.17.0-dev is
 * some commit on the way to 1.17.0, not the release). */
static bool dev_build(const char *version_output) {
        const char *d = strstr(version_output, "-dev");
        return d && !isalnum((unsigned char) d[4]);
}

/* Returns 1 with the version in v (and *dev for a development build) when the binary is present
 * and sound. */
static int one_binary(struct audit_ctx *c, struct sis_finding *f, const char *path, unsigned v[3], bool *dev) {
        struct sis_stat st;
        json_object *o;
        const char *out;
        int64_t code;
        int k = sis_root_stat(c->root, path, 0, &st);

        if (k == -ENOENT) {
                sis_finding_evidence(f, path, "(missing)");
                sis_finding_note(f, SIS_FAIL, "%s missing", path);
                return 0;
        }
        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot stat %s: %s", path, audit_strerror(k));
                return k;
        }
        sis_finding_evidence(f, path, "mode %04o uid %u gid %u", (unsigned) (st.mode & 07777), (unsigned) st.uid,
                             (unsigned) st.gid);
        sis_stat_done(&st);
        if (!S_ISREG(st.mode)) {
                sis_finding_note(f, SIS_FAIL, "%s is not a regular file", path);
                return 0;
        }
        if (st.uid != 0 || (st.mode & 0022)) {
                sis_finding_note(f, SIS_FAIL, "%s is %s", path,
                                 st.uid != 0 ? "not owned by root" : "writable by non-root users");
                return 0;
        }
        k = probe_exec_version(c, path, &o);
        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "%s --version: %s", path, audit_strerror(k));
                return k;
        }
        out = probe_str(o, "output");
        if (!probe_int(o, "exit", &code) || code != 0 || !out || parse_version(out, v) < 0) {
                sis_finding_note(f, SIS_FAIL, "%s --version failed (%s)", path,
                                 probe_str(o, "error") ? probe_str(o, "error") : "no version printed");
                return 0;
        }
        *dev = dev_build(out);
        sis_finding_evidence(f, "--version", "%s: %u.%u.%u%s", path, v[0], v[1], v[2],
                             *dev ? " (a development build)" : "");
        return 1;
}

CHECK_FN(check_jail_binaries) {
        _cleanup_free_ char *fb = NULL, *jb = NULL;
        const char *fc = find_binary(c, c->cfg->firecracker, "firecracker", &fb);
        const char *jl = find_binary(c, c->cfg->jailer, "jailer", &jb);
        unsigned fv[3], jv[3];
        static const unsigned min[3] = { 1, 5, 0 };
        bool fdev = false, jdev = false;
        int a, b;

        if (c->cfg->qemu) {
                /* sis-launch --backend qemu: one binary, jailed by sis itself */
                if (one_binary(c, f, c->cfg->qemu, fv, &fdev) > 0)
                        sis_finding_note(f, SIS_PASS, "qemu %u.%u.%u, root-owned (jailed by sis-launch)", fv[0], fv[1],
                                         fv[2]);
                return;
        }
        if (!fc || !jl) {
                sis_finding_note(f, SIS_UNKNOWN, "out of memory");
                return;
        }
        a = one_binary(c, f, fc, fv, &fdev);
        b = one_binary(c, f, jl, jv, &jdev);
        if (a <= 0 || b <= 0)
                return;
        /* the jailer execs Firecracker inside the chroot, where no shared library exists: a
         * dynamically linked one (a glibc build) fails there with ENOENT, after everything was set
         * up, and the daemonized jailer's message goes to /dev/null */
        {
                json_object *e = NULL;
                if (probe_elf_interp(c, fc, &e) >= 0) {
                        const char *interp = probe_str(e, "interp"), *err = probe_str(e, "error");
                        sis_finding_evidence(f, "ELF interpreter", "%s: %s", fc,
                                             err              ? err
                                                     : interp ? interp
                                                              : "none (static)");
                        if (err || interp) {
                                sis_finding_note(
                                        f, SIS_FAIL,
                                        "%s %s: it cannot run inside the jailer's chroot (build it statically: "
                                        "musl, or glibc with -C target-feature=+crt-static)",
                                        fc, err ? "is not a 64-bit ELF program" : "is dynamically linked");
                                return;
                        }
                }
        }
        if (version_cmp(fv, jv) != 0 || fdev != jdev)
                sis_finding_note(f, SIS_FAIL, "firecracker %u.%u.%u%s and jailer %u.%u.%u%s differ", fv[0], fv[1],
                                 fv[2], fdev ? "-dev" : "", jv[0], jv[1], jv[2], jdev ? "-dev" : "");
        else if (version_cmp(fv, min) < 0)
                sis_finding_note(f, SIS_WARN, "version %u.%u.%u is older than 1.5", fv[0], fv[1], fv[2]);
        else if (fdev)
                /* not a release: no release notes, no security advisories, no snapshot compatibility */
                sis_finding_note(f, audit_production(c) ? SIS_WARN : SIS_PASS,
                                 "firecracker and jailer %u.%u.%u-dev: a development build, not the %u.%u.%u release%s",
                                 fv[0], fv[1], fv[2], fv[0], fv[1], fv[2],
                                 audit_production(c) ? "" : " (accepted under the development profile)");
        else
                sis_finding_note(f, SIS_PASS, "firecracker and jailer %u.%u.%u, root-owned", fv[0], fv[1], fv[2]);
}

/* Since 6.0 moving a task between cgroups waits for every reader of a per-CPU semaphore, and
 * KVM_CREATE_VM moves its iTLB-multihit recovery thread into the VMM's cgroup: Firecracker's host
 * guide measured the launch latency this adds and asks for favordynmods (or, where the CPU is not
 * affected, kvm.nx_huge_pages=never, which creates no such thread). */
CHECK_FN(check_jail_cgroup_favordynmods) {
        _cleanup_free_ char *nx = NULL;
        const struct mount_entry *m;
        size_t n;
        char **words = NULL;
        bool v2 = false, v2_favor = false;
        const char *arg_v;
        int k = audit_release_cmp(c, 6, 0);

        if (k == -2) {
                sis_finding_note(f, SIS_UNKNOWN, "the kernel release is unknown");
                return;
        }
        if (k < 0) {
                sis_finding_note(f, SIS_SKIP, "kernels before 6.0 let cgroup moves go first: nothing to tune");
                return;
        }
        if (audit_read_opt(c, f, "/sys/module/kvm/parameters/nx_huge_pages", &nx) >= 0 && streq(nx, "never")) {
                sis_finding_note(f, SIS_PASS,
                                 "kvm.nx_huge_pages=never: KVM_CREATE_VM starts no recovery thread to move");
                return;
        }
        k = audit_mounts(c, &m, &n);
        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot read /proc/mounts: %s", audit_strerror(k));
                return;
        }
        for (size_t i = 0; i < n; i++)
                if (streq(m[i].fstype, "cgroup2") && streq(m[i].target, "/sys/fs/cgroup")) {
                        _cleanup_strv_free_ char **opts = NULL;
                        v2 = true;
                        sis_finding_evidence(f, "/proc/mounts", "%s %s %s", m[i].fstype, m[i].target, m[i].options);
                        v2_favor = strv_split(m[i].options, ",", &opts) >= 0 && strv_contains(opts, "favordynmods");
                }
        if (v2 && v2_favor) {
                sis_finding_note(f, SIS_PASS, "cgroup v2 mounted with favordynmods");
                return;
        }
        if (v2) {
                sis_finding_note(f, SIS_WARN,
                                 "cgroup v2 without favordynmods: each VM's KVM_CREATE_VM waits on cgroup "
                                 "readers (mount -o remount,favordynmods /sys/fs/cgroup)");
                return;
        }
        /* cgroup v1 cannot be remounted with it: only the boot parameter, or the build's default */
        if (audit_cmdline(c, &words) >= 0 && (arg_v = cmdline_get(words, "cgroup_favordynmods"))) {
                sis_finding_evidence(f, "/proc/cmdline", "cgroup_favordynmods=%s", arg_v);
                if (streq(arg_v, "true") || streq(arg_v, "1") || streq(arg_v, "y")) {
                        sis_finding_note(f, SIS_PASS, "cgroup v1 with cgroup_favordynmods=%s", arg_v);
                        return;
                }
        } else if (audit_kconfig_set(c, "CGROUP_FAVOR_DYNMODS") > 0) {
                sis_finding_note(f, SIS_PASS, "cgroup v1, built with CONFIG_CGROUP_FAVOR_DYNMODS");
                return;
        }
        sis_finding_note(f, SIS_WARN,
                         "cgroup v1 without favordynmods: each VM's KVM_CREATE_VM waits on cgroup readers "
                         "(boot with cgroup_favordynmods=true)");
}

/* The mount the chroot base lives on: the jailer makes /dev/kvm and /dev/net/tun nodes in each
 * jail (a nodev mount makes them useless); nosuid keeps any setuid file placed in a jail inert;
 * and a jail on the host's root filesystem shares its space and inodes with the host (a hard link
 * from a jail reaches host files, a full jail fills the host's /). */
CHECK_FN(check_jail_chroot_base_mount) {
        const char *base = c->cfg->chroot_base;
        const struct mount_entry *mnt;
        _cleanup_strv_free_ char **opts = NULL;
        struct sis_stat st;
        unsigned bad = 0;
        int k;

        if (!base || base[0] != '/') {
                sis_finding_note(f, SIS_UNKNOWN, "no chroot base to look at");
                return;
        }
        k = sis_root_stat(c->root, base, 0, &st);
        if (k == -ENOENT) {
                sis_finding_note(f, SIS_SKIP, "%s does not exist yet (jail.chroot_base)", base);
                return;
        }
        if (k >= 0)
                sis_stat_done(&st);
        mnt = audit_mount_of(c, base, &k);
        if (!mnt) {
                if (k == -ENOENT)
                        sis_finding_note(f, SIS_UNKNOWN, "no mount in /proc/mounts holds %s", base);
                else
                        sis_finding_note(f, SIS_UNKNOWN, "cannot read /proc/mounts: %s", audit_strerror(k));
                return;
        }
        sis_finding_evidence(f, "/proc/mounts", "%s %s %s", mnt->fstype, mnt->target, mnt->options);
        if (strv_split(mnt->options, ",", &opts) < 0)
                return;
        /* QEMU's jail (sis-launch's own) mounts a /dev of its own: only the jailer's nodes need it */
        if (strv_contains(opts, "nodev") && !c->cfg->qemu) {
                bad++;
                sis_finding_note(f, SIS_FAIL,
                                 "%s is on a nodev mount (%s): the jailer's /dev/kvm and /dev/net/tun "
                                 "nodes cannot be opened there",
                                 base, mnt->target);
        }
        if (!strv_contains(opts, "nosuid")) {
                bad++;
                sis_finding_note(f, SIS_WARN, "%s is on a mount without nosuid (%s)", base, mnt->target);
        }
        if (streq(mnt->target, "/")) {
                bad++;
                sis_finding_note(f, SIS_WARN,
                                 "%s is on the host's root filesystem: jails share its space and inodes "
                                 "(give it a filesystem of its own)",
                                 base);
        }
        if (!bad)
                sis_finding_note(f, SIS_PASS, "%s is on its own mount (%s, %s), nosuid, devices allowed", base,
                                 mnt->target, mnt->fstype);
}
