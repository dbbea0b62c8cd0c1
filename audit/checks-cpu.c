/* SPDX-License-Identifier: MIT */
#include <ctype.h>

#include "check-ctx.h"
#include "util.h"
#include "vuln-cpu.h"
#include "vuln.h"

#define CPU_DIR "/sys/devices/system/cpu"
#define VULN_DIR CPU_DIR "/vulnerabilities"

/* Numeric order: cpu2 before cpu10 (names are "cpu" and digits, so shorter is smaller). */
static int cmp_cpu(const void *a, const void *b) {
        const char *x = *(char *const *) a, *y = *(char *const *) b;
        size_t lx = strlen(x), ly = strlen(y);

        return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y);
}

/* cpu0, cpu1, … in numeric order; an empty list when there is none. */
static int list_cpus(struct audit_ctx *c, char ***ret) {
        _cleanup_strv_free_ char **all = NULL, **cpus = NULL;
        int k = sis_root_list(c->root, CPU_DIR, &all);

        if (k < 0)
                return k;
        cpus = calloc(1, sizeof(char *));
        if (!cpus)
                return -ENOMEM;
        for (char **i = all; *i; i++) {
                const char *n = startswith(*i, "cpu");
                uint32_t x;
                if (n && *n && isdigit((unsigned char) *n) && safe_atou32(n, &x) >= 0 && strv_extend(&cpus, *i) < 0)
                        return -ENOMEM;
        }
        qsort(cpus, strv_length(cpus), sizeof(char *), cmp_cpu);
        *ret = TAKE_PTR(cpus);
        return 0;
}

CHECK_FN(check_cpu_smt) {
        _cleanup_free_ char *control = NULL, *active = NULL;
        const struct cpuinfo *ci;
        int k;

        k = audit_read_opt(c, f, CPU_DIR "/smt/control", &control);
        if (k == -ENOENT) {
                /* Kernels before 4.19 have no smt/ directory: compare siblings with cores. */
                k = audit_cpuinfo(c, &ci);
                if (k < 0) {
                        sis_finding_note(f, SIS_UNKNOWN, "no smt/control and /proc/cpuinfo unreadable: %s",
                                         audit_strerror(k));
                        return;
                }
                if (ci->siblings <= 0 || ci->cores <= 0) {
                        sis_finding_note(f, SIS_UNKNOWN, "no smt/control and no siblings/cpu cores in /proc/cpuinfo");
                        return;
                }
                sis_finding_evidence(f, "/proc/cpuinfo", "siblings: %d, cpu cores: %d", ci->siblings, ci->cores);
                if (ci->siblings > ci->cores)
                        sis_finding_note(f, SIS_FAIL, "SMT on: %d threads on %d cores", ci->siblings, ci->cores);
                else
                        sis_finding_note(f, SIS_PASS, "one thread per core (kernel has no SMT control)");
                return;
        }
        if (k < 0)
                return;
        (void) audit_read_opt(c, f, CPU_DIR "/smt/active", &active);
        if (streq(control, "forceoff"))
                sis_finding_note(f, SIS_PASS, "SMT forced off");
        else if (streq(control, "notsupported") || streq(control, "notimplemented"))
                sis_finding_note(f, SIS_PASS, "SMT %s on this CPU",
                                 streq(control, "notsupported") ? "not supported" : "control not implemented");
        else if (streq(control, "on") || (active && streq(active, "1")))
                sis_finding_note(f, SIS_FAIL, "SMT on (control=%s, active=%s)", control, strna(active));
        else if (streq(control, "off"))
                sis_finding_note(f, SIS_PASS,
                                 "SMT off at runtime; it can be switched back on: boot with nosmt=force to lock it");
        else
                sis_finding_note(f, SIS_UNKNOWN, "unrecognised smt/control value '%s'", control);
}

int cpu_vuln_instances(struct audit_ctx *c, char ***ret) {
        _cleanup_strv_free_ char **names = NULL, **ok = NULL;
        int k = sis_root_list(c->root, VULN_DIR, &names);

        if (k < 0)
                return k;
        ok = calloc(1, sizeof(char *));
        if (!ok)
                return -ENOMEM;
        for (char **n = names; *n; n++) {
                bool valid = strlen(*n) <= 64;
                for (const char *p = *n; valid && *p; p++)
                        valid = isalnum((unsigned char) *p) || *p == '_' || *p == '-';
                if (valid && strv_extend(&ok, *n) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(ok);
        return 0;
}

CHECK_FN(check_cpu_vuln) {
        const struct vuln_info *vi = vuln_lookup(arg);
        _cleanup_free_ char *path = strdup_printf(VULN_DIR "/%s", arg), *text = NULL, *reason = NULL;
        enum sis_status st;
        const char *how;
        int smt;

        if (!path) {
                sis_finding_note(f, SIS_UNKNOWN, "out of memory");
                return;
        }
        if (vi) {
                sis_finding_set_text(&f->title, "%s", vi->title);
                sis_finding_set_text(&f->remediation, "%s", vi->remediation);
                f->references = (strv_free(f->references), NULL);
                if (vi->cves && *vi->cves) {
                        _cleanup_strv_free_ char **cves = NULL;
                        if (strv_split(vi->cves, " ", &cves) >= 0)
                                for (char **cv = cves; *cv; cv++)
                                        sis_finding_add_reference(f, *cv);
                }
                sis_finding_add_reference(f, vi->reference);
        } else
                sis_finding_set_text(&f->title, "CPU vulnerability '%s' (not known to this version)", arg);

        if (audit_read(c, f, path, &text) < 0)
                return;
        smt = audit_smt(c, &how);
        st = vuln_classify(arg, text, smt, audit_production(c), &reason);
        if (st == SIS_PASS)
                sis_finding_note(f, st, "%s", text);
        else
                sis_finding_note(f, st, "%s", reason ? reason : text);
}

static bool cpuid_of(const struct cpuinfo *ci, struct vuln_cpuid *ret) {
        if (ci && !ci->vendor && ci->implementer >= 0 && ci->part >= 0) {
                *ret = (struct vuln_cpuid) { VULN_ARM64, -1, -1, -1, ci->implementer, ci->part };
                return true;
        }
        if (!ci || !ci->vendor || ci->family < 0 || ci->model < 0)
                return false;
        *ret = (struct vuln_cpuid) { vuln_vendor_of(ci->vendor), ci->family, ci->model, ci->stepping, -1, -1 };
        return true;
}

/* arm64's Spectre-BHB lives in its spectre_v2 line ("Mitigation: CSV2, BHB"): a line without
 * BHB on an affected core is a kernel from before its mitigation (5.17, and the stable
 * backports), which calls a CSV2 core "Not affected". */
static void arm_bhb(struct audit_ctx *c, struct sis_finding *f, const struct vuln_cpuid *cpu) {
        _cleanup_free_ char *v2 = NULL;
        unsigned k;
        enum vuln_verdict v = vuln_arm_bhb(cpu, &k);

        if (v == VULN_NOT_AFFECTED || audit_read_opt(c, f, VULN_DIR "/spectre_v2", &v2) < 0)
                return;
        if (strstr(v2, "BHB"))
                return;
        /* a core in a loop list has BHB whatever CSV2 says: a kernel that knows BHB never calls it
         * "Not affected"; a kernel from before does, for a CSV2 core (Neoverse N1, V1...) */
        if (v == VULN_AFFECTED_UNLESS && startswith(v2, "Not affected"))
                return;
        if (v == VULN_AFFECTED)
                sis_finding_note(f, SIS_FAIL,
                                 "kernel too old to mitigate Spectre-BHB on this CPU (its spectre_v2 line names no "
                                 "BHB mitigation, Linux 5.17 added one; this core needs a %u-branch loop)",
                                 k);
        else
                sis_finding_note(
                        f, SIS_WARN,
                        "kernel too old to mitigate Spectre-BHB (its spectre_v2 line names no BHB "
                        "mitigation, Linux 5.17 added one), which this core has unless ID_AA64PFR0_EL1 says CSV2.3 "
                        "(a register the audit does not read)");
}

/* What a kernel too old to know a vulnerability leaves open: for each vulnerability the tables
 * (the newest kernel's own, audit/vuln-cpus.h) know and this kernel has no file for, whether this
 * CPU has it. Where the kernel has the file, cpu.vuln.<file> judges. */
CHECK_FN(check_cpu_vuln_coverage) {
        _cleanup_strv_free_ char **have = NULL;
        const struct cpuinfo *ci;
        const struct vuln_rule *rules;
        struct vuln_cpuid cpu;
        size_t n, missing = 0, clear = 0;
        int k = audit_cpuinfo(c, &ci);

        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot read /proc/cpuinfo: %s", audit_strerror(k));
                return;
        }
        if (!cpuid_of(ci, &cpu)) {
                sis_finding_note(f, SIS_UNKNOWN,
                                 "/proc/cpuinfo gives neither an x86 family and model nor an arm64 "
                                 "implementer and part");
                return;
        }
        if (cpu.vendor == VULN_ARM64)
                sis_finding_evidence(f, "/proc/cpuinfo", "CPU implementer 0x%02x, CPU part 0x%03x", cpu.implementer,
                                     cpu.part);
        else
                sis_finding_evidence(f, "/proc/cpuinfo", "%s family %d model 0x%02x stepping %d", ci->vendor,
                                     cpu.family, cpu.model, cpu.stepping);
        k = sis_root_list(c->root, VULN_DIR, &have);
        if (k < 0 && k != -ENOENT) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot list %s: %s", VULN_DIR, audit_strerror(k));
                return;
        }
        rules = vuln_rules(cpu.vendor == VULN_ARM64, &n);
        for (size_t i = 0; i < n; i++) {
                const struct vuln_info *vi = vuln_lookup(rules[i].file);
                const char *title = vi ? vi->title : rules[i].file, *msr = NULL;
                if (strv_contains(have, rules[i].file))
                        continue;
                missing++;
                switch (vuln_judge(rules[i].file, &cpu, ci->flags, cpuinfo_has_flag(ci, "hypervisor"), &msr)) {
                case VULN_NOT_AFFECTED: clear++; break;
                case VULN_AFFECTED:
                        sis_finding_evidence(f, VULN_DIR, "no %s (Linux %s+)", rules[i].file, rules[i].since);
                        sis_finding_note(f, SIS_FAIL,
                                         "kernel too old to mitigate %s on this CPU (no %s: Linux %s added it)", title,
                                         rules[i].file, rules[i].since);
                        break;
                case VULN_AFFECTED_UNLESS:
                        sis_finding_evidence(f, VULN_DIR, "no %s (Linux %s+)", rules[i].file, rules[i].since);
                        sis_finding_note(f, SIS_WARN,
                                         "kernel too old to mitigate %s (no %s: Linux %s added it), which this CPU "
                                         "has unless %s says otherwise (a register the audit does not read)",
                                         title, rules[i].file, rules[i].since, msr);
                        break;
                case VULN_UNKNOWN:
                        sis_finding_evidence(f, VULN_DIR, "no %s (Linux %s+)", rules[i].file, rules[i].since);
                        sis_finding_note(f, SIS_UNKNOWN,
                                         "kernel too old to report %s (no %s: Linux %s added it), and the tables "
                                         "do not say whether this CPU has it",
                                         title, rules[i].file, rules[i].since);
                }
        }
        if (cpu.vendor == VULN_ARM64)
                arm_bhb(c, f, &cpu);
        if (missing == 0)
                sis_finding_note(f, SIS_PASS, "the kernel reports every vulnerability the tables know (Linux %s)",
                                 vuln_tables_from());
        else if (clear == missing)
                sis_finding_note(f, SIS_PASS,
                                 "the kernel does not report %zu vulnerabilit%s, and the tables (Linux %s) say this "
                                 "CPU has none of them",
                                 missing, missing == 1 ? "y" : "ies", vuln_tables_from());
}

/* A microcode revision as the kernel writes it: "0x" and hex digits (at most 32 bits). */
static bool microcode_rev_ok(const char *s) {
        size_t n = s && startswith(s, "0x") ? strlen(s + 2) : 0;
        return n >= 1 && n <= 8 && is_hex_any(s + 2, n);
}

CHECK_FN(check_cpu_microcode) {
        _cleanup_strv_free_ char **cpus = NULL, **revs = NULL;
        _cleanup_free_ char *old = NULL;
        const struct cpuinfo *ci = NULL;
        size_t n_known = 0, n_garbled = 0;
        int k;
        const char *first = NULL;
        bool differ = false;

        (void) audit_cpuinfo(c, &ci);
        if (list_cpus(c, &cpus) >= 0) {
                for (size_t i = 0; cpus[i]; i++) {
                        _cleanup_free_ char *p = strdup_printf(CPU_DIR "/%s/microcode/version", cpus[i]);
                        char *v = NULL;
                        if (p && sis_root_read_string(c->root, p, &v) >= 0 && *v) {
                                if (!microcode_rev_ok(v)) {
                                        if (n_garbled++ == 0)
                                                sis_finding_evidence(f, p, "%s", v);
                                        free(v);
                                } else if (strv_push(&revs, v) < 0)
                                        break;
                        } else {
                                free(v);
                        }
                }
        }
        if (strv_length(revs) == 0 && n_garbled == 0 && ci && ci->microcode)
                for (size_t i = 0; ci->microcode[i]; i++) {
                        if (!*ci->microcode[i])
                                continue;
                        if (!microcode_rev_ok(ci->microcode[i])) {
                                if (n_garbled++ == 0)
                                        sis_finding_evidence(f, "/proc/cpuinfo", "microcode: %s", ci->microcode[i]);
                        } else if (strv_extend(&revs, ci->microcode[i]) < 0)
                                break;
                }
        for (size_t i = 0; revs && revs[i]; i++) {
                n_known++;
                if (!first)
                        first = revs[i];
                else if (!streq(first, revs[i]))
                        differ = true;
        }
        if (n_known > 0) {
                struct sbuf b = {};
                for (size_t i = 0; revs[i]; i++) {
                        if (i > 0 && streq(revs[i], revs[i - 1]))
                                continue;
                        sbuf_printf(&b, "%s%s", b.len ? " " : "", revs[i]);
                }
                _cleanup_free_ char *s = sbuf_steal(&b);
                sis_finding_evidence(f, strv_length(cpus) ? CPU_DIR "/cpu*/microcode/version" : "/proc/cpuinfo", "%s",
                                     strna(s));
        }
        k = audit_read_opt(c, f, VULN_DIR "/old_microcode", &old);
        if (k >= 0 && startswith(old, "Vulnerable"))
                sis_finding_note(f, SIS_FAIL, "the kernel reports outdated microcode (%s)", old);
        else if (k == -ENOENT && n_known > 0 && !differ && n_garbled == 0) {
                /* a kernel older than old_microcode (6.15): the newest kernel's list of the latest
                 * revisions decides, as the kernel would (never under a hypervisor, which lies) */
                struct vuln_cpuid cpu;
                uint32_t lo, hi, rev = (uint32_t) strtoul(first, NULL, 16);
                if (cpuid_of(ci, &cpu) && !cpuinfo_has_flag(ci, "hypervisor") &&
                    vuln_latest_microcode(&cpu, &lo, &hi)) {
                        if (lo == hi)
                                sis_finding_evidence(f, "cpu_latest_microcode", "0x%x (Linux %s)", lo,
                                                     vuln_tables_from());
                        else
                                sis_finding_evidence(f, "cpu_latest_microcode", "0x%x to 0x%x by platform (Linux %s)",
                                                     lo, hi, vuln_tables_from());
                        if (rev < lo || rev & (1u << 31))
                                sis_finding_note(f, SIS_FAIL,
                                                 "microcode %s is older than the latest for this CPU (0x%x, Linux %s's "
                                                 "list)",
                                                 first, lo, vuln_tables_from());
                        else if (rev < hi)
                                sis_finding_note(f, SIS_WARN,
                                                 "microcode %s is older than the latest for some platforms of this CPU "
                                                 "(0x%x to 0x%x; its platform id is an MSR the audit does not read)",
                                                 first, lo, hi);
                }
        }
        if (differ)
                sis_finding_note(f, SIS_FAIL, "microcode revisions differ between CPUs");
        else if (n_garbled)
                sis_finding_note(f, SIS_UNKNOWN, "%zu microcode revision%s garbled (not 0x and hex digits)", n_garbled,
                                 n_garbled == 1 ? " is" : "s are");
        else if (n_known == 0)
                sis_finding_note(f, SIS_WARN, "microcode revision unknown (not reported by the kernel)");
        else
                sis_finding_note(f, SIS_PASS, "revision %s on all %zu CPUs", first, n_known);
}

CHECK_FN(check_cpu_tsc) {
        const struct cpuinfo *ci;
        bool constant, nonstop;
        int k = audit_cpuinfo(c, &ci);

        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot read /proc/cpuinfo: %s", audit_strerror(k));
                return;
        }
        if (!ci->vendor) {
                sis_finding_skip(f, "not an x86 CPU: the TSC flags do not apply");
                return;
        }
        constant = cpuinfo_has_flag(ci, "constant_tsc");
        nonstop = cpuinfo_has_flag(ci, "nonstop_tsc");
        sis_finding_evidence(f, "/proc/cpuinfo", "flags: %sconstant_tsc %snonstop_tsc", constant ? "" : "no ",
                             nonstop ? "" : "no ");
        if (constant && nonstop)
                sis_finding_note(f, SIS_PASS, "invariant TSC (constant_tsc, nonstop_tsc)");
        else
                sis_finding_note(f, SIS_FAIL, "TSC is not invariant: missing %s%s%s", constant ? "" : "constant_tsc",
                                 !constant && !nonstop ? " and " : "", nonstop ? "" : "nonstop_tsc");
}

/* "… @ 2.10GHz" in the brand string, in kHz. */
static long brand_khz(const char *brand) {
        const char *at = brand ? strstr(brand, "@ ") : NULL;
        double ghz;
        char unit[8];

        if (!at || sscanf(at + 2, "%lf%7s", &ghz, unit) != 2 || ghz <= 0 || ghz > 20)
                return 0;
        if (streq(unit, "GHz"))
                return (long) (ghz * 1e6 + 0.5);
        if (streq(unit, "MHz"))
                return (long) (ghz * 1e3 + 0.5);
        return 0;
}

CHECK_FN(check_cpu_tsc_freq) {
        const struct cpuinfo *ci = NULL;
        json_object *kvm = NULL;
        int64_t khz;
        const char *err;
        int k;

        (void) audit_cpuinfo(c, &ci);
        if (ci && !ci->vendor) {
                sis_finding_skip(f, "not an x86 CPU");
                return;
        }
        k = probe_kvm(c, &kvm);
        if (k >= 0 && !probe_str(kvm, "open_error") && !probe_str(kvm, "create_vm_error") &&
            !probe_str(kvm, "create_vcpu_error")) {
                err = probe_str(kvm, "tsc_khz_error");
                if (probe_int(kvm, "tsc_khz", &khz)) {
                        sis_finding_evidence(f, "KVM_GET_TSC_KHZ", "%" PRId64, khz);
                        sis_finding_note(f, SIS_PASS, "TSC frequency %" PRId64 " kHz (KVM_GET_TSC_KHZ)", khz);
                        return;
                }
                if (err) {
                        sis_finding_evidence(f, "KVM_GET_TSC_KHZ", "%s", err);
                        sis_finding_note(f, streq(err, "EIO") ? SIS_FAIL : SIS_UNKNOWN,
                                         "KVM_GET_TSC_KHZ failed with %s%s", err,
                                         streq(err, "EIO") ? " (unstable TSC)" : "");
                        return;
                }
        }
        /* No KVM answer: what the kernel and the brand string tell. */
        if (ci && cpuinfo_has_flag(ci, "tsc_known_freq")) {
                sis_finding_evidence(f, "/proc/cpuinfo", "flags: tsc_known_freq");
                sis_finding_note(f, SIS_PASS, "TSC frequency known to the kernel (tsc_known_freq)");
        } else if (ci && brand_khz(ci->model_name) > 0) {
                sis_finding_evidence(f, "/proc/cpuinfo", "model name: %s", ci->model_name);
                sis_finding_note(f, SIS_PASS, "TSC frequency %ld kHz from the brand string", brand_khz(ci->model_name));
        } else if (ci) {
                sis_finding_evidence(f, "/proc/cpuinfo", "model name: %s", strna(ci->model_name));
                sis_finding_note(f, SIS_WARN,
                                 "brand string has no frequency and KVM was not asked%s: Firecracker < 1.5 fails "
                                 "InstanceStart on such Intel hosts",
                                 k < 0 ? "" : " successfully");
        } else
                sis_finding_note(f, SIS_UNKNOWN, "no KVM answer (%s) and /proc/cpuinfo unreadable",
                                 audit_strerror(k < 0 ? k : -ENODEV));
}

CHECK_FN(check_cpu_clocksource) {
        _cleanup_free_ char *cs = NULL;

        if (audit_read(c, f, "/sys/devices/system/clocksource/clocksource0/current_clocksource", &cs) < 0)
                return;
        if (streq(cs, "tsc") || streq(cs, "arch_sys_counter"))
                sis_finding_note(f, SIS_PASS, "clocksource %s", cs);
        else
                sis_finding_note(f, SIS_WARN, "clocksource is %s, not tsc", cs);
}

CHECK_FN(check_cpu_governor) {
        _cleanup_strv_free_ char **cpus = NULL, **govs = NULL;
        size_t n = 0;
        int k = list_cpus(c, &cpus);

        if (k < 0) {
                sis_finding_note(f, SIS_UNKNOWN, "cannot list " CPU_DIR ": %s", audit_strerror(k));
                return;
        }
        for (size_t i = 0; cpus[i]; i++) {
                _cleanup_free_ char *p = strdup_printf(CPU_DIR "/%s/cpufreq/scaling_governor", cpus[i]), *g = NULL;
                if (!p)
                        break;
                k = sis_root_read_string(c->root, p, &g);
                if (k == -ENOENT)
                        continue;
                if (k < 0) {
                        sis_finding_note(f, SIS_UNKNOWN, "cannot read %s: %s", p, audit_strerror(k));
                        continue;
                }
                n++;
                if (!strv_contains(govs, g))
                        (void) strv_extend(&govs, g);
        }
        if (n == 0) {
                sis_finding_note(f, SIS_PASS, "no cpufreq scaling (fixed frequency)");
                return;
        }
        for (size_t i = 0; govs[i]; i++) {
                sis_finding_evidence(f, CPU_DIR "/cpu*/cpufreq/scaling_governor", "%s", govs[i]);
                if (!streq(govs[i], "performance"))
                        sis_finding_note(f, SIS_WARN, "governor %s on some CPUs (latency jitter)", govs[i]);
        }
        sis_finding_note(f, SIS_PASS, "performance governor on all %zu CPUs", n);
}
