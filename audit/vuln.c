/* SPDX-License-Identifier: MIT */
#include <ctype.h>

#include "parse.h"
#include "util.h"
#include "vuln.h"

#define HWDOC "https://docs.kernel.org/admin-guide/hw-vuln/"
#define FCPROD "https://github.com/firecracker-microvm/firecracker/blob/main/docs/prod-host-setup.md"

static const struct vuln_info vulns[] = {
        { "gather_data_sampling", "Gather Data Sampling (Downfall)", "CVE-2022-40982",
          "Install current intel-microcode and boot with gather_data_sampling=force if no microcode fix exists.",
          HWDOC "gather_data_sampling.html" },
        { "ghostwrite", "GhostWrite (T-Head XuanTie vector)", "CVE-2024-44067",
          "Boot a kernel that disables the vector extension on affected T-Head cores.", HWDOC },
        { "indirect_target_selection", "Indirect Target Selection", "CVE-2024-28956",
          "Install current intel-microcode and boot with indirect_target_selection=on.",
          HWDOC "indirect-target-selection.html" },
        { "itlb_multihit", "iTLB multihit (machine check on page-size change)", "CVE-2018-12207",
          "Boot with kvm.nx_huge_pages=force.", HWDOC "multihit.html" },
        { "l1tf", "L1 Terminal Fault (Foreshadow)", "CVE-2018-3620 CVE-2018-3646",
          "Boot with l1tf=full,force and kvm-intel.vmentry_l1d_flush=always; keep SMT off (nosmt=force).",
          HWDOC "l1tf.html" },
        { "mds", "Microarchitectural Data Sampling", "CVE-2018-12126 CVE-2018-12127 CVE-2018-12130 CVE-2019-11091",
          "Install current intel-microcode and boot with mds=full,nosmt.", HWDOC "mds.html" },
        { "meltdown", "Meltdown (rogue data cache load)", "CVE-2017-5754",
          "Boot with pti=on and remove nopti from the kernel command line.", HWDOC },
        { "mmio_stale_data", "Processor MMIO Stale Data", "CVE-2022-21123 CVE-2022-21125 CVE-2022-21166",
          "Install current intel-microcode and boot with mmio_stale_data=full,nosmt.",
          HWDOC "processor_mmio_stale_data.html" },
        { "old_microcode", "Outdated CPU microcode", "",
          "Install the current intel-microcode or amd64-microcode package (or firmware update) and reboot.",
          HWDOC "old_microcode.html" },
        { "reg_file_data_sampling", "Register File Data Sampling", "CVE-2023-28746",
          "Install current intel-microcode and boot with reg_file_data_sampling=on.",
          HWDOC "reg-file-data-sampling.html" },
        { "retbleed", "Retbleed (return instruction speculation)", "CVE-2022-29900 CVE-2022-29901",
          "Install current microcode and boot with retbleed=auto,nosmt.", HWDOC },
        { "spec_rstack_overflow", "Speculative Return Stack Overflow (Inception)", "CVE-2023-20569",
          "Install current amd64-microcode and boot with spec_rstack_overflow=safe-ret (or ibpb).", HWDOC "srso.html" },
        { "spec_store_bypass", "Speculative Store Bypass (Spectre v4)", "CVE-2018-3639",
          "Boot with spec_store_bypass_disable=on (or seccomp, so every seccomp-confined VMM gets SSBD); "
          "sis-launch also forces SSBD on for each VMM with prctl(PR_SET_SPECULATION_CTRL).",
          FCPROD },
        { "spectre_v1", "Spectre v1 (bounds check bypass)", "CVE-2017-5753",
          "Run a kernel with usercopy/swapgs barriers; remove nospectre_v1 from the command line.",
          HWDOC "spectre.html" },
        { "spectre_v2", "Spectre v2 (branch target injection) and BHI", "CVE-2017-5715 CVE-2022-0001 CVE-2022-0002",
          "Boot with spectre_v2=on spectre_bhi=on (or remove spectre_v2=off / nospectre_v2) and keep SMT off.",
          HWDOC "spectre.html" },
        { "srbds", "Special Register Buffer Data Sampling", "CVE-2020-0543",
          "Install current intel-microcode; remove srbds=off.", HWDOC "special-register-buffer-data-sampling.html" },
        { "tsa", "Transient Scheduler Attacks", "CVE-2024-36350 CVE-2024-36357",
          "Install current amd64-microcode and boot with tsa=on.", HWDOC },
        { "tsx_async_abort", "TSX Asynchronous Abort", "CVE-2019-11135",
          "Boot with tsx=off tsx_async_abort=full,nosmt and current intel-microcode.", HWDOC "tsx_async_abort.html" },
        { "vmscape", "VMScape (guest-to-host branch target injection)", "CVE-2025-40300",
          "Boot a kernel with vmscape=ibpb (default where affected).", HWDOC "vmscape.html" },
};

const struct vuln_info *vuln_table(size_t *ret_n) {
        *ret_n = ELEMENTSOF(vulns);
        return vulns;
}

const struct vuln_info *vuln_lookup(const char *file) {
        for (size_t i = 0; i < ELEMENTSOF(vulns); i++)
                if (streq(vulns[i].file, file))
                        return &vulns[i];
        return NULL;
}

static bool strcaseprefix(const char *s, const char *p) {
        return strncasecmp(s, p, strlen(p)) == 0;
}

/* One component of a mitigation line ("STIBP: disabled", "SMT vulnerable", "BHI: Vulnerable"). */
static enum sis_status component(const char *file, const char *c, int smt_on, bool production, char **reason) {
        const char *colon;

        if (strcaseprefix(c, "SMT vulnerable")) {
                if (smt_on == 0) {
                        sis_finding_set_text(reason,
                                             "%s (SMT is off now, but the mitigation depends on it staying off)", c);
                        return SIS_WARN;
                }
                sis_finding_set_text(reason, "%s with SMT %s", c, smt_on > 0 ? "on" : "in an unknown state");
                return SIS_FAIL;
        }
        if (strcaseprefix(c, "SMT Host state unknown")) {
                sis_finding_set_text(reason, "%s (a guest cannot see whether the host runs SMT)", c);
                return SIS_WARN;
        }
        if (streq(file, "spectre_v2") && strcaseprefix(c, "STIBP: disabled")) {
                if (smt_on == 0)
                        return SIS_PASS;
                sis_finding_set_text(reason, "STIBP disabled with SMT %s", smt_on > 0 ? "on" : "in an unknown state");
                return SIS_FAIL;
        }
        if (strcaseprefix(c, "IBPB: disabled")) {
                sis_finding_set_text(reason, "IBPB disabled: no barrier between VMM processes");
                return SIS_WARN;
        }
        if (streq(file, "l1tf") && strcaseprefix(c, "VMX: conditional cache flushes")) {
                sis_finding_set_text(reason, "L1D flushed only conditionally on VM entry");
                return production ? SIS_FAIL : SIS_WARN;
        }
        if (strcaseprefix(c, "Vulnerable") || strcasestr(c, "vulnerable module loaded")) {
                sis_finding_set_text(reason, "%s", c);
                return SIS_FAIL;
        }
        /* partial mitigations: "…, but not BHB", "Safe RET, no microcode" */
        if (strcaseprefix(c, "but not") || (streq(file, "spec_rstack_overflow") && strcaseprefix(c, "no microcode"))) {
                sis_finding_set_text(reason, "partial mitigation: %s", c);
                return SIS_FAIL;
        }
        colon = strstr(c, ": ");
        if (colon && strcaseprefix(colon + 2, "Vulnerable")) {
                sis_finding_set_text(reason, "%s", c);
                return SIS_FAIL;
        }
        return SIS_PASS;
}

enum sis_status vuln_classify(const char *file, const char *text, int smt_on, bool production, char **ret_reason) {
        _cleanup_free_ char *reason = NULL;
        enum sis_status st = SIS_PASS;
        const char *rest;

        if (!text || !*text || !str_is_printable(text, strlen(text)) || strchr(text, '\n') || strchr(text, '\t')) {
                st = SIS_UNKNOWN;
                sis_finding_set_text(&reason, "unreadable status text");
                goto done;
        }
        if ((rest = startswith(text, "KVM: ")))
                text = rest; /* itlb_multihit prefixes its answer with the hypervisor's part */
        if (strcasecmp(text, "Not affected") == 0) {
                st = SIS_PASS;
        } else if (strcaseprefix(text, "Vulnerable")) {
                st = SIS_FAIL;
                sis_finding_set_text(&reason, "%s", text);
        } else if (strcaseprefix(text, "Unknown")) {
                st = SIS_UNKNOWN;
                sis_finding_set_text(&reason, "the kernel cannot tell: %s", text);
        } else if (streq(file, "itlb_multihit") && strcaseprefix(text, "Processor vulnerable")) {
                st = SIS_WARN;
                sis_finding_set_text(&reason, "%s (KVM not loaded: no mitigation in place yet)", text);
        } else if (strcaseprefix(text, "Mitigation")) {
                _cleanup_strv_free_ char **parts = NULL;

                if (streq(file, "spec_store_bypass") && strstr(text, "via prctl") && !strstr(text, "seccomp")) {
                        st = SIS_WARN;
                        sis_finding_set_text(&reason, "SSBD only for processes that ask for it (prctl), not global");
                }
                if (strv_split(text, ";,", &parts) < 0) {
                        st = SIS_UNKNOWN;
                        goto done;
                }
                /* parts[0] is "Mitigation: <base>"; the base itself may say "Vulnerable" */
                rest = strchr(parts[0], ':');
                if (rest)
                        memmove(parts[0], rest + 1, strlen(rest));
                for (size_t i = 0; parts[i]; i++) {
                        _cleanup_free_ char *r = NULL;
                        char *c = strstrip(parts[i]);
                        enum sis_status cs = component(file, c, smt_on, production, &r);
                        if (sis_status_rank(cs) > sis_status_rank(st)) {
                                st = cs;
                                free(reason);
                                reason = TAKE_PTR(r);
                        }
                }
        } else if (strcasestr(text, "vulnerable")) {
                /* a form this version has never seen, but it says vulnerable: believe it */
                st = SIS_FAIL;
                sis_finding_set_text(&reason, "%s", text);
        } else {
                st = SIS_UNKNOWN;
                sis_finding_set_text(&reason, "unrecognised status: %s", text);
        }
done:
        if (ret_reason)
                *ret_reason = TAKE_PTR(reason);
        return st;
}
