/* SPDX-License-Identifier: MIT */
/* Every vulnerability status string from the kernel sources (tests/data/vuln-strings.tsv, whose
 * verdicts were assigned by hand from the rules, not by this code) against vuln_classify(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fileio.h"
#include "parse.h"
#include "util.h"
#include "vuln-cpu.h"

static char *unescape(const char *s) {
        struct sbuf b = {};
        while (*s) {
                if (s[0] == '\\' && s[1] == 't') {
                        sbuf_putc(&b, '\t');
                        s += 2;
                } else if (s[0] == '\\' && s[1] == 'n') {
                        sbuf_putc(&b, '\n');
                        s += 2;
                } else if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
                        char hex[3] = { s[2], s[3], 0 };
                        sbuf_putc(&b, (char) strtol(hex, NULL, 16));
                        s += 4;
                } else if (s[0] == '\\' && s[1] == '\\') {
                        sbuf_putc(&b, '\\');
                        s += 2;
                } else
                        sbuf_putc(&b, *s++);
        }
        return sbuf_steal(&b);
}

static void check_row(const char *file, int smt, bool production, const char *expected, const char *text, unsigned line,
                      unsigned *bad) {
        _cleanup_free_ char *reason = NULL;
        enum sis_status st = vuln_classify(file, text, smt, production, &reason);
        if (!streq(sis_status_name(st), expected)) {
                print_error("line %u: %s smt=%d %s '%s': got %s (%s), expected %s\n", line, file, smt,
                            production ? "production" : "development", text, sis_status_name(st), strna(reason),
                            expected);
                (*bad)++;
        }
}

static void test_table(void **state) {
        _cleanup_free_ char *data = NULL;
        _cleanup_strv_free_ char **lines = NULL;
        unsigned rows = 0, bad = 0;

        assert_int_equal(read_file_capped("tests/data/vuln-strings.tsv", 1 << 20, &data, NULL), 0);
        assert_int_equal(strv_split(data, "\n", &lines), 0);
        for (size_t i = 0; lines[i]; i++) {
                char *f[6] = {};
                char *p = lines[i];
                _cleanup_free_ char *text = NULL;
                size_t n = 0;

                if (lines[i][0] == '#')
                        continue;
                while (n < 6) {
                        f[n++] = p;
                        p = strchr(p, '\t');
                        if (!p)
                                break;
                        *p++ = '\0';
                }
                assert_int_equal(n, 6);
                text = startswith(f[5], "esc") ? unescape(f[4]) : strdup(f[4]);
                assert_non_null(text);
                for (int smt = 0; smt <= 1; smt++) {
                        if ((streq(f[1], "on") && !smt) || (streq(f[1], "off") && smt))
                                continue;
                        for (int prod = 0; prod <= 1; prod++) {
                                if ((streq(f[2], "production") && !prod) || (streq(f[2], "development") && prod))
                                        continue;
                                check_row(f[0], smt, prod, f[3], text, (unsigned) i + 1, &bad);
                        }
                }
                rows++;
        }
        assert_true(rows >= 200);
        assert_int_equal(bad, 0);
}

/* SMT in an unknown state must not be treated as off. */
static void test_smt_unknown(void **state) {
        assert_int_equal(vuln_classify("mds", "Mitigation: Clear CPU buffers; SMT vulnerable", -1, true, NULL),
                         SIS_FAIL);
        assert_int_equal(vuln_classify("spectre_v2", "Mitigation: Retpolines; STIBP: disabled", -1, true, NULL),
                         SIS_FAIL);
}

/* Facts of the kernel's tables (audit/vuln-cpus.h), through the kernel's rules: each case is
 * what arch/x86/kernel/cpu/common.c says of that CPU, read by hand. */
static void test_tables(void **state) {
        static char *none[] = { NULL }, *tsx[] = { "rtm", "rdrand", "avx", NULL };
        static const struct {
                struct vuln_cpuid cpu;
                char **flags;
                bool hv;
                const char *file;
                enum vuln_verdict want;
                const char *msr;
        } cases[] = {
                /* Skylake-SP: steppings 0-5 match the row without ITS first, later ones the row with it */
                { { VULN_INTEL, 6, 0x55, 4 }, none, false, "indirect_target_selection", VULN_NOT_AFFECTED },
                { { VULN_INTEL, 6, 0x55, 7 }, none, false, "indirect_target_selection", VULN_AFFECTED },
                { { VULN_INTEL, 6, 0x55, 4 }, none, false, "vmscape", VULN_AFFECTED },
                { { VULN_INTEL, 6, 0x55, 4 }, none, true, "vmscape", VULN_NOT_AFFECTED }, /* bare metal only */
                { { VULN_INTEL, 6, 0x55, 4 }, tsx, false, "gather_data_sampling", VULN_AFFECTED },
                { { VULN_INTEL, 6, 0x55, 4 }, none, false, "gather_data_sampling", VULN_NOT_AFFECTED }, /* no AVX */
                { { VULN_INTEL, 6, 0x55, 4 },
                  none,
                  false,
                  "mds",
                  VULN_AFFECTED_UNLESS,
                  "IA32_ARCH_CAPABILITIES.MDS_NO" },
                { { VULN_INTEL, 6, 0x55, 4 },
                  none,
                  false,
                  "meltdown",
                  VULN_AFFECTED_UNLESS,
                  "IA32_ARCH_CAPABILITIES.RDCL_NO" },
                /* Kaby Lake desktop: SRBDS needs RDRAND; TAA needs TSX */
                { { VULN_INTEL, 6, 0x9e, 9 }, tsx, false, "srbds", VULN_AFFECTED },
                { { VULN_INTEL, 6, 0x9e, 9 }, none, false, "srbds", VULN_NOT_AFFECTED },
                { { VULN_INTEL, 6, 0x9e, 9 },
                  tsx,
                  false,
                  "tsx_async_abort",
                  VULN_AFFECTED_UNLESS,
                  "IA32_ARCH_CAPABILITIES.TAA_NO" },
                { { VULN_INTEL, 6, 0x9e, 9 }, none, false, "tsx_async_abort", VULN_NOT_AFFECTED },
                { { VULN_INTEL, 6, 0x9e, 9 }, none, false, "retbleed", VULN_AFFECTED },
                { { VULN_INTEL, 6, 0x9e, 9 }, none, false, "mmio_stale_data", VULN_AFFECTED },
                /* Atom Saltwell: no speculation at all, nor iTLB multihit */
                { { VULN_INTEL, 6, 0x1c, 0 }, none, false, "spectre_v1", VULN_NOT_AFFECTED },
                { { VULN_INTEL, 6, 0x1c, 0 }, none, false, "itlb_multihit", VULN_NOT_AFFECTED },
                /* AMD: Zen 2 retbleed and SRSO, Zen 3/4 SRSO and TSA, no Meltdown or MDS */
                { { VULN_AMD, 0x17, 0x31, 0 }, none, false, "retbleed", VULN_AFFECTED },
                { { VULN_AMD, 0x17, 0x31, 0 }, none, false, "spec_rstack_overflow", VULN_AFFECTED },
                { { VULN_AMD, 0x17, 0x31, 0 }, none, false, "tsa", VULN_NOT_AFFECTED },
                { { VULN_AMD, 0x19, 0x01, 1 }, none, false, "tsa", VULN_AFFECTED },
                { { VULN_AMD, 0x19, 0x01, 1 }, none, false, "meltdown", VULN_NOT_AFFECTED },
                { { VULN_AMD, 0x19, 0x01, 1 }, none, false, "mds", VULN_NOT_AFFECTED },
                { { VULN_AMD, 0x19, 0x01, 1 }, none, false, "spectre_v2", VULN_AFFECTED },
                /* Hygon Dhyana is Zen 1 */
                { { VULN_HYGON, 0x18, 0x00, 1 }, none, false, "retbleed", VULN_AFFECTED },
                /* a vendor the tables do not know */
                { { VULN_OTHER, 6, 0x01, 0 }, none, false, "spectre_v1", VULN_UNKNOWN },
        };
        uint32_t lo, hi;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *msr = NULL;
                enum vuln_verdict v = vuln_judge(cases[i].file, &cases[i].cpu, cases[i].flags, cases[i].hv, &msr);
                if (v != cases[i].want)
                        fail_msg("case %zu (%s on %d/0x%x/%d): got %d, want %d", i, cases[i].file, cases[i].cpu.family,
                                 cases[i].cpu.model, cases[i].cpu.stepping, v, cases[i].want);
                if (cases[i].msr)
                        assert_string_equal(msr, cases[i].msr);
        }
        /* arm64 (proton-pack.c, cpufeature.c): Cortex-A72 is on the KPTI safe list, not on the v2 one;
         * Neoverse N1 (Graviton2) needs a 24-branch BHB loop, Neoverse V1 (Graviton3) 32, A53 none */
        {
                struct vuln_cpuid a72 = { VULN_ARM64, -1, -1, -1, 0x41, 0xd08 },
                                  n1 = { VULN_ARM64, -1, -1, -1, 0x41, 0xd0c },
                                  v1 = { VULN_ARM64, -1, -1, -1, 0x41, 0xd40 },
                                  a53 = { VULN_ARM64, -1, -1, -1, 0x41, 0xd03 },
                                  odd = { VULN_ARM64, -1, -1, -1, 0x61, 0x022 };
                const char *msr = NULL;
                unsigned k;
                assert_int_equal(vuln_judge("meltdown", &a72, none, false, &msr), VULN_NOT_AFFECTED);
                assert_int_equal(vuln_judge("spectre_v2", &a72, none, false, &msr), VULN_AFFECTED_UNLESS);
                assert_string_equal(msr, "ID_AA64PFR0_EL1.CSV2");
                assert_int_equal(vuln_judge("spectre_v1", &a53, none, false, &msr), VULN_AFFECTED);
                assert_int_equal(vuln_judge("spec_store_bypass", &a53, none, false, &msr), VULN_NOT_AFFECTED);
                assert_int_equal(vuln_arm_bhb(&n1, &k), VULN_AFFECTED);
                assert_int_equal(k, 24);
                assert_int_equal(vuln_arm_bhb(&v1, &k), VULN_AFFECTED);
                assert_int_equal(k, 32);
                assert_int_equal(vuln_arm_bhb(&a72, &k), VULN_AFFECTED);
                assert_int_equal(k, 8);
                assert_int_equal(vuln_arm_bhb(&a53, &k), VULN_NOT_AFFECTED);
                assert_int_equal(vuln_arm_bhb(&odd, &k), VULN_AFFECTED_UNLESS);
        }
        /* the latest microcode: Kaby Lake 0x9e stepping 9 is in the list, AMD never */
        assert_true(vuln_latest_microcode(&(struct vuln_cpuid) { VULN_INTEL, 6, 0x9e, 9 }, &lo, &hi));
        assert_true(lo > 0xb4 && lo <= hi);
        assert_false(vuln_latest_microcode(&(struct vuln_cpuid) { VULN_AMD, 0x17, 0x31, 0 }, &lo, &hi));
        assert_int_equal(vuln_vendor_of("GenuineIntel"), VULN_INTEL);
        assert_int_equal(vuln_vendor_of("AuthenticAMD"), VULN_AMD);
        assert_int_equal(vuln_vendor_of("Garbage"), VULN_OTHER);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_smt_unknown),
                cmocka_unit_test(test_tables),
        };
        return cmocka_run_group_tests_name("vuln", tests, NULL, NULL);
}
