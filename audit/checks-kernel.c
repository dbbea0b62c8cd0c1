/* SPDX-License-Identifier: MIT */
/* The kernel itself: its release, its command line (mitigations and hardening), its build config,
 * lockdown and the LSMs. */
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
        sis_finding_note(f, SIS_WARN, "kernel %u.%u is not a Firecracker-supported host line (5.10, 6.1, 6.18)", v[0],
                         v[1]);
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
                sis_finding_note(
                        f, SIS_WARN,
                        "SMT is off at runtime but nosmt is not on the command line: it will be back after a reboot");
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
                        sis_finding_note(f, SIS_UNKNOWN,
                                         "the config names no architecture (CONFIG_X86_64 or CONFIG_ARM64)");
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
                        sis_finding_note(f, SIS_UNKNOWN,
                                         "securityfs is not mounted at /sys/kernel/security: the lockdown "
                                         "mode cannot be read");
                else if (lsm == 0)
                        sis_finding_note(f, SIS_WARN,
                                         "the kernel has no lockdown LSM (CONFIG_SECURITY_LOCKDOWN_LSM is not set)");
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
                sis_finding_note(f, SIS_WARN,
                                 "kernel lockdown off: root can change the running kernel (lockdown=integrity "
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
                sis_finding_note(f, SIS_WARN,
                                 "init_on_free is off: freed pages keep a guest's or the VMM's data until reused");
        }
        if (!(cmdline_get(words, "slab_nomerge") ||
              (!cmdline_get(words, "slab_merge") && audit_kconfig_set(c, "SLAB_MERGE_DEFAULT") == 0))) {
                weak++;
                sis_finding_note(f, SIS_WARN,
                                 "slab caches are merged: a heap overflow reaches objects of other types "
                                 "(boot with slab_nomerge)");
        }
        v = cmdline_get(words, "page_alloc.shuffle");
        if (!(v ? streq(v, "1") || streq(v, "y") || streq(v, "Y")
                : sis_root_read_string(c->root, "/sys/module/page_alloc/parameters/shuffle", &shuffle) >= 0 &&
                              streq(shuffle, "Y"))) {
                weak++;
                sis_finding_note(f, SIS_WARN, "the page allocator is not shuffled (page_alloc.shuffle=1)");
        }
        v = cmdline_get(words, "iommu.strict");
        p = cmdline_get(words, "iommu.passthrough");
        if ((p && (streq(p, "1") || streq(p, "on"))) || streq_ptr(cmdline_get(words, "iommu"), "pt") ||
            (v ? streq(v, "0") || streq(v, "off") : audit_kconfig_set(c, "IOMMU_DEFAULT_DMA_STRICT") <= 0)) {
                weak++;
                sis_finding_note(f, SIS_WARN,
                                 "IOMMU translations are not strict: devices keep access to freed DMA buffers "
                                 "for a while (iommu.strict=1, no iommu.passthrough)");
        }
        if (weak == 0)
                sis_finding_note(f, SIS_PASS,
                                 "init_on_free, slab_nomerge, a shuffled page allocator and a strict IOMMU");
}
