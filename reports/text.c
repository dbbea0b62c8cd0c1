/* SPDX-License-Identifier: MIT */
#include "render.h"
#include "util.h"

static const char *const colors[_SIS_STATUS_MAX] = {
        [SIS_PASS] = "\033[32m", [SIS_WARN] = "\033[33m",    [SIS_FAIL] = "\033[1;31m",
        [SIS_SKIP] = "\033[2m",  [SIS_UNKNOWN] = "\033[35m",
};
#define RESET "\033[0m"
#define BOLD "\033[1m"

char *render_text(const struct sis_report *r, const struct render_opts *o) {
        struct sbuf b = {};
        size_t w = 0;
        const char *last_cat = NULL;

        for (size_t i = 0; i < r->n_findings; i++)
                w = MAX(w, strlen(r->findings[i]->id));
        sbuf_printf(&b, "%s%s %s%s  profile %s  host %s  kernel %s  cpu %s\n", o->color ? BOLD : "", r->tool,
                    r->version, o->color ? RESET : "", r->profile, strna(report_fact(r, "hostname")),
                    strna(report_fact(r, "kernel")), strna(report_fact(r, "cpu_model")));
        for (size_t i = 0; i < r->n_findings; i++) {
                const struct sis_finding *f = r->findings[i];
                if (!last_cat || !streq(last_cat, f->category)) {
                        sbuf_printf(&b, "\n%s%s%s\n", o->color ? BOLD : "", f->category, o->color ? RESET : "");
                        last_cat = f->category;
                }
                sbuf_printf(&b, "  %s%-7s%s %-*s  %s\n", o->color ? colors[f->status] : "", sis_status_name(f->status),
                            o->color ? RESET : "", (int) w, f->id, strempty(f->summary));
                if (f->waived)
                        sbuf_printf(&b, "  %-7s %-*s  waived until %s by %s: %s\n", "", (int) w, "",
                                    strna(f->waiver.expires), strna(f->waiver.approver), strna(f->waiver.reason));
                else if ((f->status == SIS_FAIL || f->status == SIS_WARN) && f->remediation && *f->remediation)
                        sbuf_printf(&b, "  %-7s %-*s  fix: %s\n", "", (int) w, "", f->remediation);
        }
        sbuf_printf(&b, "\n%u checks: %u pass, %u warn, %u fail, %u skip, %u unknown%s%.0u%s. Verdict: %s%s%s\n",
                    (unsigned) r->n_findings, r->counts[SIS_PASS], r->counts[SIS_WARN], r->counts[SIS_FAIL],
                    r->counts[SIS_SKIP], r->counts[SIS_UNKNOWN], r->waived ? ", " : "", r->waived,
                    r->waived ? " waived" : "",
                    o->color ? colors[r->verdict == SIS_VERDICT_PASS           ? SIS_PASS
                                              : r->verdict == SIS_VERDICT_FAIL ? SIS_FAIL
                                                                               : SIS_UNKNOWN]
                             : "",
                    r->verdict == SIS_VERDICT_PASS           ? "PASS"
                            : r->verdict == SIS_VERDICT_FAIL ? "FAIL (launch gate closed)"
                                                             : "INCONCLUSIVE (a required check is UNKNOWN)",
                    o->color ? RESET : "");
        return sbuf_steal(&b);
}
