/* SPDX-License-Identifier: MIT */
/* Markdown for a merge-request comment: verdict, counts, a table of what is not PASS, then the
 * details (summary, evidence, remediation) of each of those, and in a collapsed section the
 * checks that passed with what they saw (compliance evidence). Every value is escaped. */
#include "escape.h"
#include "fleet.h"
#include "render.h"

const char *md_badge(enum sis_status s, bool waived) {
        if (waived)
                return "⏸️ waived";
        switch (s) {
        case SIS_PASS: return "✅ PASS";
        case SIS_WARN: return "⚠️ WARN";
        case SIS_FAIL: return "❌ FAIL";
        case SIS_SKIP: return "⏭️ SKIP";
        default: return "❔ UNKNOWN";
        }
}

/* The checks that passed, collapsed: each with its summary and evidence. */
static void passing_section(struct sbuf *b, const struct sis_report *r) {
        unsigned n = 0;

        for (size_t i = 0; i < r->n_findings; i++)
                n += r->findings[i]->status == SIS_PASS && !r->findings[i]->waived;
        if (n == 0)
                return;
        sbuf_printf(b, "\n<details><summary>The %u check%s that passed, and what %s saw</summary>\n\n", n,
                    n == 1 ? "" : "s", n == 1 ? "it" : "they");
        sbuf_puts(b, "| Check | Title | Summary | Evidence |\n|---|---|---|---|\n");
        for (size_t i = 0; i < r->n_findings; i++) {
                const struct sis_finding *f = r->findings[i];
                if (f->status != SIS_PASS || f->waived)
                        continue;
                sbuf_puts(b, "| ");
                put_md_code(b, f->id);
                sbuf_puts(b, " | ");
                put_md(b, f->title);
                sbuf_puts(b, " | ");
                put_md(b, f->summary);
                sbuf_puts(b, " | ");
                for (size_t j = 0; j < f->n_evidence; j++) {
                        if (j)
                                sbuf_puts(b, "; ");
                        put_md_code(b, f->evidence[j].path);
                        sbuf_puts(b, ": ");
                        put_md(b, f->evidence[j].value);
                }
                sbuf_puts(b, " |\n");
        }
        sbuf_puts(b, "\n</details>\n");
}

char *render_markdown(const struct sis_report *r, const struct render_opts *o _unused_) {
        struct sbuf b = {};
        unsigned shown = 0;

        sbuf_printf(&b, "## %s: **%s** on ", r->tool, verdict_text(r->verdict));
        put_md(&b, report_fact(r, "hostname") ? report_fact(r, "hostname") : "unknown host");
        sbuf_puts(&b, "\n\n");
        sbuf_puts(&b, "| Host | Kernel | CPU | Profile | Version |\n|---|---|---|---|---|\n| ");
        put_md(&b, strna(report_fact(r, "hostname")));
        sbuf_puts(&b, " | ");
        put_md(&b, strna(report_fact(r, "kernel")));
        sbuf_puts(&b, " | ");
        put_md(&b, strna(report_fact(r, "cpu_model")));
        sbuf_puts(&b, " | ");
        put_md(&b, r->profile);
        sbuf_puts(&b, " | ");
        put_md(&b, r->version);
        sbuf_puts(&b, " |\n\n");
        sbuf_printf(&b,
                    "| PASS | WARN | FAIL | SKIP | UNKNOWN | waived |\n|---:|---:|---:|---:|---:|---:|\n"
                    "| %u | %u | %u | %u | %u | %u |\n\n",
                    r->counts[SIS_PASS], r->counts[SIS_WARN], r->counts[SIS_FAIL], r->counts[SIS_SKIP],
                    r->counts[SIS_UNKNOWN], r->waived);
        for (size_t i = 0; i < r->n_findings; i++) {
                const struct sis_finding *f = r->findings[i];
                if (f->status == SIS_PASS && !f->waived)
                        continue;
                if (shown++ == 0)
                        sbuf_puts(&b, "| Status | Check | Severity | Summary |\n|---|---|---|---|\n");
                sbuf_printf(&b, "| %s | ", md_badge(f->status, f->waived));
                put_md_code(&b, f->id);
                sbuf_puts(&b, " | ");
                put_md(&b, sis_severity_name(f->severity));
                sbuf_puts(&b, " | ");
                put_md(&b, f->summary);
                sbuf_puts(&b, " |\n");
        }
        if (shown == 0)
                sbuf_puts(&b, "Every check passed.\n");
        else
                sbuf_puts(&b, "\n<details><summary>Details of every check that did not pass</summary>\n\n");
        for (size_t i = 0; shown && i < r->n_findings; i++) {
                const struct sis_finding *f = r->findings[i];
                if (f->status == SIS_PASS && !f->waived)
                        continue;
                sbuf_printf(&b, "#### %s ", md_badge(f->status, f->waived));
                put_md_code(&b, f->id);
                sbuf_puts(&b, ": ");
                put_md(&b, f->title);
                sbuf_puts(&b, "\n\n");
                put_md(&b, f->summary);
                sbuf_puts(&b, "\n\n");
                for (size_t j = 0; j < f->n_evidence; j++) {
                        sbuf_puts(&b, "- ");
                        put_md_code(&b, f->evidence[j].path);
                        sbuf_puts(&b, ": ");
                        put_md(&b, f->evidence[j].value);
                        sbuf_puts(&b, "\n");
                }
                if (f->waived) {
                        sbuf_puts(&b, "- **Waived** until ");
                        put_md(&b, f->waiver.expires);
                        sbuf_puts(&b, " by ");
                        put_md(&b, f->waiver.approver);
                        sbuf_puts(&b, ": ");
                        put_md(&b, f->waiver.reason);
                        sbuf_puts(&b, "\n");
                } else if (f->remediation && *f->remediation) {
                        sbuf_puts(&b, "- **Fix:** ");
                        put_md(&b, f->remediation);
                        sbuf_puts(&b, "\n");
                }
                sbuf_puts(&b, "\n");
        }
        if (shown)
                sbuf_puts(&b, "</details>\n");
        passing_section(&b, r);
        return sbuf_steal(&b);
}
