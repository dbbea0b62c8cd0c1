/* SPDX-License-Identifier: MIT */
#include "audit.h"
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
static int read_config(struct audit_ctx *c, struct kconfig *ret, char **ret_path, const char **ret_step) {
        _cleanup_free_ char *gz = NULL, *text = NULL, *path = NULL;
        const char *rel;
        size_t len;
        int k;

        *ret_step = "read";
        k = sis_root_read(c->root, "/proc/config.gz", &gz, &len);
        if (k >= 0) {
                path = strdup("/proc/config.gz");
                if (!path)
                        return -ENOMEM;
                k = gunzip_capped(gz, len, 8 * SIS_READ_MAX, &text, &len);
                if (k < 0)
                        *ret_step = "decompress";
        } else if (k == -ENOENT && audit_release(c, &rel) >= 0) {
                path = strdup_printf("/boot/config-%s", rel);
                if (!path)
                        return -ENOMEM;
                k = sis_root_read(c->root, path, &text, &len);
        }
        if (k >= 0) {
                k = kconfig_parse(text, len, ret);
                if (k < 0)
                        *ret_step = "parse";
        }
        *ret_path = TAKE_PTR(path);
        return k;
}

static int load_config(struct audit_ctx *c, struct sis_finding *f, struct kconfig *ret) {
        _cleanup_free_ char *path = NULL;
        const char *step;
        int k = read_config(c, ret, &path, &step);

        if (k == -ENOENT && streq(step, "read"))
                sis_finding_note(f, SIS_WARN, "kernel config not found (/proc/config.gz, /boot/config-<release>)");
        else if (k < 0)
                sis_finding_note(f, SIS_UNKNOWN, "cannot %s %s: %s", step, path ? path : "/proc/config.gz",
                                 audit_strerror(k));
        else
                sis_finding_evidence(f, path, "%zu options set", ret->n);
        return k;
}

CHECK_FN(check_kernel_config) {
        struct kconfig kc = {};
        bool x86, arm64;
        size_t missing = 0;

        if (load_config(c, f, &kc) < 0)
                return;
        x86 = streq_ptr(kconfig_get(&kc, "X86_64"), "y") || streq_ptr(kconfig_get(&kc, "X86"), "y");
        arm64 = streq_ptr(kconfig_get(&kc, "ARM64"), "y");
        if (!x86 && !arm64) {
                /* a config that does not say its architecture: take the CPU's, never skip the rows */
                const struct cpuinfo *ci;
                if (audit_cpuinfo(c, &ci) >= 0 && ci->vendor)
                        x86 = true;
                else {
                        sis_finding_note(f, SIS_UNKNOWN, "the config names no architecture (CONFIG_X86_64 or CONFIG_ARM64)");
                        kconfig_done(&kc);
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
                        const char *v = kconfig_get(&kc, required_config[i].names[j]);
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
        kconfig_done(&kc);
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
        _cleanup_free_ char *path = NULL;
        struct kconfig kc = {};
        const char *step, *rel;
        unsigned v[3];
        bool built = false;
        int k = read_config(c, &kc, &path, &step);

        if (k >= 0) {
                const char *o = kconfig_get(&kc, "IO_URING");
                built = o && (streq(o, "y") || streq(o, "m"));
                if (o)
                        sis_finding_evidence(f, path, "CONFIG_IO_URING=%s", o);
                else
                        sis_finding_evidence(f, path, "CONFIG_IO_URING is not set");
                kconfig_done(&kc);
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
