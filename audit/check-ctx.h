/* SPDX-License-Identifier: MIT */
#pragma once
/* The checks' header: the context they share, its readers, the probes, and the check functions
 * the table in checks.c names. What the audit's users see is in audit.h. */
#include <stdbool.h>

#include "audit.h"
#include "parse.h"

/* What the checks share: the root, the configuration, and files parsed once per run. */
struct audit_ctx {
        struct sis_root *root;
        const struct audit_config *cfg;

        int cpuinfo_r; /* 1 not loaded yet, 0 ok, -errno */
        struct cpuinfo cpuinfo;
        int cmdline_r;
        char **cmdline;
        char *cmdline_raw;
        int smt_r;
        int smt_on; /* 1 on, 0 off, -1 unknown */
        char *smt_how;
        int release_r;
        char *release;
        struct kmod_ctx *kmod;
        int kmod_r;
        int mounts_r;
        struct mount_entry *mounts;
        size_t n_mounts;
        int kconfig_r;
        struct kconfig kconfig;
        char *kconfig_path;
        const char *kconfig_step;
};

int audit_ctx_init(struct audit_ctx *c, struct sis_root *root, const struct audit_config *cfg);
void audit_ctx_done(struct audit_ctx *c);
int audit_cpuinfo(struct audit_ctx *c, const struct cpuinfo **ret);
int audit_cmdline(struct audit_ctx *c, char ***ret);
/* SMT: 1 on, 0 off, -1 unknown; how says where it came from. */
int audit_smt(struct audit_ctx *c, const char **ret_how);
int audit_release(struct audit_ctx *c, const char **ret);
/* The host kernel's build config, /proc/config.gz or /boot/config-<release>, parsed once: 0, or
 * -errno with *ret_step the step that failed ("read", "decompress", "parse"); *ret_path (may be
 * NULL) the file it came from or was looked for. */
int audit_kconfig(struct audit_ctx *c, const struct kconfig **ret, const char **ret_path, const char **ret_step);
/* /proc/mounts, parsed once: 0, or -errno. */
int audit_mounts(struct audit_ctx *c, const struct mount_entry **ret, size_t *ret_n);
/* The mount that holds path: the last (top) of the longest mount points containing it; NULL with
 * *ret_error -errno when /proc/mounts cannot be read, -ENOENT when no mount holds it. */
const struct mount_entry *audit_mount_of(struct audit_ctx *c, const char *path, int *ret_error);
/* "y" or "m" for CONFIG_<name> in the host's config: 1 set, 0 not set, -errno no config. */
int audit_kconfig_set(struct audit_ctx *c, const char *name);
/* Kernel release as major.minor.patch compared with since: <0, 0, >0; -2 unknown. */
int audit_release_cmp(struct audit_ctx *c, unsigned major, unsigned minor);
bool audit_production(const struct audit_ctx *c);
/* libkmod on the root's module directory and modprobe.d (NULL with -errno when unavailable). */
int audit_kmod(struct audit_ctx *c, struct kmod_ctx **ret);

/* Read a file for a check: records the evidence (path + raw value) and on failure notes UNKNOWN
 * with the reason. Returns 0 or -errno; *ret is the stripped content. */
int audit_read(struct audit_ctx *c, struct sis_finding *f, const char *path, char **ret);
/* Same, but absence (ENOENT) is not noted: the caller decides what it means. */
int audit_read_opt(struct audit_ctx *c, struct sis_finding *f, const char *path, char **ret);
/* The same two on a formatted path. */
int audit_readf(struct audit_ctx *c, struct sis_finding *f, char **ret, const char *fmt, ...) _printf_(4, 5);
int audit_readf_opt(struct audit_ctx *c, struct sis_finding *f, char **ret, const char *fmt, ...) _printf_(4, 5);
/* A human reason for a read error (for UNKNOWN summaries). */
const char *audit_strerror(int err);

/* Run the selected checks (only: NULL for all) into a report dated now; audit_session() is
 * this with the policy and the date applied. */
int audit_run(struct sis_root *root, const struct audit_config *cfg, char *const *only, struct sis_report **ret);

/* Probes (audit/probes.c): live-only answers as JSON, via sis_root_probe(). */
int probe_kvm(struct audit_ctx *c, json_object **ret);
int probe_cpuid(struct audit_ctx *c, json_object **ret);
int probe_exec_version(struct audit_ctx *c, const char *binary, json_object **ret);
/* {"error": null or an errno name, "interp": the ELF program interpreter, null when static} */
int probe_elf_interp(struct audit_ctx *c, const char *binary, json_object **ret);
int probe_udev(struct audit_ctx *c, const char *subsystem, const char *sysname, json_object **ret);
/* adjtimex(2) read-only (modes 0): {"state": TIME_* , "status": STA_* bits, "maxerror": us, "esterror": us} */
int probe_adjtimex(struct audit_ctx *c, json_object **ret);
/* Helpers to read probe answers. */
const char *probe_str(json_object *o, const char *key);
bool probe_int(json_object *o, const char *key, int64_t *ret);

/* The checks, by area. */
#define CHECK_FN(name) void name(struct audit_ctx *c, struct sis_finding *f, const char *arg)
CHECK_FN(check_cpu_smt);
CHECK_FN(check_cpu_vuln);
int cpu_vuln_instances(struct audit_ctx *c, char ***ret);
CHECK_FN(check_cpu_vuln_coverage);
CHECK_FN(check_cpu_microcode);
CHECK_FN(check_cpu_tsc);
CHECK_FN(check_cpu_tsc_freq);
CHECK_FN(check_cpu_clocksource);
CHECK_FN(check_cpu_governor);
CHECK_FN(check_mem_ksm);
CHECK_FN(check_mem_swap);
CHECK_FN(check_mem_ecc);
CHECK_FN(check_kvm_device);
CHECK_FN(check_kvm_access);
CHECK_FN(check_kvm_api);
CHECK_FN(check_kvm_module);
CHECK_FN(check_kvm_ept);
CHECK_FN(check_kvm_nx_huge_pages);
CHECK_FN(check_kvm_nested);
CHECK_FN(check_kvm_l1d_flush);
CHECK_FN(check_kernel_version);
CHECK_FN(check_kernel_cmdline);
CHECK_FN(check_kernel_config);
CHECK_FN(check_kernel_bpf);
CHECK_FN(check_kernel_userfaultfd);
CHECK_FN(check_kernel_io_uring);
CHECK_FN(check_kernel_sysctl);
CHECK_FN(check_kernel_seccomp);
CHECK_FN(check_kernel_kexec);
CHECK_FN(check_kernel_bpf_jit);
CHECK_FN(check_kernel_fs_protect);
CHECK_FN(check_kernel_lockdown);
CHECK_FN(check_kernel_cmdline_hardening);
CHECK_FN(check_platform_iommu);
CHECK_FN(check_host_lsm);
CHECK_FN(check_host_timesync);
CHECK_FN(check_jail_cgroup_favordynmods);
CHECK_FN(check_jail_chroot_base_mount);
CHECK_FN(check_platform_nested);
CHECK_FN(check_jail_cgroups);
CHECK_FN(check_jail_namespaces);
CHECK_FN(check_jail_tun);
CHECK_FN(check_jail_chroot_base);
CHECK_FN(check_jail_binaries);
CHECK_FN(check_vm_runtime);
int vm_instances(struct audit_ctx *c, char ***ret);
