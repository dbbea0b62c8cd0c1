/* SPDX-License-Identifier: MIT */
/* The kernel's own rules for which CPU has which vulnerability (cpu_set_bug_bits() in
 * arch/x86/kernel/cpu/common.c), over its tables (audit/vuln-cpus.h). What the kernel also reads
 * from IA32_ARCH_CAPABILITIES, an MSR the audit never reads, makes a verdict "affected unless". */
#include <string.h>

#include "util.h"
#include "vuln-cpu.h"
#include "vuln-cpus.h"

enum vuln_vendor vuln_vendor_of(const char *v) {
        static const struct {
                const char *id;
                enum vuln_vendor vendor;
        } ids[] = {
                { "GenuineIntel", VULN_INTEL },   { "AuthenticAMD", VULN_AMD },     { "HygonGenuine", VULN_HYGON },
                { "CentaurHauls", VULN_CENTAUR }, { "  Shanghai  ", VULN_ZHAOXIN }, { "Geode by NSC", VULN_NSC },
                { "Vortex86 SoC", VULN_VORTEX },
        };
        for (size_t i = 0; v && i < ELEMENTSOF(ids); i++)
                if (streq(v, ids[i].id))
                        return ids[i].vendor;
        return VULN_OTHER;
}

/* x86_match_cpu(): the first row that matches, or NULL. */
static const struct vuln_cpu *match(const struct vuln_cpu *t, size_t n, const struct vuln_cpuid *c) {
        for (size_t i = 0; i < n; i++) {
                if (t[i].vendor != VULN_ANY && t[i].vendor != c->vendor)
                        continue;
                if (t[i].family >= 0 && t[i].family != c->family)
                        continue;
                if (t[i].model >= 0 && t[i].model != c->model)
                        continue;
                if (t[i].steppings != VULN_STEPPINGS_ANY &&
                    (c->stepping < 0 || c->stepping > 15 || !(t[i].steppings & (1u << c->stepping))))
                        continue;
                return &t[i];
        }
        return NULL;
}

static bool white(const struct vuln_cpuid *c, uint32_t which) {
        const struct vuln_cpu *m = match(vuln_whitelist, ELEMENTSOF(vuln_whitelist), c);
        return m && (m->flags & which);
}

static bool black(const struct vuln_cpuid *c, uint32_t which) {
        const struct vuln_cpu *m = match(vuln_blacklist, ELEMENTSOF(vuln_blacklist), c);
        return m && (m->flags & which);
}

static bool has(char *const *flags, const char *f) {
        return strv_contains(flags, f);
}

static const struct vuln_arm_core *arm_core(const struct vuln_cpuid *c) {
        for (const struct vuln_arm_core *a = arm_cores; a->implementer; a++)
                if (a->implementer == c->implementer && a->part == c->part)
                        return a;
        return NULL;
}

/* arm64 gained these files in 5.2 */
static const struct vuln_rule arm_rules[] = {
        { "meltdown", "5.2" },
        { "spectre_v1", "5.2" },
        { "spectre_v2", "5.2" },
        { "spec_store_bypass", "5.2" },
};

static const struct vuln_rule rules[] = {
        { "meltdown", "4.15" },
        { "spectre_v1", "4.15" },
        { "spectre_v2", "4.15" },
        { "spec_store_bypass", "4.17" },
        { "l1tf", "4.18" },
        { "mds", "5.2" },
        { "tsx_async_abort", "5.4" },
        { "itlb_multihit", "5.4" },
        { "srbds", "5.8" },
        { "mmio_stale_data", "5.19" },
        { "retbleed", "5.19" },
        { "gather_data_sampling", "6.5" },
        { "spec_rstack_overflow", "6.5" },
        { "reg_file_data_sampling", "6.9" },
        { "indirect_target_selection", "6.15" },
        { "tsa", "6.16" },
        { "vmscape", "6.17" },
};

const struct vuln_rule *vuln_rules(bool arm64, size_t *ret_n) {
        *ret_n = arm64 ? ELEMENTSOF(arm_rules) : ELEMENTSOF(rules);
        return arm64 ? arm_rules : rules;
}

/* arm64 (proton-pack.c, cpufeature.c): a core on a safe list is not affected; any other is,
 * unless an ID register (CSV2, CSV3) says otherwise, which the audit does not read. */
static enum vuln_verdict arm_judge(const char *file, const struct vuln_cpuid *c, const char **msr) {
        const struct vuln_arm_core *a = arm_core(c);
        uint8_t safe = a ? a->safe : 0;

        if (streq(file, "spectre_v1"))
                return VULN_AFFECTED;
        if (streq(file, "meltdown")) {
                *msr = "ID_AA64PFR0_EL1.CSV3";
                return safe & ARM_KPTI_SAFE ? VULN_NOT_AFFECTED : VULN_AFFECTED_UNLESS;
        }
        if (streq(file, "spectre_v2")) {
                *msr = "ID_AA64PFR0_EL1.CSV2";
                return safe & ARM_V2_SAFE ? VULN_NOT_AFFECTED : VULN_AFFECTED_UNLESS;
        }
        if (streq(file, "spec_store_bypass"))
                return safe & ARM_V4_SAFE ? VULN_NOT_AFFECTED : VULN_AFFECTED;
        return VULN_UNKNOWN;
}

enum vuln_verdict vuln_arm_bhb(const struct vuln_cpuid *c, unsigned *ret_k) {
        const struct vuln_arm_core *a = arm_core(c);

        *ret_k = a ? a->bhb_k : 0;
        if (a && (a->safe & ARM_BHB_SAFE))
                return VULN_NOT_AFFECTED;
        return *ret_k ? VULN_AFFECTED : VULN_AFFECTED_UNLESS;
}

const char *vuln_tables_from(void) {
        return VULN_TABLE_FROM;
}

enum vuln_verdict vuln_judge(const char *file, const struct vuln_cpuid *c, char *const *flags, bool hypervisor,
                             const char **ret_msr) {
        bool nospec = white(c, VW_NO_SPECULATION);
        const char *msr = NULL;
        enum vuln_verdict v = VULN_NOT_AFFECTED;

        if (c->vendor == VULN_OTHER)
                return VULN_UNKNOWN;
        if (c->vendor == VULN_ARM64) {
                v = arm_judge(file, c, &msr);
                if (ret_msr)
                        *ret_msr = msr;
                return v;
        }
        /* before the NO_SPECULATION return in the kernel's order */
        if (streq(file, "itlb_multihit")) {
                if (!white(c, VW_NO_ITLB_MULTIHIT))
                        v = VULN_AFFECTED_UNLESS, msr = "IA32_ARCH_CAPABILITIES.PSCHANGE_MC_NO";
        } else if (nospec)
                v = VULN_NOT_AFFECTED;
        else if (streq(file, "spectre_v1"))
                v = VULN_AFFECTED;
        else if (streq(file, "spectre_v2"))
                v = white(c, VW_NO_SPECTRE_V2) ? VULN_NOT_AFFECTED : VULN_AFFECTED;
        else if (streq(file, "spec_store_bypass")) {
                if (!white(c, VW_NO_SSB) && !has(flags, "amd_ssb_no") && !has(flags, "virt_ssbd_no"))
                        v = VULN_AFFECTED_UNLESS, msr = "IA32_ARCH_CAPABILITIES.SSB_NO";
        } else if (streq(file, "meltdown")) {
                if (!white(c, VW_NO_MELTDOWN))
                        v = VULN_AFFECTED_UNLESS, msr = "IA32_ARCH_CAPABILITIES.RDCL_NO";
        } else if (streq(file, "l1tf")) {
                if (!white(c, VW_NO_MELTDOWN) && !white(c, VW_NO_L1TF))
                        v = VULN_AFFECTED_UNLESS, msr = "IA32_ARCH_CAPABILITIES.RDCL_NO";
        } else if (streq(file, "mds")) {
                if (!white(c, VW_NO_MDS))
                        v = VULN_AFFECTED_UNLESS, msr = "IA32_ARCH_CAPABILITIES.MDS_NO";
        } else if (streq(file, "tsx_async_abort")) {
                /* TSX: the rtm flag (TSX_CTRL, an MSR bit, is the kernel's other sign) */
                if (has(flags, "rtm"))
                        v = VULN_AFFECTED_UNLESS, msr = "IA32_ARCH_CAPABILITIES.TAA_NO";
        } else if (streq(file, "srbds")) {
                if ((has(flags, "rdrand") || has(flags, "rdseed")) && black(c, VB_SRBDS | VB_MMIO_SBDS))
                        v = VULN_AFFECTED;
        } else if (streq(file, "mmio_stale_data")) {
                if (black(c, VB_MMIO))
                        v = VULN_AFFECTED;
                else if (!white(c, VW_NO_MMIO))
                        v = VULN_UNKNOWN; /* the kernel says "Unknown: No mitigations" for such a CPU */
        } else if (streq(file, "retbleed")) {
                if (!has(flags, "btc_no") && black(c, VB_RETBLEED))
                        v = VULN_AFFECTED;
        } else if (streq(file, "spec_rstack_overflow")) {
                if (!has(flags, "srso_no") && black(c, VB_SRSO))
                        v = VULN_AFFECTED;
        } else if (streq(file, "gather_data_sampling")) {
                if (black(c, VB_GDS) && has(flags, "avx"))
                        v = VULN_AFFECTED;
        } else if (streq(file, "reg_file_data_sampling")) {
                if (black(c, VB_RFDS))
                        v = VULN_AFFECTED;
        } else if (streq(file, "indirect_target_selection")) {
                if (c->vendor == VULN_INTEL && black(c, VB_ITS))
                        v = VULN_AFFECTED;
        } else if (streq(file, "tsa")) {
                if (c->vendor == VULN_AMD && black(c, VB_TSA))
                        v = VULN_AFFECTED;
        } else if (streq(file, "vmscape")) {
                if (black(c, VB_VMSCAPE) && !hypervisor)
                        v = VULN_AFFECTED;
        } else
                v = VULN_UNKNOWN;
        if (ret_msr)
                *ret_msr = msr;
        return v;
}

bool vuln_latest_microcode(const struct vuln_cpuid *c, uint32_t *ret_lo, uint32_t *ret_hi) {
        bool found = false;

        if (c->vendor != VULN_INTEL || c->stepping < 0 || c->stepping > 15)
                return false;
        for (const struct vuln_ucode *u = latest_microcode; u->family; u++)
                if (u->family == c->family && u->model == c->model && (u->steppings & (1u << c->stepping))) {
                        if (!found || u->revision < *ret_lo)
                                *ret_lo = u->revision;
                        if (!found || u->revision > *ret_hi)
                                *ret_hi = u->revision;
                        found = true;
                }
        return found;
}
