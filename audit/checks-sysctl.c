/* SPDX-License-Identifier: MIT */
/* The kernel's run-time switches the checks read from /proc/sys: BPF, userfaultfd, io_uring,
 * ptrace and pointer exposure, seccomp, kexec, the BPF JIT and the fs protections. */
#include "check-ctx.h"
#include "util.h"

/* Read an integer sysctl; notes UNKNOWN on garbage. Returns 0, -ENOENT or -errno. */
static int sysctl_int(struct audit_ctx *c, struct sis_finding *f, const char *path, int *ret) {
        _cleanup_free_ char *v = NULL;
        int k = audit_read_opt(c, f, path, &v);

        if (k < 0)
                return k;
        if (safe_atoi(v, ret) < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "unparsable %s: '%s'", path, v);
                return -EBADMSG;
        }
        return 0;
}

CHECK_FN(check_kernel_bpf) {
        int v, k = sysctl_int(c, f, "/proc/sys/kernel/unprivileged_bpf_disabled", &v);

        if (k == -ENOENT)
                sis_finding_note(f, SIS_PASS, "no unprivileged_bpf_disabled sysctl: kernel without the bpf() syscall");
        else if (k < 0)
                return;
        else if (v == 1 || v == 2)
                sis_finding_note(f, SIS_PASS, "unprivileged BPF disabled (%d)", v);
        else if (v == 0)
                sis_finding_note(f, SIS_FAIL, "unprivileged BPF allowed (kernel.unprivileged_bpf_disabled=0)");
        else
                sis_finding_note(f, SIS_UNKNOWN, "unrecognised unprivileged_bpf_disabled value %d", v);
}

CHECK_FN(check_kernel_userfaultfd) {
        int v, k = sysctl_int(c, f, "/proc/sys/vm/unprivileged_userfaultfd", &v);

        if (k == -ENOENT)
                sis_finding_note(f, SIS_WARN,
                                 "no vm.unprivileged_userfaultfd: kernels before 5.2 let anyone use userfaultfd");
        else if (k < 0)
                return;
        else if (v == 0)
                sis_finding_note(f, SIS_PASS, "unprivileged userfaultfd disabled");
        else
                sis_finding_note(f, SIS_WARN, "unprivileged userfaultfd allowed (vm.unprivileged_userfaultfd=%d)", v);
}

/* No kernel.io_uring_disabled: io_uring is either not built, or built into a kernel older than the
 * sysctl (6.6), where nothing but a seccomp filter keeps a process from it. */
static void io_uring_no_sysctl(struct audit_ctx *c, struct sis_finding *f) {
        static const unsigned since_io_uring[3] = { 5, 1, 0 }, since_sysctl[3] = { 6, 6, 0 };
        const struct kconfig *kc;
        const char *step, *rel, *path;
        unsigned v[3];
        bool built = false;
        int k = audit_kconfig(c, &kc, &path, &step);

        if (k >= 0) {
                const char *o = kconfig_get(kc, "IO_URING");
                built = o && (streq(o, "y") || streq(o, "m"));
                if (o)
                        sis_finding_evidence(f, path, "CONFIG_IO_URING=%s", o);
                else
                        sis_finding_evidence(f, path, "CONFIG_IO_URING is not set");
                if (!built) {
                        sis_finding_note(f, SIS_PASS, "io_uring not built (CONFIG_IO_URING is not set in %s)", path);
                        return;
                }
        }
        if (audit_release(c, &rel) < 0 || parse_version(rel, v) < 0) {
                sis_finding_note(f, SIS_UNKNOWN,
                                 "no kernel.io_uring_disabled sysctl, and the kernel release is unknown");
                return;
        }
        sis_finding_evidence(f, "/proc/sys/kernel/osrelease", "%s", rel);
        if (version_cmp(v, since_io_uring) < 0) {
                sis_finding_note(f, SIS_PASS, "kernel %u.%u predates io_uring (5.1)", v[0], v[1]);
                return;
        }
        if (k < 0 && !(k == -ENOENT && streq(step, "read"))) {
                sis_finding_note(f, SIS_UNKNOWN, "no kernel.io_uring_disabled sysctl, and cannot %s %s: %s", step,
                                 path ? path : "/proc/config.gz", audit_strerror(k));
                return;
        }
        if (version_cmp(v, since_sysctl) >= 0) {
                /* 6.6+ registers the sysctl whenever io_uring is built */
                if (built)
                        sis_finding_note(f, SIS_UNKNOWN,
                                         "CONFIG_IO_URING=y but no kernel.io_uring_disabled sysctl on "
                                         "kernel %u.%u",
                                         v[0], v[1]);
                else
                        sis_finding_note(f, SIS_PASS,
                                         "io_uring not built (kernel %u.%u has no kernel.io_uring_disabled "
                                         "sysctl)",
                                         v[0], v[1]);
                return;
        }
        if (built)
                sis_finding_note(f, SIS_WARN,
                                 "io_uring built into kernel %u.%u, which has no kernel.io_uring_disabled "
                                 "(6.6+): only a seccomp filter keeps a process from it",
                                 v[0], v[1]);
        else
                sis_finding_note(f, SIS_WARN,
                                 "kernel %u.%u has no kernel.io_uring_disabled (6.6+) and no config to show "
                                 "io_uring is not built: only a seccomp filter keeps a process from it",
                                 v[0], v[1]);
}

CHECK_FN(check_kernel_io_uring) {
        int v, g, k = sysctl_int(c, f, "/proc/sys/kernel/io_uring_disabled", &v);

        if (k == -ENOENT) {
                io_uring_no_sysctl(c, f);
                return;
        }
        if (k < 0)
                return;
        switch (v) {
        case 2:
                sis_finding_note(f, SIS_PASS, "io_uring disabled for every process (kernel.io_uring_disabled=2)");
                break;
        case 1:
                k = sysctl_int(c, f, "/proc/sys/kernel/io_uring_group", &g);
                if (k == -ENOENT || (k >= 0 && g == -1))
                        sis_finding_note(f, SIS_PASS,
                                         "io_uring limited to CAP_SYS_ADMIN (kernel.io_uring_disabled=1, "
                                         "no io_uring_group)");
                else if (k < 0)
                        break;
                else if ((gid_t) g >= c->cfg->jail_gid_min && (gid_t) g <= c->cfg->jail_gid_max)
                        sis_finding_note(f, SIS_WARN,
                                         "kernel.io_uring_disabled=1, but io_uring_group %u is in the jail "
                                         "gid range %u-%u: jailed VMMs can use io_uring",
                                         (unsigned) g, (unsigned) c->cfg->jail_gid_min,
                                         (unsigned) c->cfg->jail_gid_max);
                else
                        sis_finding_note(f, SIS_PASS,
                                         "io_uring limited to CAP_SYS_ADMIN and group %u "
                                         "(kernel.io_uring_disabled=1)",
                                         (unsigned) g);
                break;
        case 0: sis_finding_note(f, SIS_WARN, "io_uring open to every process (kernel.io_uring_disabled=0)"); break;
        default: sis_finding_note(f, SIS_UNKNOWN, "unrecognised io_uring_disabled value %d", v);
        }
}

CHECK_FN(check_kernel_sysctl) {
        static const struct {
                const char *path, *name;
                int min;
        } want[] = {
                { "/proc/sys/kernel/kptr_restrict", "kernel.kptr_restrict", 1 },
                { "/proc/sys/kernel/dmesg_restrict", "kernel.dmesg_restrict", 1 },
                { "/proc/sys/kernel/perf_event_paranoid", "kernel.perf_event_paranoid", 2 },
                { "/proc/sys/kernel/yama/ptrace_scope", "kernel.yama.ptrace_scope", 1 },
        };
        unsigned met = 0;

        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                int v, k = sysctl_int(c, f, want[i].path, &v);
                if (k == -ENOENT)
                        sis_finding_note(f, SIS_WARN, "%s missing%s", want[i].name,
                                         strstr(want[i].name, "yama") ? " (Yama LSM not enabled)" : "");
                else if (k < 0)
                        continue;
                else if (v < want[i].min)
                        sis_finding_note(f, SIS_WARN, "%s=%d (want >= %d)", want[i].name, v, want[i].min);
                else
                        met++;
        }
        if (met == ELEMENTSOF(want))
                sis_finding_note(f, SIS_PASS, "all %u hardening sysctls met", met);
}

CHECK_FN(check_kernel_seccomp) {
        _cleanup_free_ char *v = NULL;
        _cleanup_strv_free_ char **acts = NULL;
        int k = audit_read_opt(c, f, "/proc/sys/kernel/seccomp/actions_avail", &v);

        if (k == -ENOENT) {
                sis_finding_note(f, SIS_FAIL,
                                 "no seccomp filter support (/proc/sys/kernel/seccomp/actions_avail missing)");
                return;
        }
        if (k < 0)
                return;
        if (strv_split(v, " ", &acts) < 0)
                return;
        if ((strv_contains(acts, "kill_thread") || strv_contains(acts, "kill")) && strv_contains(acts, "errno") &&
            strv_contains(acts, "allow"))
                sis_finding_note(f, SIS_PASS, "seccomp filter actions available");
        else
                sis_finding_note(f, SIS_FAIL, "seccomp filter actions missing (have: %s)", v);
}

/* ENOENT for a sysctl that exists whenever CONFIG_<option> is built: what the config says. */
static void sysctl_absent(struct audit_ctx *c, struct sis_finding *f, const char *sysctl, const char *option,
                          const char *not_built) {
        const char *path;
        int k = audit_kconfig_set(c, option);

        if (k == 0) {
                (void) audit_kconfig(c, &(const struct kconfig *) { NULL }, &path, NULL);
                sis_finding_evidence(f, path, "CONFIG_%s is not set", option);
                sis_finding_note(f, SIS_PASS, "%s (CONFIG_%s is not set)", not_built, option);
        } else if (k > 0)
                sis_finding_note(f, SIS_UNKNOWN, "CONFIG_%s is set, yet there is no %s to read", option, sysctl);
        else
                sis_finding_note(f, SIS_UNKNOWN, "no %s, and no kernel config to show CONFIG_%s is not set", sysctl,
                                 option);
}

CHECK_FN(check_kernel_kexec) {
        int v, k = sysctl_int(c, f, "/proc/sys/kernel/kexec_load_disabled", &v);

        if (k == -ENOENT)
                sysctl_absent(c, f, "kernel.kexec_load_disabled", "KEXEC_CORE", "kexec not built");
        else if (k < 0)
                return;
        else if (v == 1)
                sis_finding_note(f, SIS_PASS, "kexec_load and kexec_file_load disabled until the next boot");
        else
                sis_finding_note(f, SIS_WARN,
                                 "kexec allowed (kernel.kexec_load_disabled=%d): root can boot another kernel "
                                 "without the firmware",
                                 v);
}

CHECK_FN(check_kernel_bpf_jit) {
        int v, k = sysctl_int(c, f, "/proc/sys/net/core/bpf_jit_harden", &v);
        _cleanup_free_ char *unpriv = NULL;

        if (k == -ENOENT) {
                sysctl_absent(c, f, "net.core.bpf_jit_harden", "BPF_JIT", "no BPF JIT");
                return;
        }
        if (k < 0)
                return;
        if (v >= 2)
                sis_finding_note(f, SIS_PASS,
                                 "BPF JIT constant blinding for every program (net.core.bpf_jit_harden=%d)", v);
        else if (v == 1 && audit_read_opt(c, f, "/proc/sys/kernel/unprivileged_bpf_disabled", &unpriv) >= 0 &&
                 !streq(unpriv, "0"))
                sis_finding_note(f, SIS_PASS,
                                 "BPF JIT constant blinding for unprivileged programs, and unprivileged BPF "
                                 "is disabled");
        else if (v == 1)
                sis_finding_note(f, SIS_WARN,
                                 "BPF JIT constant blinding for unprivileged programs only "
                                 "(net.core.bpf_jit_harden=1): 2 blinds every program");
        else
                sis_finding_note(f, SIS_WARN,
                                 "BPF JIT constant blinding off (net.core.bpf_jit_harden=%d): JIT spraying "
                                 "can plant code in the kernel",
                                 v);
}

CHECK_FN(check_kernel_fs_protect) {
        static const struct {
                const char *path, *name;
                int want;
                enum sis_status below;
                bool since_4_19;
        } want[] = {
                { "/proc/sys/fs/protected_symlinks", "fs.protected_symlinks", 1, SIS_FAIL, false },
                { "/proc/sys/fs/protected_hardlinks", "fs.protected_hardlinks", 1, SIS_FAIL, false },
                { "/proc/sys/fs/protected_fifos", "fs.protected_fifos", 1, SIS_WARN, true },
                { "/proc/sys/fs/protected_regular", "fs.protected_regular", 1, SIS_WARN, true },
        };
        unsigned met = 0;
        int dump, k;

        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                int v;
                k = sysctl_int(c, f, want[i].path, &v);
                if (k == -ENOENT && want[i].since_4_19 && audit_release_cmp(c, 4, 19) < 0 &&
                    audit_release_cmp(c, 4, 19) != -2)
                        sis_finding_note(f, SIS_WARN, "%s missing: the kernel predates it (4.19)", want[i].name);
                else if (k == -ENOENT)
                        sis_finding_note(f, SIS_UNKNOWN, "%s missing", want[i].name);
                else if (k < 0)
                        continue;
                else if (v < want[i].want)
                        sis_finding_note(f, want[i].below,
                                         "%s=%d: files in world-writable sticky directories can be "
                                         "turned against root",
                                         want[i].name, v);
                else
                        met++;
        }
        k = sysctl_int(c, f, "/proc/sys/fs/suid_dumpable", &dump);
        if (k == -ENOENT)
                sis_finding_note(f, SIS_UNKNOWN, "fs.suid_dumpable missing");
        else if (k >= 0 && dump == 1)
                sis_finding_note(f, SIS_FAIL, "fs.suid_dumpable=1: setuid programs dump core as the user who ran them");
        else if (k >= 0 && dump == 2)
                sis_finding_note(f, SIS_WARN, "fs.suid_dumpable=2: setuid programs dump core (readable by root only)");
        else if (k >= 0)
                met++;
        if (met == ELEMENTSOF(want) + 1)
                sis_finding_note(f, SIS_PASS,
                                 "symlinks, hardlinks, FIFOs and regular files protected; no setuid core dumps");
}
