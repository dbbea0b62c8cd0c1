/* SPDX-License-Identifier: MIT */
/* libFuzzer target: policy files, parsed and applied to a small report. */
#include "fuzz.h"
#include "policy.h"
#include "util.h"

static bool known(const char *id) {
        return id[0] != 'x';
}

static void fuzz_one(char *s, const uint8_t *data, size_t size) {
        struct sis_policy *p = NULL;
        char *err = NULL;

        if (sis_policy_parse(s, size, "fuzz.json", &p, &err) == 0) {
                struct sis_report *r = sis_report_new("sis-audit", "f", "production");
                struct sis_finding *f = sis_finding_new("mem.ksm", "t", "memory", SIS_SEV_HIGH, true);
                sis_finding_note(f, SIS_FAIL, "x");
                sis_finding_finish(f);
                sis_report_add(r, f);
                sis_report_finish(r);
                (void) sis_policy_apply(p, r, 1799971200, known);
                sis_report_free(r);
                sis_policy_free(p);
        }
        free(err);
        (void) data;
}
