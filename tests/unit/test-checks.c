/* SPDX-License-Identifier: MIT */
/* Every check's PASS and FAIL path (and WARN/SKIP/UNKNOWN where it has them), each on a minimal
 * synthetic root holding only what that check reads. One file: the cases are one table, a row per
 * check and outcome, read top to bottom beside the check table it covers. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "check-ctx.h"
#include "helpers.h"
#include "policy.h"

struct tcase {
        const char *id;
        enum sis_status want;
        bool development;
        const struct tfile *files;
        const char *summary; /* when set, the summary must contain it */
};

#define F(...) ((const struct tfile[]) { __VA_ARGS__, {} })
/* a hand-laid table, left as it is by clang-format */
/* clang-format off */
#define META(...) { "/" SIS_DUMP_META, "{\"sis_dump\":1," __VA_ARGS__ "}" }
#define VULN(name, text) { "/sys/devices/system/cpu/vulnerabilities/" name, text "\n" }
#define SMT(control, active) { "/sys/devices/system/cpu/smt/control", control "\n" }, \
                             { "/sys/devices/system/cpu/smt/active", active "\n" }
#define KVM_CHR(mode, uid, gid) "\"/dev/kvm\":{\"type\":\"chr\",\"mode\":\"" mode "\",\"uid\":" uid ",\"gid\":" gid ",\"rdev\":\"10:232\""
#define CPUINFO(vendor, flags) { "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: " vendor "\nmodel name\t: Test CPU\n" \
                                                  "siblings\t: 1\ncpu cores\t: 1\nflags\t\t: " flags "\n\n" }
#define ALL_EXT "\"extensions\":{\"IRQCHIP\":1,\"IOEVENTFD\":1,\"IRQFD\":1,\"USER_MEMORY\":1,\"SET_TSS_ADDR\":1,\"PIT2\":1," \
                "\"PIT_STATE2\":1,\"ADJUST_CLOCK\":1,\"DEBUGREGS\":1,\"MP_STATE\":1,\"VCPU_EVENTS\":1,\"XCRS\":1,\"XSAVE\":1,\"EXT_CPUID\":1}"
#define SWAPS_HDR "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
#define SYSCTLS(kptr, dmesg, perf, ptrace) { "/proc/sys/kernel/kptr_restrict", kptr "\n" }, \
        { "/proc/sys/kernel/dmesg_restrict", dmesg "\n" }, { "/proc/sys/kernel/perf_event_paranoid", perf "\n" }, \
        { "/proc/sys/kernel/yama/ptrace_scope", ptrace "\n" }
#define IOU(v) { "/proc/sys/kernel/io_uring_disabled", v "\n" }
#define NS { "/proc/self/ns/mnt", "->mnt:[1]" }, { "/proc/self/ns/pid", "->pid:[2]" }, { "/proc/self/ns/net", "->net:[3]" }, \
           { "/proc/self/ns/ipc", "->ipc:[4]" }
#define GOODCFG "CONFIG_X86_64=y\nCONFIG_CPU_MITIGATIONS=y\nCONFIG_MITIGATION_PAGE_TABLE_ISOLATION=y\n" \
        "CONFIG_MITIGATION_RETPOLINE=y\nCONFIG_SECCOMP=y\nCONFIG_SECCOMP_FILTER=y\nCONFIG_KVM=m\nCONFIG_CGROUPS=y\n" \
        "CONFIG_MEMCG=y\nCONFIG_CGROUP_PIDS=y\nCONFIG_CPUSETS=y\nCONFIG_NAMESPACES=y\nCONFIG_PID_NS=y\nCONFIG_NET_NS=y\n" \
        "CONFIG_UTS_NS=y\nCONFIG_IPC_NS=y\n"
#define BINS(fmode, jmode, fv, jv) META("\"stat\":{\"/usr/local/bin/firecracker\":{\"type\":\"reg\",\"mode\":\"" fmode "\",\"uid\":0,\"gid\":0}," \
        "\"/usr/local/bin/jailer\":{\"type\":\"reg\",\"mode\":\"" jmode "\",\"uid\":0,\"gid\":0}}," \
        "\"probes\":{\"exec:/usr/local/bin/firecracker --version\":{\"exit\":0,\"error\":null,\"output\":\"Firecracker v" fv "\\n\"}," \
        "\"exec:/usr/local/bin/jailer --version\":{\"exit\":0,\"error\":null,\"output\":\"Jailer v" jv "\\n\"}}")

/* the same, with the ELF probe of firecracker recorded: interp is a JSON value */
#define BINS_ELF(interp) META("\"stat\":{\"/usr/local/bin/firecracker\":{\"type\":\"reg\",\"mode\":\"0755\",\"uid\":0,\"gid\":0}," \
        "\"/usr/local/bin/jailer\":{\"type\":\"reg\",\"mode\":\"0755\",\"uid\":0,\"gid\":0}}," \
        "\"probes\":{\"exec:/usr/local/bin/firecracker --version\":{\"exit\":0,\"error\":null,\"output\":\"Firecracker v1.16.1\\n\"}," \
        "\"exec:/usr/local/bin/jailer --version\":{\"exit\":0,\"error\":null,\"output\":\"Jailer v1.16.1\\n\"}," \
        "\"elf:/usr/local/bin/firecracker\":" interp "}")

/* a VM started by sis-launch: its state, and its VMM's /proc entries */
#define VMSTAT(start) "4242 (firecracker) S 1 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 3 0 " start " 1000000 100\n"
#define VM(name, uid, seccomp, nnp, ssb, mntns, cg) \
        { "/run/sis/vms/" name "/state.json", "{\"pid\": 4242, \"pid_starttime\": 1000}" }, \
        { "/proc/4242/stat", VMSTAT("1000") }, \
        { "/proc/4242/status", "Name:\tfirecracker\nUid:\t" uid "\t" uid "\t" uid "\t" uid "\nNoNewPrivs:\t" nnp "\nSeccomp:\t" seccomp \
                               "\nSpeculation_Store_Bypass:\t" ssb "\n" }, \
        { "/proc/4242/ns/mnt", "->mnt:[" mntns "]" }, { "/proc/4242/ns/pid", "->pid:[4026532002]" }, \
        { "/proc/4242/ns/net", "->net:[4026532003]" }, { "/proc/1/ns/mnt", "->mnt:[4026531841]" }, \
        { "/proc/1/ns/pid", "->pid:[4026531836]" }, { "/proc/1/ns/net", "->net:[4026531840]" }, \
        { "/proc/4242/cgroup", cg "\n" }

static const struct tcase cases[] = {
        /* cpu.smt */
        { "cpu.smt", SIS_PASS, 0, F(SMT("forceoff", "0")) },
        { "cpu.smt", SIS_PASS, 0, F(SMT("notsupported", "0")) },
        { "cpu.smt", SIS_PASS, 0, F(SMT("off", "0")) },
        { "cpu.smt", SIS_FAIL, 0, F(SMT("on", "1")) },
        { "cpu.smt", SIS_FAIL, 0, F(SMT("off", "1")) },
        { "cpu.smt", SIS_UNKNOWN, 0, F(SMT("sideways", "0")) },
        { "cpu.smt", SIS_FAIL, 0, F({ "/proc/cpuinfo", "processor : 0\nsiblings : 2\ncpu cores : 1\n" }) },
        { "cpu.smt", SIS_PASS, 0, F({ "/proc/cpuinfo", "processor : 0\nsiblings : 4\ncpu cores : 4\n" }) },
        { "cpu.smt", SIS_UNKNOWN, 0, F({ "/proc/cpuinfo", "processor : 0\n" }) },
        { "cpu.smt", SIS_UNKNOWN, 0, F({ "/etc/empty", "" }) },
        /* cpu.vuln.* (the full string table is in test-vuln) */
        { "cpu.vuln.mds", SIS_PASS, 0, F(VULN("mds", "Not affected")) },
        { "cpu.vuln.mds", SIS_FAIL, 0, F(SMT("on", "1"), VULN("mds", "Mitigation: Clear CPU buffers; SMT vulnerable")) },
        { "cpu.vuln.mds", SIS_WARN, 0, F(SMT("off", "0"), VULN("mds", "Mitigation: Clear CPU buffers; SMT vulnerable")) },
        { "cpu.vuln.l1tf", SIS_FAIL, 0, F(SMT("forceoff", "0"), VULN("l1tf", "Mitigation: PTE Inversion; VMX: conditional cache flushes, SMT disabled")) },
        { "cpu.vuln.l1tf", SIS_WARN, 1, F(SMT("forceoff", "0"), VULN("l1tf", "Mitigation: PTE Inversion; VMX: conditional cache flushes, SMT disabled")) },
        { "cpu.vuln.brand_new", SIS_UNKNOWN, 0, F(VULN("brand_new", "Something nobody has seen")) },
        { "cpu.vuln.brand_new", SIS_FAIL, 0, F(VULN("brand_new", "Vulnerable: no fix")) },
        { "cpu.vuln.mds", SIS_UNKNOWN, 0, F(VULN("mds", "\x01\x02garbage")) },
        { "cpu.vuln.mds", SIS_UNKNOWN, 0, F(VULN("mds", "")) },
        { "cpu.vuln", SIS_UNKNOWN, 0, F({ "/proc/cpuinfo", "processor : 0\n" }) },
        /* cpu.microcode */
        { "cpu.microcode", SIS_PASS, 0, F({ "/sys/devices/system/cpu/cpu0/microcode/version", "0xb4\n" },
                                          { "/sys/devices/system/cpu/cpu1/microcode/version", "0xb4\n" }) },
        { "cpu.microcode", SIS_FAIL, 0, F({ "/sys/devices/system/cpu/cpu0/microcode/version", "0xb4\n" },
                                          { "/sys/devices/system/cpu/cpu1/microcode/version", "0xb2\n" }) },
        { "cpu.microcode", SIS_FAIL, 0, F({ "/sys/devices/system/cpu/cpu0/microcode/version", "0xb4\n" },
                                          VULN("old_microcode", "Vulnerable")) },
        { "cpu.microcode", SIS_WARN, 0, F({ "/sys/devices/system/cpu/cpu0/online", "1\n" }) },
        { "cpu.microcode", SIS_FAIL, 0, F({ "/proc/cpuinfo", "processor : 0\nmicrocode : 0x1\n\nprocessor : 1\nmicrocode : 0x2\n" }) },
        /* a garbled revision is not a revision: found by tests/garbage.sh, a random value PASSed */
        { "cpu.microcode", SIS_UNKNOWN, 0, F({ "/sys/devices/system/cpu/cpu0/microcode/version", "/X Mg\xff\n" }) },
        { "cpu.microcode", SIS_UNKNOWN, 0, F({ "/sys/devices/system/cpu/cpu0/microcode/version", "0xb4\n" },
                                             { "/sys/devices/system/cpu/cpu1/microcode/version", "0xzz\n" }) },
        { "cpu.microcode", SIS_UNKNOWN, 0, F({ "/proc/cpuinfo", "processor : 0\nmicrocode : 12345\n" }) },
        /* cpu.tsc */
        { "cpu.tsc", SIS_PASS, 0, F(CPUINFO("GenuineIntel", "fpu tsc constant_tsc nonstop_tsc")) },
        { "cpu.tsc", SIS_FAIL, 0, F(CPUINFO("GenuineIntel", "fpu tsc constant_tsc")) },
        { "cpu.tsc", SIS_UNKNOWN, 0, F({ "/etc/x", "" }) },
        /* cpu.tsc_freq */
        { "cpu.tsc_freq", SIS_PASS, 0, F(CPUINFO("AuthenticAMD", "tsc"), META("\"probes\":{\"kvm\":{\"tsc_khz\":2100000}}")) },
        { "cpu.tsc_freq", SIS_FAIL, 0, F(CPUINFO("AuthenticAMD", "tsc"), META("\"probes\":{\"kvm\":{\"tsc_khz\":null,\"tsc_khz_error\":\"EIO\"}}")) },
        { "cpu.tsc_freq", SIS_WARN, 0, F(CPUINFO("GenuineIntel", "tsc")) },
        { "cpu.tsc_freq", SIS_PASS, 0, F(CPUINFO("GenuineIntel", "tsc tsc_known_freq")) },
        /* cpu.clocksource */
        { "cpu.clocksource", SIS_PASS, 0, F({ "/sys/devices/system/clocksource/clocksource0/current_clocksource", "tsc\n" }) },
        { "cpu.clocksource", SIS_WARN, 0, F({ "/sys/devices/system/clocksource/clocksource0/current_clocksource", "hpet\n" }) },
        { "cpu.clocksource", SIS_UNKNOWN, 0, F({ "/etc/x", "" }) },
        /* cpu.governor */
        { "cpu.governor", SIS_PASS, 0, F({ "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "performance\n" }) },
        { "cpu.governor", SIS_PASS, 0, F({ "/sys/devices/system/cpu/cpu0/online", "1\n" }) },
        { "cpu.governor", SIS_WARN, 0, F({ "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "performance\n" },
                                         { "/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor", "powersave\n" }) },
        /* mem.ksm */
        { "mem.ksm", SIS_PASS, 0, F({ "/sys/kernel/mm/ksm/run", "0\n" }) },
        { "mem.ksm", SIS_PASS, 0, F({ "/sys/kernel/mm/ksm/run", "2\n" }) },
        { "mem.ksm", SIS_PASS, 0, F({ "/etc/x", "" }) },
        { "mem.ksm", SIS_FAIL, 0, F({ "/sys/kernel/mm/ksm/run", "1\n" }) },
        { "mem.ksm", SIS_UNKNOWN, 0, F({ "/sys/kernel/mm/ksm/run", "yes\n" }) },
        /* mem.swap */
        { "mem.swap", SIS_PASS, 0, F({ "/proc/swaps", SWAPS_HDR }) },
        { "mem.swap", SIS_FAIL, 0, F({ "/proc/swaps", SWAPS_HDR "/dev/sda3 partition 100 0 -2\n" }) },
        { "mem.swap", SIS_PASS, 0, F({ "/proc/swaps", SWAPS_HDR "/dev/zram0 partition 100 0 100\n" }) },
        { "mem.swap", SIS_WARN, 0, F({ "/proc/swaps", SWAPS_HDR "/swapfile file 100 0 -2\n" }) },
        { "mem.swap", SIS_PASS, 0, F({ "/proc/swaps", SWAPS_HDR "/dev/mapper/cswap partition 100 0 -2\n" },
                                     { "/dev/mapper/cswap", "->../dm-1" }, { "/sys/block/dm-1/dm/uuid", "CRYPT-PLAIN-cswap\n" }) },
        /* LVM over dm-crypt: encrypted; LVM over a plain disk: not */
        { "mem.swap", SIS_PASS, 0, F({ "/proc/swaps", SWAPS_HDR "/dev/dm-2 partition 100 0 -2\n" },
                                     { "/sys/block/dm-2/dm/uuid", "LVM-abc\n" }, { "/sys/block/dm-2/slaves/dm-0", NULL },
                                     { "/sys/block/dm-0/dm/uuid", "CRYPT-LUKS2-abc-root\n" }) },
        { "mem.swap", SIS_FAIL, 0, F({ "/proc/swaps", SWAPS_HDR "/dev/dm-2 partition 100 0 -2\n" },
                                     { "/sys/block/dm-2/dm/uuid", "LVM-abc\n" }, { "/sys/block/dm-2/slaves/sda2", NULL }) },
        { "mem.swap", SIS_UNKNOWN, 0, F({ "/proc/swaps", "garbage\n" }) },
        /* mem.ecc */
        { "mem.ecc", SIS_PASS, 0, F({ "/sys/devices/system/edac/mc/mc0/dimm0/dimm_edac_mode", "SECDED\n" },
                                    { "/sys/devices/system/edac/mc/mc0/dimm1/dimm_edac_mode", "S4ECD4ED\n" }) },
        { "mem.ecc", SIS_FAIL, 0, F({ "/sys/devices/system/edac/mc/mc0/dimm0/dimm_edac_mode", "SECDED\n" },
                                    { "/sys/devices/system/edac/mc/mc0/dimm1/dimm_edac_mode", "None\n" }) },
        { "mem.ecc", SIS_WARN, 0, F({ "/etc/x", "" }) },
        { "mem.ecc", SIS_WARN, 0, F({ "/sys/devices/system/edac/mc/mc0/mc_name", "x\n" }) },
        /* kvm.device */
        { "kvm.device", SIS_PASS, 0, F(META("\"stat\":{" KVM_CHR("0660", "0", "36") "}}")) },
        { "kvm.device", SIS_FAIL, 0, F({ "/etc/x", "" }) },
        { "kvm.device", SIS_FAIL, 0, F({ "/dev/kvm", "a regular file" }) },
        { "kvm.device", SIS_FAIL, 0, F(META("\"stat\":{" KVM_CHR("0660", "0", "36") "}},\"probes\":{\"udev:misc/kvm\":{\"error\":\"ENODEV\"}}")) },
        /* kvm.access */
        { "kvm.access", SIS_PASS, 0, F(META("\"stat\":{" KVM_CHR("0660", "0", "10000") "}}")) },
        { "kvm.access", SIS_PASS, 0, F(META("\"stat\":{" KVM_CHR("0600", "0", "0") ",\"acl\":\"u::rw-,g::---,g:10500:rw-,m::rw-,o::---\"}}")) },
        { "kvm.access", SIS_FAIL, 0, F(META("\"stat\":{" KVM_CHR("0600", "0", "0") ",\"acl\":\"u::rw-,g::---,g:10500:rw-,m::---,o::---\"}}"),
                                       { "/proc/mounts", "/dev/sda1 / ext4 rw,nodev 0 0\n" }) },
        { "kvm.access", SIS_PASS, 0, F(META("\"stat\":{" KVM_CHR("0660", "0", "993") "}}")) },
        { "kvm.access", SIS_FAIL, 0, F(META("\"stat\":{" KVM_CHR("0660", "0", "993") "}}"),
                                       { "/proc/mounts", "/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /srv ext4 rw,nodev 0 0\n" }) },
        { "kvm.access", SIS_WARN, 0, F(META("\"stat\":{" KVM_CHR("0666", "0", "0") "}}")) },
        { "kvm.access", SIS_SKIP, 0, F({ "/etc/x", "" }) },
        /* kvm.api */
        { "kvm.api", SIS_PASS, 0, F(META("\"probes\":{\"kvm\":{\"open_error\":null,\"api_version\":12," ALL_EXT ",\"create_vm_error\":null}}")) },
        { "kvm.api", SIS_FAIL, 0, F(META("\"probes\":{\"kvm\":{\"api_version\":12," ALL_EXT ",\"create_vm_error\":\"EBUSY\"}}")) },
        { "kvm.api", SIS_FAIL, 0, F(META("\"probes\":{\"kvm\":{\"api_version\":12,\"extensions\":{\"IRQCHIP\":1},\"create_vm_error\":null}}")) },
        { "kvm.api", SIS_FAIL, 0, F(META("\"probes\":{\"kvm\":{\"api_version\":11," ALL_EXT "}}")) },
        { "kvm.api", SIS_FAIL, 0, F(META("\"probes\":{\"kvm\":{\"open_error\":\"ENOENT\"}}")) },
        { "kvm.api", SIS_UNKNOWN, 0, F(META("\"probes\":{\"kvm\":{\"open_error\":\"EACCES\"}}")) },
        { "kvm.api", SIS_UNKNOWN, 0, F(META("\"probes\":{}")) },
        { "kvm.api", SIS_UNKNOWN, 0, F({ "/etc/x", "" }) },
        /* kvm.module */
        { "kvm.module", SIS_PASS, 0, F(CPUINFO("GenuineIntel", "vmx"), { "/sys/module/kvm_intel/initstate", "live\n" }, { "/sys/module/kvm", NULL }) },
        { "kvm.module", SIS_WARN, 0, F(CPUINFO("AuthenticAMD", "svm"), { "/sys/module/kvm_pvm/initstate", "live\n" }) },
        { "kvm.module", SIS_FAIL, 0, F(CPUINFO("GenuineIntel", "vmx"), { "/sys/module/tun", NULL }) },
        /* kvm.ept */
        { "kvm.ept", SIS_PASS, 0, F({ "/sys/module/kvm_intel/parameters/ept", "Y\n" }) },
        { "kvm.ept", SIS_FAIL, 0, F({ "/sys/module/kvm_intel/parameters/ept", "N\n" }) },
        { "kvm.ept", SIS_FAIL, 0, F({ "/sys/module/kvm_amd/parameters/npt", "0\n" }) },
        { "kvm.ept", SIS_SKIP, 0, F({ "/sys/module/tun", NULL }) },
        /* kvm.nx_huge_pages */
        { "kvm.nx_huge_pages", SIS_PASS, 0, F(VULN("itlb_multihit", "KVM: Mitigation: Split huge pages"), { "/sys/module/kvm/parameters/nx_huge_pages", "Y\n" }) },
        { "kvm.nx_huge_pages", SIS_FAIL, 0, F(VULN("itlb_multihit", "KVM: Vulnerable"), { "/sys/module/kvm/parameters/nx_huge_pages", "N\n" }) },
        { "kvm.nx_huge_pages", SIS_FAIL, 0, F(VULN("itlb_multihit", "KVM: Vulnerable"), { "/sys/module/kvm/parameters/nx_huge_pages", "never\n" }) },
        { "kvm.nx_huge_pages", SIS_WARN, 0, F(VULN("itlb_multihit", "Not affected"), { "/sys/module/kvm/parameters/nx_huge_pages", "Y\n" }) },
        { "kvm.nx_huge_pages", SIS_PASS, 0, F(VULN("itlb_multihit", "Not affected"), { "/sys/module/kvm/parameters/nx_huge_pages", "never\n" }) },
        { "kvm.nx_huge_pages", SIS_SKIP, 0, F({ "/etc/x", "" }) },
        /* kvm.nested */
        { "kvm.nested", SIS_PASS, 0, F({ "/sys/module/kvm_intel/parameters/nested", "N\n" }) },
        { "kvm.nested", SIS_WARN, 0, F({ "/sys/module/kvm_amd/parameters/nested", "1\n" }) },
        { "kvm.nested", SIS_SKIP, 0, F({ "/sys/module/tun", NULL }) },
        /* kvm.l1d_flush */
        { "kvm.l1d_flush", SIS_PASS, 0, F(VULN("l1tf", "Mitigation: PTE Inversion; VMX: cache flushes, SMT disabled"), { "/sys/module/kvm_intel/parameters/vmentry_l1d_flush", "always\n" }) },
        { "kvm.l1d_flush", SIS_WARN, 0, F(VULN("l1tf", "Mitigation: PTE Inversion; VMX: conditional cache flushes, SMT disabled"), { "/sys/module/kvm_intel/parameters/vmentry_l1d_flush", "cond\n" }) },
        { "kvm.l1d_flush", SIS_FAIL, 0, F(VULN("l1tf", "Mitigation: PTE Inversion; VMX: vulnerable"), { "/sys/module/kvm_intel/parameters/vmentry_l1d_flush", "never\n" }) },
        { "kvm.l1d_flush", SIS_SKIP, 0, F(VULN("l1tf", "Not affected")) },
        /* kernel.version */
        { "kernel.version", SIS_PASS, 0, F({ "/proc/sys/kernel/osrelease", "6.1.0-28-amd64\n" }) },
        { "kernel.version", SIS_PASS, 0, F({ "/proc/sys/kernel/osrelease", "5.10.0-33-amd64\n" }) },
        { "kernel.version", SIS_WARN, 0, F({ "/proc/sys/kernel/osrelease", "6.12.9\n" }) },
        { "kernel.version", SIS_FAIL, 0, F({ "/proc/sys/kernel/osrelease", "4.19.0-21-amd64\n" }) },
        { "kernel.version", SIS_UNKNOWN, 0, F({ "/proc/sys/kernel/osrelease", "banana\n" }) },
        /* kernel.cmdline */
        { "kernel.cmdline", SIS_PASS, 0, F({ "/proc/cmdline", "root=/dev/sda1 ro quiet nosmt=force\n" }) },
        { "kernel.cmdline", SIS_FAIL, 0, F({ "/proc/cmdline", "root=/dev/sda1 mitigations=off\n" }) },
        { "kernel.cmdline", SIS_FAIL, 0, F({ "/proc/cmdline", "root=/dev/sda1 nopti\n" }) },
        { "kernel.cmdline", SIS_FAIL, 0, F({ "/proc/cmdline", "mitigations=auto,no_guest_host\n" }) },
        { "kernel.cmdline", SIS_PASS, 0, F({ "/proc/cmdline", "init=/sbin/init -- nopti\n" }) },
        { "kernel.cmdline", SIS_WARN, 0, F({ "/proc/cmdline", "root=/dev/sda1\n" }, SMT("off", "0")) },
        { "kernel.cmdline", SIS_UNKNOWN, 0, F({ "/proc/cmdline", "\x01\x02\x03\n" }) },
        /* bytes that are not UTF-8 are not a command line either (garbage.sh, seed 6805: PASS) */
        { "kernel.cmdline", SIS_UNKNOWN, 0, F({ "/proc/cmdline", "\xbd" }) },
        { "kernel.cmdline", SIS_UNKNOWN, 0, F({ "/proc/cmdline", "root=/dev/sda1 \xff\xfe ro\n" }) },
        /* kernel.config */
        { "kernel.config", SIS_PASS, 0, F({ "/proc/sys/kernel/osrelease", "6.1.0\n" }, { "/boot/config-6.1.0", GOODCFG }) },
        { "kernel.config", SIS_FAIL, 0, F({ "/proc/sys/kernel/osrelease", "6.1.0\n" }, { "/boot/config-6.1.0", "CONFIG_X86_64=y\nCONFIG_SECCOMP=y\n" }) },
        { "kernel.config", SIS_WARN, 0, F({ "/proc/sys/kernel/osrelease", "6.1.0\n" }) },
        { "kernel.config", SIS_UNKNOWN, 0, F({ "/proc/config.gz", "not gzip" }) },
        /* kernel.bpf, kernel.userfaultfd */
        { "kernel.bpf", SIS_PASS, 0, F({ "/proc/sys/kernel/unprivileged_bpf_disabled", "2\n" }) },
        { "kernel.bpf", SIS_FAIL, 0, F({ "/proc/sys/kernel/unprivileged_bpf_disabled", "0\n" }) },
        { "kernel.bpf", SIS_UNKNOWN, 0, F({ "/proc/sys/kernel/unprivileged_bpf_disabled", "x\n" }) },
        { "kernel.userfaultfd", SIS_PASS, 0, F({ "/proc/sys/vm/unprivileged_userfaultfd", "0\n" }) },
        { "kernel.userfaultfd", SIS_WARN, 0, F({ "/proc/sys/vm/unprivileged_userfaultfd", "1\n" }) },
        /* kernel.io_uring: the sysctl (6.6+), else the kernel config and release */
        { "kernel.io_uring", SIS_PASS, 0, F(IOU("2")), "disabled for every process" },
        { "kernel.io_uring", SIS_PASS, 0, F(IOU("1"), { "/proc/sys/kernel/io_uring_group", "-1\n" }), "CAP_SYS_ADMIN (" },
        { "kernel.io_uring", SIS_PASS, 0, F(IOU("1")), "no io_uring_group" },
        { "kernel.io_uring", SIS_PASS, 0, F(IOU("1"), { "/proc/sys/kernel/io_uring_group", "990\n" }), "and group 990" },
        { "kernel.io_uring", SIS_WARN, 0, F(IOU("1"), { "/proc/sys/kernel/io_uring_group", "10005\n" }), "jail gid range 10000-10999" },
        { "kernel.io_uring", SIS_UNKNOWN, 0, F(IOU("1"), { "/proc/sys/kernel/io_uring_group", "wheel\n" }), "unparsable" },
        { "kernel.io_uring", SIS_WARN, 0, F(IOU("0")), "open to every process" },
        { "kernel.io_uring", SIS_UNKNOWN, 0, F(IOU("x")), "unparsable /proc/sys/kernel/io_uring_disabled" },
        { "kernel.io_uring", SIS_UNKNOWN, 0, F(IOU("")), "unparsable" },
        { "kernel.io_uring", SIS_UNKNOWN, 0, F(IOU("3")), "unrecognised" },
        { "kernel.io_uring", SIS_PASS, 0, F({ "/proc/sys/kernel/osrelease", "6.1.0\n" },
                                            { "/boot/config-6.1.0", "CONFIG_X86_64=y\n# CONFIG_IO_URING is not set\n" }),
          "not built (CONFIG_IO_URING is not set in /boot/config-6.1.0)" },
        { "kernel.io_uring", SIS_PASS, 0, F({ "/proc/sys/kernel/osrelease", "4.19.0\n" },
                                            { "/boot/config-4.19.0", "CONFIG_X86_64=y\n" }), "not built" },
        { "kernel.io_uring", SIS_WARN, 0, F({ "/proc/sys/kernel/osrelease", "6.1.0\n" },
                                            { "/boot/config-6.1.0", "CONFIG_X86_64=y\nCONFIG_IO_URING=y\n" }),
          "built into kernel 6.1, which has no kernel.io_uring_disabled" },
        { "kernel.io_uring", SIS_WARN, 0, F({ "/proc/sys/kernel/osrelease", "5.10.0\n" }), "no config" },
        { "kernel.io_uring", SIS_PASS, 0, F({ "/proc/sys/kernel/osrelease", "4.19.0\n" }), "predates io_uring" },
        { "kernel.io_uring", SIS_PASS, 0, F({ "/proc/sys/kernel/osrelease", "6.8.0\n" }), "not built (kernel 6.8" },
        { "kernel.io_uring", SIS_UNKNOWN, 0, F({ "/proc/sys/kernel/osrelease", "6.8.0\n" },
                                               { "/boot/config-6.8.0", "CONFIG_X86_64=y\nCONFIG_IO_URING=y\n" }),
          "CONFIG_IO_URING=y but no kernel.io_uring_disabled" },
        { "kernel.io_uring", SIS_UNKNOWN, 0, F({ "/proc/sys/kernel/osrelease", "6.1.0\n" }, { "/proc/config.gz", "not gzip" }),
          "cannot decompress /proc/config.gz" },
        { "kernel.io_uring", SIS_UNKNOWN, 0, F({ "/proc/sys/kernel/osrelease", "6.1.0\n" }, { "/boot/config-6.1.0", "garbage\n" }),
          "cannot parse /boot/config-6.1.0" },
        { "kernel.io_uring", SIS_UNKNOWN, 0, F({ "/etc/x", "" }), "release is unknown" },
        /* kernel.sysctl */
        { "kernel.sysctl", SIS_PASS, 0, F(SYSCTLS("1", "1", "3", "1")) },
        { "kernel.sysctl", SIS_WARN, 0, F(SYSCTLS("0", "1", "3", "1")) },
        { "kernel.sysctl", SIS_WARN, 0, F(SYSCTLS("2", "1", "1", "1")) },
        /* kernel.seccomp */
        { "kernel.seccomp", SIS_PASS, 0, F({ "/proc/sys/kernel/seccomp/actions_avail", "kill_process kill_thread trap errno user_notif trace log allow\n" }) },
        { "kernel.seccomp", SIS_FAIL, 0, F({ "/proc/sys/kernel/seccomp/actions_avail", "allow\n" }) },
        { "kernel.seccomp", SIS_FAIL, 0, F({ "/etc/x", "" }) },
        /* platform.nested */
        { "platform.nested", SIS_PASS, 0, F(CPUINFO("GenuineIntel", "fpu vmx"), { "/sys/class/dmi/id/sys_vendor", "Dell Inc.\n" }) },
        { "platform.nested", SIS_FAIL, 0, F(CPUINFO("GenuineIntel", "fpu vmx hypervisor")) },
        { "platform.nested", SIS_WARN, 1, F(CPUINFO("GenuineIntel", "fpu vmx hypervisor")) },
        { "platform.nested", SIS_FAIL, 0, F(CPUINFO("GenuineIntel", "fpu vmx"), { "/sys/class/dmi/id/sys_vendor", "QEMU\n" }) },
        { "platform.nested", SIS_FAIL, 0, F(CPUINFO("GenuineIntel", "fpu vmx"), { "/sys/bus/pci/devices/0000:00:03.0/vendor", "0x1af4\n" },
                                            { "/sys/bus/pci/devices/0000:00:03.0/device", "0x1000\n" }, { "/sys/bus/pci/devices/0000:00:03.0/class", "0x020000\n" }) },
        { "platform.nested", SIS_PASS, 0, F(CPUINFO("GenuineIntel", "fpu vmx"), { "/sys/bus/pci/devices/0000:00:00.0/vendor", "0x8086\n" },
                                            { "/sys/bus/pci/devices/0000:00:00.0/device", "0x2020\n" }, { "/sys/bus/pci/devices/0000:00:00.0/class", "0x060000\n" }) },
        /* review regressions: no PASS without data; names with dashes; configs without an arch */
        { "platform.nested", SIS_UNKNOWN, 0, F({ "/etc/x", "" }) },
        /* every sign, and the family the summary names: an older VirtualBox guest on Intel has no
         * hypervisor flag and no /sys/bus/pci, only the kernel's procfs list of PCI devices */
#define BARE CPUINFO("GenuineIntel", "fpu vmx")
        { "platform.nested", SIS_FAIL, 0,
          F(BARE, { "/proc/bus/pci/devices", "0000\t80861237\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n"
                                             "0020\t80eecafe\t9\tf0400000\t0\t0\t0\t0\t0\t0\t20\t0\t0\t0\t0\t0\t0\tvboxguest\n" }),
          "running under VirtualBox (1 sign)" },
        /* the same where libpci may not open the tree itself (a link out of it): the recorded text decides */
        { "platform.nested", SIS_FAIL, 0,
          F(BARE, { "/proc/bus/pci/00", "->/etc" },
            { "/proc/bus/pci/devices", "0020\t80eecafe\t9\tf0400000\t0\t0\t0\t0\t0\t0\t20\t0\t0\t0\t0\t0\t0\tvboxguest\n" }),
          "running under VirtualBox (1 sign)" },
        { "platform.nested", SIS_PASS, 0, F(BARE, { "/proc/bus/pci/devices", "0000\t80861237\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n" }),
          "bare metal" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, { "/sys/class/dmi/id/sys_vendor", "QEMU\n" }, { "/sys/class/dmi/id/bios_vendor", "SeaBIOS\n" }),
          "running under QEMU/KVM (2 signs)" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, { "/sys/class/dmi/id/sys_vendor", "VMware, Inc.\n" }), "running under VMware" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, { "/sys/class/dmi/id/product_name", "VirtualBox\n" }), "running under VirtualBox" },
        { "platform.nested", SIS_FAIL, 0,
          F(BARE, { "/sys/class/dmi/id/sys_vendor", "Microsoft Corporation\n" }, { "/sys/class/dmi/id/product_name", "Virtual Machine\n" }),
          "running under Hyper-V" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, { "/sys/hypervisor/type", "xen\n" }), "running under Xen" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, { "/sys/class/dmi/id/product_name", "Parallels Virtual Platform\n" }), "running under Parallels" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, { "/sys/class/dmi/id/sys_vendor", "Bochs\n" }), "running under Bochs" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, { "/sys/class/dmi/id/bios_vendor", "BHYVE\n" }), "running under bhyve" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, { "/sys/class/dmi/id/product_name", "Google Compute Engine\n" }),
          "running under Google Compute Engine" },
        { "platform.nested", SIS_FAIL, 0,
          F(BARE, { "/sys/class/dmi/id/sys_vendor", "Amazon EC2\n" }, { "/sys/class/dmi/id/product_name", "m7i.large\n" }),
          "running under Amazon EC2 (Nitro)" },
        { "platform.nested", SIS_PASS, 0,
          F(BARE, { "/sys/class/dmi/id/sys_vendor", "Amazon EC2\n" }, { "/sys/class/dmi/id/product_name", "m7i.metal-24xl\n" }), "bare metal" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, { "/sys/class/dmi/id/product_name", "Cloud Hypervisor\n" }), "running under Cloud Hypervisor" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, { "/sys/class/dmi/id/sys_vendor", "Firecracker\n" }), "running under Firecracker" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, { "/proc/device-tree/compatible", "linux,dummy-virt" }),
          "running under KVM (a QEMU or Firecracker virt machine)" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, { "/proc/device-tree/hypervisor/compatible", "xen,xen-4.17" }), "running under Xen (1 sign)" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, { "/sys/bus/pci/devices/0000:00:02.0/vendor", "0x1b36\n" },
                                               { "/sys/bus/pci/devices/0000:00:02.0/device", "0x0001\n" }),
          "running under QEMU/KVM" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, META("\"probes\":{\"cpuid\":{\"hypervisor\":true,\"hypervisor_vendor\":\"KVMKVMKVM\"}}")),
          "running under KVM (1 sign)" },
        { "platform.nested", SIS_FAIL, 0, F(BARE, META("\"probes\":{\"cpuid\":{\"hypervisor\":true,\"hypervisor_vendor\":\"Microsoft Hv\"}}")),
          "running under Hyper-V" },
#undef BARE
        /* cpu.vuln_coverage: AMD Rome (Zen 2) under a 5.10 kernel that predates retbleed, SRSO and
         * VMScape; then under one that reports them all (cpu.vuln.<file> judges them) */
#define ROME { "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 23\nmodel\t\t: 49\nstepping\t: 0\n" \
                                "flags\t\t: fpu avx rdrand\n\n" }
#define KNOWN_510 VULN("meltdown", "Not affected"), VULN("spectre_v1", "Mitigation: usercopy/swapgs barriers"), \
        VULN("spectre_v2", "Mitigation: Retpolines"), VULN("spec_store_bypass", "Mitigation: SSB disabled"), \
        VULN("l1tf", "Not affected"), VULN("mds", "Not affected"), VULN("tsx_async_abort", "Not affected"), \
        VULN("itlb_multihit", "Not affected"), VULN("srbds", "Not affected")
#define KNOWN_ALL KNOWN_510, VULN("mmio_stale_data", "Not affected"), VULN("retbleed", "Mitigation: untrained return thunk"), \
        VULN("gather_data_sampling", "Not affected"), VULN("spec_rstack_overflow", "Mitigation: Safe RET"), \
        VULN("reg_file_data_sampling", "Not affected"), VULN("indirect_target_selection", "Not affected"), \
        VULN("tsa", "Not affected"), VULN("vmscape", "Mitigation: IBPB before exit to userspace")
        { "cpu.vuln_coverage", SIS_FAIL, 0, F(ROME, KNOWN_510),
          "kernel too old to mitigate Retbleed (return instruction speculation) on this CPU" },
        { "cpu.vuln_coverage", SIS_FAIL, 0, F(ROME, KNOWN_510), "no spec_rstack_overflow: Linux 6.5 added it" },
        { "cpu.vuln_coverage", SIS_PASS, 0, F(ROME, KNOWN_ALL), "the kernel reports every vulnerability the tables know" },
        /* Zen 4 needs TSA and VMScape besides; a guest is not exposed to VMScape */
        { "cpu.vuln_coverage", SIS_PASS, 0,
          F({ "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nstepping\t: 1\n"
                              "flags\t\t: fpu avx hypervisor\n\n" }, KNOWN_ALL), "reports every" },
        /* Kaby Lake on 4.19.37 (the six 2019 files): srbds, mmio, retbleed, gds fail; TAA only with TSX, and
         * unless its ARCH_CAPABILITIES says TAA_NO */
#define KABY(flags) { "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 158\nstepping\t: 9\n" \
                                       "flags\t\t: " flags "\n\n" }
#define KNOWN_419 VULN("meltdown", "Mitigation: PTI"), VULN("spectre_v1", "Mitigation: __user pointer sanitization"), \
        VULN("spectre_v2", "Mitigation: Full generic retpoline"), VULN("spec_store_bypass", "Mitigation: SSB disabled"), \
        VULN("l1tf", "Mitigation: PTE Inversion"), VULN("mds", "Mitigation: Clear CPU buffers; SMT disabled")
        { "cpu.vuln_coverage", SIS_FAIL, 0, F(KABY("fpu avx rdrand rtm"), KNOWN_419), "Special Register Buffer Data Sampling" },
        { "cpu.vuln_coverage", SIS_WARN, 0,
          F(KABY("fpu avx rdrand rtm"), KNOWN_419, VULN("itlb_multihit", "KVM: Mitigation: Split huge pages"), VULN("srbds", "Mitigation: Microcode"),
            VULN("mmio_stale_data", "Mitigation: Clear CPU buffers"), VULN("retbleed", "Mitigation: IBRS"),
            VULN("gather_data_sampling", "Mitigation: Microcode"), VULN("spec_rstack_overflow", "Not affected"),
            VULN("reg_file_data_sampling", "Not affected"), VULN("indirect_target_selection", "Mitigation: Aligned branch/return thunks"),
            VULN("tsa", "Not affected"), VULN("vmscape", "Mitigation: IBPB before exit to userspace")),
          "which this CPU has unless IA32_ARCH_CAPABILITIES.TAA_NO says otherwise" },
        /* before 4.15 there is no vulnerabilities/ at all */
        { "cpu.vuln_coverage", SIS_FAIL, 0, F(KABY("fpu"), { "/proc/sys/kernel/osrelease", "4.9.0\n" }), "no spectre_v1: Linux 4.15 added it" },
        /* a CPU the tables do not know, an arm64 host, and garbage */
        { "cpu.vuln_coverage", SIS_UNKNOWN, 0,
          F({ "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: WeirdCPU\ncpu family\t: 6\nmodel\t\t: 1\nflags\t\t: fpu\n\n" }, KNOWN_419),
          "the tables do not say" },
        /* arm64: Neoverse N1 (Graviton2), a Spectre-BHB loop core (k 24): a 5.10 from before the
         * BHB backports calls it "Not affected" (CSV2); a kernel that knows BHB says so */
#define N1 { "/proc/cpuinfo", "processor\t: 0\nBogoMIPS\t: 243.75\nFeatures\t: fp asimd ssbs\nCPU implementer\t: 0x41\n" \
                              "CPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n\n" }
#define ARM_OTHERS VULN("meltdown", "Not affected"), VULN("spectre_v1", "Mitigation: __user pointer sanitization"), \
        VULN("spec_store_bypass", "Mitigation: Speculative Store Bypass disabled via prctl")
        { "cpu.vuln_coverage", SIS_FAIL, 0, F(N1, ARM_OTHERS, VULN("spectre_v2", "Not affected")),
          "kernel too old to mitigate Spectre-BHB on this CPU (its spectre_v2 line names no BHB mitigation, Linux 5.17 added one; "
          "this core needs a 24-branch loop)" },
        { "cpu.vuln_coverage", SIS_PASS, 0, F(N1, ARM_OTHERS, VULN("spectre_v2", "Mitigation: CSV2, BHB")), "reports every" },
        /* Cortex-A53 is safe from all of them; a kernel before 5.2 has no files, and the A53 needs none */
        { "cpu.vuln_coverage", SIS_FAIL, 0,
          F({ "/proc/cpuinfo", "processor\t: 0\nFeatures\t: fp\nCPU implementer\t: 0x41\nCPU part\t: 0xd03\n\n" }), "Spectre v1" },
        { "cpu.vuln_coverage", SIS_PASS, 0,
          F({ "/proc/cpuinfo", "processor\t: 0\nFeatures\t: fp\nCPU implementer\t: 0x41\nCPU part\t: 0xd03\n\n" },
            VULN("spectre_v1", "Mitigation: __user pointer sanitization")), "has none of them" },
        /* an unknown core under a kernel without the files: affected unless its ID registers say otherwise */
        { "cpu.vuln_coverage", SIS_WARN, 0,
          F({ "/proc/cpuinfo", "processor\t: 0\nFeatures\t: fp\nCPU implementer\t: 0x61\nCPU part\t: 0x022\n\n" },
            VULN("spectre_v1", "Mitigation: __user pointer sanitization"), VULN("spec_store_bypass", "Vulnerable")),
          "unless ID_AA64PFR0_EL1.CSV3 says otherwise" },
#undef N1
#undef ARM_OTHERS
        { "cpu.vuln_coverage", SIS_UNKNOWN, 0, F({ "/proc/cpuinfo", "processor\t: 0\nBogoMIPS\t: 50.00\n\n" }) },
        { "cpu.vuln_coverage", SIS_UNKNOWN, 0, F({ "/etc/x", "" }) },
#undef ROME
#undef KNOWN_510
#undef KNOWN_ALL
#undef KABY
#undef KNOWN_419
        /* cpu.microcode where the kernel has no old_microcode (before 6.15): the latest-microcode list */
        { "cpu.microcode", SIS_FAIL, 0,
          F({ "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 158\nstepping\t: 9\n"
                              "microcode\t: 0xb4\nflags\t\t: fpu\n\n" }), "older than the latest for this CPU" },
        { "cpu.microcode", SIS_PASS, 0,
          F({ "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 158\nstepping\t: 9\n"
                              "microcode\t: 0xfff\nflags\t\t: fpu\n\n" }), "revision 0xfff" },
        /* under a hypervisor the revision is the host's fiction: as the kernel does, never judged */
        { "cpu.microcode", SIS_PASS, 0,
          F({ "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 158\nstepping\t: 9\n"
                              "microcode\t: 0x1\nflags\t\t: fpu hypervisor\n\n" }), "revision 0x1" },
        { "cpu.microcode", SIS_PASS, 0,
          F({ "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 158\nstepping\t: 9\n"
                              "microcode\t: 0xb4\nflags\t\t: fpu\n\n" }, VULN("old_microcode", "Not affected")), "revision 0xb4" },
        /* kernel.kexec */
        { "kernel.kexec", SIS_PASS, 0, F({ "/proc/sys/kernel/kexec_load_disabled", "1\n" }) },
        { "kernel.kexec", SIS_WARN, 0, F({ "/proc/sys/kernel/kexec_load_disabled", "0\n" }), "kexec allowed" },
        { "kernel.kexec", SIS_PASS, 0, F({ "/proc/sys/kernel/osrelease", "6.1.0\n" },
                                         { "/boot/config-6.1.0", "CONFIG_X86_64=y\n" }), "kexec not built" },
        { "kernel.kexec", SIS_UNKNOWN, 0, F({ "/proc/sys/kernel/osrelease", "6.1.0\n" },
                                            { "/boot/config-6.1.0", "CONFIG_KEXEC_CORE=y\n" }), "CONFIG_KEXEC_CORE is set" },
        { "kernel.kexec", SIS_UNKNOWN, 0, F({ "/proc/sys/kernel/osrelease", "6.1.0\n" }), "no kernel config" },
        { "kernel.kexec", SIS_UNKNOWN, 0, F({ "/proc/sys/kernel/kexec_load_disabled", "x\xff\n" }) },
        /* kernel.bpf_jit */
        { "kernel.bpf_jit", SIS_PASS, 0, F({ "/proc/sys/net/core/bpf_jit_harden", "2\n" }) },
        { "kernel.bpf_jit", SIS_PASS, 0, F({ "/proc/sys/net/core/bpf_jit_harden", "1\n" },
                                           { "/proc/sys/kernel/unprivileged_bpf_disabled", "2\n" }), "unprivileged BPF is disabled" },
        { "kernel.bpf_jit", SIS_WARN, 0, F({ "/proc/sys/net/core/bpf_jit_harden", "1\n" },
                                           { "/proc/sys/kernel/unprivileged_bpf_disabled", "0\n" }), "unprivileged programs only" },
        { "kernel.bpf_jit", SIS_WARN, 0, F({ "/proc/sys/net/core/bpf_jit_harden", "0\n" }), "blinding off" },
        { "kernel.bpf_jit", SIS_PASS, 0, F({ "/proc/sys/kernel/osrelease", "6.1.0\n" }, { "/boot/config-6.1.0", "CONFIG_X86_64=y\n" }),
          "no BPF JIT" },
        /* kernel.fs_protect */
#define FSP(sym, hard, fifo, reg, dump) { "/proc/sys/fs/protected_symlinks", sym "\n" }, { "/proc/sys/fs/protected_hardlinks", hard "\n" }, \
        { "/proc/sys/fs/protected_fifos", fifo "\n" }, { "/proc/sys/fs/protected_regular", reg "\n" }, { "/proc/sys/fs/suid_dumpable", dump "\n" }
        { "kernel.fs_protect", SIS_PASS, 0, F(FSP("1", "1", "2", "2", "0")) },
        { "kernel.fs_protect", SIS_FAIL, 0, F(FSP("0", "1", "1", "1", "0")), "fs.protected_symlinks=0" },
        { "kernel.fs_protect", SIS_FAIL, 0, F(FSP("1", "0", "1", "1", "0")), "fs.protected_hardlinks=0" },
        { "kernel.fs_protect", SIS_WARN, 0, F(FSP("1", "1", "0", "1", "0")), "fs.protected_fifos=0" },
        { "kernel.fs_protect", SIS_FAIL, 0, F(FSP("1", "1", "1", "1", "1")), "fs.suid_dumpable=1" },
        { "kernel.fs_protect", SIS_WARN, 0, F(FSP("1", "1", "1", "1", "2")), "fs.suid_dumpable=2" },
        { "kernel.fs_protect", SIS_WARN, 0,
          F({ "/proc/sys/kernel/osrelease", "4.14.0\n" }, { "/proc/sys/fs/protected_symlinks", "1\n" },
            { "/proc/sys/fs/protected_hardlinks", "1\n" }, { "/proc/sys/fs/suid_dumpable", "0\n" }), "predates it (4.19)" },
        { "kernel.fs_protect", SIS_UNKNOWN, 0, F({ "/proc/sys/fs/suid_dumpable", "0\n" }), "fs.protected_symlinks missing" },
#undef FSP
        /* kernel.lockdown */
        { "kernel.lockdown", SIS_PASS, 0, F({ "/sys/kernel/security/lockdown", "none [integrity] confidentiality\n" }), "integrity" },
        { "kernel.lockdown", SIS_PASS, 0, F({ "/sys/kernel/security/lockdown", "none integrity [confidentiality]\n" }), "confidentiality" },
        { "kernel.lockdown", SIS_WARN, 0, F({ "/sys/kernel/security/lockdown", "[none] integrity confidentiality\n" }), "lockdown off" },
        { "kernel.lockdown", SIS_UNKNOWN, 0, F({ "/proc/mounts", "proc /proc proc rw 0 0\n" }), "securityfs is not mounted" },
        { "kernel.lockdown", SIS_WARN, 0,
          F({ "/proc/mounts", "securityfs /sys/kernel/security securityfs rw 0 0\n" }, { "/sys/kernel/security/lsm", "capability" }),
          "lockdown is not active" },
        { "kernel.lockdown", SIS_UNKNOWN, 0, F({ "/sys/kernel/security/lockdown", "garbage\n" }), "unparsable" },
        /* kernel.cmdline_hardening */
        { "kernel.cmdline_hardening", SIS_PASS, 0,
          F({ "/proc/cmdline", "ro init_on_free=1 slab_nomerge page_alloc.shuffle=1 iommu.strict=1\n" }) },
        { "kernel.cmdline_hardening", SIS_PASS, 0,
          F({ "/proc/cmdline", "ro\n" }, { "/sys/module/page_alloc/parameters/shuffle", "Y\n" }, { "/proc/sys/kernel/osrelease", "6.1.0\n" },
            { "/boot/config-6.1.0", "CONFIG_INIT_ON_FREE_DEFAULT_ON=y\nCONFIG_IOMMU_DEFAULT_DMA_STRICT=y\n" }),
          "init_on_free, slab_nomerge" },
        { "kernel.cmdline_hardening", SIS_WARN, 0, F({ "/proc/cmdline", "ro init_on_free=0 slab_nomerge page_alloc.shuffle=1 iommu.strict=1\n" }),
          "init_on_free is off" },
        { "kernel.cmdline_hardening", SIS_WARN, 0,
          F({ "/proc/cmdline", "ro init_on_free=1 slab_nomerge page_alloc.shuffle=1 iommu.strict=1 iommu.passthrough=1\n" }),
          "IOMMU translations are not strict" },
        { "kernel.cmdline_hardening", SIS_UNKNOWN, 0, F({ "/etc/x", "" }) },
        /* platform.iommu */
        { "platform.iommu", SIS_PASS, 0, F({ "/sys/class/iommu/dmar0/intel-iommu/version", "1:0\n" }), "IOMMU active (dmar0)" },
        { "platform.iommu", SIS_PASS, 0, F({ "/sys/kernel/iommu_groups/0/type", "DMA\n" }), "1 groups" },
        { "platform.iommu", SIS_WARN, 0, F({ "/proc/cmdline", "ro intel_iommu=off\n" }), "switched off on the command line" },
        { "platform.iommu", SIS_WARN, 0, F({ "/proc/cmdline", "ro\n" }), "no IOMMU active" },
        /* host.lsm */
#define AA(profiles) { "/sys/module/apparmor/parameters/enabled", "Y\n" }, { "/sys/kernel/security/apparmor/profiles", profiles }
        { "host.lsm", SIS_PASS, 0, F(AA("/usr/local/bin/firecracker (enforce)\n/usr/sbin/chronyd (enforce)\n")),
          "AppArmor confines /usr/local/bin/firecracker" },
        { "host.lsm", SIS_WARN, 0, F(AA("/usr/local/bin/firecracker (complain)\n")), "only complains" },
        { "host.lsm", SIS_WARN, 0, F(AA("/usr/sbin/chronyd (enforce)\n")), "no profile confines firecracker" },
        { "host.lsm", SIS_PASS, 0, F({ "/sys/fs/selinux/enforce", "1" }), "SELinux enforcing" },
        { "host.lsm", SIS_WARN, 0, F({ "/sys/fs/selinux/enforce", "0" }), "permissive" },
        { "host.lsm", SIS_WARN, 0, F({ "/etc/x", "" }), "no mandatory access control" },
#undef AA
        /* host.timesync */
#define ADJ(state, status) META("\"probes\":{\"adjtimex\":{\"state\":" state ",\"status\":" status ",\"maxerror\":46500,\"esterror\":1}}")
        { "host.timesync", SIS_PASS, 0, F(ADJ("0", "8193")), "synchronised (maximum error 46 ms)" },
        { "host.timesync", SIS_FAIL, 0, F(ADJ("5", "8257")), "not synchronised" },
        { "host.timesync", SIS_WARN, 1, F(ADJ("0", "64")), "not synchronised" },
        { "host.timesync", SIS_UNKNOWN, 0, F(META("\"probes\":{}")), "not recorded in the dump" },
        { "host.timesync", SIS_UNKNOWN, 0, F(META("\"probes\":{\"adjtimex\":{\"error\":\"EPERM\"}}")), "EPERM" },
#undef ADJ
        /* jail.cgroup_favordynmods */
#define REL61 { "/proc/sys/kernel/osrelease", "6.1.0\n" }
        { "jail.cgroup_favordynmods", SIS_SKIP, 0, F({ "/proc/sys/kernel/osrelease", "5.10.0\n" }) },
        { "jail.cgroup_favordynmods", SIS_PASS, 0, F(REL61, { "/sys/module/kvm/parameters/nx_huge_pages", "never\n" }), "never" },
        { "jail.cgroup_favordynmods", SIS_PASS, 0,
          F(REL61, { "/proc/mounts", "cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate,favordynmods 0 0\n" }), "with favordynmods" },
        { "jail.cgroup_favordynmods", SIS_WARN, 0, F(REL61, { "/proc/mounts", "cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0\n" }),
          "cgroup v2 without favordynmods" },
        { "jail.cgroup_favordynmods", SIS_PASS, 0,
          F(REL61, { "/proc/mounts", "cgroup /sys/fs/cgroup/pids cgroup rw,pids 0 0\n" }, { "/proc/cmdline", "ro cgroup_favordynmods=true\n" }),
          "cgroup_favordynmods=true" },
        { "jail.cgroup_favordynmods", SIS_WARN, 0,
          F(REL61, { "/proc/mounts", "cgroup /sys/fs/cgroup/pids cgroup rw,pids 0 0\n" }, { "/proc/cmdline", "ro\n" }),
          "cgroup v1 without favordynmods" },
        { "jail.cgroup_favordynmods", SIS_UNKNOWN, 0, F({ "/etc/x", "" }), "release is unknown" },
#undef REL61
        /* jail.chroot_base_mount */
#define BASE { "/srv/jailer/firecracker/.keep", "" }
        { "jail.chroot_base_mount", SIS_PASS, 0,
          F(BASE, { "/proc/mounts", "/dev/sda2 / ext4 rw 0 0\n/dev/sdb1 /srv/jailer ext4 rw,nosuid,relatime 0 0\n" }),
          "on its own mount (/srv/jailer, ext4), nosuid" },
        { "jail.chroot_base_mount", SIS_FAIL, 0,
          F(BASE, { "/proc/mounts", "/dev/sda2 / ext4 rw 0 0\n/dev/sdb1 /srv ext4 rw,nosuid,nodev 0 0\n" }), "nodev mount (/srv)" },
        { "jail.chroot_base_mount", SIS_WARN, 0,
          F(BASE, { "/proc/mounts", "/dev/sda2 / ext4 rw,relatime 0 0\n/dev/sdb1 /srvx ext4 rw,nosuid 0 0\n" }),
          "on the host's root filesystem" },
        /* the mount on top wins */
        { "jail.chroot_base_mount", SIS_PASS, 0,
          F(BASE, { "/proc/mounts", "/dev/sda2 / ext4 rw 0 0\n/dev/sdb1 /srv ext4 rw,nodev 0 0\ntmpfs /srv tmpfs rw,nosuid 0 0\n" }),
          "(/srv, tmpfs)" },
        { "jail.chroot_base_mount", SIS_SKIP, 0, F({ "/proc/mounts", "/dev/sda2 / ext4 rw 0 0\n" }), "does not exist yet" },
#undef BASE
        { "kernel.cmdline", SIS_FAIL, 0, F({ "/proc/cmdline", "root=/dev/sda1 tsx-async-abort=off\n" }) },
        { "kernel.cmdline", SIS_FAIL, 0, F({ "/proc/cmdline", "kvm_intel.vmentry-l1d-flush=never\n" }) },
        { "kernel.config", SIS_FAIL, 0, F(CPUINFO("GenuineIntel", "vmx"), { "/proc/sys/kernel/osrelease", "6.1.0\n" },
                                         { "/boot/config-6.1.0", "CONFIG_SECCOMP=y\nCONFIG_SECCOMP_FILTER=y\nCONFIG_KVM=y\n" }) },
        { "kernel.config", SIS_UNKNOWN, 0, F({ "/proc/sys/kernel/osrelease", "6.1.0\n" },
                                            { "/boot/config-6.1.0", "CONFIG_SECCOMP=y\nCONFIG_SECCOMP_FILTER=y\n" }) },
        { "mem.ecc", SIS_WARN, 0, F({ "/sys/devices/system/edac/mc/mc0/dimm0/dimm_edac_mode", "Frobnicated\n" }) },
        { "cpu.vuln.mds", SIS_UNKNOWN, 0, F(VULN("mds", "Not affected, or so we hope")) },
        /* a chroot base reached through a symlink into a user's directory */
        { "jail.chroot_base", SIS_FAIL, 0, F(META("\"stat\":{\"/\":{\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0},"
                                                 "\"/srv\":{\"type\":\"lnk\",\"mode\":\"0777\",\"uid\":0,\"gid\":0},"
                                                 "\"/home\":{\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0},"
                                                 "\"/home/u\":{\"type\":\"dir\",\"mode\":\"0755\",\"uid\":1000,\"gid\":1000},"
                                                 "\"/home/u/srv\":{\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0},"
                                                 "\"/home/u/srv/jailer\":{\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0}}"),
                                            { "/srv", "->/home/u/srv" }) },
        /* jail.cgroups */
        { "jail.cgroups", SIS_PASS, 0, F({ "/proc/mounts", "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n" }, { "/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n" }) },
        { "jail.cgroups", SIS_FAIL, 0, F({ "/proc/mounts", "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n" }, { "/sys/fs/cgroup/cgroup.controllers", "cpu io memory pids\n" }) },
        { "jail.cgroups", SIS_WARN, 0, F({ "/proc/mounts", "cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\ncgroup /sys/fs/cgroup/cpuset cgroup rw,cpuset 0 0\n"
                                                           "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\ncgroup /sys/fs/cgroup/pids cgroup rw,pids 0 0\n" }) },
        { "jail.cgroups", SIS_FAIL, 0, F({ "/proc/mounts", "cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n" }) },
        { "jail.cgroups", SIS_FAIL, 0, F({ "/proc/mounts", "proc /proc proc rw 0 0\n" }) },
        /* jail.namespaces */
        { "jail.namespaces", SIS_PASS, 0, F(NS, { "/proc/self/ns/uts", "->uts:[5]" }) },
        { "jail.namespaces", SIS_FAIL, 0, F(NS) },
        /* jail.tun */
        { "jail.tun", SIS_PASS, 0, F(META("\"stat\":{\"/dev/net/tun\":{\"type\":\"chr\",\"mode\":\"0666\",\"uid\":0,\"gid\":0,\"rdev\":\"10:200\"}}")) },
        { "jail.tun", SIS_FAIL, 0, F({ "/etc/x", "" }) },
        { "jail.tun", SIS_FAIL, 0, F({ "/dev/net/tun", "regular file" }) },
        /* jail.chroot_base */
        { "jail.chroot_base", SIS_PASS, 0, F(META("\"stat\":{\"/\":{\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0},"
                                                 "\"/srv\":{\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0},"
                                                 "\"/srv/jailer\":{\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0}}")) },
        { "jail.chroot_base", SIS_FAIL, 0, F(META("\"stat\":{\"/\":{\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0},"
                                                 "\"/srv\":{\"type\":\"dir\",\"mode\":\"0777\",\"uid\":0,\"gid\":0},"
                                                 "\"/srv/jailer\":{\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0}}")) },
        { "jail.chroot_base", SIS_FAIL, 0, F(META("\"stat\":{\"/\":{\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0},"
                                                 "\"/srv\":{\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0},"
                                                 "\"/srv/jailer\":{\"type\":\"dir\",\"mode\":\"0755\",\"uid\":1000,\"gid\":0}}")) },
        { "jail.chroot_base", SIS_WARN, 0, F(META("\"stat\":{\"/\":{\"type\":\"dir\",\"mode\":\"0755\",\"uid\":0,\"gid\":0}}")) },
        /* jail.binaries */
        { "jail.binaries", SIS_PASS, 0, F(BINS("0755", "0755", "1.10.1", "1.10.1")) },
        { "jail.binaries", SIS_FAIL, 0, F(BINS("0755", "0755", "1.10.1", "1.9.0")) },
        { "jail.binaries", SIS_FAIL, 0, F(BINS("0755", "0775", "1.10.1", "1.10.1")) },
        { "jail.binaries", SIS_WARN, 0, F(BINS("0755", "0755", "1.4.1", "1.4.1")) },
        /* a development build: not the release its number names */
        { "jail.binaries", SIS_WARN, 0, F(BINS("0755", "0755", "1.17.0-dev", "1.17.0-dev")), "1.17.0-dev: a development build" },
        { "jail.binaries", SIS_PASS, 1, F(BINS("0755", "0755", "1.17.0-dev", "1.17.0-dev")), "accepted under the development profile" },
        { "jail.binaries", SIS_FAIL, 0, F(BINS("0755", "0755", "1.17.0-dev", "1.17.0")) },
        { "jail.binaries", SIS_PASS, 0, F(BINS("0755", "0755", "1.16.1-devx", "1.16.1-devx")) },
        /* Firecracker runs in the chroot: static, or it cannot start there */
        { "jail.binaries", SIS_PASS, 0, F(BINS_ELF("{\"error\":null,\"interp\":null}")) },
        { "jail.binaries", SIS_FAIL, 0, F(BINS_ELF("{\"error\":null,\"interp\":\"/lib64/ld-linux-x86-64.so.2\"}")), "is dynamically linked" },
        { "jail.binaries", SIS_FAIL, 0, F(BINS_ELF("{\"error\":\"ENOEXEC\",\"interp\":null}")), "is not a 64-bit ELF program" },
        { "jail.binaries", SIS_FAIL, 0, F({ "/etc/x", "" }) },
        /* vm.* */
        { "vm.good", SIS_PASS, 0, F(VM("good", "10001", "2", "1", "thread force mitigated", "4026532001", "0::/firecracker/good")) },
        { "vm.v1", SIS_PASS, 0, F(VM("v1", "10001", "2", "1", "thread force mitigated", "4026532001",
                                     "12:pids:/firecracker/v1\n4:memory:/firecracker/v1")) },
        { "vm.root", SIS_FAIL, 0, F(VM("root", "0", "2", "1", "thread force mitigated", "4026532001", "0::/firecracker/root")) },
        { "vm.noseccomp", SIS_FAIL, 0, F(VM("noseccomp", "10001", "0", "1", "thread force mitigated", "4026532001", "0::/firecracker/noseccomp")) },
        { "vm.nnp", SIS_FAIL, 0, F(VM("nnp", "10001", "2", "0", "thread force mitigated", "4026532001", "0::/firecracker/nnp")) },
        { "vm.ssb", SIS_FAIL, 0, F(VM("ssb", "10001", "2", "1", "thread vulnerable", "4026532001", "0::/firecracker/ssb")) },
        { "vm.hostns", SIS_FAIL, 0, F(VM("hostns", "10001", "2", "1", "thread force mitigated", "4026531841", "0::/firecracker/hostns")) },
        { "vm.rootcg", SIS_FAIL, 0, F(VM("rootcg", "10001", "2", "1", "thread force mitigated", "4026532001", "0::/")) },
        { "vm.gone", SIS_SKIP, 0, F({ "/run/sis/vms/gone/state.json", "{\"pid\": 4242, \"pid_starttime\": 1000}" },
                                    { "/proc/4242/stat", VMSTAT("999") }) },
};
/* clang-format on */

static enum sis_status run_case(const struct tcase *t, char **ret_summary) {
        _cleanup_free_ char *dir = mkroot(t->files);
        _cleanup_root_ struct sis_root *r = NULL;
        _cleanup_report_ struct sis_report *rep = NULL;
        struct audit_config cfg;
        char *only[] = { (char *) t->id, NULL };
        enum sis_status st = _SIS_STATUS_MAX;

        audit_config_defaults(&cfg);
        if (t->development)
                cfg.profile = PROFILE_DEVELOPMENT;
        assert_int_equal(sis_root_new(dir, &r), 0);
        assert_int_equal(audit_run(r, &cfg, only, &rep), 0);
        for (size_t i = 0; i < rep->n_findings; i++)
                if (streq(rep->findings[i]->id, t->id)) {
                        st = rep->findings[i]->status;
                        *ret_summary = strdup(strempty(rep->findings[i]->summary));
                }
        rm_rf(dir);
        return st;
}

static void test_cases(void **state) {
        unsigned bad = 0;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *summary = NULL;
                enum sis_status st = run_case(&cases[i], &summary);
                if (st != cases[i].want) {
                        print_error("case %zu %s: got %s (%s), want %s\n", i, cases[i].id, sis_status_name(st),
                                    strna(summary), sis_status_name(cases[i].want));
                        bad++;
                }
                if (cases[i].summary && !strstr(strempty(summary), cases[i].summary)) {
                        print_error("case %zu %s: summary '%s' lacks '%s'\n", i, cases[i].id, strna(summary),
                                    cases[i].summary);
                        bad++;
                }
        }
        assert_int_equal(bad, 0);
}

/* Every check in the table has a PASS case and a FAIL case here (WARN where it has no FAIL). */
static void test_coverage(void **state) {
        const struct check *t;
        size_t n;

        t = check_table(&n);
        for (size_t i = 0; i < n; i++) {
                bool pass = false, fail = false, can_fail = false;
                size_t l = strlen(t[i].id);
                bool family = l > 2 && streq(t[i].id + l - 2, ".*");
                for (size_t j = 0; j < ELEMENTSOF(cases); j++) {
                        bool match = family ? strncmp(cases[j].id, t[i].id, l - 1) == 0 : streq(cases[j].id, t[i].id);
                        if (!match)
                                continue;
                        pass |= cases[j].want == SIS_PASS;
                        fail |= cases[j].want == SIS_FAIL || cases[j].want == SIS_WARN;
                        can_fail |= cases[j].want == SIS_FAIL;
                }
                if (!pass || !fail)
                        print_error("%s lacks a %s case\n", t[i].id, pass ? "FAIL/WARN" : "PASS");
                assert_true(pass && fail);
                (void) can_fail;
        }
}

/* audit_session: the report is dated SOURCE_DATE_EPOCH, and waivers expire by that date, not
 * by the caller's clock; the policy's profile is the report's. */
static void test_session_date(void **state) {
        static const char policy[] =
                "{\"policy_version\":1,\"profile\":\"development\",\"waivers\":[{\"check\":"
                "\"cpu.smt\",\"reason\":\"trial\",\"expires\":\"2027-01-15\",\"approver\":\"alice\"}]}";
        static const struct {
                const char *sde;
                bool waived;
        } dates[] = { { "1799971200", true }, /* 2027-01-15 */ { "1800057600", false } /* 2027-01-16 */ };
        _cleanup_free_ char *dir = mkroot(F(SMT("on", "1")));
        _cleanup_root_ struct sis_root *r = NULL;
        _cleanup_policy_ struct sis_policy *p = NULL;
        _cleanup_free_ char *err = NULL;
        char *only[] = { (char *) "cpu.smt", NULL };
        struct audit_config cfg;

        audit_config_defaults(&cfg);
        assert_int_equal(sis_root_new(dir, &r), 0);
        assert_int_equal(sis_policy_parse(policy, strlen(policy), "p.json", &p, &err), 0);
        for (size_t i = 0; i < ELEMENTSOF(dates); i++) {
                _cleanup_report_ struct sis_report *rep = NULL;
                enum audit_stage stage;
                assert_int_equal(setenv("SOURCE_DATE_EPOCH", dates[i].sde, 1), 0);
                /* the caller's clock says 2001: only the epoch may decide */
                assert_int_equal(audit_session(r, &cfg, only, p, 1000000000, &rep, &stage), 0);
                assert_int_equal(rep->started, (time_t) strtoll(dates[i].sde, NULL, 10));
                assert_true(rep->duration == 0);
                assert_string_equal(rep->profile, "development");
                assert_string_equal(rep->findings[0]->id, "cpu.smt");
                assert_int_equal(rep->findings[0]->waived, dates[i].waived);
        }
        assert_int_equal(unsetenv("SOURCE_DATE_EPOCH"), 0);
        rm_rf(dir);
}

/* audit_readf: the formatted path is read and recorded as evidence; absence is the caller's with
 * _opt and an UNKNOWN note without; a path past PATH_MAX is refused and noted, never cut short. */
static void test_readf(void **state _unused_) {
        _cleanup_free_ char *dir = mkroot(F({ "/sys/module/kvm_intel/parameters/nested", "Y\n" }));
        _cleanup_root_ struct sis_root *r = NULL;
        struct sis_finding *f = sis_finding_new("t.readf", "t", "kvm", SIS_SEV_LOW, false);
        _cleanup_free_ char *v = NULL, *none = NULL, *longp = calloc(1, PATH_MAX + 1);
        struct audit_ctx c = {};

        assert_non_null(f);
        assert_non_null(longp);
        assert_int_equal(sis_root_new(dir, &r), 0);
        c.root = r;
        assert_int_equal(audit_readf(&c, f, &v, "/sys/module/%s/parameters/%s", "kvm_intel", "nested"), 0);
        assert_string_equal(v, "Y");
        assert_int_equal(f->n_evidence, 1);
        assert_string_equal(f->evidence[0].path, "/sys/module/kvm_intel/parameters/nested");
        assert_string_equal(f->evidence[0].value, "Y");
        assert_int_equal(audit_readf_opt(&c, f, &none, "/sys/module/%s/parameters/nested", "kvm_amd"), -ENOENT);
        assert_int_equal(f->n_notes, 0);
        assert_int_equal(audit_readf(&c, f, &none, "/sys/module/%s/parameters/nested", "kvm_amd"), -ENOENT);
        assert_int_equal(f->n_notes, 1);
        assert_int_equal(f->notes[0].status, SIS_UNKNOWN);
        memset(longp, 'a', PATH_MAX);
        assert_int_equal(audit_readf_opt(&c, f, &none, "/%s", longp), -ENAMETOOLONG);
        assert_int_equal(f->n_notes, 2);
        assert_int_equal(f->notes[1].status, SIS_UNKNOWN);
        assert_null(none);
        sis_finding_free(f);
        rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cases),
                cmocka_unit_test(test_coverage),
                cmocka_unit_test(test_session_date),
                cmocka_unit_test(test_readf),
        };
        return cmocka_run_group_tests_name("checks", tests, NULL, NULL);
}
