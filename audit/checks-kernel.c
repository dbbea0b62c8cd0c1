/* SPDX-License-Identifier: MIT */
#include "check-ctx.h"
#include "util.h"

CHECK_FN(check_kernel_version) {
        static const unsigned supported[][2] = { { 5, 10 }, { 6, 1 }, { 6, 18 } };
        const char *rel;
        unsigned v[3];
        int k = audit_release(c, &rel);

        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot read /proc/sys/kernel/osrelease: %s", audit_strerror(k));
                return;
        }
        sis_finding_evidence(f, "/proc/sys/kernel/osrelease", "%s", rel);
        if (parse_version(rel, v) < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "unparsable kernel release '%s'", rel);
                return;
        }
        if (v[0] < 5 || (v[0] == 5 && v[1] < 10)) {
                sis_finding_note(f, SIS_FAIL, "kernel %u.%u is older than 5.10", v[0], v[1]);
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(supported); i++)
                if (v[0] == supported[i][0] && v[1] == supported[i][1]) {
                        sis_finding_note(f, SIS_PASS, "kernel %u.%u is a Firecracker-supported host line", v[0], v[1]);
                        return;
                }
        sis_finding_note(f, SIS_WARN, "kernel %u.%u is not a Firecracker-supported host line (5.10, 6.1, 6.18)", v[0], v[1]);
}

/* Parameters that switch a protection off: key, and the values that do (NULL: the bare word). */
static const struct {
        const char *key;
        const char *bad[3];
} weakening[] = {
        { "mitigations", { "off" } },
        { "nopti", { NULL } },
        { "pti", { "off" } },
        { "kpti", { "0", "off" } },
        { "nospectre_v1", { NULL } },
        { "nospectre_v2", { NULL } },
        { "nospectre_bhb", { NULL } },
        { "spectre_v2", { "off" } },
        { "spectre_v2_user", { "off" } },
        { "spectre_bhi", { "off" } },
        { "nospec_store_bypass_disable", { NULL } },
        { "spec_store_bypass_disable", { "off" } },
        { "ssbd", { "force-off" } },
        { "l1tf", { "off" } },
        { "mds", { "off" } },
        { "tsx_async_abort", { "off" } },
        { "mmio_stale_data", { "off" } },
        { "retbleed", { "off" } },
        { "spec_rstack_overflow", { "off" } },
        { "srso", { "off" } },
        { "gather_data_sampling", { "off" } },
        { "reg_file_data_sampling", { "off" } },
        { "indirect_target_selection", { "off" } },
        { "srbds", { "off" } },
        { "tsa", { "off" } },
        { "vmscape", { "off" } },
        { "kvm.nx_huge_pages", { "off" } },
        { "kvm-intel.vmentry_l1d_flush", { "never" } },
        { "nosmap", { NULL } },
        { "nosmep", { NULL } },
        { "nokaslr", { NULL } },
};

/* mitigations=auto,… attack-vector controls (6.17+) that drop protections a VM host needs. */
static const char *const weak_vectors[] = { "no_user_kernel", "no_user_user", "no_guest_host", "no_guest_guest",
                                            "no_cross_thread" };

CHECK_FN(check_kernel_cmdline) {
        char **words;
        const char *how, *m;
        int k = audit_cmdline(c, &words);

        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot read /proc/cmdline: %s", audit_strerror(k));
                return;
        }
        sis_finding_evidence(f, "/proc/cmdline", "%s", c->cmdline_raw);
        for (size_t i = 0; i < ELEMENTSOF(weakening); i++) {
                const char *v = cmdline_get(words, weakening[i].key);
                if (!v)
                        continue;
                for (size_t j = 0; j < ELEMENTSOF(weakening[i].bad); j++) {
                        const char *b = weakening[i].bad[j];
                        if (j > 0 && !b)
                                break;
                        if ((!b && !*v) || (b && streq(v, b))) {
                                if (*v)
                                        sis_finding_note(f, SIS_FAIL, "%s=%s", weakening[i].key, v);
                                else
                                        sis_finding_note(f, SIS_FAIL, "%s", weakening[i].key);
                        }
                }
        }
        if ((m = cmdline_get(words, "mitigations"))) {
                _cleanup_strv_free_ char **opts = NULL;
                if (strv_split(m, ",", &opts) >= 0)
                        for (size_t i = 0; i < ELEMENTSOF(weak_vectors); i++)
                                if (strv_contains(opts, weak_vectors[i]))
                                        sis_finding_note(f, SIS_FAIL, "mitigations=…,%s", weak_vectors[i]);
        }
        if (audit_smt(c, &how) == 0 && how && streq(how, "smt/control=off") && !cmdline_get(words, "nosmt") &&
            !(m && strstr(m, "nosmt")))
                sis_finding_note(f, SIS_WARN, "SMT is off at runtime but nosmt is not on the command line: it will be back after a reboot");
        sis_finding_note(f, SIS_PASS, "no parameter switches a mitigation off");
}

/* Options the host kernel must have: alternatives in one row (old and new names). */
static const struct {
        const char *names[3];
        const char *why;
        bool x86_only;
        unsigned since[2]; /* the option exists from this kernel on */
} required_config[] = {
        { { "CPU_MITIGATIONS", "SPECULATION_MITIGATIONS" }, "CPU mitigations", true, { 6, 0 } },
        { { "MITIGATION_PAGE_TABLE_ISOLATION", "PAGE_TABLE_ISOLATION" }, "PTI (Meltdown)", true },
        { { "MITIGATION_RETPOLINE", "RETPOLINE" }, "retpolines (Spectre v2)", true },
        { { "UNMAP_KERNEL_AT_EL0" }, "KPTI (Meltdown, arm64)", false },
        { { "SECCOMP" }, "seccomp", false },
        { { "SECCOMP_FILTER" }, "seccomp filters", false },
        { { "KVM" }, "KVM", false },
        { { "CGROUPS" }, "cgroups", false },
        { { "MEMCG" }, "memory controller", false },
        { { "CGROUP_PIDS" }, "pids controller", false },
        { { "CPUSETS" }, "cpuset controller", false },
        { { "NAMESPACES" }, "namespaces", false },
        { { "PID_NS" }, "PID namespaces", false },
        { { "NET_NS" }, "network namespaces", false },
        { { "UTS_NS" }, "UTS namespaces", false },
        { { "IPC_NS" }, "IPC namespaces", false },
};

/* The kernel's config: /proc/config.gz, else /boot/config-<release>. Notes nothing. Returns 0,
 * -ENOENT when neither exists, or -errno with *ret_step naming what failed ("read", "decompress",
 * "parse"); *ret_path is the file read or tried (NULL when /proc/config.gz could not be read). */
static int load_config(struct audit_ctx *c, struct sis_finding *f, const struct kconfig **ret) {
        const char *step, *path;
        int k = audit_kconfig(c, ret, &path, &step);

        if (k == -ENOENT && streq(step, "read"))
                sis_finding_note(f, SIS_WARN, "kernel config not found (/proc/config.gz, /boot/config-<release>)");
        else if (k < 0)
                sis_finding_note(f, SIS_UNKNOWN, "cannot %s %s: %s", step, path ? path : "/proc/config.gz",
                                 audit_strerror(k));
        else
                sis_finding_evidence(f, path, "%zu options set", (*ret)->n);
        return k;
}

CHECK_FN(check_kernel_config) {
        const struct kconfig *kc;
        bool x86, arm64;
        size_t missing = 0;

        if (load_config(c, f, &kc) < 0)
                return;
        x86 = streq_ptr(kconfig_get(kc, "X86_64"), "y") || streq_ptr(kconfig_get(kc, "X86"), "y");
        arm64 = streq_ptr(kconfig_get(kc, "ARM64"), "y");
        if (!x86 && !arm64) {
                /* a config that does not say its architecture: take the CPU's, never skip the rows */
                const struct cpuinfo *ci;
                if (audit_cpuinfo(c, &ci) >= 0 && ci->vendor)
                        x86 = true;
                else {
                        sis_finding_note(f, SIS_UNKNOWN, "the config names no architecture (CONFIG_X86_64 or CONFIG_ARM64)");
                        return;
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(required_config); i++) {
                bool found = false;
                if (required_config[i].x86_only && !x86)
                        continue;
                if (required_config[i].since[0]) {
                        const char *rel;
                        unsigned v[3], since[3] = { required_config[i].since[0], required_config[i].since[1], 0 };
                        if (audit_release(c, &rel) >= 0 && parse_version(rel, v) >= 0 && version_cmp(v, since) < 0)
                                continue;
                }
                if (!required_config[i].x86_only && streq(required_config[i].names[0], "UNMAP_KERNEL_AT_EL0") && !arm64)
                        continue;
                for (size_t j = 0; j < ELEMENTSOF(required_config[i].names) && required_config[i].names[j]; j++) {
                        const char *v = kconfig_get(kc, required_config[i].names[j]);
                        if (v && (streq(v, "y") || streq(v, "m")))
                                found = true;
                }
                if (!found) {
                        missing++;
                        sis_finding_evidence(f, "CONFIG_", "%s is not set", required_config[i].names[0]);
                        sis_finding_note(f, SIS_FAIL, "CONFIG_%s not set (%s)", required_config[i].names[0],
                                         required_config[i].why);
                }
        }
        if (missing == 0)
                sis_finding_note(f, SIS_PASS, "mitigation and isolation options set");
}

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
                sis_finding_note(f, SIS_WARN, "no vm.unprivileged_userfaultfd: kernels before 5.2 let anyone use userfaultfd");
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
                sis_finding_note(f, SIS_UNKNOWN, "no kernel.io_uring_disabled sysctl, and the kernel release is unknown");
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
                        sis_finding_note(f, SIS_UNKNOWN, "CONFIG_IO_URING=y but no kernel.io_uring_disabled sysctl on "
                                         "kernel %u.%u", v[0], v[1]);
                else
                        sis_finding_note(f, SIS_PASS, "io_uring not built (kernel %u.%u has no kernel.io_uring_disabled "
                                         "sysctl)", v[0], v[1]);
                return;
        }
        if (built)
                sis_finding_note(f, SIS_WARN, "io_uring built into kernel %u.%u, which has no kernel.io_uring_disabled "
                                 "(6.6+): only a seccomp filter keeps a process from it", v[0], v[1]);
        else
                sis_finding_note(f, SIS_WARN, "kernel %u.%u has no kernel.io_uring_disabled (6.6+) and no config to show "
                                 "io_uring is not built: only a seccomp filter keeps a process from it", v[0], v[1]);
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
                        sis_finding_note(f, SIS_PASS, "io_uring limited to CAP_SYS_ADMIN (kernel.io_uring_disabled=1, "
                                         "no io_uring_group)");
                else if (k < 0)
                        break;
                else if ((gid_t) g >= c->cfg->jail_gid_min && (gid_t) g <= c->cfg->jail_gid_max)
                        sis_finding_note(f, SIS_WARN, "kernel.io_uring_disabled=1, but io_uring_group %u is in the jail "
                                         "gid range %u-%u: jailed VMMs can use io_uring", (unsigned) g,
                                         (unsigned) c->cfg->jail_gid_min, (unsigned) c->cfg->jail_gid_max);
                else
                        sis_finding_note(f, SIS_PASS, "io_uring limited to CAP_SYS_ADMIN and group %u "
                                         "(kernel.io_uring_disabled=1)", (unsigned) g);
                break;
        case 0:
                sis_finding_note(f, SIS_WARN, "io_uring open to every process (kernel.io_uring_disabled=0)");
                break;
        default:
                sis_finding_note(f, SIS_UNKNOWN, "unrecognised io_uring_disabled value %d", v);
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
                sis_finding_note(f, SIS_FAIL, "no seccomp filter support (/proc/sys/kernel/seccomp/actions_avail missing)");
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
static void sysctl_absent(struct audit_ctx *c, struct sis_finding *f, const char *sysctl, const char *option, const char *not_built) {
        const char *path;
        int k = audit_kconfig_set(c, option);

        if (k == 0) {
                (void) audit_kconfig(c, &(const struct kconfig *) { NULL }, &path, NULL);
                sis_finding_evidence(f, path, "CONFIG_%s is not set", option);
                sis_finding_note(f, SIS_PASS, "%s (CONFIG_%s is not set)", not_built, option);
        } else if (k > 0)
                sis_finding_note(f, SIS_UNKNOWN, "CONFIG_%s is set, yet there is no %s to read", option, sysctl);
        else
                sis_finding_note(f, SIS_UNKNOWN, "no %s, and no kernel config to show CONFIG_%s is not set", sysctl, option);
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
                sis_finding_note(f, SIS_WARN, "kexec allowed (kernel.kexec_load_disabled=%d): root can boot another kernel "
                                 "without the firmware", v);
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
                sis_finding_note(f, SIS_PASS, "BPF JIT constant blinding for every program (net.core.bpf_jit_harden=%d)", v);
        else if (v == 1 && audit_read_opt(c, f, "/proc/sys/kernel/unprivileged_bpf_disabled", &unpriv) >= 0 &&
                 !streq(unpriv, "0"))
                sis_finding_note(f, SIS_PASS, "BPF JIT constant blinding for unprivileged programs, and unprivileged BPF "
                                 "is disabled");
        else if (v == 1)
                sis_finding_note(f, SIS_WARN, "BPF JIT constant blinding for unprivileged programs only "
                                 "(net.core.bpf_jit_harden=1): 2 blinds every program");
        else
                sis_finding_note(f, SIS_WARN, "BPF JIT constant blinding off (net.core.bpf_jit_harden=%d): JIT spraying "
                                 "can plant code in the kernel", v);
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
                if (k == -ENOENT && want[i].since_4_19 && audit_release_cmp(c, 4, 19) < 0 && audit_release_cmp(c, 4, 19) != -2)
                        sis_finding_note(f, SIS_WARN, "%s missing: the kernel predates it (4.19)", want[i].name);
                else if (k == -ENOENT)
                        sis_finding_note(f, SIS_UNKNOWN, "%s missing", want[i].name);
                else if (k < 0)
                        continue;
                else if (v < want[i].want)
                        sis_finding_note(f, want[i].below, "%s=%d: files in world-writable sticky directories can be "
                                         "turned against root", want[i].name, v);
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
                sis_finding_note(f, SIS_PASS, "symlinks, hardlinks, FIFOs and regular files protected; no setuid core dumps");
}

/* Is securityfs mounted at /sys/kernel/security? 1, 0, or -errno. */
static int securityfs_mounted(struct audit_ctx *c) {
        const struct mount_entry *m;
        size_t n;
        int k = audit_mounts(c, &m, &n);

        if (k < 0)
                return k;
        for (size_t i = 0; i < n; i++)
                if (streq(m[i].fstype, "securityfs") && streq(m[i].target, "/sys/kernel/security"))
                        return 1;
        return 0;
}

CHECK_FN(check_kernel_lockdown) {
        _cleanup_free_ char *v = NULL;
        int k = audit_read_opt(c, f, "/sys/kernel/security/lockdown", &v);
        const char *open_, *close_;

        if (k == -ENOENT) {
                int lsm = audit_kconfig_set(c, "SECURITY_LOCKDOWN_LSM");
                if (securityfs_mounted(c) == 0)
                        sis_finding_note(f, SIS_UNKNOWN, "securityfs is not mounted at /sys/kernel/security: the lockdown "
                                         "mode cannot be read");
                else if (lsm == 0)
                        sis_finding_note(f, SIS_WARN, "the kernel has no lockdown LSM (CONFIG_SECURITY_LOCKDOWN_LSM is not set)");
                else
                        sis_finding_note(f, SIS_WARN, "lockdown is not active (no /sys/kernel/security/lockdown)");
                return;
        }
        if (k < 0)
                return;
        /* "none [integrity] confidentiality": the mode in brackets */
        open_ = strchr(v, '[');
        close_ = open_ ? strchr(open_, ']') : NULL;
        if (!close_) {
                sis_finding_note(f, SIS_UNKNOWN, "unparsable lockdown state '%s'", v);
                return;
        }
        if (startswith(open_ + 1, "integrity]") || startswith(open_ + 1, "confidentiality]"))
                sis_finding_note(f, SIS_PASS, "kernel lockdown: %.*s", (int) (close_ - open_ - 1), open_ + 1);
        else if (startswith(open_ + 1, "none]"))
                sis_finding_note(f, SIS_WARN, "kernel lockdown off: root can change the running kernel (lockdown=integrity "
                                 "stops it)");
        else
                sis_finding_note(f, SIS_UNKNOWN, "unrecognised lockdown mode in '%s'", v);
}

CHECK_FN(check_kernel_cmdline_hardening) {
        char **words;
        const char *v, *p;
        _cleanup_free_ char *shuffle = NULL;
        unsigned weak = 0;
        int k = audit_cmdline(c, &words);

        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot read /proc/cmdline: %s", audit_strerror(k));
                return;
        }
        sis_finding_evidence(f, "/proc/cmdline", "%s", c->cmdline_raw);
        /* each: the command line first, the build's default after */
        v = cmdline_get(words, "init_on_free");
        if (!(v ? streq(v, "1") || streq(v, "on") : audit_kconfig_set(c, "INIT_ON_FREE_DEFAULT_ON") > 0)) {
                weak++;
                sis_finding_note(f, SIS_WARN, "init_on_free is off: freed pages keep a guest's or the VMM's data until reused");
        }
        if (!(cmdline_get(words, "slab_nomerge") || (!cmdline_get(words, "slab_merge") && audit_kconfig_set(c, "SLAB_MERGE_DEFAULT") == 0))) {
                weak++;
                sis_finding_note(f, SIS_WARN, "slab caches are merged: a heap overflow reaches objects of other types "
                                 "(boot with slab_nomerge)");
        }
        v = cmdline_get(words, "page_alloc.shuffle");
        if (!(v ? streq(v, "1") || streq(v, "y") || streq(v, "Y")
                : sis_root_read_string(c->root, "/sys/module/page_alloc/parameters/shuffle", &shuffle) >= 0 && streq(shuffle, "Y"))) {
                weak++;
                sis_finding_note(f, SIS_WARN, "the page allocator is not shuffled (page_alloc.shuffle=1)");
        }
        v = cmdline_get(words, "iommu.strict");
        p = cmdline_get(words, "iommu.passthrough");
        if ((p && (streq(p, "1") || streq(p, "on"))) || streq_ptr(cmdline_get(words, "iommu"), "pt") ||
            (v ? streq(v, "0") || streq(v, "off") : audit_kconfig_set(c, "IOMMU_DEFAULT_DMA_STRICT") <= 0)) {
                weak++;
                sis_finding_note(f, SIS_WARN, "IOMMU translations are not strict: devices keep access to freed DMA buffers "
                                 "for a while (iommu.strict=1, no iommu.passthrough)");
        }
        if (weak == 0)
                sis_finding_note(f, SIS_PASS, "init_on_free, slab_nomerge, a shuffled page allocator and a strict IOMMU");
}
