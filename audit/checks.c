/* SPDX-License-Identifier: MIT */
/* The check table: every check's metadata in one place, in report order. */
#include <fnmatch.h>

#include "check-ctx.h"

#define FC_PROD "https://github.com/firecracker-microvm/firecracker/blob/main/docs/prod-host-setup.md"
#define FC_JAILER "https://github.com/firecracker-microvm/firecracker/blob/main/docs/jailer.md"
#define FC_SNAP "https://github.com/firecracker-microvm/firecracker/blob/main/docs/snapshotting/snapshot-support.md"
#define KDOC "https://docs.kernel.org/"
#define KHC "https://github.com/a13xp0p0v/kernel-hardening-checker"

/* a hand-laid table, left as it is by clang-format */
/* clang-format off */
static const struct check checks[] = {
        /* cpu */
        { "cpu.smt", "Simultaneous multithreading disabled", "cpu", SIS_SEV_CRITICAL, true,
          "Sibling hyperthreads share L1, TLB and fill buffers; with SMT on, a guest can read another guest's "
          "or the host's data through MDS, L1TF and similar side channels.",
          "Boot with nosmt=force (or mitigations=auto,nosmt), or disable Hyper-Threading in firmware.",
          { FC_PROD, KDOC "admin-guide/hw-vuln/l1tf.html" }, check_cpu_smt, NULL },
        { "cpu.vuln.*", "CPU vulnerability mitigated", "cpu", SIS_SEV_CRITICAL, true,
          "The kernel's own verdict on each known CPU vulnerability; a vulnerable entry is an open channel "
          "between microVMs or between a microVM and the host.",
          "Install current microcode and kernel, and remove any mitigation switch that is off.",
          { KDOC "admin-guide/hw-vuln/index.html", FC_PROD }, check_cpu_vuln, cpu_vuln_instances },
        { "cpu.vuln_coverage", "Vulnerabilities the kernel is too old to know", "cpu", SIS_SEV_CRITICAL, true,
          "A kernel older than a vulnerability has no file for it in vulnerabilities/ and mitigates nothing: the "
          "cpu.vuln.* checks are silent on exactly the hosts most at risk. sis-audit carries the newest kernel's own "
          "tables of which CPUs have which vulnerability (generated from its source) and judges this CPU by them.",
          "Run a kernel that knows every vulnerability this CPU has (Debian: the current stable or backports "
          "kernel), with current microcode.",
          { KDOC "admin-guide/hw-vuln/index.html", "https://github.com/speed47/spectre-meltdown-checker" },
          check_cpu_vuln_coverage, NULL },
        { "cpu.microcode", "CPU microcode consistent and current", "cpu", SIS_SEV_HIGH, true,
          "Mitigations rely on microcode; CPUs on different revisions or an outdated revision leave some "
          "mitigations inactive.",
          "Install intel-microcode or amd64-microcode (apt-get install intel-microcode) and reboot; "
          "update firmware if revisions still differ.",
          { KDOC "admin-guide/hw-vuln/old_microcode.html" }, check_cpu_microcode, NULL },
        { "cpu.tsc", "Invariant TSC", "cpu", SIS_SEV_HIGH, true,
          "Without constant_tsc and nonstop_tsc the guest clock drifts and snapshots cannot be restored safely.",
          "Run on a CPU with an invariant TSC (constant_tsc and nonstop_tsc flags); enable it in firmware.",
          { FC_SNAP }, check_cpu_tsc, NULL },
        { "cpu.tsc_freq", "TSC frequency known to KVM", "cpu", SIS_SEV_MEDIUM, false,
          "Firecracker reads the TSC frequency to keep guest time right across snapshot restore; before 1.5 it "
          "fails InstanceStart on Intel hosts whose brand string has no frequency.",
          "Use Firecracker 1.5 or newer; fix an unstable TSC (check dmesg for 'TSC unstable').",
          { FC_SNAP }, check_cpu_tsc_freq, NULL },
        { "cpu.clocksource", "TSC clocksource", "cpu", SIS_SEV_LOW, false,
          "A non-TSC clocksource adds latency to every clock read and hints at an unstable TSC.",
          "Boot with clocksource=tsc tsc=reliable only after confirming the TSC is invariant.",
          { KDOC "virt/kvm/x86/timekeeping.html" }, check_cpu_clocksource, NULL },
        { "cpu.governor", "CPU frequency governor", "cpu", SIS_SEV_LOW, false,
          "Power-saving governors add latency jitter to vCPUs.",
          "cpupower frequency-set -g performance (and persist it, e.g. with the cpufrequtils package).",
          { FC_PROD }, check_cpu_governor, NULL },
        /* memory */
        { "mem.ksm", "Kernel samepage merging off", "memory", SIS_SEV_CRITICAL, true,
          "KSM merges identical pages across VMs, which opens page-deduplication side channels between them.",
          "echo 2 > /sys/kernel/mm/ksm/run (unmerge and stop), and disable ksmtuned if installed.",
          { FC_PROD }, check_mem_ksm, NULL },
        { "mem.swap", "No plaintext swap", "memory", SIS_SEV_HIGH, true,
          "Guest memory swapped to an unencrypted device persists on disk after the VM is gone.",
          "swapoff -a and remove swap from /etc/fstab, or put swap on dm-crypt with a random key or on zram.",
          { FC_PROD }, check_mem_swap, NULL },
        { "mem.ecc", "ECC memory", "memory", SIS_SEV_MEDIUM, false,
          "Without ECC, Rowhammer bit flips from one guest can corrupt another's memory undetected.",
          "Use ECC memory and load the EDAC driver for the memory controller.",
          { FC_PROD, KDOC "driver-api/edac.html" }, check_mem_ecc, NULL },
        /* kvm */
        { "kvm.device", "/dev/kvm present", "kvm", SIS_SEV_CRITICAL, true,
          "Firecracker needs the KVM character device (10:232).",
          "Enable virtualization in firmware and load kvm_intel or kvm_amd (modprobe kvm_intel).",
          { FC_PROD }, check_kvm_device, NULL },
        { "kvm.access", "/dev/kvm access limited to jail users", "kvm", SIS_SEV_HIGH, true,
          "Whoever can open /dev/kvm can create VMs, so other users must not; jail users must, through the "
          "node the jailer creates in each chroot (which a nodev mount makes unusable) or a group/ACL grant.",
          "chmod 0660 /dev/kvm with owner root:kvm (persist with a udev rule: KERNEL==\"kvm\", GROUP=\"kvm\", "
          "MODE=\"0660\"), and keep the jailer chroot base on a mount without nodev.",
          { FC_JAILER }, check_kvm_access, NULL },
        { "kvm.api", "KVM API and capabilities", "kvm", SIS_SEV_CRITICAL, true,
          "Firecracker needs KVM API 12 and a fixed set of capabilities, and must be able to create a VM.",
          "Use a Firecracker-supported host kernel (5.10, 6.1) with kvm_intel or kvm_amd; stop any other "
          "hypervisor that holds VT-x/AMD-V (EBUSY).",
          { FC_PROD }, check_kvm_api, NULL },
        { "kvm.module", "KVM vendor module", "kvm", SIS_SEV_HIGH, true,
          "The hardware vendor module (kvm_intel or kvm_amd) is what Firecracker's isolation is tested against.",
          "modprobe kvm_intel (Intel) or modprobe kvm_amd (AMD); enable VT-x/AMD-V in firmware.",
          { FC_PROD }, check_kvm_module, NULL },
        { "kvm.ept", "Intel EPT enabled", "kvm", SIS_SEV_HIGH, true,
          "With ept=N, KVM uses shadow paging, which had guest-triggerable host bugs (CVE-2022-1789) and is slow.",
          "Remove kvm_intel ept=0 from /etc/modprobe.d and reload kvm_intel (or reboot).",
          { "https://nvd.nist.gov/vuln/detail/CVE-2022-1789" }, check_kvm_ept, NULL },
        { "kvm.nx_huge_pages", "KVM iTLB multihit mitigation", "kvm", SIS_SEV_HIGH, true,
          "On CPUs affected by iTLB multihit a guest can machine-check the host unless KVM splits huge pages.",
          "Boot with kvm.nx_huge_pages=force on affected CPUs (auto is the default); on unaffected CPUs "
          "kvm.nx_huge_pages=never avoids the KVM_CREATE_VM slowdown.",
          { KDOC "admin-guide/hw-vuln/multihit.html" }, check_kvm_nx_huge_pages, NULL },
        { "kvm.nested", "Nested virtualization off", "kvm", SIS_SEV_MEDIUM, false,
          "Nested virtualization exposes a large, historically buggy part of KVM to guests.",
          "echo 'options kvm_intel nested=0' > /etc/modprobe.d/sis-kvm.conf (kvm_amd on AMD) and reload the module.",
          { FC_PROD }, check_kvm_nested, NULL },
        { "kvm.l1d_flush", "L1D flush on VM entry", "kvm", SIS_SEV_HIGH, true,
          "On L1TF-affected CPUs, the L1 data cache must be flushed on every VM entry or a guest can read host data.",
          "Boot with kvm-intel.vmentry_l1d_flush=always (or l1tf=full,force).",
          { KDOC "admin-guide/hw-vuln/l1tf.html" }, check_kvm_l1d_flush, NULL },
        /* kernel */
        { "kernel.version", "Host kernel version", "kernel", SIS_SEV_HIGH, true,
          "Firecracker supports specific host kernel lines; older kernels lack mitigations and KVM fixes.",
          "Run a Firecracker-supported host kernel: 5.10, 6.1 or 6.18.",
          { "https://github.com/firecracker-microvm/firecracker/blob/main/docs/kernel-policy.md" }, check_kernel_version,
          NULL },
        { "kernel.cmdline", "No mitigation switched off on the command line", "kernel", SIS_SEV_CRITICAL, true,
          "Boot parameters such as mitigations=off silently disable protections the other checks rely on.",
          "Remove the listed parameters from GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub, reboot.",
          { KDOC "admin-guide/kernel-parameters.html" }, check_kernel_cmdline, NULL },
        { "kernel.config", "Kernel built with mitigations and isolation", "kernel", SIS_SEV_HIGH, false,
          "Mitigations and the jailer's isolation need the kernel to have been built with them.",
          "Use a distribution kernel or enable the listed options and rebuild.",
          { "https://github.com/a13xp0p0v/kernel-hardening-checker" }, check_kernel_config, NULL },
        { "kernel.bpf", "Unprivileged BPF disabled", "kernel", SIS_SEV_HIGH, true,
          "Unprivileged eBPF is a Spectre gadget factory and a frequent privilege-escalation vector.",
          "sysctl -w kernel.unprivileged_bpf_disabled=1 and persist it in /etc/sysctl.d/.",
          { KDOC "admin-guide/sysctl/kernel.html" }, check_kernel_bpf, NULL },
        { "kernel.userfaultfd", "Unprivileged userfaultfd disabled", "kernel", SIS_SEV_LOW, false,
          "userfaultfd lets unprivileged code stall the kernel at chosen points, widening race windows in exploits.",
          "sysctl -w vm.unprivileged_userfaultfd=0 and persist it in /etc/sysctl.d/.",
          { KDOC "admin-guide/sysctl/vm.html" }, check_kernel_userfaultfd, NULL },
        { "kernel.io_uring", "io_uring disabled or restricted", "kernel", SIS_SEV_MEDIUM, false,
          "io_uring is a large kernel interface any process can reach, and seccomp filters cannot see the operations "
          "a ring performs; 60% of the exploits submitted to Google's kCTF VRP in the year to June 2023 used it, and "
          "Google turned it off on ChromeOS, for Android apps and on its production servers. Kernels before 6.6 have "
          "no sysctl to turn it off.",
          "sysctl -w kernel.io_uring_disabled=2 and persist it in /etc/sysctl.d/ (or 1, with kernel.io_uring_group "
          "a group no VM uid is in). Before 6.6 there is no such sysctl: upgrade the kernel or build it without "
          "CONFIG_IO_URING; until then only a seccomp filter that refuses io_uring_* shields the host (Firecracker's "
          "default filter allows them, for its Async block engine). sis-launch's VMMs do not need io_uring (its "
          "Firecracker drives use io_engine Sync).",
          { KDOC "admin-guide/sysctl/kernel.html#io-uring-disabled",
            "https://security.googleblog.com/2023/06/learnings-from-kctf-vrps-42-linux.html",
            "https://github.com/moby/moby/pull/46762",
            "https://github.com/firecracker-microvm/firecracker/blob/main/resources/seccomp/x86_64-unknown-linux-musl.json" },
          check_kernel_io_uring, NULL },
        { "kernel.sysctl", "Hardening sysctls", "kernel", SIS_SEV_MEDIUM, false,
          "Kernel pointer and log restrictions, perf and ptrace limits make host exploitation harder.",
          "In /etc/sysctl.d/90-sis.conf: kernel.kptr_restrict=1, kernel.dmesg_restrict=1, "
          "kernel.perf_event_paranoid=2, kernel.yama.ptrace_scope=1; then sysctl --system.",
          { KDOC "admin-guide/sysctl/kernel.html" }, check_kernel_sysctl, NULL },
        { "kernel.seccomp", "seccomp filters available", "kernel", SIS_SEV_CRITICAL, true,
          "Firecracker confines every thread with seccomp filters; without them it runs unconfined.",
          "Use a kernel built with CONFIG_SECCOMP_FILTER=y.",
          { FC_PROD }, check_kernel_seccomp, NULL },
        { "kernel.kexec", "kexec disabled", "kernel", SIS_SEV_MEDIUM, false,
          "kexec boots another kernel without the firmware: whoever gets root on the host (out of a VMM, say) can "
          "replace the kernel the audit checked, and stay.",
          "sysctl -w kernel.kexec_load_disabled=1 late in boot (it cannot be turned back on), persisted in "
          "/etc/sysctl.d/; or build the kernel without CONFIG_KEXEC and CONFIG_KEXEC_FILE.",
          { KDOC "admin-guide/sysctl/kernel.html#kexec-load-disabled", KHC }, check_kernel_kexec, NULL },
        { "kernel.bpf_jit", "BPF JIT hardened", "kernel", SIS_SEV_MEDIUM, false,
          "Without constant blinding, the BPF JIT writes attacker-chosen constants into executable kernel memory "
          "(JIT spraying), a step in many kernel exploits.",
          "sysctl -w net.core.bpf_jit_harden=2 and persist it in /etc/sysctl.d/.",
          { KDOC "admin-guide/sysctl/net.html#bpf-jit-harden", KHC }, check_kernel_bpf_jit, NULL },
        { "kernel.fs_protect", "Link, FIFO and core-dump protections", "kernel", SIS_SEV_MEDIUM, false,
          "Root works in directories others can write (jails, run directories, /tmp): with the protections off, a "
          "planted symlink, hard link, FIFO or file turns root's own file operations against the host; setuid core "
          "dumps leak secrets.",
          "In /etc/sysctl.d/90-sis.conf: fs.protected_symlinks=1, fs.protected_hardlinks=1, fs.protected_fifos=2, "
          "fs.protected_regular=2, fs.suid_dumpable=0; then sysctl --system.",
          { KDOC "admin-guide/sysctl/fs.html", KHC }, check_kernel_fs_protect, NULL },
        { "kernel.lockdown", "Kernel lockdown", "kernel", SIS_SEV_LOW, false,
          "Lockdown keeps even root from changing the running kernel (/dev/mem, unsigned modules, kprobes writing "
          "memory, hibernation images), so a compromise of root does not become a compromise of the kernel.",
          "Boot with lockdown=integrity (with a kernel built with CONFIG_SECURITY_LOCKDOWN_LSM; Secure Boot enables "
          "it on many distributions).",
          { "https://man7.org/linux/man-pages/man7/kernel_lockdown.7.html", KHC }, check_kernel_lockdown, NULL },
        { "kernel.cmdline_hardening", "Memory hardening on the command line", "kernel", SIS_SEV_LOW, false,
          "Freed memory that is not cleared keeps a guest's data; merged slab caches and an unshuffled page "
          "allocator make heap exploits reliable; a lazy IOMMU leaves devices access to freed DMA buffers.",
          "Add init_on_free=1 slab_nomerge page_alloc.shuffle=1 iommu.strict=1 to GRUB_CMDLINE_LINUX, update-grub, "
          "reboot (init_on_free costs a few percent of memory bandwidth).",
          { KDOC "admin-guide/kernel-parameters.html", KHC }, check_kernel_cmdline_hardening, NULL },
        /* platform */
        { "platform.nested", "Bare-metal host", "platform", SIS_SEV_HIGH, true,
          "Under an outer hypervisor, isolation also rests on that hypervisor, which this audit cannot inspect.",
          "Run production microVMs on bare-metal hosts (e.g. *.metal instances).",
          { FC_PROD }, check_platform_nested, NULL },
        { "platform.iommu", "IOMMU active", "platform", SIS_SEV_MEDIUM, false,
          "Without an IOMMU any device that can master DMA (a NIC with compromised firmware, anything on "
          "Thunderbolt) reads and writes every guest's memory.",
          "Enable VT-d or AMD-Vi in firmware and boot with intel_iommu=on (Intel) or amd_iommu=on (AMD).",
          { KDOC "arch/x86/iommu.html", KHC }, check_platform_iommu, NULL },
        /* host */
        { "host.lsm", "Mandatory access control confines the VMMs", "host", SIS_SEV_MEDIUM, false,
          "Seccomp and the jail are the VMM's first walls; an AppArmor profile (or SELinux policy) is the next, and "
          "the one that still holds when a VMM runs outside sis-launch's jail.",
          "Enable AppArmor (apparmor=1 security=apparmor, Debian's default) and load an enforcing profile for "
          "firecracker, the jailer and QEMU (libvirt's apparmor profiles are a starting point), or run SELinux "
          "enforcing.",
          { "https://gitlab.com/apparmor/apparmor/-/wikis/home", "https://cisofy.com/lynis/controls/MACF-6208/" }, check_host_lsm,
          NULL },
        { "host.timesync", "Clock synchronised", "host", SIS_SEV_MEDIUM, false,
          "A restored guest takes its time from the host (clock_realtime, the RTC): a host clock that drifts "
          "unsynchronised makes guests refuse TLS certificates and makes logs disagree.",
          "Run chrony, systemd-timesyncd or ntpd against trusted servers (apt-get install chrony) and check "
          "chronyc tracking.",
          { "https://www.cisecurity.org/benchmark/debian_linux", FC_SNAP }, check_host_timesync, NULL },
        /* jail */
        { "jail.cgroups", "cgroup controllers for the jailer", "jail", SIS_SEV_HIGH, true,
          "The jailer limits each microVM with the cpu, cpuset, memory and pids controllers.",
          "Boot with systemd.unified_cgroup_hierarchy=1 and enable the controllers in cgroup.subtree_control.",
          { FC_JAILER }, check_jail_cgroups, NULL },
        { "jail.namespaces", "Namespaces for the jailer", "jail", SIS_SEV_CRITICAL, true,
          "The jailer isolates each microVM in its own mount, PID, network, IPC and UTS namespaces.",
          "Use a kernel with CONFIG_NAMESPACES and the individual namespace options enabled.",
          { FC_JAILER }, check_jail_namespaces, NULL },
        { "jail.tun", "TUN device", "jail", SIS_SEV_HIGH, true,
          "Each microVM's network is a TAP device created through /dev/net/tun.",
          "modprobe tun (and add tun to /etc/modules-load.d/), or build the kernel with CONFIG_TUN=y.",
          { FC_PROD }, check_jail_tun, NULL },
        { "jail.chroot_base", "Jailer chroot base directory", "jail", SIS_SEV_HIGH, true,
          "If anyone but root can write the chroot base or a parent, they can swap a microVM's kernel or disks.",
          "chown root:root the directory and each parent, and chmod go-w them.",
          { FC_JAILER }, check_jail_chroot_base, NULL },
        { "jail.binaries", "Firecracker and jailer binaries", "jail", SIS_SEV_HIGH, true,
          "Firecracker and the jailer must be present, root-owned, not writable by others and of the same "
          "supported release.",
          "Install matching firecracker and jailer (>= 1.5) from the same release, owned by root, mode 0755.",
          { FC_JAILER }, check_jail_binaries, NULL },
        { "jail.cgroup_favordynmods", "cgroup moves favoured (favordynmods)", "jail", SIS_SEV_LOW, false,
          "From 6.0 a task moving between cgroups waits for every reader, and KVM_CREATE_VM moves its iTLB-multihit "
          "recovery thread into the VMM's cgroup: each VM start stalls, as Firecracker's host guide measured.",
          "cgroup v2: mount -o remount,favordynmods /sys/fs/cgroup (and in fstab); cgroup v1: boot with "
          "cgroup_favordynmods=true. On CPUs not affected by iTLB multihit, kvm.nx_huge_pages=never also works.",
          { FC_PROD }, check_jail_cgroup_favordynmods, NULL },
        { "jail.chroot_base_mount", "The jails' filesystem", "jail", SIS_SEV_MEDIUM, false,
          "The jailer makes /dev/kvm and /dev/net/tun nodes in each jail, which a nodev mount makes useless; nosuid "
          "keeps any setuid file in a jail inert; and jails on the host's root filesystem share its space and "
          "inodes with the host.",
          "Give the chroot base a filesystem of its own, mounted nosuid and without nodev (e.g. /srv/jailer on its "
          "own ext4 or tmpfs: defaults,nosuid,noexec is not possible for Firecracker's exec).",
          { FC_JAILER, FC_PROD }, check_jail_chroot_base_mount, NULL },
        /* vm: the microVMs sis-launch started, as they run */
        { "vm.*", "Running microVM confined", "vm", SIS_SEV_CRITICAL, true,
          "A VMM that runs as root, without its seccomp filter, without no_new_privs, with speculative store "
          "bypass enabled, or in the host's namespaces or cgroup leaves its guest one bug away from the host.",
          "Start microVMs only with sis-launch (the jailer drops to the VM's uid and Firecracker installs its "
          "filters); never pass --no-seccomp; stop and clean a VMM this check fails.",
          { FC_JAILER, FC_PROD }, check_vm_runtime, vm_instances },
};
/* clang-format on */

bool check_id_known(const char *id) {
        /* decided at launch time, not by the audit, but waivable in the same policy file */
        static const char *const launch_checks[] = { "snapshot.vmgenid" };
        for (size_t i = 0; i < ELEMENTSOF(launch_checks); i++)
                if (streq(id, launch_checks[i]))
                        return true;
        for (size_t i = 0; i < ELEMENTSOF(checks); i++) {
                size_t l = strlen(checks[i].id);
                if (streq(checks[i].id, id) || fnmatch(id, checks[i].id, 0) == 0)
                        return true;
                if (checks[i].instances && strncmp(id, checks[i].id, l - 1) == 0 && id[l - 1])
                        return true; /* "cpu.vuln.<file>": any file name may exist on some host */
        }
        return false;
}

bool check_pattern_known(const char *pattern) {
        char *const one[] = { (char *) pattern, NULL };

        for (size_t i = 0; i < ELEMENTSOF(checks); i++) {
                if (check_selected(checks[i].id, checks[i].category, one) || fnmatch(checks[i].id, pattern, 0) == 0)
                        return true;
                if (checks[i].instances && strncmp(pattern, checks[i].id, strlen(checks[i].id) - 2) == 0)
                        return true;
        }
        return false;
}

const struct check *check_table(size_t *ret_n) {
        *ret_n = ELEMENTSOF(checks);
        return checks;
}
