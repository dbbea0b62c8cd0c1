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
                { "GenuineIntel", VULN_INTEL }, { "AuthenticAMD", VULN_AMD },   { "HygonGenuine", VULN_HYGON },
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
                if (t[i].steppings != VULN_STEPPINGS_ANY && (c->stepping < 0 || c->stepping > 15 || !(t[i].steppings & (1u << c->stepping))))
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

static const struct vuln_rule rules[] = {
        { "meltdown", "4.15" },          { "spectre_v1", "4.15" },
        { "spectre_v2", "4.15" },        { "spec_store_bypass", "4.17" },
        { "l1tf", "4.18" },              { "mds", "5.2" },
        { "tsx_async_abort", "5.4" },    { "itlb_multihit", "5.4" },
        { "srbds", "5.8" },              { "mmio_stale_data", "5.19" },
        { "retbleed", "5.19" },          { "gather_data_sampling", "6.5" },
        { "spec_rstack_overflow", "6.5" }, { "reg_file_data_sampling", "6.9" },
        { "indirect_target_selection", "6.15" }, { "tsa", "6.16" },
        { "vmscape", "6.17" },
};

const struct vuln_rule *vuln_rules(size_t *ret_n) {
        *ret_n = ELEMENTSOF(rules);
        return rules;
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
        /* before the NO_SPECULATION return in the kernel's order */
        if (streq(file, "itlb_multihit")) {
                if (!white(c, VW_NO_ITLB_MULTIHIT))
                        v = VULN_AFFECTED_UNLESS, msr = "PSCHANGE_MC_NO";
        } else if (nospec)
                v = VULN_NOT_AFFECTED;
        else if (streq(file, "spectre_v1"))
                v = VULN_AFFECTED;
        else if (streq(file, "spectre_v2"))
                v = white(c, VW_NO_SPECTRE_V2) ? VULN_NOT_AFFECTED : VULN_AFFECTED;
        else if (streq(file, "spec_store_bypass")) {
                if (!white(c, VW_NO_SSB) && !has(flags, "amd_ssb_no") && !has(flags, "virt_ssbd_no"))
                        v = VULN_AFFECTED_UNLESS, msr = "SSB_NO";
        } else if (streq(file, "meltdown")) {
                if (!white(c, VW_NO_MELTDOWN))
                        v = VULN_AFFECTED_UNLESS, msr = "RDCL_NO";
        } else if (streq(file, "l1tf")) {
                if (!white(c, VW_NO_MELTDOWN) && !white(c, VW_NO_L1TF))
                        v = VULN_AFFECTED_UNLESS, msr = "RDCL_NO";
        } else if (streq(file, "mds")) {
                if (!white(c, VW_NO_MDS))
                        v = VULN_AFFECTED_UNLESS, msr = "MDS_NO";
        } else if (streq(file, "tsx_async_abort")) {
                /* TSX: the rtm flag (TSX_CTRL, an MSR bit, is the kernel's other sign) */
                if (has(flags, "rtm"))
                        v = VULN_AFFECTED_UNLESS, msr = "TAA_NO";
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
